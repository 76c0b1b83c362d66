package org.gridtrade.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * A password-encrypted file holding one {@link KeyPair}, so that a stolen wallet file alone does
 * not give the key away.
 *
 * <p>The key that encrypts the private seed is derived from the password with scrypt (RFC 7914);
 * the seed is encrypted with AES-256-GCM. File format, version 1, {@value #FILE_LENGTH} bytes:
 *
 * <pre>
 * offset length field
 *      0      4 magic "GTKS" (ASCII)
 *      4      1 format version, 1
 *      5      1 scrypt log2(N), unsigned
 *      6      1 scrypt r, unsigned
 *      7      1 scrypt p, unsigned
 *      8     16 salt, random per file
 *     24     12 AES-GCM nonce, random per file
 *     36     32 Ed25519 public key, in clear so the file can be identified
 *     68     48 AES-256-GCM ciphertext of the 32-byte private seed, then the 16-byte tag
 * </pre>
 *
 * <p>The AES key is {@code scrypt(password as UTF-8, salt, N, r, p)}, 32 bytes; the 68 header bytes
 * (everything before the ciphertext) are the GCM associated data, so a changed header fails
 * authentication exactly as a changed ciphertext does. After decryption the seed must reproduce the
 * public key in the header. The KDF parameters read from a file are checked against the same bounds
 * as {@link Params} before scrypt runs, so a hostile file cannot make it allocate more than {@value
 * Params#MAX_MEMORY_BYTES} bytes.
 *
 * <p>Stateless and thread-safe. Passwords are taken as {@code char[]} and never turned into a
 * {@code String}; the encoded password, the derived key and the seed buffers are zeroed after use
 * (best effort: the JVM and the cipher's key schedule may hold copies the library cannot reach).
 * The caller may zero its password array after a call returns.
 */
public final class Keystore {
  /** Length of a version-1 keystore file in bytes. */
  public static final int FILE_LENGTH = 116;

  private static final byte[] MAGIC = {'G', 'T', 'K', 'S'};
  private static final int VERSION = 1;
  private static final int SALT_LENGTH = 16;
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;
  private static final int KEY_LENGTH = 32;
  private static final int OFFSET_VERSION = 4;
  private static final int OFFSET_LOG_N = 5;
  private static final int OFFSET_R = 6;
  private static final int OFFSET_P = 7;
  private static final int OFFSET_SALT = 8;
  private static final int OFFSET_NONCE = OFFSET_SALT + SALT_LENGTH;
  private static final int OFFSET_PUBLIC_KEY = OFFSET_NONCE + NONCE_LENGTH;
  private static final int HEADER_LENGTH = OFFSET_PUBLIC_KEY + PublicKey.LENGTH;
  private static final int CIPHERTEXT_LENGTH = KeyPair.SEED_LENGTH + TAG_BITS / 8;

  static {
    if (HEADER_LENGTH + CIPHERTEXT_LENGTH != FILE_LENGTH) {
      throw new AssertionError("keystore layout does not add up to " + FILE_LENGTH);
    }
  }

  private Keystore() {}

  /**
   * scrypt cost parameters (RFC 7914): CPU and memory cost {@code N = 2^logN}, block size {@code
   * r}, parallelism {@code p}. scrypt needs {@code 128·r·N} bytes of memory and time proportional
   * to {@code p·r·N}.
   *
   * <p>Bounds, checked here and when a file is decoded: {@code logN} in {@value
   * #MIN_LOG_N}..{@value #MAX_LOG_N}, {@code r} in 1..{@value #MAX_R}, {@code p} in 1..{@value
   * #MAX_P}, {@code N < 2^(16·r)} (RFC 7914, so {@code r = 1} allows {@code logN} up to 15), and
   * memory {@code 128·r·N} at most {@value #MAX_MEMORY_BYTES} bytes (256 MiB).
   *
   * @param logN base-2 logarithm of the cost N
   * @param r the block size
   * @param p the parallelism
   */
  public record Params(int logN, int r, int p) {
    /** Smallest accepted {@code logN}. */
    public static final int MIN_LOG_N = 10;

    /** Largest accepted {@code logN}. */
    public static final int MAX_LOG_N = 20;

    /** Largest accepted block size {@code r}. */
    public static final int MAX_R = 16;

    /** Largest accepted parallelism {@code p}. */
    public static final int MAX_P = 4;

    /** Largest accepted scrypt memory {@code 128·r·2^logN}, in bytes (256 MiB). */
    public static final long MAX_MEMORY_BYTES = 1L << 28;

    // Validates the bounds listed in the class comment.
    public Params {
      String problem = problem(logN, r, p);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }

    /**
     * Parameters for real keys: {@code N = 2^15, r = 8, p = 1}, 32 MiB and roughly 0.1 s per
     * derivation on a current core.
     *
     * @return the default parameters
     */
    public static Params defaults() {
      return new Params(15, 8, 1);
    }

    /**
     * Cheap parameters for tests and demos: {@code N = 2^10, r = 8, p = 1} (1 MiB). Too weak for
     * real keys.
     *
     * @return the fast parameters
     */
    public static Params fast() {
      return new Params(MIN_LOG_N, 8, 1);
    }

    /**
     * Memory scrypt needs with these parameters.
     *
     * @return {@code 128·r·2^logN} bytes
     */
    public long memoryBytes() {
      return 128L * r << logN;
    }

    // Returns what breaks the bounds, or null if nothing does.
    static String problem(int logN, int r, int p) {
      if (logN < MIN_LOG_N || logN > MAX_LOG_N) {
        return "scrypt logN %d is outside %d..%d".formatted(logN, MIN_LOG_N, MAX_LOG_N);
      }
      if (r < 1 || r > MAX_R) {
        return "scrypt r %d is outside 1..%d".formatted(r, MAX_R);
      }
      if (p < 1 || p > MAX_P) {
        return "scrypt p %d is outside 1..%d".formatted(p, MAX_P);
      }
      if (logN >= 16 * r) {
        return "scrypt logN %d with r %d breaks RFC 7914's N < 2^(16·r)".formatted(logN, r);
      }
      long memory = 128L * r << logN;
      if (memory > MAX_MEMORY_BYTES) {
        return "scrypt memory 128·r·2^logN = %d bytes (logN %d, r %d) > %d bytes"
            .formatted(memory, logN, r, MAX_MEMORY_BYTES);
      }
      return null;
    }
  }

  /**
   * Encrypts a key pair into a keystore file image.
   *
   * @param key the key pair to protect
   * @param password the password; not empty; not kept or modified
   * @param params the scrypt cost
   * @param random source of the salt and nonce; use a {@link SecureRandom}
   * @return the {@value #FILE_LENGTH} bytes of the file
   * @throws IllegalArgumentException if the password is empty or is not valid UTF-16 (an unpaired
   *     surrogate)
   */
  public static byte[] encrypt(KeyPair key, char[] password, Params params, SecureRandom random) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(random, "random");
    if (password.length == 0) {
      throw new IllegalArgumentException(
          "password length 0 < 1: an empty password protects nothing");
    }
    byte[] file = new byte[FILE_LENGTH];
    System.arraycopy(MAGIC, 0, file, 0, MAGIC.length);
    file[OFFSET_VERSION] = VERSION;
    file[OFFSET_LOG_N] = (byte) params.logN();
    file[OFFSET_R] = (byte) params.r();
    file[OFFSET_P] = (byte) params.p();
    byte[] salt = new byte[SALT_LENGTH];
    byte[] nonce = new byte[NONCE_LENGTH];
    random.nextBytes(salt);
    random.nextBytes(nonce);
    System.arraycopy(salt, 0, file, OFFSET_SALT, SALT_LENGTH);
    System.arraycopy(nonce, 0, file, OFFSET_NONCE, NONCE_LENGTH);
    System.arraycopy(key.publicKey().unsafeBytes(), 0, file, OFFSET_PUBLIC_KEY, PublicKey.LENGTH);
    byte[] header = Arrays.copyOf(file, HEADER_LENGTH);

    byte[] pw = utf8(password);
    byte[] aesKey = null;
    KeyParameter keyParam = null;
    byte[] seed = key.privateSeed();
    try {
      aesKey = SCrypt.generate(pw, salt, 1 << params.logN(), params.r(), params.p(), KEY_LENGTH);
      keyParam = new KeyParameter(aesKey);
      GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
      gcm.init(true, new AEADParameters(keyParam, TAG_BITS, nonce, header));
      int n = gcm.processBytes(seed, 0, seed.length, file, HEADER_LENGTH);
      n += gcm.doFinal(file, HEADER_LENGTH + n);
      if (n != CIPHERTEXT_LENGTH) {
        throw new IllegalStateException(
            "AES-GCM wrote %d bytes != %d expected".formatted(n, CIPHERTEXT_LENGTH));
      }
      return file;
    } catch (InvalidCipherTextException e) {
      // Encryption never checks a tag.
      throw new IllegalStateException("AES-GCM encryption failed", e);
    } finally {
      zero(pw, aesKey, seed, keyParam == null ? null : keyParam.getKey());
    }
  }

  /**
   * Decrypts a keystore file image.
   *
   * @param file the bytes of the file; not modified
   * @param password the password; not kept or modified
   * @return the key pair
   * @throws KeystoreException with reason {@link
   *     KeystoreException.Reason#WRONG_PASSWORD_OR_TAMPERED} if the password is wrong or the file
   *     was changed, or {@link KeystoreException.Reason#MALFORMED} if the bytes are not a version-1
   *     keystore
   * @throws IllegalArgumentException if the password is not valid UTF-16 (an unpaired surrogate)
   */
  public static KeyPair decrypt(byte[] file, char[] password) throws KeystoreException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(password, "password");
    checkHeader(file);
    int logN = file[OFFSET_LOG_N] & 0xff;
    int r = file[OFFSET_R] & 0xff;
    int p = file[OFFSET_P] & 0xff;
    byte[] header = Arrays.copyOf(file, HEADER_LENGTH);
    byte[] salt = Arrays.copyOfRange(file, OFFSET_SALT, OFFSET_SALT + SALT_LENGTH);
    byte[] nonce = Arrays.copyOfRange(file, OFFSET_NONCE, OFFSET_NONCE + NONCE_LENGTH);

    byte[] pw = utf8(password);
    byte[] aesKey = null;
    KeyParameter keyParam = null;
    byte[] seed = new byte[KeyPair.SEED_LENGTH];
    try {
      try {
        aesKey = SCrypt.generate(pw, salt, 1 << logN, r, p, KEY_LENGTH);
      } catch (OutOfMemoryError e) {
        // One large allocation failed and nothing else changed; report it as the file's fault.
        throw malformed(
            "keystore KDF parameters logN %d, r %d need %d bytes, more than this JVM can allocate"
                .formatted(logN, r, 128L * r << logN));
      }
      keyParam = new KeyParameter(aesKey);
      GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
      gcm.init(false, new AEADParameters(keyParam, TAG_BITS, nonce, header));
      int n = gcm.processBytes(file, HEADER_LENGTH, CIPHERTEXT_LENGTH, seed, 0);
      n += gcm.doFinal(seed, n);
      if (n != KeyPair.SEED_LENGTH) {
        throw new IllegalStateException(
            "AES-GCM decrypted %d bytes != %d expected".formatted(n, KeyPair.SEED_LENGTH));
      }
      KeyPair key = KeyPair.fromSeed(seed);
      PublicKey stored = PublicKey.wrap(Arrays.copyOfRange(file, OFFSET_PUBLIC_KEY, HEADER_LENGTH));
      if (!key.publicKey().equals(stored)) {
        throw new KeystoreException(
            KeystoreException.Reason.MALFORMED,
            "keystore public key %s does not match the decrypted private seed (it derives %s)"
                .formatted(stored, key.publicKey()));
      }
      return key;
    } catch (InvalidCipherTextException e) {
      throw new KeystoreException(
          KeystoreException.Reason.WRONG_PASSWORD_OR_TAMPERED,
          "keystore of public key %s does not authenticate: wrong password, or the file was changed"
              .formatted(publicKeyHex(file)));
    } finally {
      zero(pw, aesKey, seed, keyParam == null ? null : keyParam.getKey());
    }
  }

  /**
   * Reads the public key stored in clear in a keystore file image, without the password. The header
   * is checked for form but not authenticated: only {@link #decrypt} proves the file is intact.
   *
   * @param file the bytes of the file
   * @return the public key the file claims to hold
   * @throws KeystoreException with reason {@link KeystoreException.Reason#MALFORMED} if the bytes
   *     are not a version-1 keystore
   */
  public static PublicKey publicKey(byte[] file) throws KeystoreException {
    Objects.requireNonNull(file, "file");
    checkHeader(file);
    return PublicKey.wrap(Arrays.copyOfRange(file, OFFSET_PUBLIC_KEY, HEADER_LENGTH));
  }

  /**
   * Encrypts a key pair and writes it to {@code file} atomically: the bytes go to a temporary file
   * in the same directory, are forced to the device, and the temporary file is then moved over
   * {@code file} in one atomic step, so a crash leaves either the old file or the new one. An
   * existing file is replaced. Where the file system supports POSIX permissions the file is created
   * readable and writable by its owner only ({@code rw-------}). The parent directory must exist.
   *
   * @param file where to write the keystore
   * @param key the key pair to protect
   * @param password the password; not empty; not kept or modified
   * @param params the scrypt cost
   * @param random source of the salt and nonce; use a {@link SecureRandom}
   * @throws IOException if the file cannot be written or moved into place atomically
   * @throws IllegalArgumentException if the password is empty or is not valid UTF-16
   */
  public static void write(
      Path file, KeyPair key, char[] password, Params params, SecureRandom random)
      throws IOException {
    Objects.requireNonNull(file, "file");
    byte[] bytes = encrypt(key, password, params, random);
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    if (dir == null) {
      throw new IllegalArgumentException(
          "keystore path %s has no parent directory".formatted(file));
    }
    String prefix = "." + target.getFileName() + ".";
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    Path tmp =
        posix
            ? Files.createTempFile(dir, prefix, ".tmp", ownerOnly())
            : Files.createTempFile(dir, prefix, ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    syncDirectory(dir);
  }

  /**
   * Reads and decrypts a keystore file.
   *
   * @param file the keystore file
   * @param password the password; not kept or modified
   * @return the key pair
   * @throws IOException if the file cannot be read
   * @throws KeystoreException if the password is wrong, the file was changed, or it is not a
   *     keystore (see {@link #decrypt})
   * @throws IllegalArgumentException if the password is not valid UTF-16 (an unpaired surrogate)
   */
  public static KeyPair read(Path file, char[] password) throws IOException, KeystoreException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(password, "password");
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // Read one byte more than a keystore holds: enough to reject a long file without reading it.
      bytes = in.readNBytes(FILE_LENGTH + 1);
    }
    if (bytes.length > FILE_LENGTH) {
      throw new KeystoreException(
          KeystoreException.Reason.MALFORMED,
          "keystore file %s is longer than %d bytes".formatted(file, FILE_LENGTH));
    }
    return decrypt(bytes, password);
  }

  // Checks everything that can be checked without the password.
  private static void checkHeader(byte[] file) throws KeystoreException {
    if (file.length != FILE_LENGTH) {
      throw malformed("keystore length %d != %d bytes".formatted(file.length, FILE_LENGTH));
    }
    if (!Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw malformed(
          "keystore magic %s != 47544b53 (\"GTKS\")"
              .formatted(HexFormat.of().formatHex(file, 0, MAGIC.length)));
    }
    int version = file[OFFSET_VERSION] & 0xff;
    if (version != VERSION) {
      throw malformed("keystore version %d != %d".formatted(version, VERSION));
    }
    String problem =
        Params.problem(file[OFFSET_LOG_N] & 0xff, file[OFFSET_R] & 0xff, file[OFFSET_P] & 0xff);
    if (problem != null) {
      throw malformed("keystore KDF parameters: " + problem);
    }
  }

  private static KeystoreException malformed(String message) {
    return new KeystoreException(KeystoreException.Reason.MALFORMED, message);
  }

  // The password as UTF-8, without going through a String; the encoder's buffer is zeroed.
  private static byte[] utf8(char[] password) {
    CharsetEncoder encoder =
        StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer encoded;
    try {
      encoded = encoder.encode(CharBuffer.wrap(password));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "password is not valid UTF-16: it contains an unpaired surrogate", e);
    }
    byte[] out = new byte[encoded.remaining()];
    encoded.get(out);
    if (encoded.hasArray()) {
      Arrays.fill(encoded.array(), (byte) 0);
    }
    return out;
  }

  private static void zero(byte[]... buffers) {
    for (byte[] b : buffers) {
      if (b != null) {
        Arrays.fill(b, (byte) 0);
      }
    }
  }

  private static FileAttribute<?> ownerOnly() {
    return PosixFilePermissions.asFileAttribute(
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
  }

  // Makes the rename durable where the platform allows opening a directory (not on Windows).
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Best effort: the rename itself is atomic; only its durability across power loss depends
      // on this, and some platforms cannot sync a directory.
    }
  }

  // The public key of a file whose header passed checkHeader, for messages.
  private static String publicKeyHex(byte[] file) {
    return HexFormat.of().formatHex(file, OFFSET_PUBLIC_KEY, HEADER_LENGTH);
  }
}

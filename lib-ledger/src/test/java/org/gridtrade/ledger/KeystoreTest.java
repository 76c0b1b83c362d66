package org.gridtrade.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.byteArrays;
import static org.quicktheories.generators.Generate.bytes;
import static org.quicktheories.generators.Generate.range;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.SCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

class KeystoreTest {
  private static final Keystore.Params FAST = Keystore.Params.fast();
  private static final char[] PASSWORD = "correct horse battery staple".toCharArray();

  private static KeyPair key(long seed) {
    byte[] s = new byte[KeyPair.SEED_LENGTH];
    new Random(seed).nextBytes(s);
    return KeyPair.fromSeed(s);
  }

  // Deterministic when seeded before first use.
  private static SecureRandom random(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] file() {
    return Keystore.encrypt(key(1), PASSWORD, FAST, random(2));
  }

  @Test
  void encrypt_thenDecrypt_returnsSameKey() throws KeystoreException {
    List<String> passwords = List.of("x", "correct horse", "pässwörd € 𝄞 密码", " padded ");
    for (int i = 0; i < passwords.size(); i++) {
      KeyPair key = key(100 + i);
      char[] password = passwords.get(i).toCharArray();
      byte[] file = Keystore.encrypt(key, password, FAST, random(i));

      KeyPair back = Keystore.decrypt(file, password);

      assertEquals(Keystore.FILE_LENGTH, file.length);
      assertArrayEquals(key.privateSeed(), back.privateSeed());
      assertEquals(key.publicKey(), back.publicKey());
      assertEquals(key.publicKey(), Keystore.publicKey(file));
      assertArrayEquals(passwords.get(i).toCharArray(), password, "password must be left as is");
    }
  }

  @Test
  void encrypt_defaultParams_roundTrip() throws KeystoreException {
    byte[] file = Keystore.encrypt(key(3), PASSWORD, Keystore.Params.defaults(), random(4));

    assertEquals(key(3).publicKey(), Keystore.decrypt(file, PASSWORD).publicKey());
    assertEquals(15, file[5]);
    assertEquals(8, file[6]);
    assertEquals(1, file[7]);
  }

  @Test
  void encrypt_sameKeyTwice_differentSaltNonceAndCiphertext() {
    byte[] a = Keystore.encrypt(key(1), PASSWORD, FAST, random(10));
    byte[] b = Keystore.encrypt(key(1), PASSWORD, FAST, random(11));

    assertFalse(Arrays.equals(a, 8, 36, b, 8, 36), "salt and nonce must be fresh");
    assertFalse(Arrays.equals(a, 68, 116, b, 68, 116));
  }

  @Test
  void decrypt_wrongPassword_rejected() {
    byte[] file = file();
    for (String wrong :
        List.of("correct horse battery stapl", "Correct horse battery staple", "")) {
      KeystoreException e =
          assertThrows(KeystoreException.class, () -> Keystore.decrypt(file, wrong.toCharArray()));

      assertEquals(KeystoreException.Reason.WRONG_PASSWORD_OR_TAMPERED, e.reason());
      assertTrue(e.getMessage().contains("wrong password"), e.getMessage());
      assertTrue(e.getMessage().contains(key(1).publicKey().toString()), e.getMessage());
    }
  }

  @Test
  void decrypt_everySingleByteFlip_rejected() {
    byte[] file = file();
    Map<KeystoreException.Reason, Integer> reasons = new EnumMap<>(KeystoreException.Reason.class);
    for (int i = 0; i < file.length; i++) {
      for (int mask : new int[] {0x01, 0x80, 0xff}) {
        byte[] flipped = file.clone();
        flipped[i] ^= (byte) mask;
        int at = i;
        KeystoreException e =
            assertThrows(
                KeystoreException.class,
                () -> Keystore.decrypt(flipped, PASSWORD),
                () -> "byte %d flipped with %02x was accepted".formatted(at, mask));
        reasons.merge(e.reason(), 1, Integer::sum);
      }
    }
    // Malformed: 12 flips of the magic, 3 of the version, and the flips that push logN 10, r 8 or
    // p 1 out of bounds (7 of 9). The rest (logN 11, r 9, and every byte after the parameters)
    // passes the checks and fails GCM authentication.
    assertEquals(
        Map.of(
            KeystoreException.Reason.MALFORMED,
            22,
            KeystoreException.Reason.WRONG_PASSWORD_OR_TAMPERED,
            2 + (116 - 8) * 3),
        reasons);
  }

  @Test
  void decrypt_swappedPublicKey_failsAuthentication() {
    byte[] file = file();
    System.arraycopy(key(99).publicKey().bytes(), 0, file, 36, PublicKey.LENGTH);

    KeystoreException e =
        assertThrows(KeystoreException.class, () -> Keystore.decrypt(file, PASSWORD));

    assertEquals(KeystoreException.Reason.WRONG_PASSWORD_OR_TAMPERED, e.reason());
  }

  @Test
  void file_doesNotContainSeedOrPassword() {
    KeyPair key = key(5);
    byte[] file = Keystore.encrypt(key, PASSWORD, FAST, random(6));
    byte[] seed = key.privateSeed();
    byte[] password = new String(PASSWORD).getBytes(StandardCharsets.UTF_8);

    for (int i = 0; i + 8 <= seed.length; i++) {
      assertFalse(contains(file, Arrays.copyOfRange(seed, i, i + 8)), "seed bytes at " + i);
    }
    for (int i = 0; i + 8 <= password.length; i++) {
      assertFalse(contains(file, Arrays.copyOfRange(password, i, i + 8)), "password at " + i);
    }
  }

  @Test
  void decrypt_randomGarbage_onlyKeystoreException() {
    qt().withFixedSeed(7)
        .withExamples(400)
        .forAll(
            byteArrays(
                range(0, 2 * Keystore.FILE_LENGTH),
                bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0)))
        .checkAssert(
            garbage -> {
              assertThrows(KeystoreException.class, () -> Keystore.decrypt(garbage, PASSWORD));
              assertThrows(KeystoreException.class, () -> Keystore.publicKey(garbage));
            });
  }

  @Test
  void decrypt_garbageBehindValidHeader_onlyKeystoreException() {
    // Mostly cheap in-bounds scrypt costs, so scrypt and GCM run; sometimes anything.
    Gen<Integer> logN = range(0, 20).map(v -> v < 16 ? 10 : v * 13 % 256);
    Gen<Integer> r = range(0, 20).map(v -> v < 16 ? 1 + v % 8 : v * 29 % 256);
    Gen<Integer> p = range(0, 9).map(v -> v < 8 ? 1 : 200);
    Gen<byte[]> tail = byteArrays(range(108, 110), bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    qt().withFixedSeed(8)
        .withExamples(300)
        .forAll(logN, r, p, tail)
        .checkAssert(
            (n, rr, pp, rest) -> {
              byte[] file = new byte[8 + rest.length];
              file[0] = 'G';
              file[1] = 'T';
              file[2] = 'K';
              file[3] = 'S';
              file[4] = 1;
              file[5] = (byte) (int) n;
              file[6] = (byte) (int) rr;
              file[7] = (byte) (int) pp;
              System.arraycopy(rest, 0, file, 8, rest.length);
              assertThrows(KeystoreException.class, () -> Keystore.decrypt(file, PASSWORD));
            });
  }

  @Test
  void decrypt_hostileCostParameters_rejectedBeforeScrypt() {
    int[][] hostile = {{20, 16, 1}, {255, 255, 255}, {20, 8, 5}, {19, 16, 4}, {16, 1, 1}};
    for (int[] h : hostile) {
      byte[] file = file();
      file[5] = (byte) h[0];
      file[6] = (byte) h[1];
      file[7] = (byte) h[2];

      KeystoreException e =
          assertTimeout(
              Duration.ofSeconds(2),
              () -> assertThrows(KeystoreException.class, () -> Keystore.decrypt(file, PASSWORD)));

      assertEquals(KeystoreException.Reason.MALFORMED, e.reason(), e::getMessage);
      assertTrue(e.getMessage().startsWith("keystore KDF parameters: scrypt"), e.getMessage());
    }
  }

  @Test
  void decrypt_wrongLengthMagicOrVersion_malformedNamingTheField() {
    byte[] file = file();
    byte[] badMagic = file.clone();
    badMagic[0] = 'X';
    byte[] badVersion = file.clone();
    badVersion[4] = 2;

    assertMalformed(Arrays.copyOf(file, 115), "keystore length 115 != 116 bytes");
    assertMalformed(Arrays.copyOf(file, 117), "keystore length 117 != 116 bytes");
    assertMalformed(badMagic, "keystore magic 58544b53 != 47544b53 (\"GTKS\")");
    assertMalformed(badVersion, "keystore version 2 != 1");
  }

  // An independent reading of the documented format: JDK AES-GCM instead of BouncyCastle's.
  @Test
  void format_decryptsWithJdkCipher_headerIsAad() throws GeneralSecurityException {
    KeyPair key = key(12);
    byte[] file = Keystore.encrypt(key, PASSWORD, FAST, random(13));

    byte[] seed = jdkGcm(Cipher.DECRYPT_MODE, file, Arrays.copyOfRange(file, 68, 116));

    assertArrayEquals(key.privateSeed(), seed);
    assertArrayEquals(new byte[] {'G', 'T', 'K', 'S', 1, 10, 8, 1}, Arrays.copyOf(file, 8));
    assertArrayEquals(key.publicKey().bytes(), Arrays.copyOfRange(file, 36, 68));
  }

  @Test
  void decrypt_authenticSeedOfAnotherKey_malformed() throws GeneralSecurityException {
    // Only someone with the password can build this file: header of key A, seed of key B.
    byte[] file = Keystore.encrypt(key(20), PASSWORD, FAST, random(21));
    byte[] ciphertext = jdkGcm(Cipher.ENCRYPT_MODE, file, key(22).privateSeed());
    System.arraycopy(ciphertext, 0, file, 68, ciphertext.length);

    KeystoreException e =
        assertThrows(KeystoreException.class, () -> Keystore.decrypt(file, PASSWORD));

    assertEquals(KeystoreException.Reason.MALFORMED, e.reason());
    assertTrue(
        e.getMessage().contains("does not match the decrypted private seed"), e.getMessage());
  }

  @Test
  void params_outOfBounds_rejectedNamingFieldValueAndRule() {
    assertParamsRejected(9, 8, 1, "scrypt logN 9 is outside 10..20");
    assertParamsRejected(21, 8, 1, "scrypt logN 21 is outside 10..20");
    assertParamsRejected(15, 0, 1, "scrypt r 0 is outside 1..16");
    assertParamsRejected(15, 17, 1, "scrypt r 17 is outside 1..16");
    assertParamsRejected(15, 8, 0, "scrypt p 0 is outside 1..4");
    assertParamsRejected(15, 8, 5, "scrypt p 5 is outside 1..4");
    assertParamsRejected(16, 1, 1, "scrypt logN 16 with r 1 breaks RFC 7914's N < 2^(16·r)");
    assertParamsRejected(
        20, 8, 1, "scrypt memory 128·r·2^logN = 1073741824 bytes (logN 20, r 8) > 268435456 bytes");
  }

  @Test
  void params_presets() {
    assertEquals(new Keystore.Params(15, 8, 1), Keystore.Params.defaults());
    assertEquals(new Keystore.Params(10, 8, 1), Keystore.Params.fast());
    assertEquals(32L << 20, Keystore.Params.defaults().memoryBytes());
    assertEquals(256L << 20, new Keystore.Params(20, 2, 4).memoryBytes());
  }

  @Test
  void encrypt_badPassword_rejected() {
    KeyPair key = key(1);
    SecureRandom random = random(1);

    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class, () -> Keystore.encrypt(key, new char[0], FAST, random));
    IllegalArgumentException surrogate =
        assertThrows(
            IllegalArgumentException.class,
            () -> Keystore.encrypt(key, new char[] {'a', '\uD800', 'b'}, FAST, random));

    assertTrue(empty.getMessage().startsWith("password length 0 < 1"), empty.getMessage());
    assertTrue(surrogate.getMessage().contains("unpaired surrogate"), surrogate.getMessage());
  }

  @Test
  void write_thenRead_roundTripOwnerOnlyNoTemporaryLeft(@TempDir Path dir)
      throws IOException, KeystoreException {
    Path file = dir.resolve("wallet.gtks");

    Keystore.write(file, key(30), PASSWORD, FAST, random(31));
    Keystore.write(file, key(32), PASSWORD, FAST, random(33));

    assertEquals(key(32).publicKey(), Keystore.read(file, PASSWORD).publicKey());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
    assertNotEquals(0, Files.size(file));
  }

  @Test
  void read_longOrMissingFile_rejected(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("wallet.gtks");
    byte[] bytes = Arrays.copyOf(file(), 10_000);
    Files.write(file, bytes);

    KeystoreException e =
        assertThrows(KeystoreException.class, () -> Keystore.read(file, PASSWORD));

    assertEquals(KeystoreException.Reason.MALFORMED, e.reason());
    assertTrue(e.getMessage().endsWith("is longer than 116 bytes"), e.getMessage());
    assertThrows(NoSuchFileException.class, () -> Keystore.read(dir.resolve("missing"), PASSWORD));
  }

  private static void assertMalformed(byte[] file, String message) {
    KeystoreException e =
        assertThrows(KeystoreException.class, () -> Keystore.decrypt(file, PASSWORD));
    assertEquals(KeystoreException.Reason.MALFORMED, e.reason());
    assertEquals(message, e.getMessage());
  }

  private static void assertParamsRejected(int logN, int r, int p, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Keystore.Params(logN, r, p));
    assertEquals(message, e.getMessage());
  }

  // AES-256-GCM through the JDK, keyed from the file's header exactly as the format documents.
  private static byte[] jdkGcm(int mode, byte[] file, byte[] input)
      throws GeneralSecurityException {
    byte[] key =
        SCrypt.generate(
            new String(PASSWORD).getBytes(StandardCharsets.UTF_8),
            Arrays.copyOfRange(file, 8, 24),
            1 << file[5],
            file[6],
            file[7],
            32);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        mode,
        new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, Arrays.copyOfRange(file, 24, 36)));
    gcm.updateAAD(file, 0, 68);
    return gcm.doFinal(input);
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }
}

package org.gridtrade.node.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.gridtrade.ledger.internal.SignatureConfirmer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libsodium's Ed25519 verification, about twice as fast as BouncyCastle's on x86-64, installed as
 * the process's {@link SignatureConfirmer}: a signature libsodium accepts is accepted, every other
 * one goes to BouncyCastle, so every answer stays BouncyCastle's (the confirmer's contract says
 * why). The library is the build that the {@code lazysodium-java} artifact carries for this
 * platform, bound through JNA's direct mapping; where there is none, or it does not load, nodes
 * verify with BouncyCastle alone and the log says so.
 *
 * <p>Set the system property {@value #PROPERTY} to {@code bouncycastle} to leave it out.
 */
public final class Libsodium implements SignatureConfirmer.Confirmer {
  /** The system property that chooses the verifier: {@code libsodium} (default) or not. */
  public static final String PROPERTY = "gridtrade.signatures";

  private static final Logger LOG = LoggerFactory.getLogger(Libsodium.class);
  private static final Object LOCK = new Object();
  private static String outcome; // what install() found, once it ran

  private Libsodium() {}

  // Bound by Native.register in load().
  private static native int sodium_init();

  private static native String sodium_version_string();

  private static native int crypto_sign_verify_detached(
      byte[] sig, byte[] message, long length, byte[] publicKey);

  @Override
  public boolean confirms(byte[] publicKey, byte[] signature, byte[] message, int off, int len) {
    byte[] m =
        off == 0 && len == message.length ? message : Arrays.copyOfRange(message, off, off + len);
    return crypto_sign_verify_detached(signature, m, len, publicKey) == 0;
  }

  /**
   * Installs libsodium as the process's signature confirmer, once; later calls return what the
   * first found.
   *
   * @return what verifies signatures in this process, for the log and the status
   */
  public static String install() {
    synchronized (LOCK) {
      if (outcome == null) {
        outcome = tryInstall();
        LOG.info("Ed25519 verification: {}", outcome);
      }
      return outcome;
    }
  }

  private static String tryInstall() {
    String choice = System.getProperty(PROPERTY, "libsodium");
    if (!choice.equals("libsodium")) {
      return "BouncyCastle (%s=%s)".formatted(PROPERTY, choice);
    }
    Optional<String> resource = resource();
    if (resource.isEmpty()) {
      return "BouncyCastle (no libsodium build for %s %s)"
          .formatted(System.getProperty("os.name"), System.getProperty("os.arch"));
    }
    try {
      String name = resource.get();
      Path file;
      try (InputStream in = Libsodium.class.getClassLoader().getResourceAsStream(name)) {
        if (in == null) {
          return "BouncyCastle (" + name + " is not on the class path)";
        }
        file = Files.createTempFile("gridtrade-libsodium", name.substring(name.lastIndexOf('.')));
        file.toFile().deleteOnExit();
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      }
      Native.register(Libsodium.class, NativeLibrary.getInstance(file.toString()));
      if (sodium_init() < 0) {
        return "BouncyCastle (libsodium did not initialise)";
      }
      SignatureConfirmer.install(new Libsodium());
      return "libsodium " + sodium_version_string() + " confirms, BouncyCastle decides the rest";
    } catch (IOException | LinkageError | RuntimeException e) {
      return "BouncyCastle (libsodium did not load: " + e + ")";
    }
  }

  // Where lazysodium-java keeps its libsodium build for this platform.
  private static Optional<String> resource() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
    boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
    if (os.startsWith("linux")) {
      return x64
          ? Optional.of("linux64/libsodium.so")
          : arm64 ? Optional.of("arm64/libsodium.so") : Optional.empty();
    }
    if (os.startsWith("mac")) {
      return x64
          ? Optional.of("mac/intel/libsodium.dylib")
          : arm64 ? Optional.of("mac/aarch64/libsodium.dylib") : Optional.empty();
    }
    if (os.startsWith("windows") && x64) {
      return Optional.of("windows64/libsodium.dll");
    }
    return Optional.empty();
  }
}

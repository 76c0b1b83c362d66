package org.gridtrade.ledger.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 through the JDK's intrinsic-backed {@link MessageDigest}, one instance per thread. */
public final class Digests {
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(Digests::newSha256);

  private Digests() {}

  /**
   * Creates a fresh SHA-256 digest.
   *
   * @return a new digest; not thread-safe
   */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK provides no SHA-256", e);
    }
  }

  /**
   * Returns this thread's SHA-256 digest, reset.
   *
   * @return the digest
   */
  public static MessageDigest sha256() {
    MessageDigest md = SHA256.get();
    md.reset();
    return md;
  }

  /**
   * SHA-256 of the concatenation of {@code parts}.
   *
   * @param parts byte arrays hashed in order
   * @return the 32-byte digest
   */
  public static byte[] sha256(byte[]... parts) {
    MessageDigest md = sha256();
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }
}

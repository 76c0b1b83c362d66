package org.gridtrade.ledger;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 public key (RFC 8032), 32 bytes.
 *
 * <p>Immutable and thread-safe; equality is by the 32 bytes. Any 32 bytes make a {@code PublicKey}:
 * a key that is not a valid curve point simply verifies nothing. The decoded curve point is cached,
 * in the instance and for the last few thousand keys across instances, so verifying many signatures
 * of one key decodes it about once.
 */
public final class PublicKey {
  /** Length of a public key in bytes. */
  public static final int LENGTH = 32;

  private final byte[] bytes;
  // Decoded point, or null if not decoded yet; INVALID marks a key that is no curve point.
  private volatile Object point;
  private static final Object INVALID = new Object();

  private PublicKey(byte[] bytes) {
    this.bytes = bytes;
  }

  // Points decoded lately, shared by every instance of the same key: a transaction decoded from the
  // network brings a new instance of its sender's key, and decoding the point (a square root) is
  // about a tenth of a verification. Direct-mapped by the key's first bytes; an entry is replaced,
  // never changed, and a hit is checked against all 32 bytes, so the cache changes no result.
  private static final int CACHED_POINTS = 4_096;
  private static final Cached[] POINTS = new Cached[CACHED_POINTS];

  private record Cached(byte[] key, Object point) {}

  private static Object decodedPoint(byte[] key) {
    int slot = ((key[0] & 0xff) | (key[1] & 0xff) << 8) & (CACHED_POINTS - 1);
    Cached c = POINTS[slot]; // a racy read sees null, an older entry or a newer one: all safe
    if (c != null && Arrays.equals(c.key(), key)) {
      return c.point();
    }
    Ed25519.PublicPoint decoded = Ed25519.validatePublicKeyPartialExport(key, 0);
    Object p = decoded == null ? INVALID : decoded;
    POINTS[slot] = new Cached(key, p);
    return p;
  }

  /**
   * Wraps a copy of 32 public-key bytes.
   *
   * @param bytes exactly {@value #LENGTH} bytes
   * @return the key
   * @throws IllegalArgumentException if {@code bytes} is not 32 bytes long
   */
  public static PublicKey of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "public key length %d != %d bytes".formatted(bytes.length, LENGTH));
    }
    return new PublicKey(bytes.clone());
  }

  static PublicKey wrap(byte[] bytes) {
    return new PublicKey(bytes);
  }

  /**
   * Whether the bytes decode to a point of the curve (RFC 8032, §5.1.3). A key that does not
   * verifies no signature.
   *
   * @return whether this key can verify a signature
   */
  public boolean isValid() {
    Object p = point;
    if (p == null) {
      p = decodedPoint(bytes);
      point = p;
    }
    return p != INVALID;
  }

  /**
   * Verifies an Ed25519 signature over {@code message}. Never throws on bad input: a malformed key,
   * a non-canonical signature ({@code S ≥ L}) or a bad point encoding returns {@code false}.
   *
   * @param message the signed bytes
   * @param signature the signature
   * @return whether the signature is valid for this key and message
   */
  public boolean verify(byte[] message, Signature signature) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(signature, "signature");
    return verify(message, 0, message.length, signature.unsafeBytes());
  }

  boolean verify(byte[] message, int off, int len, byte[] sig) {
    Object p = point;
    if (p == null) {
      p = decodedPoint(bytes);
      point = p;
    }
    if (p == INVALID) {
      return false;
    }
    try {
      return Ed25519.verify(sig, 0, (Ed25519.PublicPoint) p, message, off, len);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * The address derived from this key.
   *
   * @return {@link Address#of(PublicKey)}
   */
  public Address address() {
    return Address.of(this);
  }

  /**
   * Returns a copy of the 32 bytes.
   *
   * @return a fresh array
   */
  public byte[] bytes() {
    return bytes.clone();
  }

  byte[] unsafeBytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublicKey k && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}

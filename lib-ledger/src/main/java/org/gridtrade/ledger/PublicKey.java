package org.gridtrade.ledger;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.gridtrade.ledger.internal.SignatureConfirmer;

/**
 * An Ed25519 public key (RFC 8032), 32 bytes.
 *
 * <p>Immutable and thread-safe; equality is by the 32 bytes. Any 32 bytes make a {@code PublicKey}:
 * a key that is not a valid curve point simply verifies nothing. The decoded curve point is cached,
 * in the instance and for the last few thousand keys across instances, so verifying many signatures
 * of one key decodes it about once.
 *
 * <p>Verification is BouncyCastle's. A node process may also install a faster verifier that only
 * confirms (libsodium, in the node module): a signature it confirms is accepted at once, every
 * other one is checked by BouncyCastle, and it is asked only when its yes implies BouncyCastle's,
 * so every answer is the same as BouncyCastle's alone.
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
    if (p == INVALID) {
      return false;
    }
    // A confirmation needs no decoded point: a key the confirmer accepts decodes (see confirmed).
    if (confirmed(message, off, len, sig)) {
      return true;
    }
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

  // Whether the installed confirmer, if any, confirms the signature; any failure of it leaves the
  // answer to BouncyCastle. Asked only for a canonical key: the confirmer accepts only keys that
  // decode to a curve point, and BouncyCastle decodes every such key whose y is below p, except
  // y = 1 and y = p - 1 with the sign bit set (x = 0 there), so BouncyCastle hashes the same bytes.
  private boolean confirmed(byte[] message, int off, int len, byte[] sig) {
    SignatureConfirmer.Confirmer fast = SignatureConfirmer.installed();
    if (fast == null
        || sig.length != Signature.LENGTH
        || !canonicalScalar(sig)
        || !canonicalKey(bytes)) {
      return false;
    }
    try {
      return fast.confirms(bytes, sig, message, off, len);
    } catch (RuntimeException e) {
      return false;
    }
  }

  // The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
  private static final byte[] ORDER =
      HexFormat.of().parseHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");

  // Whether the key's y (its 255 low bits, little-endian) is below p = 2^255 - 19 and is neither 1
  // nor p - 1, the two values of y whose x is 0.
  static boolean canonicalKey(byte[] key) {
    boolean middleOnes = true; // bytes 1..30 all 0xff
    boolean middleZeros = true; // bytes 1..30 all 0
    for (int i = 1; i < 31; i++) {
      middleOnes &= key[i] == (byte) 0xff;
      middleZeros &= key[i] == 0;
    }
    int top = key[31] & 0x7f;
    int low = key[0] & 0xff;
    if (middleOnes && top == 0x7f && low >= 0xec) {
      return false; // y >= p - 1
    }
    return !(middleZeros && top == 0 && low == 1); // y == 1
  }

  // Whether the signature's S (its last 32 bytes, little-endian) is below L.
  static boolean canonicalScalar(byte[] sig) {
    for (int i = 31; i >= 0; i--) {
      int s = sig[32 + i] & 0xff;
      int l = ORDER[i] & 0xff;
      if (s != l) {
        return s < l;
      }
    }
    return false; // S == L
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

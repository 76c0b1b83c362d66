package org.gridtrade.ledger;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.gridtrade.ledger.internal.Digests;

/**
 * A 32-byte SHA-256 digest: block hashes, transaction hashes, Merkle roots and state commitments.
 *
 * <p>Immutable and thread-safe. Equality and ordering are by the 32 bytes (ordering is unsigned
 * lexicographic). {@link #toString()} is the lowercase hex form.
 */
public final class Hash implements Comparable<Hash> {
  /** Length of a hash in bytes. */
  public static final int LENGTH = 32;

  /** The all-zero hash, used as the previous-block hash of the genesis block. */
  public static final Hash ZERO = new Hash(new byte[LENGTH]);

  private final byte[] bytes;

  private Hash(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Wraps a copy of 32 bytes.
   *
   * @param bytes exactly {@value #LENGTH} bytes
   * @return the hash
   * @throws IllegalArgumentException if {@code bytes} is not 32 bytes long
   */
  public static Hash of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "hash length %d != %d bytes".formatted(bytes.length, LENGTH));
    }
    return new Hash(bytes.clone());
  }

  /**
   * Parses 64 hex digits.
   *
   * @param hex the hex form, either case
   * @return the hash
   * @throws IllegalArgumentException if {@code hex} is not 64 hex digits
   */
  public static Hash fromHex(String hex) {
    Objects.requireNonNull(hex, "hex");
    if (hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException(
          "hash hex length %d != %d digits".formatted(hex.length(), 2 * LENGTH));
    }
    try {
      return new Hash(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("hash hex '%s' is not hexadecimal".formatted(hex), e);
    }
  }

  /**
   * SHA-256 of the concatenation of the given byte arrays.
   *
   * @param parts the byte arrays, hashed in order
   * @return the digest
   */
  public static Hash sha256(byte[]... parts) {
    return new Hash(Digests.sha256(parts));
  }

  /**
   * Returns a copy of the 32 bytes.
   *
   * @return a fresh array
   */
  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * The lowercase hex form (64 digits).
   *
   * @return the hex string
   */
  public String toHex() {
    return HexFormat.of().formatHex(bytes);
  }

  byte[] unsafeBytes() {
    return bytes;
  }

  /** Wraps 32 bytes without copying; the caller hands over the array and never writes to it. */
  static Hash wrap(byte[] bytes) {
    assert bytes.length == LENGTH : bytes.length;
    return new Hash(bytes);
  }

  @Override
  public int compareTo(Hash other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hash h && Arrays.equals(bytes, h.bytes);
  }

  @Override
  public int hashCode() {
    return (bytes[0] & 0xff) << 24
        | (bytes[1] & 0xff) << 16
        | (bytes[2] & 0xff) << 8
        | bytes[3] & 0xff;
  }

  @Override
  public String toString() {
    return toHex();
  }
}

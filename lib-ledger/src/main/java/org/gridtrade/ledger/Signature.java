package org.gridtrade.ledger;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A 64-byte Ed25519 signature (RFC 8032). Holding one says nothing about its validity: check it
 * with {@link PublicKey#verify(byte[], Signature)}.
 *
 * <p>Immutable and thread-safe; equality is by the 64 bytes.
 */
public final class Signature {
  /** Length of a signature in bytes. */
  public static final int LENGTH = 64;

  private final byte[] bytes;

  private Signature(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Wraps a copy of 64 signature bytes (not checked for validity).
   *
   * @param bytes exactly {@value #LENGTH} bytes
   * @return the signature
   * @throws IllegalArgumentException if {@code bytes} is not 64 bytes long
   */
  public static Signature of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "signature length %d != %d bytes".formatted(bytes.length, LENGTH));
    }
    return new Signature(bytes.clone());
  }

  static Signature wrap(byte[] bytes) {
    return new Signature(bytes);
  }

  /**
   * Returns a copy of the 64 bytes.
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
    return o instanceof Signature s && Arrays.equals(bytes, s.bytes);
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

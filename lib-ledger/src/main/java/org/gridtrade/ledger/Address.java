package org.gridtrade.ledger;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.gridtrade.ledger.internal.Digests;

/**
 * An account address: the first 20 bytes of {@code SHA-256("gridtrade/address" ‖ publicKey)}.
 *
 * <p>Immutable and thread-safe. Equality is by the 20 bytes; {@link #toString()} is {@code "gt"}
 * followed by 40 lowercase hex digits.
 */
public final class Address implements Comparable<Address> {
  /** Length of an address in bytes. */
  public static final int LENGTH = 20;

  private static final byte[] DOMAIN =
      "gridtrade/address".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final byte[] bytes;

  private Address(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Derives the address of a public key.
   *
   * @param key the account's public key
   * @return its address
   */
  public static Address of(PublicKey key) {
    Objects.requireNonNull(key, "key");
    return new Address(Arrays.copyOf(Digests.sha256(DOMAIN, key.unsafeBytes()), LENGTH));
  }

  /**
   * Wraps a copy of 20 raw address bytes.
   *
   * @param bytes exactly {@value #LENGTH} bytes
   * @return the address
   * @throws IllegalArgumentException if {@code bytes} is not 20 bytes long
   */
  public static Address ofBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "address length %d != %d bytes".formatted(bytes.length, LENGTH));
    }
    return new Address(bytes.clone());
  }

  /**
   * Parses the {@link #toString()} form.
   *
   * @param text {@code "gt"} followed by 40 hex digits
   * @return the address
   * @throws IllegalArgumentException if {@code text} has another form
   */
  public static Address parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() != 2 + 2 * LENGTH || !text.startsWith("gt")) {
      throw new IllegalArgumentException(
          "address '%s' must be 'gt' followed by %d hex digits".formatted(text, 2 * LENGTH));
    }
    try {
      return new Address(HexFormat.of().parseHex(text, 2, text.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("address '%s' is not hexadecimal".formatted(text), e);
    }
  }

  /**
   * Returns a copy of the 20 bytes.
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
  public int compareTo(Address other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Address a && Arrays.equals(bytes, a.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "gt" + HexFormat.of().formatHex(bytes);
  }
}

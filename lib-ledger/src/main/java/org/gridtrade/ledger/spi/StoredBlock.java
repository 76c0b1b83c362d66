package org.gridtrade.ledger.spi;

import java.util.Objects;
import org.gridtrade.ledger.Hash;

/**
 * One stored block: its height, the hash of its header, and its canonical encoding.
 *
 * <p>Immutable: the byte array is copied in and out. The constructor throws {@link
 * IllegalArgumentException} for a negative height.
 *
 * @param height the block height, 0 or more
 * @param hash the block hash as recorded when the block was appended
 * @param encoded the canonical encoding of the block
 */
public record StoredBlock(long height, Hash hash, byte[] encoded) {
  // Validates (height 0 or more, nothing null) and copies the bytes in.
  public StoredBlock {
    if (height < 0) {
      throw new IllegalArgumentException("height %d < 0".formatted(height));
    }
    Objects.requireNonNull(hash, "hash");
    encoded = Objects.requireNonNull(encoded, "encoded").clone();
  }

  /**
   * Returns a copy of the encoded block.
   *
   * @return a fresh array
   */
  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  /**
   * Length of the encoding without copying it.
   *
   * @return the number of encoded bytes
   */
  public int encodedLength() {
    return encoded.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredBlock s
        && height == s.height
        && hash.equals(s.hash)
        && java.util.Arrays.equals(encoded, s.encoded);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(height) * 31 + hash.hashCode();
  }

  @Override
  public String toString() {
    return "StoredBlock[height=%d, hash=%s, bytes=%d]".formatted(height, hash, encoded.length);
  }
}

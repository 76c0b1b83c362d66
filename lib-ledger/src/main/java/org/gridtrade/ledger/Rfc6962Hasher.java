package org.gridtrade.ledger;

import java.security.DigestException;
import java.security.MessageDigest;
import org.gridtrade.ledger.internal.Digests;

/**
 * RFC 6962 leaf and node hashing into caller-supplied arrays, with this thread's digest and one
 * scratch block: no allocation per hash.
 *
 * <p>Each hash is fed to the digest in as few calls as possible (one for a node, at most two for a
 * leaf), with the bulk of a long leaf passed straight through: measured here, prefixing by a
 * separate one-byte {@code update} cost 15-20% more than hashing the same bytes in one piece.
 *
 * <p>Not thread-safe: create one per computation, on the thread that uses it.
 */
final class Rfc6962Hasher {
  private static final int LEN = Hash.LENGTH;
  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private final MessageDigest md = Digests.sha256();

  /** One SHA-256 block plus a byte: the prefix and the head of a leaf, or a whole node input. */
  private final byte[] block = new byte[1 + 2 * LEN];

  /** Writes {@code SHA-256(0x00 || data)} at {@code out[outOff]}. */
  void leaf(byte[] data, byte[] out, int outOff) {
    // The prefix and the first 63 data bytes make one full block, so the rest of the data is
    // hashed straight from its array.
    int head = Math.min(data.length, 2 * LEN - 1);
    block[0] = LEAF_PREFIX;
    System.arraycopy(data, 0, block, 1, head);
    md.update(block, 0, 1 + head);
    if (data.length > head) {
      md.update(data, head, data.length - head);
    }
    finish(out, outOff);
  }

  /**
   * Writes {@code SHA-256(0x01 || left || right)} at {@code out[outOff]}; {@code out} may overlap
   * the inputs, which are copied before anything is written.
   */
  void node(byte[] left, int leftOff, byte[] right, int rightOff, byte[] out, int outOff) {
    block[0] = NODE_PREFIX;
    System.arraycopy(left, leftOff, block, 1, LEN);
    System.arraycopy(right, rightOff, block, 1 + LEN, LEN);
    md.update(block, 0, block.length);
    finish(out, outOff);
  }

  private void finish(byte[] out, int outOff) {
    try {
      md.digest(out, outOff, LEN);
    } catch (DigestException e) {
      throw new IllegalStateException("SHA-256 digest does not fit 32 bytes", e);
    }
  }
}

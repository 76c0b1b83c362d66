package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A block: a header and the transactions it commits to.
 *
 * <p>Immutable. A {@code Block} is well-formed (its header's transaction count matches the list),
 * but not necessarily valid: whether its Merkle root, state root, signatures and links hold is
 * decided by {@link Ledger#append(Block)} and {@link ChainVerifier}.
 *
 * @param header the header
 * @param transactions the transactions in order
 */
public record Block(BlockHeader header, List<Transaction> transactions) {
  /** Most transactions in one block. */
  public static final int MAX_TRANSACTIONS = 100_000;

  /** Largest canonical encoding of one block, in bytes. */
  public static final int MAX_ENCODED_BYTES = 64 * 1024 * 1024;

  public Block {
    Objects.requireNonNull(header, "header");
    transactions = List.copyOf(transactions);
    if (header.transactionCount() != transactions.size()) {
      throw new IllegalArgumentException(
          "header.transactionCount %d != %d transactions"
              .formatted(header.transactionCount(), transactions.size()));
    }
  }

  /**
   * The block hash ({@link BlockHeader#hash()}).
   *
   * @return the hash
   */
  public Hash hash() {
    return header.hash();
  }

  /**
   * The block height.
   *
   * @return the header's height
   */
  public long height() {
    return header.height();
  }

  /**
   * This block with another seal on its header.
   *
   * @param seal consensus evidence
   * @return a new block
   */
  public Block withSeal(byte[] seal) {
    return new Block(header.withSeal(seal), transactions);
  }

  /**
   * The RFC 6962 Merkle root over the encoded transactions.
   *
   * @param transactions the transactions in block order
   * @return the root a header must carry
   */
  public static Hash transactionsRoot(List<Transaction> transactions) {
    List<byte[]> leaves = new ArrayList<>(transactions.size());
    for (Transaction t : transactions) {
      leaves.add(t.unsafeEncoded());
    }
    return MerkleTree.root(leaves);
  }

  /**
   * The Merkle tree over this block's transactions, for inclusion proofs.
   *
   * @return the tree
   */
  public MerkleTree transactionsTree() {
    List<byte[]> leaves = new ArrayList<>(transactions.size());
    for (Transaction t : transactions) {
      leaves.add(t.unsafeEncoded());
    }
    return MerkleTree.of(leaves);
  }

  /**
   * The canonical encoding.
   *
   * @return a fresh array
   */
  public byte[] encode() {
    return Codec.encodeBlock(this);
  }

  /**
   * Decodes the canonical encoding.
   *
   * @param bytes the encoded block (not kept)
   * @return the block; nothing about its validity is checked
   * @throws DecodeException if the bytes are not exactly one well-formed block
   */
  public static Block decode(byte[] bytes) throws DecodeException {
    Objects.requireNonNull(bytes, "bytes");
    return Codec.decodeBlock(bytes);
  }
}

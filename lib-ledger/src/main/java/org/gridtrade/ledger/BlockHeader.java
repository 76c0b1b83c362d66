package org.gridtrade.ledger;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A block header: what links blocks into a chain and commits to their content.
 *
 * <p>Immutable (the seal is copied in and out). The {@link #hash() block hash} covers every field,
 * the seal included; the {@link #sealingHash() sealing hash} covers every field but the seal and is
 * what a consensus engine signs. The ledger treats the seal as opaque bytes.
 *
 * @param height the block's height; the genesis block is 0
 * @param previousHash the hash of the block at {@code height - 1} ({@link Hash#ZERO} for genesis)
 * @param transactionsRoot RFC 6962 Merkle root over the encoded transactions
 * @param transactionCount the number of transactions (the Merkle tree's size)
 * @param stateRoot the {@link LedgerState#root() state root} after applying this block
 * @param timestamp when the block was proposed, epoch milliseconds
 * @param proposer the account that proposed the block; it receives the fees
 * @param seal consensus evidence (signatures, proofs), at most {@value #MAX_SEAL_BYTES} bytes
 */
public record BlockHeader(
    long height,
    Hash previousHash,
    Hash transactionsRoot,
    int transactionCount,
    Hash stateRoot,
    long timestamp,
    Address proposer,
    byte[] seal) {

  /** Largest seal, in bytes. */
  public static final int MAX_SEAL_BYTES = 4096;

  /**
   * Length of the canonical encoding of a header with an empty seal: version (1), height (8),
   * previous hash, transactions root and state root (32 each), transaction count (4), timestamp
   * (8), proposer (20) and the seal's length (2).
   */
  public static final int ENCODED_BYTES_WITHOUT_SEAL =
      1 + 8 + 3 * Hash.LENGTH + 4 + 8 + Address.LENGTH + 2;

  /**
   * Length of the longest canonical header encoding: one with a seal of {@link #MAX_SEAL_BYTES}.
   */
  public static final int MAX_ENCODED_BYTES = ENCODED_BYTES_WITHOUT_SEAL + MAX_SEAL_BYTES;

  public BlockHeader {
    if (height < 0) {
      throw new IllegalArgumentException("height %d must be >= 0".formatted(height));
    }
    Objects.requireNonNull(previousHash, "previousHash");
    Objects.requireNonNull(transactionsRoot, "transactionsRoot");
    if (transactionCount < 0 || transactionCount > Block.MAX_TRANSACTIONS) {
      throw new IllegalArgumentException(
          "transactionCount %d not in 0..%d".formatted(transactionCount, Block.MAX_TRANSACTIONS));
    }
    Objects.requireNonNull(stateRoot, "stateRoot");
    if (timestamp < 0) {
      throw new IllegalArgumentException("timestamp %d must be >= 0".formatted(timestamp));
    }
    Objects.requireNonNull(proposer, "proposer");
    seal = Objects.requireNonNull(seal, "seal").clone();
    if (seal.length > MAX_SEAL_BYTES) {
      throw new IllegalArgumentException(
          "seal length %d > %d bytes".formatted(seal.length, MAX_SEAL_BYTES));
    }
  }

  /**
   * A copy of the seal.
   *
   * @return a fresh array
   */
  @Override
  public byte[] seal() {
    return seal.clone();
  }

  /**
   * This header with another seal.
   *
   * @param newSeal the consensus evidence
   * @return a new header
   */
  public BlockHeader withSeal(byte[] newSeal) {
    return new BlockHeader(
        height,
        previousHash,
        transactionsRoot,
        transactionCount,
        stateRoot,
        timestamp,
        proposer,
        newSeal);
  }

  /**
   * The block hash: SHA-256 of the canonical header encoding, seal included.
   *
   * @return the hash the next block links to
   */
  public Hash hash() {
    return Hash.sha256(Codec.encodeHeader(this, true));
  }

  /**
   * SHA-256 of the canonical header encoding without the seal: what consensus signs.
   *
   * @return the sealing hash
   */
  public Hash sealingHash() {
    return Hash.sha256(Codec.encodeHeader(this, false));
  }

  /**
   * The canonical encoding of this header, the one {@link #hash()} covers and {@link #decode}
   * reads: version {@code 1}, height, previous hash, transactions root, transaction count, state
   * root, timestamp, proposer, u16 seal length, seal (integers big-endian).
   *
   * @return a fresh array
   */
  public byte[] encode() {
    return Codec.encodeHeader(this, true);
  }

  /**
   * Decodes one header from its canonical encoding ({@link #encode()}). The length is checked
   * before anything is read or allocated: hostile bytes end in a {@link DecodeException} naming the
   * field and the rule, never another exception.
   *
   * @param bytes exactly one encoded header (not kept), at most {@link #MAX_ENCODED_BYTES}
   * @return the header; {@code decode(h.encode()).equals(h)} for every header {@code h}
   * @throws DecodeException if the bytes are not exactly one well-formed header
   */
  public static BlockHeader decode(byte[] bytes) throws DecodeException {
    Objects.requireNonNull(bytes, "bytes");
    return Codec.decodeHeader(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockHeader h
        && height == h.height
        && previousHash.equals(h.previousHash)
        && transactionsRoot.equals(h.transactionsRoot)
        && transactionCount == h.transactionCount
        && stateRoot.equals(h.stateRoot)
        && timestamp == h.timestamp
        && proposer.equals(h.proposer)
        && Arrays.equals(seal, h.seal);
  }

  @Override
  public int hashCode() {
    return Objects.hash(height, previousHash, transactionsRoot, stateRoot, Arrays.hashCode(seal));
  }

  @Override
  public String toString() {
    return ("BlockHeader[height=%d, previousHash=%s, transactionsRoot=%s, transactionCount=%d,"
            + " stateRoot=%s, timestamp=%d, proposer=%s, seal=%s]")
        .formatted(
            height,
            previousHash,
            transactionsRoot,
            transactionCount,
            stateRoot,
            timestamp,
            proposer,
            HexFormat.of().formatHex(seal));
  }
}

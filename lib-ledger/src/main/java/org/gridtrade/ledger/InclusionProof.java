package org.gridtrade.ledger;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The proof that one leaf is in a Merkle tree (RFC 6962 §2.1.1 audit path), checkable with nothing
 * but the tree's size and root, which a block header holds: a meter or EV owner verifies one
 * settlement without the whole chain.
 *
 * <p>Obtained from {@link MerkleTree#inclusionProof(int)}, {@link Ledger#proveTransaction} or
 * {@link #decode(byte[])}. Any non-negative index and size can be held, so a proof from an
 * untrusted source is checked by one of the {@code verify} methods, which answer {@code false} for
 * any bad proof and never throw.
 *
 * <p>The root alone does not authenticate the tree size: trees of different sizes share the shape
 * of most paths (the proofs of leaves 0..11 of a 14-leaf tree also pass RFC 9162 §2.1.3.2 when they
 * claim 15 leaves, against the same root), and with a size free to change, the index is not bound
 * either (leaf 4 of a 5-leaf tree passes as leaf 2 of 3). So the size must come from whoever
 * vouches for the root, as RFC 9162 takes it from the signed tree head: {@link
 * #verifyTransaction(byte[], BlockHeader)} takes it from a block header (which commits to the
 * transaction count and the transactions root), {@link #verify(Hash, long, Hash)} from the caller.
 * With the size fixed, the path's length and left/right pattern determine the index, so a proof
 * that verifies this way binds the leaf, its index and the tree size.
 *
 * <p>Immutable and thread-safe; equality is by value.
 *
 * @param leafIndex the position of the leaf, {@code >= 0}, counted from 0
 * @param treeSize the number of leaves in the tree, {@code >= 0}
 * @param path the sibling hashes from the leaf up to the root, at most {@link #MAX_PATH_LENGTH}
 */
public record InclusionProof(long leafIndex, long treeSize, List<Hash> path) {
  /** The longest path held: enough for any tree of up to {@code 2^63 - 1} leaves. */
  public static final int MAX_PATH_LENGTH = 64;

  private static final byte VERSION = 1;
  private static final int HEADER_LENGTH = 1 + Long.BYTES + Long.BYTES + 1;

  /**
   * Creates a proof; the path is copied.
   *
   * @throws IllegalArgumentException if {@code leafIndex} or {@code treeSize} is negative, or the
   *     path is longer than {@link #MAX_PATH_LENGTH}
   * @throws NullPointerException if {@code path} or one of its elements is null
   */
  public InclusionProof {
    if (leafIndex < 0) {
      throw new IllegalArgumentException("leafIndex %d < 0".formatted(leafIndex));
    }
    if (treeSize < 0) {
      throw new IllegalArgumentException("treeSize %d < 0".formatted(treeSize));
    }
    path = copyPath(path, MAX_PATH_LENGTH);
  }

  /**
   * Checks that the transaction with canonical encoding {@code encodedTransaction} is transaction
   * number {@link #leafIndex()} (from 0) of the block whose header is {@code header}: the proof's
   * {@link #treeSize()} must equal the header's {@link BlockHeader#transactionCount()}, and the
   * proof must verify (RFC 9162 §2.1.3.2) for the leaf {@code
   * MerkleTree.leafHash(encodedTransaction)} against the header's {@link
   * BlockHeader#transactionsRoot()}. The header must be trusted (for example, its block is in a
   * verified chain or its seal was checked); the encoding need not decode.
   *
   * @param encodedTransaction the transaction's canonical encoding ({@link Transaction#encode()})
   * @param header the trusted header of the block
   * @return {@code true} if the transaction is at this index in that block; {@code false} for a
   *     size that is not the header's transaction count, or any other bad proof
   * @throws NullPointerException if an argument is null
   */
  public boolean verifyTransaction(byte[] encodedTransaction, BlockHeader header) {
    Objects.requireNonNull(encodedTransaction, "encodedTransaction");
    Objects.requireNonNull(header, "header");
    return treeSize == header.transactionCount()
        && verify(
            MerkleTree.leafHash(encodedTransaction),
            header.transactionCount(),
            header.transactionsRoot());
  }

  /**
   * Checks that the leaf with hash {@code leafHash} sits at {@link #leafIndex()} in the tree of
   * {@code treeSize} leaves whose root is {@code root}, both trusted: RFC 9162 §2.1.3.2 with the
   * size taken from the caller, as the RFC takes it from the signed tree head. A proof that claims
   * another size fails.
   *
   * @param leafHash the leaf's hash, as {@link MerkleTree#leafHash(byte[])} computes it
   * @param treeSize the trusted number of leaves of the tree
   * @param root the trusted root of the tree
   * @return {@code true} if the proof is valid; {@code false} if {@link #treeSize()} is not {@code
   *     treeSize}, for an index not below the size, a path too long or too short, or a wrong leaf,
   *     path or root
   * @throws NullPointerException if an argument is null
   */
  public boolean verify(Hash leafHash, long treeSize, Hash root) {
    Objects.requireNonNull(leafHash, "leafHash");
    Objects.requireNonNull(root, "root");
    return treeSize == this.treeSize && verify(leafHash, root);
  }

  /**
   * Checks that the leaf with hash {@code leafHash} sits at {@link #leafIndex()} in the tree of
   * {@link #treeSize()} leaves whose root is {@code root}, by the algorithm of RFC 9162 §2.1.3.2
   * with the proof's own size. The size is not authenticated by the root (see the class comment):
   * use this only when the proof's size is known to be right, and otherwise {@link
   * #verifyTransaction(byte[], BlockHeader)} or {@link #verify(Hash, long, Hash)}.
   *
   * @param leafHash the leaf's hash, as {@link MerkleTree#leafHash(byte[])} computes it
   * @param root the trusted root of the tree
   * @return {@code true} if the proof is valid; {@code false} for an index not below the size, a
   *     path too long or too short, or a wrong leaf, path or root
   * @throws NullPointerException if an argument is null
   */
  boolean verify(Hash leafHash, Hash root) {
    Objects.requireNonNull(leafHash, "leafHash");
    Objects.requireNonNull(root, "root");
    if (leafIndex >= treeSize) {
      return false;
    }
    Rfc6962Hasher hasher = new Rfc6962Hasher();
    long fn = leafIndex;
    long sn = treeSize - 1;
    byte[] r = leafHash.bytes();
    for (Hash p : path) {
      if (sn == 0) {
        return false; // the path is longer than the tree is deep
      }
      byte[] pb = p.unsafeBytes();
      if ((fn & 1) == 1 || fn == sn) {
        hasher.node(pb, 0, r, 0, r, 0);
        // On the right edge, skip the levels where the last node was carried up without a sibling.
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        hasher.node(r, 0, pb, 0, r, 0);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return sn == 0 && Arrays.equals(r, root.unsafeBytes());
  }

  /**
   * Checks that a leaf with data {@code leafData} sits at {@link #leafIndex()} in the tree whose
   * root is {@code root}: {@code verify(MerkleTree.leafHash(leafData), root)}, with the proof's own
   * size, which the root does not authenticate; prefer {@link #verifyTransaction(byte[],
   * BlockHeader)}.
   *
   * @param leafData the leaf's data
   * @param root the trusted root of the tree
   * @return {@code true} if the proof is valid for this data and root
   * @throws NullPointerException if an argument is null
   */
  boolean verifyLeafData(byte[] leafData, Hash root) {
    return verify(MerkleTree.leafHash(leafData), root);
  }

  /**
   * The canonical encoding: version byte {@code 1}, {@code leafIndex} and {@code treeSize} as 8
   * bytes each (big-endian), the path length as one byte, then the 32-byte path hashes in order.
   *
   * @return a fresh array of {@code 18 + 32 * path().size()} bytes
   */
  public byte[] encode() {
    ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + path.size() * Hash.LENGTH);
    out.put(VERSION).putLong(leafIndex).putLong(treeSize).put((byte) path.size());
    for (Hash h : path) {
      out.put(h.unsafeBytes());
    }
    return out.array();
  }

  /**
   * Decodes the canonical encoding written by {@link #encode()}. Safe on hostile input: it
   * allocates no more than the input's length and accepts only the one encoding of each proof, so
   * {@code decode(b).encode()} equals {@code b}.
   *
   * @param bytes the encoding
   * @return the proof (not yet verified)
   * @throws DecodeException if the version is not 1, an index or size is negative, the path is
   *     longer than {@link #MAX_PATH_LENGTH}, or the input is truncated or has trailing bytes
   * @throws NullPointerException if {@code bytes} is null
   */
  public static InclusionProof decode(byte[] bytes) throws DecodeException {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < HEADER_LENGTH) {
      throw new DecodeException(
          "inclusion proof length %d < header length %d bytes"
              .formatted(bytes.length, HEADER_LENGTH));
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int version = in.get() & 0xff;
    if (version != VERSION) {
      throw new DecodeException(
          "inclusion proof version %d != supported version %d".formatted(version, VERSION));
    }
    long leafIndex = in.getLong();
    if (leafIndex < 0) {
      throw new DecodeException(
          "leafIndex %s > %d (Long.MAX_VALUE)"
              .formatted(Long.toUnsignedString(leafIndex), Long.MAX_VALUE));
    }
    long treeSize = in.getLong();
    if (treeSize < 0) {
      throw new DecodeException(
          "treeSize %s > %d (Long.MAX_VALUE)"
              .formatted(Long.toUnsignedString(treeSize), Long.MAX_VALUE));
    }
    int count = in.get() & 0xff;
    if (count > MAX_PATH_LENGTH) {
      throw new DecodeException(
          "path length %d > %d (MAX_PATH_LENGTH)".formatted(count, MAX_PATH_LENGTH));
    }
    int expected = HEADER_LENGTH + count * Hash.LENGTH;
    if (bytes.length != expected) {
      throw new DecodeException(
          "inclusion proof length %d != %d bytes for %d path hashes (%s)"
              .formatted(
                  bytes.length,
                  expected,
                  count,
                  bytes.length < expected ? "truncated" : "trailing bytes"));
    }
    List<Hash> path = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] h = new byte[Hash.LENGTH];
      in.get(h);
      path.add(Hash.wrap(h));
    }
    return new InclusionProof(leafIndex, treeSize, path);
  }

  /** Copies a proof path, naming a null element or a length over {@code max}. */
  static List<Hash> copyPath(List<Hash> path, int max) {
    Objects.requireNonNull(path, "path");
    if (path.size() > max) {
      throw new IllegalArgumentException("path length %d > %d".formatted(path.size(), max));
    }
    int i = 0;
    for (Hash h : path) {
      if (h == null) {
        throw new NullPointerException("path[" + i + "]");
      }
      i++;
    }
    return List.copyOf(path);
  }
}

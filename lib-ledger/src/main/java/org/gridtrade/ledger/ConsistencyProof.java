package org.gridtrade.ledger;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The proof that a Merkle tree of {@code oldSize} leaves is a prefix of a tree of {@code newSize}
 * leaves (RFC 6962 §2.1.2): the log only appended, and rewrote no earlier leaf.
 *
 * <p>Obtained from {@link MerkleTree#consistencyProof(int)}. Any non-negative sizes can be held, so
 * a proof from an untrusted source is checked by {@link #verify(long, Hash, long, Hash)}, which
 * answers {@code false} for any bad proof and never throws.
 *
 * <p>As for {@link InclusionProof}, the roots do not authenticate the sizes: the RFC 9162 algorithm
 * takes both from the signed tree heads, and proofs also pass under other claimed sizes with the
 * same roots (the proof from 6 to 8 leaves also passes as one from 6 to 7, or from 5 to 6). {@link
 * #verify(long, Hash, long, Hash)} takes the sizes from the caller, next to the roots they belong
 * to, and fails a proof that claims others.
 *
 * <p>Immutable and thread-safe; equality is by value.
 *
 * @param oldSize the number of leaves of the earlier tree, {@code >= 0}
 * @param newSize the number of leaves of the later tree, {@code >= 0}
 * @param path the subtree hashes of RFC 6962 {@code PROOF(oldSize, D[newSize])}, at most {@link
 *     #MAX_PATH_LENGTH}
 */
public record ConsistencyProof(long oldSize, long newSize, List<Hash> path) {
  /** The longest path held: enough for any tree of up to {@code 2^63 - 1} leaves. */
  public static final int MAX_PATH_LENGTH = 64;

  /**
   * Creates a proof; the path is copied.
   *
   * @throws IllegalArgumentException if {@code oldSize} or {@code newSize} is negative, or the path
   *     is longer than {@link #MAX_PATH_LENGTH}
   * @throws NullPointerException if {@code path} or one of its elements is null
   */
  public ConsistencyProof {
    if (oldSize < 0) {
      throw new IllegalArgumentException("oldSize %d < 0".formatted(oldSize));
    }
    if (newSize < 0) {
      throw new IllegalArgumentException("newSize %d < 0".formatted(newSize));
    }
    path = InclusionProof.copyPath(path, MAX_PATH_LENGTH);
  }

  /**
   * Checks that the tree of {@code oldSize} leaves with root {@code oldRoot} is a prefix of the
   * tree of {@code newSize} leaves with root {@code newRoot}, all four trusted (from two signed
   * tree heads): {@code false} unless the proof's {@link #oldSize()} and {@link #newSize()} are
   * these, otherwise RFC 9162 §2.1.4.2 on the path.
   *
   * @param oldSize the trusted number of leaves of the earlier tree
   * @param oldRoot the trusted root of the earlier tree
   * @param newSize the trusted number of leaves of the later tree
   * @param newRoot the trusted root of the later tree
   * @return {@code true} if the proof is valid for these sizes and roots
   * @throws NullPointerException if a root is null
   */
  public boolean verify(long oldSize, Hash oldRoot, long newSize, Hash newRoot) {
    Objects.requireNonNull(oldRoot, "oldRoot");
    Objects.requireNonNull(newRoot, "newRoot");
    return oldSize == this.oldSize && newSize == this.newSize && verify(oldRoot, newRoot);
  }

  /**
   * Checks that the tree of {@link #oldSize()} leaves with root {@code oldRoot} is a prefix of the
   * tree of {@link #newSize()} leaves with root {@code newRoot}, by the algorithm of RFC 9162
   * §2.1.4.2 for {@code 0 < oldSize < newSize}, with the proof's own sizes, which the roots do not
   * authenticate: use this only when they are known to be right, and otherwise {@link #verify(long,
   * Hash, long, Hash)}. The cases that algorithm leaves out:
   *
   * <ul>
   *   <li>{@code oldSize > newSize}: {@code false};
   *   <li>{@code oldSize == newSize}: {@code true} exactly when the path is empty and the roots are
   *       equal;
   *   <li>{@code oldSize == 0 < newSize}: {@code true} exactly when the path is empty and {@code
   *       oldRoot} is the empty tree's root {@code SHA-256("")}: the empty tree is a prefix of
   *       every tree.
   * </ul>
   *
   * @param oldRoot the trusted root of the earlier tree
   * @param newRoot the trusted root of the later tree
   * @return {@code true} if the proof is valid; {@code false} for a path too long or too short, a
   *     wrong path, wrong roots or impossible sizes
   * @throws NullPointerException if an argument is null
   */
  boolean verify(Hash oldRoot, Hash newRoot) {
    Objects.requireNonNull(oldRoot, "oldRoot");
    Objects.requireNonNull(newRoot, "newRoot");
    if (oldSize > newSize) {
      return false;
    }
    if (oldSize == newSize) {
      return path.isEmpty() && oldRoot.equals(newRoot);
    }
    if (oldSize == 0) {
      return path.isEmpty() && oldRoot.equals(MerkleTree.EMPTY_ROOT);
    }
    if (path.isEmpty()) {
      return false;
    }
    Rfc6962Hasher hasher = new Rfc6962Hasher();
    int next = 0;
    byte[] seed;
    if (Long.bitCount(oldSize) == 1) {
      // The old tree is one complete subtree of the new one: its root starts both chains.
      seed = oldRoot.unsafeBytes();
    } else {
      seed = path.get(next++).unsafeBytes();
    }
    byte[] fr = seed.clone();
    byte[] sr = seed.clone();
    long fn = oldSize - 1;
    long sn = newSize - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    for (; next < path.size(); next++) {
      if (sn == 0) {
        return false; // the path is longer than the new tree is deep
      }
      byte[] c = path.get(next).unsafeBytes();
      if ((fn & 1) == 1 || fn == sn) {
        hasher.node(c, 0, fr, 0, fr, 0);
        hasher.node(c, 0, sr, 0, sr, 0);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        hasher.node(sr, 0, c, 0, sr, 0);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return sn == 0
        && Arrays.equals(fr, oldRoot.unsafeBytes())
        && Arrays.equals(sr, newRoot.unsafeBytes());
  }
}

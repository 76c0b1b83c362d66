package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Objects;

/**
 * A Merkle tree over an ordered list of leaves, as defined by RFC 6962 §2.1: the commitment a block
 * makes to its transactions.
 *
 * <p>The leaf hash of data {@code d} is {@code SHA-256(0x00 || d)}, an interior node is {@code
 * SHA-256(0x01 || left || right)}, a list of {@code n > 1} leaves splits at the largest power of
 * two strictly less than {@code n}, and the root of the empty tree is {@code SHA-256("")}. The
 * distinct leaf and node prefixes and the absence of a duplicated last leaf make the root immune to
 * the second-preimage and duplicate-leaf attacks on Bitcoin's tree (CVE-2012-2459).
 *
 * <p>A tree keeps every level of node hashes (about {@code 64 * size} bytes), so {@link
 * #inclusionProof(int)} and {@link #consistencyProof(int)} look each subtree hash up in constant
 * time. When only the root is needed, {@link #root(List)} computes it without keeping the levels.
 *
 * <p>Immutable and thread-safe. Equality is identity: compare {@link #root()}s to compare trees.
 */
public final class MerkleTree {
  /**
   * The largest number of leaves a tree holds: every level of node hashes lives in one array. About
   * 67 million.
   */
  public static final int MAX_LEAVES = (Integer.MAX_VALUE - 64) / Hash.LENGTH;

  private static final int LEN = Hash.LENGTH;

  /** RFC 6962 §2.1: the hash of an empty list is the hash of an empty string. */
  static final Hash EMPTY_ROOT = Hash.sha256();

  private final int size;

  /**
   * {@code levels[h]} holds the {@code ceil(size / 2^h)} node hashes of height {@code h}, 32 bytes
   * each; the last level holds only the root. Node {@code j} of height {@code h} is the RFC 6962
   * hash of leaves {@code [j * 2^h, min((j + 1) * 2^h, size))}. Never written after construction.
   */
  private final byte[][] levels;

  private final Hash root;

  private MerkleTree(int size, byte[][] levels, Hash root) {
    this.size = size;
    this.levels = levels;
    this.root = root;
  }

  /**
   * Builds the tree of the given leaf data, hashing each leaf with {@link #leafHash(byte[])}.
   *
   * @param leafData the leaves in order; may be empty; read once and not kept
   * @return the tree
   * @throws NullPointerException if {@code leafData} or one of its elements is null
   * @throws IllegalArgumentException if there are more than {@link #MAX_LEAVES} leaves
   */
  public static MerkleTree of(List<byte[]> leafData) {
    int n = checkLeafCount(Objects.requireNonNull(leafData, "leafData").size(), "leafData");
    Rfc6962Hasher hasher = new Rfc6962Hasher();
    byte[] leaves = new byte[n * LEN];
    hashLeaves(hasher, leafData, leaves);
    return build(hasher, n, leaves);
  }

  /**
   * Builds the tree of leaves that are already hashed, for example with {@link #leafHash(byte[])}.
   *
   * @param leafHashes the leaf hashes in order; may be empty; not kept
   * @return the tree
   * @throws NullPointerException if {@code leafHashes} or one of its elements is null
   * @throws IllegalArgumentException if there are more than {@link #MAX_LEAVES} leaves
   */
  public static MerkleTree ofLeafHashes(List<Hash> leafHashes) {
    int n = checkLeafCount(Objects.requireNonNull(leafHashes, "leafHashes").size(), "leafHashes");
    byte[] leaves = new byte[n * LEN];
    int i = 0;
    for (Hash h : leafHashes) {
      if (h == null) {
        throw new NullPointerException("leafHashes[" + i + "]");
      }
      if (i == n) {
        throw changedWhileRead("leafHashes", n);
      }
      System.arraycopy(h.unsafeBytes(), 0, leaves, i * LEN, LEN);
      i++;
    }
    if (i != n) {
      throw changedWhileRead("leafHashes", n);
    }
    return build(new Rfc6962Hasher(), n, leaves);
  }

  /**
   * Computes only the root of the tree of the given leaf data: the same value as {@code
   * MerkleTree.of(leafData).root()}, computed bottom-up in place in one buffer of {@code 32 *
   * leafData.size()} bytes, with no allocation per hash.
   *
   * @param leafData the leaves in order; may be empty
   * @return the RFC 6962 root; {@code SHA-256("")} for no leaves
   * @throws NullPointerException if {@code leafData} or one of its elements is null
   * @throws IllegalArgumentException if there are more than {@link #MAX_LEAVES} leaves
   */
  public static Hash root(List<byte[]> leafData) {
    int n = checkLeafCount(Objects.requireNonNull(leafData, "leafData").size(), "leafData");
    if (n == 0) {
      return EMPTY_ROOT;
    }
    Rfc6962Hasher hasher = new Rfc6962Hasher();
    byte[] buf = new byte[n * LEN];
    hashLeaves(hasher, leafData, buf);
    // Bottom-up, in place: parent j overwrites slot j after its children 2j and 2j + 1 are read.
    for (int count = n; count > 1; count = (count + 1) >>> 1) {
      reduceLevel(hasher, buf, count, buf);
    }
    return Hash.wrap(Arrays.copyOf(buf, LEN));
  }

  /**
   * The RFC 6962 leaf hash {@code SHA-256(0x00 || data)}.
   *
   * @param data the leaf data
   * @return the leaf hash
   * @throws NullPointerException if {@code data} is null
   */
  public static Hash leafHash(byte[] data) {
    Objects.requireNonNull(data, "data");
    byte[] out = new byte[LEN];
    new Rfc6962Hasher().leaf(data, out, 0);
    return Hash.wrap(out);
  }

  /**
   * The RFC 6962 interior node hash {@code SHA-256(0x01 || left || right)}.
   *
   * @param left the left child's hash
   * @param right the right child's hash
   * @return the node hash
   * @throws NullPointerException if an argument is null
   */
  public static Hash nodeHash(Hash left, Hash right) {
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
    byte[] out = new byte[LEN];
    new Rfc6962Hasher().node(left.unsafeBytes(), 0, right.unsafeBytes(), 0, out, 0);
    return Hash.wrap(out);
  }

  /**
   * The number of leaves.
   *
   * @return the size, {@code >= 0}
   */
  public int size() {
    return size;
  }

  /**
   * The RFC 6962 root hash (Merkle Tree Hash of all leaves).
   *
   * @return the root; {@code SHA-256("")} for the empty tree
   */
  public Hash root() {
    return root;
  }

  /**
   * The hash of one leaf.
   *
   * @param index the leaf index, {@code 0 <= index < size()}
   * @return the leaf hash
   * @throws IllegalArgumentException if {@code index} is out of range
   */
  public Hash leafHash(int index) {
    checkIndex(index);
    return node(0, index);
  }

  /**
   * The audit path of one leaf (RFC 6962 §2.1.1 {@code PATH(index, D[size])}): the sibling hashes
   * from the leaf up to the root, with which anyone holding only {@link #root()} can check that the
   * leaf is in this tree.
   *
   * @param index the leaf index, {@code 0 <= index < size()}
   * @return the proof for leaf {@code index} in a tree of {@code size()} leaves
   * @throws IllegalArgumentException if {@code index} is out of range
   */
  public InclusionProof inclusionProof(int index) {
    checkIndex(index);
    List<Hash> path = new ArrayList<>(levels.length);
    int j = index;
    for (int h = 0; h < levels.length - 1; h++) {
      int sibling = j ^ 1;
      // A last node without a sibling is carried up unchanged and contributes no path entry.
      if (sibling < levels[h].length / LEN) {
        path.add(node(h, sibling));
      }
      j >>>= 1;
    }
    return new InclusionProof(index, size, path);
  }

  /**
   * The proof that the tree of this tree's first {@code oldSize} leaves is a prefix of this tree
   * (RFC 6962 §2.1.2 {@code PROOF(oldSize, D[size])}): a log appended leaves and rewrote nothing.
   *
   * @param oldSize the size of the earlier tree, {@code 0 <= oldSize <= size()}; for {@code 0} and
   *     {@code size()} the path is empty
   * @return the proof from {@code oldSize} to {@code size()}
   * @throws IllegalArgumentException if {@code oldSize} is out of range
   */
  public ConsistencyProof consistencyProof(int oldSize) {
    if (oldSize < 0 || oldSize > size) {
      throw new IllegalArgumentException(
          "oldSize %d is outside [0, size %d]".formatted(oldSize, size));
    }
    List<Hash> path = new ArrayList<>();
    if (oldSize > 0 && oldSize < size) {
      subproof(oldSize, 0, size, true, path);
    }
    return new ConsistencyProof(oldSize, size, path);
  }

  @Override
  public String toString() {
    return "MerkleTree[size=%d, root=%s]".formatted(size, root);
  }

  /** RFC 6962 §2.1.2 {@code SUBPROOF(m, D[start : start + n], whole)}, appended to {@code out}. */
  private void subproof(int m, int start, int n, boolean whole, List<Hash> out) {
    if (m == n) {
      if (!whole) {
        out.add(subtree(start, n));
      }
      return;
    }
    int k = Integer.highestOneBit(n - 1); // the largest power of two < n; here n >= 2
    if (m <= k) {
      subproof(m, start, k, whole, out);
      out.add(subtree(start + k, n - k));
    } else {
      subproof(m - k, start + k, n - k, false, out);
      out.add(subtree(start, k));
    }
  }

  /**
   * The hash of leaves {@code [start, start + count)}. The RFC recursion only asks for ranges that
   * are one stored node: complete and aligned, or running to the right edge of the tree.
   */
  private Hash subtree(int start, int count) {
    int h = count == 1 ? 0 : 32 - Integer.numberOfLeadingZeros(count - 1);
    assert (start & ((1 << h) - 1)) == 0 && (count == 1 << h || start + count == size)
        : "range [" + start + ", " + (start + count) + ") is not a node of a tree of " + size;
    return node(h, start >>> h);
  }

  private Hash node(int height, int index) {
    int off = index * LEN;
    return Hash.wrap(Arrays.copyOfRange(levels[height], off, off + LEN));
  }

  private void checkIndex(int index) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("index %d is outside [0, size %d)".formatted(index, size));
    }
  }

  private static int checkLeafCount(int n, String field) {
    if (n > MAX_LEAVES) {
      throw new IllegalArgumentException(
          "%s size %d > %d leaves (MAX_LEAVES)".formatted(field, n, MAX_LEAVES));
    }
    return n;
  }

  private static MerkleTree build(Rfc6962Hasher hasher, int n, byte[] leaves) {
    if (n == 0) {
      return new MerkleTree(0, new byte[0][], EMPTY_ROOT);
    }
    int height = n == 1 ? 1 : 33 - Integer.numberOfLeadingZeros(n - 1); // ceil(log2 n) + 1
    byte[][] levels = new byte[height][];
    levels[0] = leaves;
    int count = n;
    for (int h = 1; h < height; h++) {
      int parents = (count + 1) >>> 1;
      levels[h] = new byte[parents * LEN];
      reduceLevel(hasher, levels[h - 1], count, levels[h]);
      count = parents;
    }
    byte[] top = levels[height - 1];
    return new MerkleTree(n, levels, Hash.wrap(Arrays.copyOf(top, LEN)));
  }

  /** Writes the leaf hash of the {@code i}-th element of {@code leafData} at {@code out[32 i]}. */
  private static void hashLeaves(Rfc6962Hasher hasher, List<byte[]> leafData, byte[] out) {
    int n = out.length / LEN;
    int i = 0;
    for (byte[] d : leafData) {
      if (d == null) {
        throw new NullPointerException("leafData[" + i + "]");
      }
      if (i == n) {
        throw changedWhileRead("leafData", n);
      }
      hasher.leaf(d, out, i * LEN);
      i++;
    }
    if (i != n) {
      throw changedWhileRead("leafData", n);
    }
  }

  /** A list yielded more or fewer elements than its size: another thread changed it. */
  private static ConcurrentModificationException changedWhileRead(String field, int size) {
    return new ConcurrentModificationException(
        "%s changed while being read: it no longer has size() %d".formatted(field, size));
  }

  /**
   * Hashes the {@code count} nodes of {@code src} pairwise into {@code ceil(count / 2)} parents in
   * {@code dst}; an unpaired last node is carried up unchanged, which yields exactly the RFC 6962
   * split at the largest power of two. {@code dst} may be {@code src}.
   */
  private static void reduceLevel(Rfc6962Hasher hasher, byte[] src, int count, byte[] dst) {
    int pairs = count >>> 1;
    for (int j = 0; j < pairs; j++) {
      int off = 2 * j * LEN;
      hasher.node(src, off, src, off + LEN, dst, j * LEN);
    }
    if ((count & 1) != 0) {
      System.arraycopy(src, (count - 1) * LEN, dst, pairs * LEN, LEN);
    }
  }
}

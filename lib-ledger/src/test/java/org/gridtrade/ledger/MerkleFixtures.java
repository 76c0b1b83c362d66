package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random leaves and tampered proofs for the Merkle tests. */
final class MerkleFixtures {
  /** An arbitrary hash that is no node of any test tree (from the CT reference tests). */
  static final Hash SOME_HASH =
      Hash.fromHex("abacaba000000000000000000000000000000000000000000060061e00123456");

  /** SHA-256(""), the root of the empty tree, computed by the oracle. */
  static final Hash EMPTY_ROOT = Hash.of(Rfc6962Oracle.sha256());

  private MerkleFixtures() {}

  /** {@code n} leaves of 0..80 random bytes, reproducible from {@code seed}. */
  static List<byte[]> randomLeaves(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<byte[]> leaves = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] d = new byte[random.nextInt(81)];
      random.nextBytes(d);
      leaves.add(d);
    }
    return leaves;
  }

  /** {@code h} with bit {@code bit} (0..255) flipped. */
  static Hash flip(Hash h, int bit) {
    byte[] b = h.bytes();
    b[bit >>> 3] ^= (byte) (1 << (bit & 7));
    return Hash.of(b);
  }

  static <T> List<T> with(List<T> list, int index, T value) {
    List<T> copy = new ArrayList<>(list);
    copy.set(index, value);
    return copy;
  }

  static <T> List<T> inserted(List<T> list, int index, T value) {
    List<T> copy = new ArrayList<>(list);
    copy.add(index, value);
    return copy;
  }

  static <T> List<T> removed(List<T> list, int index) {
    List<T> copy = new ArrayList<>(list);
    copy.remove(index);
    return copy;
  }

  /** An inclusion proof with the leaf and root it is checked against. */
  record InclusionProbe(String description, InclusionProof proof, Hash leaf, Hash root) {
    boolean verifies() {
      return proof.verify(leaf, root);
    }
  }

  /** A consistency proof with the roots it is checked against. */
  record ConsistencyProbe(String description, ConsistencyProof proof, Hash oldRoot, Hash newRoot) {
    boolean verifies() {
      return proof.verify(oldRoot, newRoot);
    }
  }

  /**
   * Wrong variants of a valid inclusion proof (after the CT reference tests' corruptInclusionProof,
   * plus bit flips in every path element and both hashes), none of which may verify.
   */
  static List<InclusionProbe> corruptions(InclusionProof valid, Hash leaf, Hash root) {
    long i = valid.leafIndex();
    long n = valid.treeSize();
    List<Hash> path = valid.path();
    List<InclusionProbe> out = new ArrayList<>();
    if (i > 0) {
      out.add(new InclusionProbe("leafIndex - 1", new InclusionProof(i - 1, n, path), leaf, root));
    }
    out.add(new InclusionProbe("leafIndex + 1", new InclusionProof(i + 1, n, path), leaf, root));
    out.add(new InclusionProbe("leafIndex ^ 1", new InclusionProof(i ^ 1, n, path), leaf, root));
    out.add(new InclusionProbe("leafIndex ^ 2", new InclusionProof(i ^ 2, n, path), leaf, root));
    out.add(new InclusionProbe("leafIndex = size", new InclusionProof(n, n, path), leaf, root));
    out.add(new InclusionProbe("treeSize * 2", new InclusionProof(i, n * 2, path), leaf, root));
    out.add(new InclusionProbe("treeSize / 2", new InclusionProof(i, n / 2, path), leaf, root));
    out.add(new InclusionProbe("treeSize 0", new InclusionProof(i, 0, path), leaf, root));
    out.add(new InclusionProbe("wrong leaf", valid, SOME_HASH, root));
    out.add(new InclusionProbe("empty-tree root", valid, leaf, EMPTY_ROOT));
    out.add(new InclusionProbe("random root", valid, leaf, SOME_HASH));
    for (int bit : new int[] {0, 7, 100, 255}) {
      out.add(new InclusionProbe("leaf bit " + bit, valid, flip(leaf, bit), root));
      out.add(new InclusionProbe("root bit " + bit, valid, leaf, flip(root, bit)));
    }
    if (n > 1) {
      out.add(new InclusionProbe("leaf is root", valid, root, root));
      out.add(new InclusionProbe("root is leaf", valid, leaf, leaf));
    }
    out.add(tampered("trailing root", valid, inserted(path, path.size(), root), leaf, root));
    out.add(tampered("trailing leaf", valid, inserted(path, path.size(), leaf), leaf, root));
    out.add(tampered("preceding root", valid, inserted(path, 0, root), leaf, root));
    out.add(tampered("preceding leaf", valid, inserted(path, 0, leaf), leaf, root));
    for (int k = 0; k < path.size(); k++) {
      out.add(
          tampered(
              "path[" + k + "] bit 3", valid, with(path, k, flip(path.get(k), 3)), leaf, root));
      out.add(tampered("path[" + k + "] removed", valid, removed(path, k), leaf, root));
      out.add(
          tampered(
              "path[" + k + "] duplicated", valid, inserted(path, k, path.get(k)), leaf, root));
      out.add(tampered("inserted at " + k, valid, inserted(path, k, SOME_HASH), leaf, root));
    }
    if (path.size() > 1 && !path.get(0).equals(path.get(path.size() - 1))) {
      List<Hash> reversed = new ArrayList<>(path);
      java.util.Collections.reverse(reversed);
      out.add(tampered("reversed path", valid, reversed, leaf, root));
    }
    return out;
  }

  private static InclusionProbe tampered(
      String description, InclusionProof valid, List<Hash> path, Hash leaf, Hash root) {
    return new InclusionProbe(
        description, new InclusionProof(valid.leafIndex(), valid.treeSize(), path), leaf, root);
  }

  /**
   * Wrong variants of a valid consistency proof with {@code 0 < oldSize < newSize} (after the CT
   * reference tests' corruptConsistencyProof), none of which may verify.
   */
  static List<ConsistencyProbe> corruptions(ConsistencyProof valid, Hash oldRoot, Hash newRoot) {
    long m = valid.oldSize();
    long n = valid.newSize();
    List<Hash> path = valid.path();
    List<ConsistencyProbe> out = new ArrayList<>();
    out.add(sized("oldSize - 1", m - 1, n, path, oldRoot, newRoot));
    out.add(sized("oldSize + 1", m + 1, n, path, oldRoot, newRoot));
    out.add(sized("oldSize ^ 2", m ^ 2, n, path, oldRoot, newRoot));
    out.add(sized("oldSize = newSize", n, n, path, oldRoot, newRoot));
    out.add(sized("oldSize 0", 0, n, path, oldRoot, newRoot));
    out.add(sized("newSize * 2", m, n * 2, path, oldRoot, newRoot));
    out.add(sized("newSize / 2", m, n / 2, path, oldRoot, newRoot));
    out.add(sized("sizes swapped", n, m, path, oldRoot, newRoot));
    out.add(new ConsistencyProbe("swapped roots", valid, newRoot, oldRoot));
    out.add(new ConsistencyProbe("random oldRoot", valid, SOME_HASH, newRoot));
    out.add(new ConsistencyProbe("random newRoot", valid, oldRoot, SOME_HASH));
    out.add(new ConsistencyProbe("newRoot = oldRoot", valid, oldRoot, oldRoot));
    for (int bit : new int[] {0, 4, 129, 255}) {
      out.add(new ConsistencyProbe("oldRoot bit " + bit, valid, flip(oldRoot, bit), newRoot));
      out.add(new ConsistencyProbe("newRoot bit " + bit, valid, oldRoot, flip(newRoot, bit)));
    }
    out.add(sized("empty path", m, n, List.of(), oldRoot, newRoot));
    out.add(
        sized("trailing oldRoot", m, n, inserted(path, path.size(), oldRoot), oldRoot, newRoot));
    out.add(
        sized("trailing newRoot", m, n, inserted(path, path.size(), newRoot), oldRoot, newRoot));
    out.add(sized("preceding oldRoot", m, n, inserted(path, 0, oldRoot), oldRoot, newRoot));
    out.add(sized("preceding newRoot", m, n, inserted(path, 0, newRoot), oldRoot, newRoot));
    for (int k = 0; k < path.size(); k++) {
      out.add(
          sized(
              "path[" + k + "] bit 4",
              m,
              n,
              with(path, k, flip(path.get(k), 4)),
              oldRoot,
              newRoot));
      out.add(sized("path[" + k + "] removed", m, n, removed(path, k), oldRoot, newRoot));
      out.add(
          sized(
              "path[" + k + "] duplicated",
              m,
              n,
              inserted(path, k, path.get(k)),
              oldRoot,
              newRoot));
      out.add(sized("inserted at " + k, m, n, inserted(path, k, SOME_HASH), oldRoot, newRoot));
    }
    return out;
  }

  private static ConsistencyProbe sized(
      String description, long m, long n, List<Hash> path, Hash oldRoot, Hash newRoot) {
    return new ConsistencyProbe(description, new ConsistencyProof(m, n, path), oldRoot, newRoot);
  }
}

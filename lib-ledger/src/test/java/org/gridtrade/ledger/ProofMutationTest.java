package org.gridtrade.ledger;

import static org.gridtrade.ledger.MerkleFixtures.SOME_HASH;
import static org.gridtrade.ledger.MerkleFixtures.randomLeaves;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mutated inclusion proofs checked against the block header, and mutated consistency proofs checked
 * with trusted sizes: none may verify a false statement.
 *
 * <p>Each mutant starts from an honest proof of a random leaf of one of 48 trees of 1..300 leaves
 * and changes one thing: the size by ±1..±16, the index, both, one bit of a path hash, the path by
 * dropping, adding or swapping elements, the leaf, or the whole path for the honest one of the same
 * leaf in the tree one leaf shorter or longer. A mutant is a <em>wrong accept</em> if {@link
 * InclusionProof#verifyTransaction} accepts it although the header's tree does not hold the claimed
 * leaf data at the claimed index, or holds it with another path than the oracle's.
 *
 * <p>Consistency proofs the same way, checked with trusted sizes and roots ({@link
 * ConsistencyProof#verify(long, Hash, long, Hash)}): the claimed old or new size or both changed,
 * the path changed as above, or the honest path of a neighbouring pair of sizes; a wrong accept is
 * any accepted mutant that is not the oracle's proof for the trusted sizes.
 *
 * <p>The count of each is the system property {@code gridtrade.mutations} (default 100,000, a few
 * seconds); docs/ledger.md gives the command and result of a 1,000,000 run.
 */
class ProofMutationTest {
  private static final int MUTATIONS = Integer.getInteger("gridtrade.mutations", 100_000);
  private static final int TREES = 48;
  private static final int MAX_SIZE_CHANGE = 16;

  private static final String[] KINDS = {
    "size ±1..±16",
    "index",
    "size and index",
    "path bit flip",
    "path element dropped",
    "path element added",
    "path elements swapped",
    "leaf changed",
    "path of the tree one leaf shorter or longer",
  };

  /** One tree, its header, and the honest proofs of the trees one leaf shorter and longer. */
  private record Fixture(
      List<byte[]> leaves,
      BlockHeader header,
      MerkleTree tree,
      MerkleTree shorter,
      MerkleTree longer) {
    int size() {
      return leaves.size();
    }
  }

  /** A mutated proof and the leaf data it is checked with. */
  private record Mutant(InclusionProof proof, byte[] leaf) {}

  @Test
  void verifyTransaction_mutatedProofs_noWrongAccept() {
    SplittableRandom random = new SplittableRandom(0x6962_9162L);
    List<Fixture> fixtures = new ArrayList<>();
    for (int t = 0; t < TREES; t++) {
      int n = 1 + random.nextInt(300);
      List<byte[]> leaves = randomLeaves(n + 1, random.nextLong());
      List<byte[]> own = leaves.subList(0, n);
      fixtures.add(
          new Fixture(
              List.copyOf(own),
              ProofBindingTest.header(n, Rfc6962Oracle.root(own)),
              MerkleTree.of(own),
              n > 1 ? MerkleTree.of(leaves.subList(0, n - 1)) : null,
              MerkleTree.of(leaves)));
    }
    long[] tried = new long[KINDS.length];
    long[] accepted = new long[KINDS.length];
    long wrong = 0;
    List<String> wrongExamples = new ArrayList<>();
    long start = System.nanoTime();
    for (int m = 0; m < MUTATIONS; m++) {
      Fixture f = fixtures.get(random.nextInt(TREES));
      int i = random.nextInt(f.size());
      int kind = random.nextInt(KINDS.length);
      Mutant mutant = mutate(kind, f, i, random);
      tried[kind]++;
      if (mutant.proof().verifyTransaction(mutant.leaf(), f.header())) {
        accepted[kind]++;
        if (!holds(f, mutant)) {
          wrong++;
          if (wrongExamples.size() < 5) {
            wrongExamples.add(KINDS[kind] + ": " + mutant.proof() + " for leaf " + i);
          }
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    StringBuilder summary = new StringBuilder();
    for (int k = 0; k < KINDS.length; k++) {
      summary.append(
          String.format(
              Locale.ROOT, "%n  %-45s %,9d tried %,6d accepted", KINDS[k], tried[k], accepted[k]));
    }
    System.out.printf(
        Locale.ROOT,
        "%,d mutated inclusion proofs in %.1f s, %d wrong accepts:%s%n",
        MUTATIONS,
        seconds,
        wrong,
        summary);
    assertEquals(0, wrong, () -> "wrong accepts, e.g. " + wrongExamples);
    for (int k = 0; k < KINDS.length; k++) {
      assertTrue(tried[k] > 0 || MUTATIONS < 100, KINDS[k] + " never tried");
    }
  }

  /**
   * Whether the mutant states something true of the header's tree, by the oracle: its size is the
   * tree's, its leaf data is the tree's at its index, and its path is the oracle's for that leaf.
   */
  private static boolean holds(Fixture f, Mutant mutant) {
    InclusionProof p = mutant.proof();
    if (p.treeSize() != f.size() || p.leafIndex() >= f.size()) {
      return false;
    }
    int index = (int) p.leafIndex();
    return Arrays.equals(mutant.leaf(), f.leaves().get(index))
        && p.path().equals(Rfc6962Oracle.path(index, f.leaves(), 0, f.size()));
  }

  private static Mutant mutate(int kind, Fixture f, int i, SplittableRandom random) {
    int n = f.size();
    InclusionProof honest = f.tree().inclusionProof(i);
    byte[] leaf = f.leaves().get(i);
    List<Hash> path = honest.path();
    switch (kind) {
      case 0:
        return new Mutant(new InclusionProof(i, otherSize(n, random), path), leaf);
      case 1:
        return new Mutant(new InclusionProof(otherIndex(i, n, random), n, path), leaf);
      case 2:
        long size = otherSize(n, random);
        return new Mutant(new InclusionProof(otherIndex(i, (int) size, random), size, path), leaf);
      case 3:
        if (path.isEmpty()) {
          return new Mutant(withPath(honest, List.of(SOME_HASH)), leaf);
        }
        int at = random.nextInt(path.size());
        return new Mutant(
            withPath(honest, MerkleFixtures.with(path, at, flip(path.get(at), random))), leaf);
      case 4:
        if (path.isEmpty()) {
          return new Mutant(withPath(honest, List.of(MerkleTree.leafHash(leaf))), leaf);
        }
        return new Mutant(
            withPath(honest, MerkleFixtures.removed(path, random.nextInt(path.size()))), leaf);
      case 5:
        Hash extra =
            switch (random.nextInt(4)) {
              case 0 -> SOME_HASH;
              case 1 -> f.header().transactionsRoot();
              case 2 -> MerkleTree.leafHash(leaf);
              default -> path.isEmpty() ? SOME_HASH : path.get(random.nextInt(path.size()));
            };
        return new Mutant(
            withPath(honest, MerkleFixtures.inserted(path, random.nextInt(path.size() + 1), extra)),
            leaf);
      case 6:
        if (path.size() < 2) {
          return new Mutant(withPath(honest, MerkleFixtures.inserted(path, 0, SOME_HASH)), leaf);
        }
        int a = random.nextInt(path.size());
        int b = (a + 1 + random.nextInt(path.size() - 1)) % path.size();
        List<Hash> swapped = new ArrayList<>(path);
        swapped.set(a, path.get(b));
        swapped.set(b, path.get(a));
        return new Mutant(withPath(honest, swapped), leaf);
      case 7:
        return new Mutant(honest, otherLeaf(f, i, random));
      default:
        boolean longer = f.shorter() == null || i == n - 1 || random.nextBoolean();
        InclusionProof neighbour = (longer ? f.longer() : f.shorter()).inclusionProof(i);
        // As the neighbour tree's proof, or rewritten to claim this tree's size.
        return new Mutant(
            random.nextBoolean() ? neighbour : withPath(honest, neighbour.path()), leaf);
    }
  }

  private static InclusionProof withPath(InclusionProof p, List<Hash> path) {
    return new InclusionProof(p.leafIndex(), p.treeSize(), path);
  }

  /** {@code n} changed by ±1..±16, never below 0. */
  private static long otherSize(int n, SplittableRandom random) {
    int d = 1 + random.nextInt(MAX_SIZE_CHANGE);
    return random.nextBoolean() || n - d < 0 ? n + d : n - d;
  }

  /** An index other than {@code i} in {@code [0, size + 2)}. */
  private static long otherIndex(int i, int size, SplittableRandom random) {
    int j = random.nextInt(size + 2);
    return j == i ? size + 2 : j;
  }

  private static Hash flip(Hash h, SplittableRandom random) {
    return MerkleFixtures.flip(h, random.nextInt(256));
  }

  /** Leaf data other than leaf {@code i}'s: a bit flipped, a byte appended, or another leaf's. */
  private static byte[] otherLeaf(Fixture f, int i, SplittableRandom random) {
    byte[] leaf = f.leaves().get(i);
    int n = f.size();
    switch (random.nextInt(3)) {
      case 0:
        if (leaf.length > 0) {
          byte[] flipped = leaf.clone();
          flipped[random.nextInt(leaf.length)] ^= (byte) (1 << random.nextInt(8));
          return flipped;
        }
        return new byte[] {0};
      case 1:
        byte[] longer = Arrays.copyOf(leaf, leaf.length + 1);
        longer[leaf.length] = (byte) random.nextInt();
        return longer;
      default:
        if (n == 1) {
          return Arrays.copyOf(leaf, leaf.length + 1);
        }
        return f.leaves().get((i + 1 + random.nextInt(n - 1)) % n);
    }
  }

  @Test
  void holds_honestProofs_areTrueAndMutantsOfEachKindFalse() {
    // The wrong-accept oracle itself: it must call honest proofs true and these mutants false.
    List<byte[]> all = randomLeaves(14, 13);
    List<byte[]> leaves = all.subList(0, 13);
    MerkleTree tree = MerkleTree.of(leaves);
    Fixture f =
        new Fixture(
            leaves,
            ProofBindingTest.header(13, Rfc6962Oracle.root(leaves)),
            tree,
            MerkleTree.of(leaves.subList(0, 12)),
            MerkleTree.of(all));
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 13; i++) {
      assertTrue(holds(f, new Mutant(tree.inclusionProof(i), leaves.get(i))), "leaf " + i);
      for (int kind = 0; kind < KINDS.length; kind++) {
        Mutant mutant = mutate(kind, f, i, random);
        if (!mutant.proof().equals(tree.inclusionProof(i))
            || !Arrays.equals(mutant.leaf(), leaves.get(i))) {
          assertFalse(holds(f, mutant), KINDS[kind] + " of leaf " + i + ": " + mutant.proof());
        }
      }
    }
  }

  private static final String[] CONSISTENCY_KINDS = {
    "oldSize ±1..±16",
    "newSize ±1..±16",
    "both sizes",
    "path bit flip",
    "path element dropped",
    "path element added",
    "path elements swapped",
    "honest path of oldSize ± 1 or newSize ± 1",
  };

  /**
   * A tree, eight of its prefix sizes with their roots (by the oracle) and honest proofs, and for
   * each the honest proofs of the neighbouring pairs {@code m - 1 -> n}, {@code m + 1 -> n}, {@code
   * m -> n - 1} (or {@code n + 1} when {@code m = n - 1}) and {@code m -> n + 1}.
   */
  private record ConsistencyFixture(
      List<byte[]> leaves,
      MerkleTree tree,
      Hash root,
      int[] oldSizes,
      Hash[] oldRoots,
      ConsistencyProof[] honest,
      ConsistencyProof[][] neighbours) {}

  @Test
  void verify_mutatedConsistencyProofsWithTrustedSizes_noWrongAccept() {
    SplittableRandom random = new SplittableRandom(0x9162_2142L);
    List<ConsistencyFixture> fixtures = new ArrayList<>();
    for (int t = 0; t < TREES; t++) {
      int n = 2 + random.nextInt(299);
      List<byte[]> leaves = randomLeaves(n + 1, random.nextLong());
      List<byte[]> own = leaves.subList(0, n);
      MerkleTree tree = MerkleTree.of(own);
      MerkleTree shorter = MerkleTree.of(leaves.subList(0, n - 1));
      MerkleTree longer = MerkleTree.of(leaves);
      int[] oldSizes = new int[8];
      Hash[] oldRoots = new Hash[8];
      ConsistencyProof[] honest = new ConsistencyProof[8];
      ConsistencyProof[][] neighbours = new ConsistencyProof[8][];
      for (int k = 0; k < 8; k++) {
        int m = 1 + random.nextInt(n - 1);
        oldSizes[k] = m;
        oldRoots[k] = Rfc6962Oracle.root(own.subList(0, m));
        honest[k] = tree.consistencyProof(m);
        neighbours[k] =
            new ConsistencyProof[] {
              tree.consistencyProof(m - 1),
              tree.consistencyProof(m + 1),
              m < n - 1 ? shorter.consistencyProof(m) : longer.consistencyProof(m),
              longer.consistencyProof(m)
            };
      }
      fixtures.add(
          new ConsistencyFixture(
              List.copyOf(own),
              tree,
              Rfc6962Oracle.root(own),
              oldSizes,
              oldRoots,
              honest,
              neighbours));
    }
    long[] tried = new long[CONSISTENCY_KINDS.length];
    long wrong = 0;
    List<String> wrongExamples = new ArrayList<>();
    long start = System.nanoTime();
    for (int count = 0; count < MUTATIONS; count++) {
      ConsistencyFixture f = fixtures.get(random.nextInt(TREES));
      int k = random.nextInt(8);
      int m = f.oldSizes()[k];
      int n = f.tree().size();
      int kind = random.nextInt(CONSISTENCY_KINDS.length);
      tried[kind]++;
      ConsistencyProof mutant = mutateConsistency(kind, f, k, random);
      if (mutant.verify(m, f.oldRoots()[k], n, f.root())
          && !(mutant.oldSize() == m
              && mutant.newSize() == n
              && mutant.path().equals(Rfc6962Oracle.proof(m, f.leaves())))) {
        wrong++;
        if (wrongExamples.size() < 5) {
          wrongExamples.add(CONSISTENCY_KINDS[kind] + ": " + mutant + " for " + m + "->" + n);
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%,d mutated consistency proofs in %.1f s, %d wrong accepts%n",
        MUTATIONS,
        (System.nanoTime() - start) / 1e9,
        wrong);
    assertEquals(0, wrong, () -> "wrong accepts, e.g. " + wrongExamples);
    for (int k = 0; k < CONSISTENCY_KINDS.length; k++) {
      assertTrue(tried[k] > 0 || MUTATIONS < 100, CONSISTENCY_KINDS[k] + " never tried");
    }
  }

  private static ConsistencyProof mutateConsistency(
      int kind, ConsistencyFixture f, int k, SplittableRandom random) {
    int m = f.oldSizes()[k];
    int n = f.tree().size();
    List<Hash> path = f.honest()[k].path();
    switch (kind) {
      case 0:
        return new ConsistencyProof(otherSize(m, random), n, path);
      case 1:
        return new ConsistencyProof(m, otherSize(n, random), path);
      case 2:
        return new ConsistencyProof(otherSize(m, random), otherSize(n, random), path);
      case 3:
        int at = random.nextInt(path.size());
        return new ConsistencyProof(
            m, n, MerkleFixtures.with(path, at, flip(path.get(at), random)));
      case 4:
        return new ConsistencyProof(
            m, n, MerkleFixtures.removed(path, random.nextInt(path.size())));
      case 5:
        Hash extra =
            switch (random.nextInt(3)) {
              case 0 -> SOME_HASH;
              case 1 -> f.root();
              default -> path.get(random.nextInt(path.size()));
            };
        return new ConsistencyProof(
            m, n, MerkleFixtures.inserted(path, random.nextInt(path.size() + 1), extra));
      case 6:
        if (path.size() < 2) {
          return new ConsistencyProof(m, n, MerkleFixtures.inserted(path, 0, SOME_HASH));
        }
        int a = random.nextInt(path.size());
        int b = (a + 1 + random.nextInt(path.size() - 1)) % path.size();
        List<Hash> swapped = new ArrayList<>(path);
        swapped.set(a, path.get(b));
        swapped.set(b, path.get(a));
        return new ConsistencyProof(m, n, swapped);
      default:
        ConsistencyProof neighbour = f.neighbours()[k][random.nextInt(4)];
        // As the neighbour's proof, or rewritten to claim these sizes.
        return random.nextBoolean() ? neighbour : new ConsistencyProof(m, n, neighbour.path());
    }
  }
}

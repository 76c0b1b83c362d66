package org.gridtrade.ledger;

import static org.gridtrade.ledger.MerkleFixtures.EMPTY_ROOT;
import static org.gridtrade.ledger.MerkleFixtures.SOME_HASH;
import static org.gridtrade.ledger.MerkleFixtures.randomLeaves;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsistencyProofTest {
  @Test
  void property_randomPrefixes_verifyAndEveryCorruptionFails() {
    qt().withFixedSeed(9162L)
        .withExamples(300)
        .forAll(
            integers().between(1, 2000), integers().between(0, Integer.MAX_VALUE), longs().all())
        .checkAssert(
            (n, pick, seed) -> {
              int m = 1 + pick % n; // 1 <= m <= n
              List<byte[]> leaves = randomLeaves(n, seed);
              Hash oldRoot = Rfc6962Oracle.root(leaves.subList(0, m));
              Hash newRoot = Rfc6962Oracle.root(leaves);
              ConsistencyProof proof = MerkleTree.of(leaves).consistencyProof(m);
              assertTrue(proof.verify(oldRoot, newRoot), m + " -> " + n);
              if (m == n) {
                assertEquals(List.of(), proof.path());
                assertFalse(proof.verify(oldRoot, SOME_HASH));
                return;
              }
              for (MerkleFixtures.ConsistencyProbe probe :
                  MerkleFixtures.corruptions(proof, oldRoot, newRoot)) {
                assertFalse(
                    probe.verifies(),
                    () -> m + " -> " + n + " verified with " + probe.description());
              }
            });
  }

  @Test
  void verify_everyPairUpTo40_verifiesAndEveryCorruptionFails() {
    List<byte[]> leaves = randomLeaves(40, 11);
    List<Hash> roots = new ArrayList<>();
    for (int n = 0; n <= 40; n++) {
      roots.add(Rfc6962Oracle.root(leaves.subList(0, n)));
    }
    for (int n = 1; n <= 40; n++) {
      MerkleTree tree = MerkleTree.of(leaves.subList(0, n));
      for (int m = 1; m < n; m++) {
        ConsistencyProof proof = tree.consistencyProof(m);
        assertTrue(proof.verify(roots.get(m), roots.get(n)), m + " -> " + n);
        for (int other = 0; other <= 40; other++) {
          if (other != m) {
            assertFalse(proof.verify(roots.get(other), roots.get(n)), m + "/" + other + " -> " + n);
          }
          if (other != n) {
            assertFalse(proof.verify(roots.get(m), roots.get(other)), m + " -> " + n + "/" + other);
          }
        }
        for (MerkleFixtures.ConsistencyProbe probe :
            MerkleFixtures.corruptions(proof, roots.get(m), roots.get(n))) {
          int mm = m;
          int nn = n;
          assertFalse(probe.verifies(), () -> mm + " -> " + nn + ": " + probe.description());
        }
      }
    }
  }

  @Test
  void verify_proofFromAnotherLog_fails() {
    List<byte[]> leaves = randomLeaves(30, 1);
    List<byte[]> forked = new ArrayList<>(leaves);
    forked.set(3, new byte[] {42}); // rewrites history before the old size
    ConsistencyProof proof = MerkleTree.of(forked).consistencyProof(10);
    Hash oldRoot = MerkleTree.root(leaves.subList(0, 10));
    assertFalse(proof.verify(oldRoot, MerkleTree.root(forked)));
    assertFalse(
        MerkleTree.of(leaves).consistencyProof(10).verify(oldRoot, MerkleTree.root(forked)));
  }

  @Test
  void verify_equalSizes_trueOnlyForEmptyPathAndEqualRoots() {
    // The CT reference tests' special cases.
    Hash root = MerkleTree.root(randomLeaves(3, 1));
    assertTrue(new ConsistencyProof(0, 0, List.of()).verify(EMPTY_ROOT, EMPTY_ROOT));
    assertTrue(new ConsistencyProof(1, 1, List.of()).verify(root, root));
    assertTrue(new ConsistencyProof(3, 3, List.of()).verify(root, root));
    assertFalse(new ConsistencyProof(3, 3, List.of()).verify(root, SOME_HASH));
    assertFalse(new ConsistencyProof(0, 0, List.of()).verify(EMPTY_ROOT, root));
    assertFalse(new ConsistencyProof(1, 1, List.of(root)).verify(root, root));
    assertFalse(new ConsistencyProof(0, 0, List.of(EMPTY_ROOT)).verify(EMPTY_ROOT, EMPTY_ROOT));
  }

  @Test
  void verify_fromEmptyTree_trueOnlyForEmptyPathAndEmptyRoot() {
    Hash root = MerkleTree.root(randomLeaves(5, 1));
    assertTrue(new ConsistencyProof(0, 5, List.of()).verify(EMPTY_ROOT, root));
    assertTrue(MerkleTree.of(randomLeaves(5, 1)).consistencyProof(0).verify(EMPTY_ROOT, root));
    assertFalse(new ConsistencyProof(0, 5, List.of()).verify(SOME_HASH, root));
    assertFalse(new ConsistencyProof(0, 5, List.of(EMPTY_ROOT)).verify(EMPTY_ROOT, root));
    assertFalse(new ConsistencyProof(0, 1, List.of(EMPTY_ROOT)).verify(EMPTY_ROOT, EMPTY_ROOT));
  }

  @Test
  void verify_shrinkingTree_false() {
    Hash root = MerkleTree.root(randomLeaves(5, 1));
    assertFalse(new ConsistencyProof(1, 0, List.of()).verify(root, root));
    assertFalse(new ConsistencyProof(2, 1, List.of()).verify(root, root));
    assertFalse(new ConsistencyProof(6, 5, List.of(root)).verify(root, root));
  }

  @Test
  void verify_hostileSizesAndLongPaths_falseNotThrown() {
    List<Hash> longest = Collections.nCopies(ConsistencyProof.MAX_PATH_LENGTH, SOME_HASH);
    long max = Long.MAX_VALUE;
    long[][] sizes = {{1, 2}, {3, 5}, {1, max}, {max - 1, max}, {1L << 62, max}, {max / 3, max}};
    for (long[] s : sizes) {
      for (List<Hash> path : List.of(List.<Hash>of(), List.of(SOME_HASH), longest)) {
        assertFalse(new ConsistencyProof(s[0], s[1], path).verify(SOME_HASH, SOME_HASH));
      }
    }
  }

  @Test
  void constructor_badArguments_rejectedNamingFieldValueAndRule() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ConsistencyProof(-1, 5, List.of()));
    assertEquals("oldSize -1 < 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ConsistencyProof(0, -5, List.of()));
    assertEquals("newSize -5 < 0", e.getMessage());
    List<Hash> tooLong = Collections.nCopies(65, SOME_HASH);
    e = assertThrows(IllegalArgumentException.class, () -> new ConsistencyProof(1, 5, tooLong));
    assertEquals("path length 65 > 64", e.getMessage());
    List<Hash> withNull = new ArrayList<>(List.of(SOME_HASH, SOME_HASH));
    withNull.set(0, null);
    MerkleTreeTest.assertNpe("path[0]", () -> new ConsistencyProof(1, 5, withNull));
    ConsistencyProof proof = new ConsistencyProof(1, 1, List.of());
    MerkleTreeTest.assertNpe("oldRoot", () -> proof.verify(null, SOME_HASH));
    MerkleTreeTest.assertNpe("newRoot", () -> proof.verify(SOME_HASH, null));
  }
}

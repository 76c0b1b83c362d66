package org.gridtrade.ledger;

import static org.gridtrade.ledger.MerkleFixtures.randomLeaves;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
  /**
   * The leaves and tree heads of the Certificate Transparency reference tests (google/certificate-
   * transparency merkle_tree_test.cc; transparency-dev/merkle proof/verify_test.go).
   */
  static final List<byte[]> CT_LEAVES =
      hexList(
          "",
          "00",
          "10",
          "2021",
          "3031",
          "40414243",
          "5051525354555657",
          "606162636465666768696a6b6c6d6e6f");

  /** CT_ROOTS[n] is the root of the first n CT leaves. */
  static final List<Hash> CT_ROOTS =
      hashes(
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  static List<byte[]> hexList(String... hex) {
    return Arrays.stream(hex).map(HexFormat.of()::parseHex).toList();
  }

  static List<Hash> hashes(String... hex) {
    return Arrays.stream(hex).map(Hash::fromHex).toList();
  }

  static List<byte[]> ctLeaves(int n) {
    return CT_LEAVES.subList(0, n);
  }

  @Test
  void root_ctLeaves_matchesReferenceTreeHeads() {
    for (int n = 0; n <= 8; n++) {
      List<byte[]> leaves = ctLeaves(n);
      Hash expected = CT_ROOTS.get(n);
      assertEquals(expected, MerkleTree.root(leaves), "static root, size " + n);
      assertEquals(expected, MerkleTree.of(leaves).root(), "tree root, size " + n);
      List<Hash> leafHashes = leaves.stream().map(MerkleTree::leafHash).toList();
      assertEquals(expected, MerkleTree.ofLeafHashes(leafHashes).root(), "ofLeafHashes, size " + n);
    }
  }

  @Test
  void root_empty_isSha256OfEmptyString() {
    assertEquals(MerkleFixtures.EMPTY_ROOT, MerkleTree.root(List.of()));
    MerkleTree empty = MerkleTree.of(List.of());
    assertEquals(0, empty.size());
    assertEquals(MerkleFixtures.EMPTY_ROOT, empty.root());
  }

  @Test
  void leafHash_emptyData_isTreeHeadOfSizeOne() {
    assertEquals(CT_ROOTS.get(1), MerkleTree.leafHash(new byte[0]));
  }

  @Test
  void inclusionProof_ctVectors_matchReferencePaths() {
    // {leafIndex, treeSize} and audit paths, from transparency-dev/merkle proof/verify_test.go
    // (listed there with 1-based leaf numbers).
    record Vector(int index, int size, List<Hash> path) {}
    List<Vector> vectors =
        List.of(
            new Vector(0, 1, List.of()),
            new Vector(
                0,
                8,
                hashes(
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
            new Vector(
                5,
                8,
                hashes(
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
            new Vector(
                2, 3, hashes("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
            new Vector(
                1,
                5,
                hashes(
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")));
    for (Vector v : vectors) {
      MerkleTree tree = MerkleTree.of(ctLeaves(v.size()));
      InclusionProof proof = tree.inclusionProof(v.index());
      assertEquals(new InclusionProof(v.index(), v.size(), v.path()), proof, v.toString());

      Hash leaf = MerkleTree.leafHash(CT_LEAVES.get(v.index()));
      Hash root = CT_ROOTS.get(v.size());
      assertTrue(proof.verify(leaf, root), v.toString());
      assertTrue(proof.verifyLeafData(CT_LEAVES.get(v.index()), root), v.toString());
      for (MerkleFixtures.InclusionProbe probe : MerkleFixtures.corruptions(proof, leaf, root)) {
        assertFalse(probe.verifies(), () -> v + " verified with " + probe.description());
      }
    }
  }

  @Test
  void consistencyProof_ctVectors_matchReferencePaths() {
    // From transparency-dev/merkle proof/verify_test.go.
    record Vector(int oldSize, int newSize, List<Hash> path) {}
    List<Vector> vectors =
        List.of(
            new Vector(
                1,
                8,
                hashes(
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
            new Vector(
                6,
                8,
                hashes(
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
            new Vector(
                2,
                5,
                hashes(
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
            new Vector(
                6,
                7,
                hashes(
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")));
    for (Vector v : vectors) {
      ConsistencyProof proof = MerkleTree.of(ctLeaves(v.newSize())).consistencyProof(v.oldSize());
      assertEquals(new ConsistencyProof(v.oldSize(), v.newSize(), v.path()), proof, v.toString());

      Hash oldRoot = CT_ROOTS.get(v.oldSize());
      Hash newRoot = CT_ROOTS.get(v.newSize());
      assertTrue(proof.verify(oldRoot, newRoot), v.toString());
      for (MerkleFixtures.ConsistencyProbe probe :
          MerkleFixtures.corruptions(proof, oldRoot, newRoot)) {
        assertFalse(probe.verifies(), () -> v + " verified with " + probe.description());
      }
    }
    ConsistencyProof same = MerkleTree.of(ctLeaves(1)).consistencyProof(1);
    assertEquals(new ConsistencyProof(1, 1, List.of()), same);
    assertTrue(same.verify(CT_ROOTS.get(1), CT_ROOTS.get(1)));
  }

  @Test
  void root_everySizeUpTo70_matchesRecursiveOracle() {
    for (int n = 0; n <= 70; n++) {
      List<byte[]> leaves = randomLeaves(n, 6962L + n);
      Hash expected = Rfc6962Oracle.root(leaves);
      MerkleTree tree = MerkleTree.of(leaves);
      assertEquals(expected, MerkleTree.root(leaves), "static root, size " + n);
      assertEquals(expected, tree.root(), "tree root, size " + n);
      assertEquals(n, tree.size());
      List<Hash> leafHashes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Hash leaf = Hash.of(Rfc6962Oracle.sha256(new byte[] {0}, leaves.get(i)));
        assertEquals(leaf, tree.leafHash(i), "leaf " + i + " of " + n);
        assertEquals(leaf, MerkleTree.leafHash(leaves.get(i)));
        leafHashes.add(leaf);
      }
      assertEquals(expected, MerkleTree.ofLeafHashes(leafHashes).root(), "ofLeafHashes " + n);
    }
  }

  @Test
  void property_root_randomSizesUpTo4000_matchRecursiveOracle() {
    qt().withFixedSeed(20_260_101L)
        .withExamples(25)
        .forAll(integers().between(71, 4000), longs().all())
        .checkAssert(
            (n, seed) -> {
              List<byte[]> leaves = randomLeaves(n, seed);
              Hash expected = Rfc6962Oracle.root(leaves);
              assertEquals(expected, MerkleTree.root(leaves), "static root, size " + n);
              assertEquals(expected, MerkleTree.of(leaves).root(), "tree root, size " + n);
            });
  }

  @Test
  void inclusionProof_everyLeafOfSizesUpTo70_matchesOraclePath() {
    for (int n = 1; n <= 70; n++) {
      List<byte[]> leaves = randomLeaves(n, 1_000L + n);
      MerkleTree tree = MerkleTree.of(leaves);
      for (int i = 0; i < n; i++) {
        InclusionProof proof = tree.inclusionProof(i);
        assertEquals(i, proof.leafIndex());
        assertEquals(n, proof.treeSize());
        assertEquals(Rfc6962Oracle.path(i, leaves, 0, n), proof.path(), "leaf " + i + " of " + n);
      }
    }
  }

  @Test
  void consistencyProof_everyPairUpTo70_matchesOracleProof() {
    for (int n = 1; n <= 70; n++) {
      List<byte[]> leaves = randomLeaves(n, 2_000L + n);
      MerkleTree tree = MerkleTree.of(leaves);
      assertEquals(new ConsistencyProof(0, n, List.of()), tree.consistencyProof(0));
      for (int m = 1; m <= n; m++) {
        ConsistencyProof proof = tree.consistencyProof(m);
        assertEquals(m, proof.oldSize());
        assertEquals(n, proof.newSize());
        assertEquals(Rfc6962Oracle.proof(m, leaves), proof.path(), "from " + m + " to " + n);
      }
    }
  }

  @Test
  void nodeHash_matchesOracle() {
    Hash left = MerkleFixtures.SOME_HASH;
    Hash right = CT_ROOTS.get(8);
    byte[] expected = Rfc6962Oracle.sha256(new byte[] {1}, left.bytes(), right.bytes());
    assertEquals(Hash.of(expected), MerkleTree.nodeHash(left, right));
    assertEquals(
        CT_ROOTS.get(2), MerkleTree.nodeHash(CT_ROOTS.get(1), MerkleTree.leafHash(new byte[1])));
  }

  @Test
  void of_linkedList_sameAsArrayList() {
    List<byte[]> leaves = randomLeaves(37, 5);
    assertEquals(MerkleTree.root(leaves), MerkleTree.root(new LinkedList<>(leaves)));
    assertEquals(MerkleTree.root(leaves), MerkleTree.of(new LinkedList<>(leaves)).root());
  }

  @Test
  void of_leafDataChangedAfterwards_treeUnchanged() {
    List<byte[]> leaves = new ArrayList<>(randomLeaves(5, 9));
    leaves.set(2, new byte[] {1, 2, 3});
    MerkleTree tree = MerkleTree.of(leaves);
    Hash root = tree.root();
    leaves.get(2)[0] = 9;
    leaves.clear();
    assertEquals(root, tree.root());
    assertEquals(5, tree.size());
    assertEquals(MerkleTree.leafHash(new byte[] {1, 2, 3}), tree.leafHash(2));
  }

  @Test
  void inclusionProof_indexOutOfRange_rejectedNamingIndexAndSize() {
    MerkleTree tree = MerkleTree.of(randomLeaves(5, 1));
    for (int bad : new int[] {-1, 5, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> tree.inclusionProof(bad));
      assertEquals("index %d is outside [0, size 5)".formatted(bad), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> tree.leafHash(bad));
    }
    MerkleTree empty = MerkleTree.of(List.of());
    assertThrows(IllegalArgumentException.class, () -> empty.inclusionProof(0));
  }

  @Test
  void consistencyProof_oldSizeOutOfRange_rejectedNamingOldSizeAndSize() {
    MerkleTree tree = MerkleTree.of(randomLeaves(5, 1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> tree.consistencyProof(6));
    assertEquals("oldSize 6 is outside [0, size 5]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> tree.consistencyProof(-1));
    assertEquals("oldSize -1 is outside [0, size 5]", e.getMessage());
    assertEquals(
        new ConsistencyProof(0, 0, List.of()), MerkleTree.of(List.of()).consistencyProof(0));
  }

  @Test
  void nullArguments_rejectedNamingTheArgument() {
    List<byte[]> withNull = new ArrayList<>(randomLeaves(3, 1));
    withNull.set(1, null);
    List<Hash> hashesWithNull = new ArrayList<>(List.of(CT_ROOTS.get(1), CT_ROOTS.get(2)));
    hashesWithNull.set(1, null);
    assertAll(
        () -> assertNpe("leafData", () -> MerkleTree.of(null)),
        () -> assertNpe("leafData", () -> MerkleTree.root(null)),
        () -> assertNpe("leafHashes", () -> MerkleTree.ofLeafHashes(null)),
        () -> assertNpe("leafData[1]", () -> MerkleTree.of(withNull)),
        () -> assertNpe("leafData[1]", () -> MerkleTree.root(withNull)),
        () -> assertNpe("leafHashes[1]", () -> MerkleTree.ofLeafHashes(hashesWithNull)),
        () -> assertNpe("data", () -> MerkleTree.leafHash(null)),
        () -> assertNpe("left", () -> MerkleTree.nodeHash(null, CT_ROOTS.get(1))),
        () -> assertNpe("right", () -> MerkleTree.nodeHash(CT_ROOTS.get(1), null)));
  }

  static void assertNpe(String message, org.junit.jupiter.api.function.Executable call) {
    NullPointerException e = assertThrows(NullPointerException.class, call);
    assertEquals(message, e.getMessage());
  }

  @Test
  void of_listYieldingOtherThanItsSize_rejectedNotMisHashed() {
    for (int yielded : new int[] {2, 4}) {
      List<byte[]> liar = sizeLiar(randomLeaves(yielded, 1), 3);
      assertThrows(ConcurrentModificationException.class, () -> MerkleTree.root(liar));
      assertThrows(ConcurrentModificationException.class, () -> MerkleTree.of(liar));
      List<Hash> hashLiar = sizeLiar(Collections.nCopies(yielded, CT_ROOTS.get(1)), 3);
      assertThrows(ConcurrentModificationException.class, () -> MerkleTree.ofLeafHashes(hashLiar));
    }
  }

  /** A list that says it has {@code size} elements but iterates over {@code elements}. */
  private static <T> List<T> sizeLiar(List<T> elements, int size) {
    return new AbstractList<>() {
      @Override
      public T get(int index) {
        return elements.get(index);
      }

      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<T> iterator() {
        return elements.iterator();
      }
    };
  }

  @Test
  void toString_namesSizeAndRoot() {
    assertEquals(
        "MerkleTree[size=8, root=" + CT_ROOTS.get(8).toHex() + "]",
        MerkleTree.of(CT_LEAVES).toString());
  }
}

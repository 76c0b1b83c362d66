package org.gridtrade.ledger;

import static org.gridtrade.ledger.MerkleFixtures.SOME_HASH;
import static org.gridtrade.ledger.MerkleFixtures.randomLeaves;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proofs bound to what vouches for the root: an inclusion proof verified against a block header
 * takes the tree size from the header, so a proof that claims another size (or, through another
 * size, another index) fails; a consistency proof verified with trusted sizes fails under others.
 * Roots and paths come from {@link Rfc6962Oracle}, which shares no code with {@link MerkleTree}.
 */
class ProofBindingTest {
  /** A header committing to {@code count} transactions with Merkle root {@code root}. */
  static BlockHeader header(int count, Hash root) {
    return new BlockHeader(
        1,
        SOME_HASH,
        root,
        count,
        MerkleFixtures.EMPTY_ROOT,
        1_700_000_000_000L,
        TestKit.key(0).address(),
        new byte[0]);
  }

  private static Hash oracleLeaf(byte[] data) {
    return Hash.of(Rfc6962Oracle.sha256(new byte[] {0}, data));
  }

  /**
   * RFC 6962 §2.1 {@code MTH} and {@code PATH} by the definitions' recursion, hashing with
   * BouncyCastle, each subtree hash computed once per tree: the oracle for every index of a tree in
   * {@code O(n)} hashes instead of {@code O(n^2)}.
   */
  private static final class MemoOracle {
    private final List<byte[]> d;
    private final Map<Long, Hash> memo = new HashMap<>();

    MemoOracle(List<byte[]> d) {
      this.d = d;
    }

    /** MTH(D[from:to]) for {@code from < to}. */
    Hash mth(int from, int to) {
      long key = ((long) from << 32) | to;
      Hash h = memo.get(key);
      if (h == null) {
        if (to - from == 1) {
          h = oracleLeaf(d.get(from));
        } else {
          int k = Rfc6962Oracle.split(to - from);
          h =
              Hash.of(
                  Rfc6962Oracle.sha256(
                      new byte[] {1}, mth(from, from + k).bytes(), mth(from + k, to).bytes()));
        }
        memo.put(key, h);
      }
      return h;
    }

    /** PATH(m, D[from:to]). */
    List<Hash> path(int m, int from, int to) {
      List<Hash> out = new ArrayList<>();
      if (to - from > 1) {
        int k = Rfc6962Oracle.split(to - from);
        if (m < k) {
          out.addAll(path(m, from, from + k));
          out.add(mth(from + k, to));
        } else {
          out.addAll(path(m - k, from + k, to));
          out.add(mth(from, from + k));
        }
      }
      return out;
    }

    /** PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true), for {@code 0 < m <= n}. */
    List<Hash> proof(int m, int n) {
      return subproof(m, 0, n, true);
    }

    private List<Hash> subproof(int m, int from, int to, boolean whole) {
      List<Hash> out = new ArrayList<>();
      int n = to - from;
      if (m == n) {
        if (!whole) {
          out.add(mth(from, to));
        }
        return out;
      }
      int k = Rfc6962Oracle.split(n);
      if (m <= k) {
        out.addAll(subproof(m, from, from + k, whole));
        out.add(mth(from + k, to));
      } else {
        out.addAll(subproof(m - k, from + k, to, false));
        out.add(mth(from, from + k));
      }
      return out;
    }
  }

  @Test
  void property_honestProofsOfRandomSizes_verifyAgainstTheHeaderAtEveryIndex() {
    qt().withFixedSeed(9162L)
        .withExamples(100)
        .forAll(integers().between(1, 300), longs().all())
        .checkAssert(
            (n, seed) -> {
              List<byte[]> leaves = randomLeaves(n, seed);
              MemoOracle oracle = new MemoOracle(leaves);
              Hash root = oracle.mth(0, n);
              assertEquals(Rfc6962Oracle.root(leaves), root, "the two oracles' roots");
              BlockHeader header = header(n, root);
              MerkleTree tree = MerkleTree.of(leaves);
              for (int i = 0; i < n; i++) {
                InclusionProof proof = tree.inclusionProof(i);
                assertEquals(
                    new InclusionProof(i, n, oracle.path(i, 0, n)),
                    proof,
                    "proof of leaf " + i + " of " + n);
                assertTrue(
                    proof.verifyTransaction(leaves.get(i), header), "leaf " + i + " of " + n);
                assertTrue(
                    proof.verify(oracleLeaf(leaves.get(i)), n, root), "leaf " + i + " of " + n);
              }
            });
  }

  @Test
  void verifyTransaction_everySizeFrom1To40_acceptsEveryHonestProofAndNoOtherSize() {
    for (int n = 1; n <= 40; n++) {
      List<byte[]> leaves = randomLeaves(n, n);
      Hash root = Rfc6962Oracle.root(leaves);
      BlockHeader header = header(n, root);
      for (int i = 0; i < n; i++) {
        List<Hash> path = Rfc6962Oracle.path(i, leaves, 0, n);
        assertTrue(new InclusionProof(i, n, path).verifyTransaction(leaves.get(i), header));
        for (int m = 0; m <= 2 * n + 2; m++) {
          if (m != n) {
            assertFalse(
                new InclusionProof(i, m, path).verifyTransaction(leaves.get(i), header),
                "leaf " + i + " of " + n + " claiming size " + m);
          }
        }
      }
    }
  }

  /**
   * The proof of each leaf of a tree of {@code size} leaves, with the size changed to {@code
   * claimed}: RFC 9162 §2.1.3.2 with the proof's own size accepts some of them (checked here, so
   * this stays the case being tested); the check against the header accepts none, under any index.
   */
  private static void assertSizeChangeRejected(int size, int claimed) {
    List<byte[]> leaves = randomLeaves(size, 1000L * size + claimed);
    Hash root = Rfc6962Oracle.root(leaves);
    BlockHeader header = header(size, root);
    int passedUnbound = 0;
    for (int i = 0; i < size; i++) {
      List<Hash> path = Rfc6962Oracle.path(i, leaves, 0, size);
      InclusionProof honest = new InclusionProof(i, size, path);
      InclusionProof resized = new InclusionProof(i, claimed, path);
      assertTrue(honest.verifyTransaction(leaves.get(i), header), "honest leaf " + i);
      if (resized.verifyLeafData(leaves.get(i), root)) {
        passedUnbound++;
      }
      assertFalse(resized.verifyTransaction(leaves.get(i), header), "leaf " + i);
      assertFalse(resized.verify(oracleLeaf(leaves.get(i)), size, root), "leaf " + i);
      for (int j = 0; j < Math.max(size, claimed) + 2; j++) {
        InclusionProof moved = new InclusionProof(j, claimed, path);
        assertFalse(moved.verifyTransaction(leaves.get(i), header), "leaf " + i + " as " + j);
      }
    }
    assertTrue(passedUnbound > 0, "no proof of " + size + " passes RFC 9162 as " + claimed);
  }

  @Test
  void verifyTransaction_proofOf14LeavesClaiming15_rejected() {
    assertSizeChangeRejected(14, 15);
  }

  @Test
  void verifyTransaction_proofOf11LeavesClaiming9_rejected() {
    assertSizeChangeRejected(11, 9);
  }

  @Test
  void verifyTransaction_proofOf33LeavesClaiming35_rejected() {
    assertSizeChangeRejected(33, 35);
  }

  @Test
  void verifyTransaction_leaf4Of5PassingAsLeaf2Of3_rejected() {
    List<byte[]> leaves = randomLeaves(5, 45);
    Hash root = Rfc6962Oracle.root(leaves);
    List<Hash> path = Rfc6962Oracle.path(4, leaves, 0, 5);
    InclusionProof moved = new InclusionProof(2, 3, path);
    assertTrue(moved.verifyLeafData(leaves.get(4), root), "the case RFC 9162 alone accepts");
    assertFalse(moved.verifyTransaction(leaves.get(4), header(5, root)));
    assertFalse(new InclusionProof(2, 5, path).verifyTransaction(leaves.get(4), header(5, root)));
    assertTrue(new InclusionProof(4, 5, path).verifyTransaction(leaves.get(4), header(5, root)));
  }

  @Test
  void verifyTransaction_realBlock_acceptsEachTransactionAtItsIndexOnly() {
    List<KeyPair> keys = TestKit.keys(4);
    Genesis genesis = TestKit.genesis(keys, 1_000_000);
    try (Ledger ledger = Ledger.open(genesis, BlockStores.inMemory())) {
      List<Transaction> txs = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        KeyPair k = keys.get(1 + i % 3);
        txs.add(
            new TransactionBody(
                    TestKit.CHAIN,
                    k.publicKey(),
                    i / 3,
                    1,
                    new Payload.Transfer(keys.get(0).address(), 10 + i))
                .sign(k));
      }
      Block block = ledger.propose(txs, keys.get(0).address(), 1_700_000_000_000L).block();
      assertEquals(7, block.transactions().size());
      assertTrue(ledger.append(block).appended());
      BlockHeader header = ledger.head();
      for (int i = 0; i < 7; i++) {
        InclusionProof proof = ledger.proveTransaction(1, i);
        for (int j = 0; j < 7; j++) {
          assertEquals(
              i == j,
              proof.verifyTransaction(block.transactions().get(j).encode(), header),
              "proof " + i + ", transaction " + j);
        }
        assertFalse(
            proof.verifyTransaction(block.transactions().get(i).encode(), genesisOf(ledger)));
      }
    }
  }

  private static BlockHeader genesisOf(Ledger ledger) {
    return ledger.block(0).orElseThrow().header();
  }

  @Test
  void verify_withTrustedSize_nullArgumentsNamed() {
    InclusionProof proof = new InclusionProof(0, 1, List.of());
    MerkleTreeTest.assertNpe("leafHash", () -> proof.verify(null, 1, SOME_HASH));
    MerkleTreeTest.assertNpe("root", () -> proof.verify(SOME_HASH, 1, null));
    MerkleTreeTest.assertNpe(
        "encodedTransaction", () -> proof.verifyTransaction(null, header(1, SOME_HASH)));
    MerkleTreeTest.assertNpe("header", () -> proof.verifyTransaction(new byte[0], null));
    ConsistencyProof c = new ConsistencyProof(0, 0, List.of());
    MerkleTreeTest.assertNpe("oldRoot", () -> c.verify(0, null, 0, SOME_HASH));
    MerkleTreeTest.assertNpe("newRoot", () -> c.verify(0, SOME_HASH, 0, null));
  }

  @Test
  void consistency_proofFrom6To8ClaimingOtherSizes_rejectedWithTrustedSizes() {
    List<byte[]> leaves = randomLeaves(8, 68);
    Hash oldRoot = Rfc6962Oracle.root(leaves.subList(0, 6));
    Hash newRoot = Rfc6962Oracle.root(leaves);
    List<Hash> path = Rfc6962Oracle.proof(6, leaves);
    assertTrue(new ConsistencyProof(6, 8, path).verify(6, oldRoot, 8, newRoot));
    // RFC 9162 §2.1.4.2 with the proof's own sizes accepts these: the roots do not bind sizes.
    assertTrue(new ConsistencyProof(6, 7, path).verify(oldRoot, newRoot));
    assertTrue(new ConsistencyProof(5, 6, path).verify(oldRoot, newRoot));
    for (int m = 0; m <= 12; m++) {
      for (int n = 0; n <= 12; n++) {
        ConsistencyProof claimed = new ConsistencyProof(m, n, path);
        assertEquals(
            m == 6 && n == 8, claimed.verify(6, oldRoot, 8, newRoot), "claiming " + m + "->" + n);
      }
    }
  }

  @Test
  void property_consistencyProofs_verifyWithTheirSizesOnly() {
    qt().withFixedSeed(9163L)
        .withExamples(40)
        .forAll(integers().between(1, 300), longs().all())
        .checkAssert(
            (n, seed) -> {
              List<byte[]> leaves = randomLeaves(n, seed);
              MerkleTree tree = MerkleTree.of(leaves);
              MemoOracle oracle = new MemoOracle(leaves);
              Hash newRoot = oracle.mth(0, n);
              for (int m = 0; m <= n; m++) {
                Hash oldRoot = m == 0 ? MerkleFixtures.EMPTY_ROOT : oracle.mth(0, m);
                ConsistencyProof proof = tree.consistencyProof(m);
                if (m > 0) {
                  assertEquals(oracle.proof(m, n), proof.path(), m + "->" + n);
                }
                assertTrue(proof.verify(m, oldRoot, n, newRoot), m + "->" + n);
                for (int d = 1; d <= 3; d++) {
                  assertFalse(proof.verify(m + d, oldRoot, n, newRoot), m + "+" + d + "->" + n);
                  assertFalse(proof.verify(m, oldRoot, n + d, newRoot), m + "->" + n + "+" + d);
                  assertFalse(proof.verify(m - d, oldRoot, n, newRoot), m + "-" + d + "->" + n);
                  assertFalse(proof.verify(m, oldRoot, n - d, newRoot), m + "->" + n + "-" + d);
                }
              }
            });
  }
}

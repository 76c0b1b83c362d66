package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.gridtrade.ledger.spi.BlockCheck;
import org.gridtrade.ledger.spi.SealVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Ledger#reorganise}: a validated, atomic, durable switch to a competing branch. */
class ReorganiseTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final SealVerifier SEALS = SealVerifier.acceptAll();
  private static final BlockCheck CONTENTS = BlockCheck.acceptAll();
  private final List<KeyPair> keys = TestKit.keys(6);
  private final Genesis genesis = TestKit.genesis(keys, 10_000_000);

  @TempDir Path dir;

  /**
   * Proposes and appends to {@code builder} a block of 0..3 random transfers at {@code time}; the
   * proposer and amounts are random, so two builders on the same parent make different blocks.
   */
  private Block grow(Ledger builder, Random rnd, long time) {
    Map<Integer, Long> nonces = new HashMap<>();
    List<Transaction> txs = new ArrayList<>();
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      int from = rnd.nextInt(keys.size());
      KeyPair k = keys.get(from);
      long nonce =
          nonces.merge(from, 1L, Long::sum) - 1 + builder.state().account(k.address()).nonce();
      txs.add(
          new TransactionBody(
                  TestKit.CHAIN,
                  k.publicKey(),
                  nonce,
                  1 + rnd.nextInt(5),
                  new Payload.Transfer(
                      keys.get(rnd.nextInt(keys.size())).address(), 1 + rnd.nextInt(10_000)))
              .sign(k));
    }
    Block b = builder.propose(txs, keys.get(rnd.nextInt(keys.size())).address(), time).block();
    BlockResult r = builder.append(b);
    assertThat(r.appended()).as(r.toString()).isTrue();
    return b;
  }

  /** Appends {@code count} random blocks to {@code ledger}, one second apart. */
  private List<Block> growChain(Ledger ledger, Random rnd, int count) {
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(grow(ledger, rnd, T0 + (ledger.height() + 1) * 1_000));
    }
    return out;
  }

  /**
   * A competing branch: a fresh in-memory ledger appends {@code ledger}'s blocks 1..forkHeight,
   * then grows {@code length} other blocks (half a second later than the main chain's).
   */
  private List<Block> branch(Ledger ledger, long forkHeight, int length, Random rnd) {
    try (Ledger builder = Ledger.open(genesis, BlockStores.inMemory())) {
      for (long h = 1; h <= forkHeight; h++) {
        assertThat(builder.append(ledger.block(h).orElseThrow()).appended()).isTrue();
      }
      List<Block> out = new ArrayList<>();
      for (int i = 0; i < length; i++) {
        out.add(grow(builder, rnd, T0 + (builder.height() + 1) * 1_000 + 500));
      }
      return out;
    }
  }

  /** An independent oracle: a fresh ledger that appends {@code blocks} one by one. */
  private Ledger appendedDirectly(List<Block> blocks) {
    Ledger fresh = Ledger.open(genesis, BlockStores.inMemory());
    for (Block b : blocks) {
      BlockResult r = fresh.append(b);
      assertThat(r.appended()).as(r.toString()).isTrue();
    }
    return fresh;
  }

  private static List<Hash> storedHashes(Ledger ledger) {
    List<Hash> out = new ArrayList<>();
    for (long h = 0; ; h++) {
      Optional<Block> b = ledger.block(h);
      if (b.isEmpty()) {
        return out;
      }
      out.add(b.get().hash());
    }
  }

  private static List<Block> blocks(Ledger ledger, long from, long to) {
    List<Block> out = new ArrayList<>();
    for (long h = from; h <= to; h++) {
      out.add(ledger.block(h).orElseThrow());
    }
    return out;
  }

  private static Block withStateRoot(Block b, Hash root) {
    BlockHeader h = b.header();
    return new Block(
        new BlockHeader(
            h.height(),
            h.previousHash(),
            h.transactionsRoot(),
            h.transactionCount(),
            root,
            h.timestamp(),
            h.proposer(),
            h.seal()),
        b.transactions());
  }

  @Test
  void branchOfThree_forkingTwoBelowTheHead_replacesThem_durably_andReorganisesAgainAfterReopen() {
    Path file = dir.resolve("chain.mv");
    Random rnd = new Random(11);
    List<Block> branch;
    List<Block> expected;
    try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(file))) {
      growChain(ledger, rnd, 40);
      List<Block> replaced = blocks(ledger, 39, 40);
      branch = branch(ledger, 38, 3, rnd);
      expected = new ArrayList<>(blocks(ledger, 1, 38));
      expected.addAll(branch);
      assertThat(branch.get(0).hash()).isNotEqualTo(replaced.get(0).hash());

      BlockResult r = ledger.reorganise(38, branch, SEALS, CONTENTS);

      assertThat(r).isEqualTo(new BlockResult.Appended(41, branch.get(2).hash()));
      try (Ledger oracle = appendedDirectly(expected)) {
        assertThat(ledger.state().root()).isEqualTo(oracle.state().root());
        assertThat(ledger.head()).isEqualTo(oracle.head());
        assertThat(storedHashes(ledger)).isEqualTo(storedHashes(oracle));
      }
      assertThat(ledger.verify().valid()).isTrue();
      assertThat(ledger.block(42)).isEmpty();
      // The head of the branch may be replaced, against the state after the branch's second block.
      try (Ledger second = appendedDirectly(expected.subList(0, 40))) {
        assertThat(ledger.stateBeforeHead().orElseThrow().root()).isEqualTo(second.state().root());
      }
    }
    try (Ledger reopened = Ledger.open(genesis, BlockStores.openDurable(file))) {
      assertThat(reopened.head()).isEqualTo(branch.get(2).header());
      assertThat(reopened.verify().valid()).isTrue();
      try (Ledger oracle = appendedDirectly(expected)) {
        assertThat(reopened.state().root()).isEqualTo(oracle.state().root());
      }

      // Right after the replay, the deepest allowed fork is available; one deeper is not.
      long deepest = reopened.height() - Ledger.REORG_DEPTH;
      List<Block> tooDeep = branch(reopened, deepest - 1, 1, rnd);
      BlockResult refused = reopened.reorganise(deepest - 1, tooDeep, SEALS, CONTENTS);
      assertThat(refused.appended()).isFalse();
      assertThat(((BlockResult.Rejected) refused).reason()).contains("too deep");

      List<Block> deep = branch(reopened, deepest, 2, rnd);
      List<Block> expectedDeep = new ArrayList<>(blocks(reopened, 1, deepest));
      expectedDeep.addAll(deep);
      BlockResult r = reopened.reorganise(deepest, deep, SEALS, CONTENTS);
      assertThat(r.appended()).as(r.toString()).isTrue();
      assertThat(reopened.height()).isEqualTo(deepest + 2);
      try (Ledger oracle = appendedDirectly(expectedDeep)) {
        assertThat(reopened.state().root()).isEqualTo(oracle.state().root());
        assertThat(storedHashes(reopened)).isEqualTo(storedHashes(oracle));
      }
      assertThat(reopened.verify().valid()).isTrue();
    }
    try (Ledger again = Ledger.open(genesis, BlockStores.openDurable(file))) {
      assertThat(again.height()).isEqualTo(41 - Ledger.REORG_DEPTH + 2);
      assertThat(again.verify().valid()).isTrue();
    }
  }

  @Test
  void invalidBranches_rejectedNamingTheProblem_andNothingChanges() {
    Path file = dir.resolve("chain.mv");
    Random rnd = new Random(12);
    try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(file))) {
      growChain(ledger, rnd, 36);
      long height = ledger.height();
      List<Block> branch = branch(ledger, height - 3, 4, rnd);
      List<Block> other = branch(ledger, height - 3, 4, rnd);
      byte[] bad = branch.get(1).header().stateRoot().bytes().clone();
      bad[3] ^= 1;
      List<Block> badRoot = List.of(branch.get(0), withStateRoot(branch.get(1), Hash.of(bad)));
      List<Block> brokenLink = List.of(branch.get(0), other.get(1));
      List<Block> wrongStart = branch.subList(1, 4);
      BlockCheck noSecond =
          (block, parent, state) ->
              block.height() == height - 1
                  ? Optional.of("no settlements in this epoch")
                  : Optional.empty();
      SealVerifier noSeals = (header, parent, state) -> Optional.of("unknown sealer");
      Block deep = branch(ledger, height - Ledger.REORG_DEPTH - 1, 1, rnd).get(0);
      Block first = ledger.block(1).orElseThrow();

      BlockHeader head = ledger.head();
      Hash root = ledger.state().root();
      Hash rootBefore = ledger.stateBeforeHead().orElseThrow().root();
      List<Hash> stored = storedHashes(ledger);
      long bytes = ledger.storeSizeInBytes();

      assertRejected(
          ledger.reorganise(height - 3, badRoot, SEALS, CONTENTS),
          "block 2 of the branch",
          "stateRoot");
      assertRejected(
          ledger.reorganise(height - 3, branch, SEALS, noSecond),
          "block 2 of the branch: no settlements in this epoch");
      assertRejected(
          ledger.reorganise(height - 3, branch, noSeals, CONTENTS),
          "block 1 of the branch: seal: unknown sealer");
      assertRejected(
          ledger.reorganise(height - 3, brokenLink, SEALS, CONTENTS),
          "block 2 of the branch: previousHash");
      assertRejected(
          ledger.reorganise(height - 3, wrongStart, SEALS, CONTENTS),
          "block 1 of the branch: height %d != %d".formatted(height - 1, height - 2));
      assertRejected(
          ledger.reorganise(height - Ledger.REORG_DEPTH - 1, List.of(deep), SEALS, CONTENTS),
          "forkHeight %d < height %d - REORG_DEPTH 32"
              .formatted(height - Ledger.REORG_DEPTH - 1, height),
          "too deep");
      assertRejected(
          ledger.reorganise(height + 1, branch, SEALS, CONTENTS),
          "forkHeight %d > height %d".formatted(height + 1, height));
      assertRejected(ledger.reorganise(-1, List.of(first), SEALS, CONTENTS), "forkHeight -1 < 0");
      assertRejected(ledger.reorganise(height - 3, List.of(), SEALS, CONTENTS), "branch is empty");
      assertThatThrownBy(() -> ledger.reorganise(1, null, SEALS, CONTENTS))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("branch");
      assertThatThrownBy(() -> ledger.reorganise(1, branch, null, CONTENTS))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("seals");
      assertThatThrownBy(() -> ledger.reorganise(1, branch, SEALS, null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("contents");

      assertThat(ledger.head()).isEqualTo(head);
      assertThat(ledger.state().root()).isEqualTo(root);
      assertThat(ledger.stateBeforeHead().orElseThrow().root()).isEqualTo(rootBefore);
      assertThat(storedHashes(ledger)).isEqualTo(stored);
      assertThat(ledger.storeSizeInBytes()).isEqualTo(bytes);
      // The valid branch still goes in after all the refusals.
      assertThat(ledger.reorganise(height - 3, branch, SEALS, CONTENTS).appended()).isTrue();
      assertThat(ledger.height()).isEqualTo(height + 1);
    }
  }

  private static void assertRejected(BlockResult r, String... parts) {
    assertThat(r).isInstanceOf(BlockResult.Rejected.class);
    String reason = ((BlockResult.Rejected) r).reason();
    for (String part : parts) {
      assertThat(reason).contains(part);
    }
  }

  @Test
  void contentCheck_seesEachBlockOnItsBranchParent() {
    Random rnd = new Random(13);
    try (Ledger ledger = Ledger.open(genesis, BlockStores.inMemory())) {
      growChain(ledger, rnd, 6);
      List<Block> branch = branch(ledger, 3, 4, rnd);
      List<String> seen = new ArrayList<>();
      BlockCheck recording =
          (block, parent, state) -> {
            seen.add(
                "%d on %d %b %b"
                    .formatted(
                        block.height(),
                        parent.height(),
                        block.header().previousHash().equals(parent.hash()),
                        state.root().equals(parent.stateRoot())));
            return Optional.empty();
          };

      assertThat(ledger.reorganise(3, branch, SEALS, recording).appended()).isTrue();

      assertThat(seen)
          .containsExactly(
              "4 on 3 true true", "5 on 4 true true", "6 on 5 true true", "7 on 6 true true");
    }
  }

  @Test
  void replaceHead_andAppend_workAfterAReorganisation() {
    Random rnd = new Random(14);
    try (Ledger ledger = Ledger.open(genesis, BlockStores.inMemory())) {
      growChain(ledger, rnd, 5);
      List<Block> branch = branch(ledger, 3, 3, rnd);
      List<Block> rival = branch(ledger, 3, 3, rnd);
      assertThat(ledger.reorganise(3, branch, SEALS, CONTENTS).appended()).isTrue();

      BlockResult replaced = ledger.replaceHead(rival.get(2));
      assertThat(replaced.appended()).as("the rival's head is not on the branch").isFalse();
      List<Block> onBranch = new ArrayList<>(blocks(ledger, 1, 5));
      try (Ledger builder = appendedDirectly(onBranch)) {
        Block competitor = grow(builder, rnd, T0 + 6_700);
        assertThat(ledger.replaceHead(competitor).appended()).isTrue();
        assertThat(ledger.state().root()).isEqualTo(builder.state().root());
        Block next = grow(builder, rnd, T0 + 7_000);
        assertThat(ledger.append(next).appended()).isTrue();
        assertThat(ledger.head()).isEqualTo(builder.head());
      }
      assertThat(ledger.verify().valid()).isTrue();
    }
  }

  @Test
  void storeWithoutReplacement_throwsUnsupported_andNothingChanges() {
    Random rnd = new Random(15);
    try (Ledger ledger = Ledger.open(genesis, new ListBlockStore())) {
      growChain(ledger, rnd, 4);
      List<Block> branch = branch(ledger, 2, 3, rnd);
      BlockHeader head = ledger.head();
      List<Hash> stored = storedHashes(ledger);

      assertThatThrownBy(() -> ledger.reorganise(2, branch, SEALS, CONTENTS))
          .isInstanceOf(UnsupportedOperationException.class);

      assertThat(ledger.head()).isEqualTo(head);
      assertThat(storedHashes(ledger)).isEqualTo(stored);
      try (Ledger builder = appendedDirectly(blocks(ledger, 1, 4))) {
        assertThat(ledger.append(grow(builder, rnd, T0 + 9_000)).appended()).isTrue();
      }
    }
  }

  @Test
  void reorganise_equalsAppendingTheBranchDirectly_overRandomChainsForksAndBranches() {
    qt().withFixedSeed(20_261_122L)
        .withExamples(50)
        .forAll(integers().between(1, 45), longs().all())
        .checkAssert(
            (length, seed) -> {
              Random rnd = new Random(seed);
              try (Ledger ledger = Ledger.open(genesis, BlockStores.inMemory())) {
                growChain(ledger, rnd, length);
                // Model of the kept tips: the last REORG_DEPTH + 1 heights the ledger has passed
                // through; a reorganisation onto a shorter branch does not bring older ones back.
                long lowestKept = Math.max(0, length - Ledger.REORG_DEPTH);
                // Two reorganisations in a row: the second forks from tips the first left.
                for (int round = 0; round < 2; round++) {
                  long height = ledger.height();
                  if (lowestKept > 0 && lowestKept > height - Ledger.REORG_DEPTH) {
                    long below = lowestKept - 1;
                    BlockResult refused =
                        ledger.reorganise(
                            below, branch(ledger, below, 1, new Random(seed)), SEALS, CONTENTS);
                    assertThat(refused).isInstanceOf(BlockResult.Rejected.class);
                    assertThat(((BlockResult.Rejected) refused).reason())
                        .contains(
                            "forkHeight %d: the state after that block is not kept"
                                .formatted(below));
                  }
                  long depth = rnd.nextInt((int) (height - lowestKept) + 1);
                  long fork = height - depth;
                  List<Block> branch = branch(ledger, fork, 1 + rnd.nextInt(5), rnd);
                  List<Block> expected = new ArrayList<>(blocks(ledger, 1, fork));
                  expected.addAll(branch);

                  BlockResult r = ledger.reorganise(fork, branch, SEALS, CONTENTS);

                  assertThat(r)
                      .as("length %d round %d fork %d", length, round, fork)
                      .isEqualTo(
                          new BlockResult.Appended(
                              fork + branch.size(), branch.get(branch.size() - 1).hash()));
                  try (Ledger oracle = appendedDirectly(expected)) {
                    assertThat(ledger.state().root()).isEqualTo(oracle.state().root());
                    assertThat(ledger.state().accounts()).isEqualTo(oracle.state().accounts());
                    assertThat(ledger.stateBeforeHead().orElseThrow().root())
                        .isEqualTo(oracle.stateBeforeHead().orElseThrow().root());
                  }
                  List<Hash> expectedHashes = new ArrayList<>();
                  expectedHashes.add(genesis.block().hash());
                  expected.forEach(b -> expectedHashes.add(b.hash()));
                  assertThat(storedHashes(ledger)).isEqualTo(expectedHashes);
                  lowestKept = Math.max(lowestKept, ledger.height() - Ledger.REORG_DEPTH);
                }
              }
            });
  }
}

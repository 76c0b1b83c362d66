package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.gridtrade.ledger.internal.MvStoreBlockStore;
import org.gridtrade.ledger.internal.state.NodeStore;
import org.gridtrade.ledger.internal.state.StateStorage;
import org.gridtrade.ledger.spi.BlockCheck;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.SealVerifier;
import org.gridtrade.ledger.spi.StoredBlock;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reopening a durable chain reads its stored state instead of replaying it: the same head, root,
 * accounts and state versions, a bounded number of block reads whatever the chain's length, also
 * after reorganisations; and a store of the old format is refused.
 */
class ReopenWithoutReplayTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final SealVerifier SEALS = SealVerifier.acceptAll();
  private final List<KeyPair> keys = TestKit.keys(6);
  private final Genesis genesis = TestKit.genesis(keys, 10_000_000);

  @TempDir Path dir;

  /**
   * Counts {@link #read} calls and passes everything else to a durable store, its state storage
   * included: the ledger finds the store's state as it would without the wrapper.
   */
  private static final class CountingStateStore implements BlockStore, StateStorage {
    final AtomicInteger reads = new AtomicInteger();
    private final BlockStore blocks;
    private final StateStorage state;

    CountingStateStore(BlockStore durable) {
      this.blocks = durable;
      this.state = (StateStorage) durable;
    }

    @Override
    public long size() {
      return blocks.size();
    }

    @Override
    public void append(StoredBlock block) {
      blocks.append(block);
    }

    @Override
    public void replaceLast(StoredBlock block) {
      blocks.replaceLast(block);
    }

    @Override
    public void replaceFrom(long height, List<StoredBlock> records) {
      blocks.replaceFrom(height, records);
    }

    @Override
    public Optional<StoredBlock> read(long height) {
      reads.incrementAndGet();
      return blocks.read(height);
    }

    @Override
    public long sizeInBytes() {
      return blocks.sizeInBytes();
    }

    @Override
    public void close() {
      blocks.close();
    }

    @Override
    public NodeStore nodeStore() {
      return state.nodeStore();
    }

    @Override
    public void append(StoredBlock block, NodeStore.Commit commit) {
      state.append(block, commit);
    }

    @Override
    public void replaceFrom(long height, List<StoredBlock> records, NodeStore.Commit commit) {
      state.replaceFrom(height, records, commit);
    }
  }

  /** Counts reads of a store and hides its state storage: the ledger has to replay the chain. */
  private static final class CountingBlocksOnly implements BlockStore {
    final AtomicInteger reads = new AtomicInteger();
    private final BlockStore blocks;

    CountingBlocksOnly(BlockStore blocks) {
      this.blocks = blocks;
    }

    @Override
    public long size() {
      return blocks.size();
    }

    @Override
    public void append(StoredBlock block) {
      blocks.append(block);
    }

    @Override
    public Optional<StoredBlock> read(long height) {
      reads.incrementAndGet();
      return blocks.read(height);
    }

    @Override
    public long sizeInBytes() {
      return blocks.sizeInBytes();
    }

    @Override
    public void close() {
      blocks.close();
    }
  }

  /** Appends a block of 0..3 transfers, to the keys or to fresh addresses. */
  private Block grow(Ledger ledger, Random rnd, long time) {
    Map<Integer, Long> nonces = new HashMap<>();
    List<Transaction> txs = new ArrayList<>();
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      int from = rnd.nextInt(keys.size());
      KeyPair k = keys.get(from);
      long nonce =
          nonces.merge(from, 1L, Long::sum) - 1 + ledger.state().account(k.address()).nonce();
      Address to;
      if (rnd.nextBoolean()) {
        byte[] b = new byte[Address.LENGTH];
        rnd.nextBytes(b);
        to = Address.ofBytes(b);
      } else {
        to = keys.get(rnd.nextInt(keys.size())).address();
      }
      txs.add(
          new TransactionBody(
                  TestKit.CHAIN,
                  k.publicKey(),
                  nonce,
                  1 + rnd.nextInt(5),
                  new Payload.Transfer(to, 1 + rnd.nextInt(10_000)))
              .sign(k));
    }
    Ledger.Proposal p = ledger.propose(txs, keys.get(rnd.nextInt(keys.size())).address(), time);
    assertThat(p.skipped()).isEmpty();
    BlockResult r = ledger.append(p.block());
    assertThat(r.appended()).as(r.toString()).isTrue();
    return p.block();
  }

  private void growChain(Ledger ledger, Random rnd, int count) {
    for (int i = 0; i < count; i++) {
      grow(ledger, rnd, T0 + (ledger.height() + 1) * 1_000);
    }
  }

  private static List<Block> blocks(Ledger ledger, long from, long to) {
    List<Block> out = new ArrayList<>();
    for (long h = from; h <= to; h++) {
      out.add(ledger.block(h).orElseThrow());
    }
    return out;
  }

  /** The in-memory oracle: a fresh ledger that appends {@code blocks} one by one. */
  private Ledger replayedInMemory(List<Block> blocks) {
    Ledger fresh = Ledger.open(genesis, BlockStores.inMemory());
    for (Block b : blocks) {
      BlockResult r = fresh.append(b);
      assertThat(r.appended()).as(r.toString()).isTrue();
    }
    return fresh;
  }

  /** A competing branch of {@code length} blocks on {@code ledger}'s block {@code forkHeight}. */
  private List<Block> branch(Ledger ledger, long forkHeight, int length, Random rnd) {
    try (Ledger builder = replayedInMemory(blocks(ledger, 1, forkHeight))) {
      List<Block> out = new ArrayList<>();
      for (int i = 0; i < length; i++) {
        out.add(grow(builder, rnd, T0 + (builder.height() + 1) * 1_000 + 500));
      }
      return out;
    }
  }

  private record Snapshot(BlockHeader head, Hash root, Map<Address, Account> accounts) {
    static Snapshot of(Ledger l) {
      return new Snapshot(l.head(), l.state().root(), l.state().accounts());
    }
  }

  /** Builds a durable chain of {@code length} blocks, then counts the reads of reopening it. */
  private int readsToReopen(Path file, int length, long seed) {
    Random rnd = new Random(seed);
    Snapshot before;
    ChainReport report;
    try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(file))) {
      growChain(ledger, rnd, length);
      before = Snapshot.of(ledger);
      report = ledger.verify();
      assertThat(report.valid()).as(report.toString()).isTrue();
    }
    CountingStateStore counting = new CountingStateStore(BlockStores.openDurable(file));
    try (Ledger reopened = Ledger.open(genesis, counting)) {
      int reads = counting.reads.get();
      assertThat(Snapshot.of(reopened)).isEqualTo(before);
      assertThat(reopened.height()).isEqualTo(length);
      ChainReport again = reopened.verify();
      assertThat(again.valid()).isTrue();
      assertThat(again.stateRoot()).isEqualTo(report.stateRoot()).isEqualTo(before.root());
      assertThat(again.tip()).isEqualTo(report.tip());
      // The state of older heights was kept too: proofs verify against their headers.
      for (long h = Math.max(0, length - 50); h <= length; h += 7) {
        StateKey key = StateKey.account(keys.get((int) (h % keys.size())).address());
        assertThat(
                reopened.proveState(key, h).verify(reopened.block(h).orElseThrow().header(), key))
            .as("proof at height %d", h)
            .isTrue();
      }
      // Appending continues on the reopened state.
      growChain(reopened, rnd, 2);
      try (Ledger oracle = replayedInMemory(blocks(reopened, 1, reopened.height()))) {
        assertThat(reopened.state().root()).isEqualTo(oracle.state().root());
      }
      return reads;
    }
  }

  @Test
  void reopen_readsAtMostReorgDepthPlusTwoBlocks_whateverTheChainLength() {
    int reads60 = readsToReopen(dir.resolve("sixty.mv"), 60, 60);
    int reads120 = readsToReopen(dir.resolve("hundred-twenty.mv"), 120, 120);
    assertThat(reads60).isLessThanOrEqualTo(Ledger.REORG_DEPTH + 2).isPositive();
    assertThat(reads120).isEqualTo(reads60);
  }

  @Test
  void reopen_withoutTheStoresStateStorage_replays_soTheCounterSeesEveryBlock() {
    Path file = dir.resolve("chain.mv");
    Snapshot before;
    try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(file))) {
      growChain(ledger, new Random(3), 60);
      before = Snapshot.of(ledger);
    }
    CountingBlocksOnly counting = new CountingBlocksOnly(BlockStores.openDurable(file));
    try (Ledger replayed = Ledger.open(genesis, counting)) {
      assertThat(counting.reads.get()).isGreaterThanOrEqualTo(61);
      assertThat(Snapshot.of(replayed)).isEqualTo(before);
    }
  }

  @Test
  void afterReorganiseAndReplaceHead_reopenedStateEqualsTheInMemoryReplay_andAppendingContinues() {
    Path file = dir.resolve("chain.mv");
    Random rnd = new Random(21);
    Snapshot before;
    try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(file))) {
      growChain(ledger, rnd, 45);
      List<Block> branch = branch(ledger, 40, 7, rnd);
      BlockResult r = ledger.reorganise(40, branch, SEALS, BlockCheck.acceptAll());
      assertThat(r.appended()).as(r.toString()).isTrue();
      assertThat(ledger.height()).isEqualTo(47);
      Block replaced = ledger.block(47).orElseThrow();
      Block competitor = branch(ledger, 46, 1, rnd).get(0);
      assertThat(competitor.hash()).isNotEqualTo(replaced.hash());
      BlockResult rh = ledger.replaceHead(competitor);
      assertThat(rh.appended()).as(rh.toString()).isTrue();
      assertThat(ledger.head()).isEqualTo(competitor.header());
      before = Snapshot.of(ledger);
    }
    CountingStateStore counting = new CountingStateStore(BlockStores.openDurable(file));
    try (Ledger reopened = Ledger.open(genesis, counting)) {
      assertThat(counting.reads.get()).isLessThanOrEqualTo(Ledger.REORG_DEPTH + 2);
      assertThat(Snapshot.of(reopened)).isEqualTo(before);
      ChainReport report = reopened.verify();
      assertThat(report.valid()).as(report.toString()).isTrue();
      assertThat(report.stateRoot()).isEqualTo(before.root());
      try (Ledger oracle = replayedInMemory(blocks(reopened, 1, reopened.height()))) {
        assertThat(oracle.head()).isEqualTo(before.head());
        assertThat(oracle.state().root()).isEqualTo(before.root());
        assertThat(oracle.state().accounts()).isEqualTo(before.accounts());
      }
      growChain(reopened, rnd, 3);
      assertThat(reopened.height()).isEqualTo(50);
      before = Snapshot.of(reopened);
    }
    try (Ledger again = Ledger.open(genesis, BlockStores.openDurable(file))) {
      assertThat(Snapshot.of(again)).isEqualTo(before);
      assertThat(again.verify().valid()).isTrue();
      try (Ledger oracle = replayedInMemory(blocks(again, 1, again.height()))) {
        assertThat(again.state().root()).isEqualTo(oracle.state().root());
      }
    }
  }

  @Test
  void storeOfFormatOne_isRefused_namingTheFormat_andThatItCannotBeMigratedInPlace()
      throws Exception {
    Path file = dir.resolve("old.mv");
    MVStore s = new MVStore.Builder().fileName(file.toString()).open();
    try {
      s.openMap(
              MvStoreBlockStore.META_MAP,
              new MVMap.Builder<String, String>()
                  .keyType(StringDataType.INSTANCE)
                  .valueType(StringDataType.INSTANCE))
          .put("format", "gridtrade-block-store/1");
      s.openMap(
              MvStoreBlockStore.BLOCKS_MAP,
              new MVMap.Builder<Long, byte[]>()
                  .keyType(LongDataType.INSTANCE)
                  .valueType(ByteArrayDataType.INSTANCE))
          .put(Long.MIN_VALUE, new byte[0]);
      s.commit();
    } finally {
      s.close();
    }
    byte[] bytes = Files.readAllBytes(file);

    assertThatThrownBy(() -> BlockStores.openDurable(file))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("gridtrade-block-store/1")
        .hasMessageContaining("cannot be migrated in place");
    assertThatThrownBy(() -> Ledger.open(genesis, BlockStores.openDurable(file)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("gridtrade-block-store/1")
        .hasMessageContaining("cannot be migrated in place");

    // Refused without change, without creating a head record beside it (which the older version
    // would then have to read), and without keeping the file locked.
    assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
    assertThat(MvStoreBlockStore.headFile(file)).doesNotExist();
    MVStore reopened = new MVStore.Builder().fileName(file.toString()).readOnly().open();
    reopened.close();
  }
}

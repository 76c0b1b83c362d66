package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LedgerTest {
  private static final long T0 = 1_700_000_000_000L;
  private final List<KeyPair> keys = TestKit.keys(6);
  private final Genesis genesis = TestKit.genesis(keys, 10_000_000);

  private Transaction transfer(int from, long nonce, int to, long amount) {
    KeyPair k = keys.get(from);
    return new TransactionBody(
            TestKit.CHAIN,
            k.publicKey(),
            nonce,
            3,
            new Payload.Transfer(keys.get(to).address(), amount))
        .sign(k);
  }

  /** Builds a chain of {@code blocks} blocks with random transfers and trades. */
  private Ledger chain(ListBlockStore store, int blocks, Random rnd) {
    Ledger ledger = Ledger.open(genesis, store);
    long[] nonce = new long[keys.size()];
    for (int b = 1; b <= blocks; b++) {
      List<Transaction> txs = new ArrayList<>();
      for (int i = 0, n = 1 + rnd.nextInt(5); i < n; i++) {
        int from = rnd.nextInt(keys.size());
        int to = (from + 1 + rnd.nextInt(keys.size() - 1)) % keys.size();
        KeyPair k = keys.get(from);
        Payload p =
            rnd.nextBoolean()
                ? new Payload.Transfer(keys.get(to).address(), 1 + rnd.nextInt(1000))
                : new Payload.EnergyTrade(
                    keys.get(to).address(),
                    k.address(),
                    1 + rnd.nextInt(5000),
                    120_000,
                    "da/h" + b);
        txs.add(new TransactionBody(TestKit.CHAIN, k.publicKey(), nonce[from]++, 2, p).sign(k));
      }
      Ledger.Proposal prop =
          ledger.propose(txs, keys.get(b % keys.size()).address(), T0 + b * 2000L);
      assertThat(prop.skipped()).isEmpty();
      byte[] seal = new byte[rnd.nextInt(70)];
      rnd.nextBytes(seal);
      assertThat(ledger.append(prop.block().withSeal(seal)).appended()).isTrue();
    }
    return ledger;
  }

  @Test
  void appendAndReopen_replaysToTheSameState() {
    ListBlockStore store = new ListBlockStore();
    Ledger ledger = chain(store, 6, new Random(41));
    assertThat(ledger.height()).isEqualTo(6);
    ChainReport report = ledger.verify();
    assertThat(report.valid()).as(report.toString()).isTrue();
    assertThat(report.validBlocks()).isEqualTo(7);
    Ledger reopened = Ledger.open(genesis, store);
    assertThat(reopened.state().root()).isEqualTo(ledger.state().root());
    assertThat(reopened.head()).isEqualTo(ledger.head());
    assertThat(reopened.state().totalSupply()).isEqualTo(genesis.state().totalSupply());
  }

  @Test
  void rejectedBlock_changesNothing() {
    ListBlockStore store = new ListBlockStore();
    Ledger ledger = Ledger.open(genesis, store);
    Block good = ledger.propose(List.of(transfer(1, 0, 2, 50)), keys.get(0).address(), T0).block();
    BlockHeader h = good.header();
    Block wrongState =
        new Block(
            new BlockHeader(
                h.height(),
                h.previousHash(),
                h.transactionsRoot(),
                1,
                Hash.ZERO,
                h.timestamp(),
                h.proposer(),
                new byte[0]),
            good.transactions());
    BlockResult r = ledger.append(wrongState);
    assertThat(r).isInstanceOf(BlockResult.Rejected.class);
    assertThat(((BlockResult.Rejected) r).reason()).contains("stateRoot");
    assertThat(store.size()).isEqualTo(1);
    assertThat(ledger.height()).isZero();
    assertThat(ledger.state().account(keys.get(1).address()).balance()).isEqualTo(10_000_000);
    assertThat(ledger.append(good).appended()).isTrue();
    assertThat(ledger.append(good)).isInstanceOf(BlockResult.Rejected.class); // same height again
  }

  @Test
  void block_withReplayedTransaction_rejected() {
    Ledger ledger = Ledger.open(genesis, new ListBlockStore());
    Transaction t = transfer(1, 0, 2, 50);
    assertThat(
            ledger.append(ledger.propose(List.of(t), keys.get(0).address(), T0).block()).appended())
        .isTrue();
    Ledger.Proposal again = ledger.propose(List.of(t), keys.get(0).address(), T0 + 1);
    assertThat(again.block().transactions()).isEmpty();
    assertThat(again.skipped())
        .singleElement()
        .satisfies(s -> assertThat(s.rejection().reason()).isEqualTo(RejectReason.NONCE_REPLAY));
  }

  @Test
  void inclusionProof_checksAgainstTheRootAlone() {
    Ledger ledger = chain(new ListBlockStore(), 3, new Random(43));
    Block b = ledger.block(2).orElseThrow();
    for (int i = 0; i < b.transactions().size(); i++) {
      InclusionProof p = ledger.proveTransaction(2, i);
      assertThat(p.verifyLeafData(b.transactions().get(i).encode(), b.header().transactionsRoot()))
          .isTrue();
      assertThat(p.verifyLeafData(transfer(1, 99, 2, 1).encode(), b.header().transactionsRoot()))
          .isFalse();
    }
    assertThatThrownBy(() -> ledger.proveTransaction(2, 99))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 99");
  }

  @Test
  void property_anyFlippedByteOfAnyStoredBlock_isDetected() {
    ListBlockStore pristine = new ListBlockStore();
    chain(pristine, 5, new Random(44));
    qt().withFixedSeed(45)
        .withExamples(400)
        .forAll(integers().between(0, 5), longs().all())
        .checkAssert(
            (h, seed) -> {
              ListBlockStore store = copy(pristine);
              Random rnd = new Random(seed);
              store.flip(h, rnd.nextInt(store.length(h)), 1 + rnd.nextInt(255));
              ChainReport r =
                  ChainVerifier.verify(
                      store, genesis, org.gridtrade.ledger.spi.SealVerifier.acceptAll());
              assertThat(r.valid()).as("flip in block %d undetected", h).isFalse();
              assertThat(r.firstBadHeight().getAsLong()).isEqualTo(h.longValue());
              assertThatThrownBy(() -> Ledger.open(genesis, store))
                  .isInstanceOf(IllegalStateException.class)
                  .hasMessageContaining("height " + h);
            });
  }

  @Test
  void genesisOfAnotherChain_rejectedOnOpen() {
    ListBlockStore store = new ListBlockStore();
    Ledger.open(genesis, store);
    Genesis other = TestKit.genesis(keys, 10_000_001);
    assertThatThrownBy(() -> Ledger.open(other, store))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("genesis");
  }

  @Test
  void concurrentAppenders_oneBlockPerHeight_chainVerifies() throws Exception {
    ListBlockStore store = new ListBlockStore();
    Ledger ledger = Ledger.open(genesis, store);
    int threads = 4;
    java.util.concurrent.atomic.AtomicInteger appended =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService ex =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int sender = t + 1;
      futures.add(
          ex.submit(
              () -> {
                for (int i = 0; i < 25; i++) {
                  long nonce = ledger.state().account(keys.get(sender).address()).nonce();
                  Ledger.Proposal p =
                      ledger.propose(
                          List.of(transfer(sender, nonce, 0, 1)),
                          keys.get(sender).address(),
                          // One time for all: the head may move between reading it and proposing.
                          T0 + 1_000);
                  if (ledger.append(p.block()).appended()) {
                    appended.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (java.util.concurrent.Future<?> f : futures) {
      f.get();
    }
    ex.shutdown();
    assertThat(appended.get()).isPositive();
    assertThat(ledger.height()).isEqualTo(appended.get());
    assertThat(store.size()).isEqualTo(appended.get() + 1L);
    List<Long> progress = new ArrayList<>();
    ChainReport r = ledger.verify(progress::add);
    assertThat(r.valid()).as(r.toString()).isTrue();
    // Progress names every verified height, in order.
    assertThat(progress).hasSize((int) ledger.height() + 1);
    for (int i = 0; i < progress.size(); i++) {
      assertThat(progress.get(i)).isEqualTo(i);
    }
    assertThat(r.stateRoot()).isEqualTo(ledger.state().root());
    assertThat(ledger.state().totalSupply()).isEqualTo(genesis.state().totalSupply());
  }

  private static ListBlockStore copy(ListBlockStore s) {
    ListBlockStore c = new ListBlockStore();
    for (long h = 0; h < s.size(); h++) {
      c.append(s.read(h).orElseThrow());
    }
    return c;
  }
}

package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;

/** The engine on its own thread with the system clock, fed from several threads at once. */
class EngineThreadingTest {

  @Test
  void startedEngine_includesEveryTransactionSubmittedConcurrently_exactlyOnce() throws Exception {
    List<KeyPair> users = Fixtures.keys(0, 40);
    KeyPair sealer = Fixtures.key(50);
    Genesis genesis =
        new Genesis(
            Fixtures.CHAIN,
            Fixtures.genesis(users, 1_000_000_000L).allocations(),
            Set.of(users.get(0).address()),
            System.currentTimeMillis() - 1_000);
    int perThread = 10;
    int total = users.size() * perThread;
    CountDownLatch allIn = new CountDownLatch(total);
    AtomicInteger blocks = new AtomicInteger();
    try (BlockEngine e =
        BlockEngine.builder()
            .genesis(genesis)
            .store(BlockStores.inMemory())
            .schedule(
                ConsensusSchedule.of(
                    ProofOfAuthority.builder().sealers(List.of(sealer.address())).build()))
            .sealingKey(sealer)
            .policy(
                BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(5)).withMaxTransactions(37))
            .clock(Clock.systemUTC())
            .listener(
                new EngineListener() {
                  @Override
                  public void onBlock(Block block, boolean local) {
                    blocks.incrementAndGet();
                    block.transactions().forEach(tx -> allIn.countDown());
                  }
                })
            .build()) {
      e.start(Duration.ofMillis(1));
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<List<Hash>>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int slice = t;
        futures.add(
            pool.submit(
                () -> {
                  List<Hash> ids = new ArrayList<>();
                  for (int u = slice; u < users.size(); u += 4) {
                    for (int n = 0; n < perThread; n++) {
                      Transaction tx =
                          Fixtures.transfer(
                              users.get(u), users.get((u + 1) % users.size()).address(), n, 1, 1);
                      assertThat(e.submit(tx).accepted()).isTrue();
                      ids.add(tx.id());
                    }
                  }
                  return ids;
                }));
      }
      Set<Hash> submitted = new HashSet<>();
      for (Future<List<Hash>> f : futures) {
        submitted.addAll(f.get(30, TimeUnit.SECONDS));
      }
      pool.shutdown();
      assertThat(allIn.await(30, TimeUnit.SECONDS)).as("all transactions in blocks").isTrue();
      Set<Hash> included = new HashSet<>();
      int count = 0;
      for (long h = 1; h <= e.ledger().height(); h++) {
        for (Transaction tx : e.ledger().block(h).orElseThrow().transactions()) {
          included.add(tx.id());
          count++;
        }
      }
      assertThat(count).isEqualTo(total);
      assertThat(included).isEqualTo(submitted);
      assertThat(blocks.get()).isGreaterThanOrEqualTo(total / 37);
    }
  }

  @Test
  void errorInATick_stopsTheEngine_andIsReportedAsItsFailure() throws Exception {
    List<KeyPair> users = Fixtures.keys(0, 2);
    KeyPair sealer = Fixtures.key(50);
    Genesis genesis =
        new Genesis(
            Fixtures.CHAIN,
            Fixtures.genesis(users, 1_000_000_000L).allocations(),
            Set.of(users.get(0).address()),
            System.currentTimeMillis() - 1_000);
    CountDownLatch thrown = new CountDownLatch(1);
    try (BlockEngine e =
        BlockEngine.builder()
            .genesis(genesis)
            .store(BlockStores.inMemory())
            .schedule(
                ConsensusSchedule.of(
                    ProofOfAuthority.builder().sealers(List.of(sealer.address())).build()))
            .sealingKey(sealer)
            .policy(BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(5)))
            .clock(Clock.systemUTC())
            .listener(
                new EngineListener() {
                  @Override
                  public void onBlock(Block block, boolean local) {
                    thrown.countDown();
                    throw new OutOfMemoryError("simulated: no heap left while indexing a block");
                  }
                })
            .build()) {
      assertThat(e.failure()).isEmpty();
      e.start(Duration.ofMillis(1));
      assertThat(
              e.submit(Fixtures.transfer(users.get(0), users.get(1).address(), 0, 1, 1)).accepted())
          .isTrue();
      assertThat(thrown.await(60, TimeUnit.SECONDS)).isTrue();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (e.failure().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(e.failure()).get().isInstanceOf(OutOfMemoryError.class);
      // Stopped: more transactions wait, no block follows.
      long height = e.ledger().height();
      assertThat(
              e.submit(Fixtures.transfer(users.get(0), users.get(1).address(), 1, 1, 1)).accepted())
          .isTrue();
      Thread.sleep(200);
      assertThat(e.ledger().height()).isEqualTo(height);
    }
  }
}

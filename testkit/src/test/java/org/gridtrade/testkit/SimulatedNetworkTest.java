package org.gridtrade.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.BlockPolicy;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;

/**
 * The simulated network drives real engines to agreement by itself, a run is a function of its seed
 * and inputs, and its limits and bad arguments behave as documented.
 */
class SimulatedNetworkTest {
  private static final int CHAIN = 9;
  private static final long T0 = 1_700_000_000_000L;
  private final List<KeyPair> sealers = TestKeys.keys(100, 3);
  private final List<KeyPair> users = TestKeys.keys(0, 6);

  private Genesis genesis() {
    Map<Address, Long> alloc = new TreeMap<>();
    users.forEach(k -> alloc.put(k.address(), 1_000_000_000L));
    return new Genesis(CHAIN, alloc, Set.of(), T0);
  }

  private ProofOfAuthority poa() {
    return ProofOfAuthority.builder()
        .sealers(TestKeys.addresses(sealers))
        .outOfTurnDelay(Duration.ofMillis(400))
        .wiggle(Duration.ofMillis(100))
        .build();
  }

  /**
   * Three PoA sealers; 40 transfers submitted round robin, 100 ms apart; runs until all hold them.
   */
  private List<Hash> run(long seed) {
    Genesis g = genesis();
    ProofOfAuthority poa = poa();
    try (SimulatedNetwork sim =
        SimulatedNetwork.builder()
            .start(T0 + 1_000)
            .seed(seed)
            .delay(Duration.ofMillis(5), Duration.ofMillis(80))
            .build()) {
      for (int i = 0; i < 3; i++) {
        KeyPair k = sealers.get(i);
        sim.node(
            "n" + i,
            b ->
                b.genesis(g)
                    .store(BlockStores.inMemory())
                    .schedule(ConsensusSchedule.of(poa))
                    .policy(BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(200)))
                    .sealingKey(k));
      }
      assertThat(sim.engines()).hasSize(3);
      TransferSource source = new TransferSource(CHAIN, users, 1_000, 1, seed);
      List<Transaction> sent = source.next(40);
      for (int i = 0; i < sent.size(); i++) {
        assertThat(sim.engines().get(i % 3).submit(sent.get(i)).accepted()).isTrue();
        sim.run(Duration.ofMillis(100));
      }
      boolean done =
          sim.runUntil(
              () ->
                  sim.engines().stream().allMatch(e -> included(e.ledger()).containsAll(ids(sent))),
              Duration.ofMinutes(2));
      assertThat(done).as("every node includes every transfer").isTrue();
      // Then quiet until every node holds the same head.
      assertThat(
              sim.runUntil(
                  () ->
                      sim.engines().stream().map(e -> e.ledger().head().hash()).distinct().count()
                          == 1,
                  Duration.ofMinutes(1)))
          .isTrue();
      Ledger l = sim.engines().get(0).ledger();
      assertThat(l.verify().valid()).isTrue();
      List<Hash> chain = new ArrayList<>();
      for (long h = 0; h <= l.height(); h++) {
        chain.add(l.block(h).orElseThrow().hash());
      }
      return chain;
    }
  }

  private static Set<Hash> ids(List<Transaction> txs) {
    Set<Hash> out = new HashSet<>();
    txs.forEach(t -> out.add(t.id()));
    return out;
  }

  private static Set<Hash> included(Ledger l) {
    Set<Hash> out = new HashSet<>();
    for (long h = 1; h <= l.height(); h++) {
      for (Transaction t : l.block(h).map(Block::transactions).orElse(List.of())) {
        out.add(t.id());
      }
    }
    return out;
  }

  @Test
  void threeSealers_agreeOnOneChain_holdingEveryTransfer_andTheSameSeedRepeatsTheRun() {
    List<Hash> first = run(5);
    List<Hash> again = run(5);
    assertThat(first.size()).isGreaterThan(2);
    assertThat(again).as("same seed, same inputs: same chain").isEqualTo(first);
    assertThat(run(6)).as("another seed gives another schedule").isNotEqualTo(first);
  }

  @Test
  void stoppedNode_isNotTicked_andARestartUnderItsIdTakesItsPlace_andCatchesUp() {
    Genesis g = genesis();
    ProofOfAuthority poa = poa();
    try (SimulatedNetwork sim = SimulatedNetwork.builder().start(T0 + 1_000).seed(3).build()) {
      java.util.function.IntFunction<BlockEngine> start =
          i ->
              sim.node(
                  "n" + i,
                  b ->
                      b.genesis(g)
                          .store(BlockStores.inMemory())
                          .schedule(ConsensusSchedule.of(poa))
                          .policy(BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(200)))
                          .sealingKey(sealers.get(i)));
      for (int i = 0; i < 3; i++) {
        start.apply(i);
      }
      TransferSource source = new TransferSource(CHAIN, users, 1_000, 1, 3);
      sim.run(Duration.ofSeconds(2));
      BlockEngine stopped = sim.stop("n1");
      assertThat(sim.engines()).extracting(BlockEngine::id).containsExactly("n0", "n2");
      long heightWhenStopped = stopped.ledger().height();
      for (int i = 0; i < 10; i++) {
        assertThat(sim.engines().get(i % 2).submit(source.next()).accepted()).isTrue();
        sim.run(Duration.ofMillis(200));
      }
      assertThat(
              sim.runUntil(
                  () -> sim.engines().get(0).ledger().height() > heightWhenStopped + 2,
                  Duration.ofMinutes(1)))
          .as("the two others go on sealing")
          .isTrue();
      start.apply(1);
      assertThat(sim.engines()).extracting(BlockEngine::id).containsExactly("n0", "n1", "n2");
      assertThat(
              sim.runUntil(
                  () ->
                      sim.engines().stream().map(e -> e.ledger().head().hash()).distinct().count()
                              == 1
                          && sim.engines().get(1).ledger().height() > heightWhenStopped + 2,
                  Duration.ofMinutes(1)))
          .as("the restarted node catches up")
          .isTrue();
      assertThatThrownBy(() -> sim.stop("n9"))
          .hasMessageContaining("no running node has the id n9");
    }
  }

  @Test
  void runUntil_stopsAtTheLimit_inSimulatedTime() {
    try (SimulatedNetwork sim =
        SimulatedNetwork.builder().start(T0).step(Duration.ofMillis(25)).build()) {
      long start = sim.clock().millis();
      assertThat(sim.runUntil(() -> false, Duration.ofMillis(1_000))).isFalse();
      assertThat(sim.clock().millis() - start).isEqualTo(1_000);
      assertThat(sim.runUntil(() -> true, Duration.ofHours(1))).isTrue();
      assertThat(sim.clock().millis() - start).isEqualTo(1_000);
      sim.run(Duration.ofMillis(60)); // rounded up to whole steps
      assertThat(sim.clock().millis() - start).isEqualTo(1_075);
    }
  }

  @Test
  void badArguments_areRefused_namingTheRule() {
    assertThatThrownBy(() -> SimulatedNetwork.builder().step(Duration.ZERO))
        .hasMessageContaining("at least 1 ms");
    assertThatThrownBy(() -> SimulatedNetwork.builder().lossRate(1))
        .hasMessageContaining("lossRate 1.0 not in [0, 1)");
    assertThatThrownBy(
            () -> SimulatedNetwork.builder().delay(Duration.ofMillis(5), Duration.ofMillis(4)))
        .hasMessageContaining("least <= most");
    try (SimulatedNetwork sim = SimulatedNetwork.builder().build()) {
      assertThatThrownBy(() -> sim.run(Duration.ofMillis(-1))).hasMessageContaining("negative");
      // A node whose builder fails leaves the network again: its id can be used once more.
      assertThatThrownBy(() -> sim.node("a", b -> b)).isInstanceOf(RuntimeException.class);
      sim.join("a");
      assertThatThrownBy(() -> sim.join("a")).hasMessageContaining("already connected");
    }
  }

  @Test
  void manualClock_movesOnlyWhenTold_andSharesItsTimeAcrossZones() {
    ManualClock c = ManualClock.at(Instant.ofEpochMilli(T0));
    var other = c.withZone(ZoneId.of("Asia/Kolkata"));
    assertThat(c.millis()).isEqualTo(T0);
    assertThat(c.advance(Duration.ofSeconds(2))).isEqualTo(T0 + 2_000);
    assertThat(other.millis()).isEqualTo(T0 + 2_000);
    assertThat(other.getZone()).isEqualTo(ZoneId.of("Asia/Kolkata"));
    assertThatThrownBy(() -> c.advanceMillis(-1)).hasMessageContaining("does not go back");
    assertThat(c.instant()).isEqualTo(Instant.ofEpochMilli(T0 + 2_000));
    assertThat(c.advanceTo(T0)).as("never back").isEqualTo(T0 + 2_000);
    assertThat(c.advanceTo(T0 + 5_000)).isEqualTo(T0 + 5_000);
  }

  @Test
  void transferSource_givesTransfersALedgerAcceptsInOrder_andRepeatsForASeed() {
    Genesis g = genesis();
    TransferSource a = new TransferSource(CHAIN, users, 500, 2, 42);
    List<Transaction> txs = a.next(300);
    assertThat(new TransferSource(CHAIN, users, 500, 2, 42).next(300)).isEqualTo(txs);
    try (Ledger l = Ledger.open(g, BlockStores.inMemory())) {
      for (int i = 0; i < txs.size(); i += 50) {
        Ledger.Proposal p = l.propose(txs.subList(i, i + 50), sealers.get(0).address(), T0 + 1 + i);
        assertThat(p.block().transactions()).hasSize(50);
        assertThat(l.append(p.block()).appended()).isTrue();
      }
      // Every sender's nonce equals the number of transfers it sent (counted here).
      Map<Address, Long> sentBy = new TreeMap<>();
      txs.forEach(t -> sentBy.merge(t.sender(), 1L, Long::sum));
      sentBy.forEach((s, n) -> assertThat(l.state().account(s).nonce()).isEqualTo(n));
      // After a resync the next transfer is valid on that state.
      TransferSource b = new TransferSource(CHAIN, users, 500, 2, 7);
      b.resync(l.state());
      Ledger.Proposal p = l.propose(b.next(5), sealers.get(0).address(), T0 + 10_000);
      assertThat(p.block().transactions()).hasSize(5);
    }
    assertThatThrownBy(() -> new TransferSource(CHAIN, users.subList(0, 1), 5, 0, 1))
        .hasMessageContaining("at least 2");
  }
}

package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkTest {
  private static final BlockPolicy POLICY =
      BlockPolicy.DEFAULT
          .withBlockPeriod(Duration.ofMillis(200))
          .withMaxTransactions(50)
          .withStatusInterval(Duration.ofMillis(500));

  private static void assertAgree(Sim sim) {
    List<BlockEngine> nodes = List.copyOf(sim.live.values());
    List<Hash> reference = Sim.hashes(nodes.get(0));
    assertThat(reference.size()).as("blocks built").isGreaterThan(10);
    for (BlockEngine e : nodes) {
      assertThat(Sim.hashes(e)).as("chain of %s", e.id()).isEqualTo(reference);
      assertThat(e.ledger().state().root()).isEqualTo(nodes.get(0).ledger().state().root());
      assertThat(e.ledger().verify().valid()).isTrue();
    }
    Map<Hash, Integer> included = Sim.included(nodes.get(0));
    assertThat(included.keySet())
        .as("every accepted transaction is in the chain")
        .isEqualTo(sim.accepted.keySet());
    assertThat(included.values()).as("exactly once").containsOnly(1);
  }

  private static void drain(Sim sim) {
    sim.run(15_000);
  }

  @ParameterizedTest(name = "{0} sealers, seed {1}")
  @CsvSource({"3, 1", "4, 2", "5, 3"})
  void nodes_withRandomDelays_agreeOnIdenticalChains(int n, long seed) {
    Sim sim = new Sim(n, seed, 1, 100, 0, POLICY, Sim::poa, null);
    sim.startAll();
    sim.runWithLoad(20_000, 0.3);
    drain(sim);
    assertAgree(sim);
    assertThat(sim.rejections).as("no competing blocks").isEmpty();
    assertThat(sim.evidence).isEmpty();
    // Every sealer sealed, and none more than one of floor(N/2)+1 consecutive blocks.
    BlockEngine e = sim.live.values().iterator().next();
    Map<Address, Integer> byProposer = new HashMap<>();
    int limit = n / 2 + 1;
    for (long h = 1; h <= e.ledger().height(); h++) {
      Address p = proposer(e, h);
      byProposer.merge(p, 1, Integer::sum);
      for (long k = 1; k < limit && h - k >= 1; k++) {
        assertThat(p)
            .as("signer limit at heights %d and %d", h - k, h)
            .isNotEqualTo(proposer(e, h - k));
      }
    }
    assertThat(byProposer.keySet())
        .containsExactlyInAnyOrderElementsOf(Fixtures.addresses(sim.sealers));
    sim.closeAll();
  }

  private static Address proposer(BlockEngine e, long h) {
    return e.ledger().block(h).orElseThrow().header().proposer();
  }

  @Test
  void sameSeed_sameChain_otherSeed_otherChain() {
    List<List<Hash>> chains = new java.util.ArrayList<>();
    for (long seed : new long[] {9, 9, 10}) {
      Sim sim = new Sim(4, seed, 1, 100, 0, POLICY, Sim::poa, null);
      sim.startAll();
      sim.runWithLoad(6_000, 0.3);
      chains.add(Sim.hashes(sim.live.get("n0")));
      sim.closeAll();
    }
    assertThat(chains.get(0).size()).isGreaterThan(5);
    assertThat(chains.get(1)).isEqualTo(chains.get(0));
    assertThat(chains.get(2)).isNotEqualTo(chains.get(0));
  }

  @Test
  void crashedNode_restartsFromItsDurableStore_andCatchesUp(@TempDir Path dir) {
    Sim sim = new Sim(5, 11, 1, 100, 0, POLICY, Sim::poa, dir);
    sim.startAll();
    sim.runWithLoad(8_000, 0.3);
    long heightAtCrash = sim.live.get("n2").ledger().height();
    assertThat(heightAtCrash).isGreaterThan(3);
    sim.crash(2);
    sim.runWithLoad(12_000, 0.3);
    long others = sim.live.get("n0").ledger().height();
    assertThat(others).as("the others go on without n2").isGreaterThan(heightAtCrash + 5);
    BlockEngine restarted = sim.start(2);
    assertThat(restarted.ledger().height()).as("reopened from disk").isEqualTo(heightAtCrash);
    sim.runWithLoad(8_000, 0.3);
    drain(sim);
    assertAgree(sim);
    assertThat(sim.rejections).isEmpty();
    sim.closeAll();
  }

  @Test
  void lossyNetwork_recoversLostBlocksByRequest() {
    Sim sim =
        new Sim(
            3, 5, 1, 60, 0.02, POLICY.withStatusInterval(Duration.ofMillis(200)), Sim::poa, null);
    sim.startAll();
    sim.runWithLoad(20_000, 0.2);
    drain(sim);
    assertThat(sim.net.lost()).as("messages were lost").isGreaterThan(0);
    // Transactions lost in gossip may stay pending at one node only; what matters is one chain.
    List<BlockEngine> nodes = List.copyOf(sim.live.values());
    List<Hash> reference = Sim.hashes(nodes.get(0));
    for (BlockEngine e : nodes) {
      assertThat(Sim.hashes(e)).isEqualTo(reference);
    }
    assertThat(reference.size()).isGreaterThan(10);
    sim.closeAll();
  }

  @Test
  void sealersVoteInANewSealer_throughTheEngine() {
    Sim sim = new Sim(3, 21, 1, 50, 0, POLICY, Sim::poa, null);
    sim.startAll();
    Address newcomer = Fixtures.key(90).address();
    for (BlockEngine e : sim.live.values()) {
      ((ProofOfAuthority) e.schedule().protocolAt(1)).propose(newcomer, true);
    }
    sim.runWithLoad(10_000, 0.3);
    BlockEngine e = sim.live.get("n0");
    ProofOfAuthority poa = (ProofOfAuthority) e.schedule().protocolAt(1);
    BlockHeader head = e.ledger().head();
    assertThat(poa.sealers(e.chain(), head)).contains(newcomer).hasSize(4);
    // A fresh node rebuilds the same set from the chain alone.
    ProofOfAuthority fresh =
        ProofOfAuthority.builder().sealers(Fixtures.addresses(sim.sealers)).build();
    assertThat(fresh.sealers(e.chain(), head)).isEqualTo(poa.sealers(e.chain(), head));
    // The vote is on chain: some seal carries it.
    boolean found = false;
    for (long h = 1; h <= e.ledger().height(); h++) {
      Block b = e.ledger().block(h).orElseThrow();
      found |=
          ProofOfAuthority.Seal.decode(b.header().seal())
              .vote()
              .filter(v -> v.target().equals(newcomer) && v.authorize())
              .isPresent();
    }
    assertThat(found).isTrue();
    sim.closeAll();
  }

  @Test
  void sealersVoteOutASealer_withShortEpochs_andCheckpointsListTheSet() {
    long epoch =
        6; // 4 would be too short: 3 votes are needed and one of the 3 voting slots is the victim's
    Sim sim =
        new Sim(
            4,
            41,
            1,
            50,
            0,
            POLICY,
            sealers ->
                ConsensusSchedule.of(
                    ProofOfAuthority.builder()
                        .sealers(sealers)
                        .epochLength(epoch)
                        .outOfTurnDelay(Duration.ofMillis(600))
                        .wiggle(Duration.ofMillis(300))
                        .build()),
            null);
    sim.startAll();
    Address victim = sim.sealers.get(3).address();
    for (int i = 0; i < 3; i++) {
      ((ProofOfAuthority) sim.live.get(sim.id(i)).schedule().protocolAt(1)).propose(victim, false);
    }
    sim.runWithLoad(20_000, 0.3);
    drain(sim);
    assertAgree(sim);
    BlockEngine e = sim.live.get("n0");
    ProofOfAuthority poa = (ProofOfAuthority) e.schedule().protocolAt(1);
    assertThat(poa.sealers(e.chain(), e.ledger().head())).doesNotContain(victim).hasSize(3);
    long removedAt = -1;
    for (long h = 1; h <= e.ledger().height(); h++) {
      BlockHeader header = e.ledger().block(h).orElseThrow().header();
      ProofOfAuthority.Seal seal = ProofOfAuthority.Seal.decode(header.seal());
      List<Address> after = poa.sealers(e.chain(), header);
      assertThat(seal.checkpoint().isPresent()).as("checkpoint at %d", h).isEqualTo(h % epoch == 0);
      if (h % epoch == 0) {
        BlockHeader parent = e.ledger().block(h - 1).orElseThrow().header();
        assertThat(seal.checkpoint().get()).isEqualTo(poa.sealers(e.chain(), parent));
      }
      if (removedAt < 0 && !after.contains(victim)) {
        removedAt = h;
      }
      if (removedAt > 0 && h > removedAt) {
        assertThat(header.proposer()).as("height %d", h).isNotEqualTo(victim);
      }
    }
    assertThat(removedAt).isPositive();
    assertThat(e.ledger().height()).isGreaterThan(removedAt + 5);
    sim.closeAll();
  }

  @Test
  void protocolSwitch_atHeight_changesWhoSeals() {
    long switchAt = 6;
    Sim sim =
        new Sim(
            3,
            31,
            1,
            50,
            0,
            POLICY,
            sealers ->
                ConsensusSchedule.builder()
                    .from(
                        1,
                        ProofOfAuthority.builder()
                            .sealers(List.of(sealers.get(0)))
                            .outOfTurnDelay(Duration.ofMillis(600))
                            .build())
                    .from(
                        switchAt,
                        ProofOfAuthority.builder()
                            .sealers(sealers.subList(1, 3))
                            .outOfTurnDelay(Duration.ofMillis(600))
                            .wiggle(Duration.ofMillis(300))
                            .build())
                    .build(),
            null);
    sim.startAll();
    sim.runWithLoad(15_000, 0.3);
    drain(sim);
    assertAgree(sim);
    BlockEngine e = sim.live.get("n0");
    for (long h = 1; h <= e.ledger().height(); h++) {
      Address p = e.ledger().block(h).orElseThrow().header().proposer();
      if (h < switchAt) {
        assertThat(p).as("height %d", h).isEqualTo(sim.sealers.get(0).address());
      } else {
        assertThat(p).as("height %d", h).isNotEqualTo(sim.sealers.get(0).address());
      }
    }
    assertThat(e.ledger().height()).isGreaterThan(switchAt + 3);
    sim.closeAll();
  }
}

package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.poeg.ProofOfEnergyGeneration;
import org.gridtrade.consensus.spi.EnergyProofSource.Candidate;
import org.gridtrade.consensus.spi.EnergyProofSource.Member;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Proof of Energy Generation on an in-process network of engines. */
class PoegNetworkTest {
  private static final BlockPolicy POLICY =
      BlockPolicy.DEFAULT
          .withBlockPeriod(Duration.ofMillis(200))
          .withMaxTransactions(50)
          .withStatusInterval(Duration.ofMillis(500));
  private static final long TIMEOUT = 600;
  private static final long REWARD = 1_000;
  private static final long SLASH = 100;
  private static final KeyPair TREASURY = Fixtures.key(0); // Sim's genesis authority
  private static final KeyPair OFFLINE = Fixtures.key(1);

  /** Coalition c{i}: sealer i (score 10) and user 10+i (score 4); optionally an offline one. */
  private static List<Candidate> coalitions(List<Address> sealers, double offlineWeight) {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < sealers.size(); i++) {
      out.add(
          new Candidate(
              "c" + i,
              1 + i % 3,
              List.of(
                  new Member(sealers.get(i), 10, 3),
                  new Member(Fixtures.key(10 + i).address(), 4, 1))));
    }
    if (offlineWeight > 0) {
      out.add(
          new Candidate(
              "cx",
              offlineWeight,
              List.of(
                  new Member(OFFLINE.address(), 9, 1),
                  new Member(Fixtures.key(20).address(), 2, 1))));
    }
    return List.copyOf(out);
  }

  private static ProofOfEnergyGeneration poeg(List<Address> sealers, double offlineWeight) {
    List<Candidate> cs = coalitions(sealers, offlineWeight);
    return ProofOfEnergyGeneration.builder()
        .source(h -> cs)
        .timeout(Duration.ofMillis(TIMEOUT))
        .blockReward(REWARD)
        .slashAmount(SLASH)
        .treasury(TREASURY)
        .build();
  }

  private static Sim sim(int n, long seed, double offlineWeight) {
    Sim sim =
        new Sim(
            n,
            seed,
            1,
            100,
            0,
            POLICY,
            sealers -> ConsensusSchedule.of(poeg(sealers, offlineWeight)),
            null);
    sim.firstSender = 2; // the treasury and the staker send nothing else
    return sim;
  }

  private static void assertAgree(Sim sim) {
    assertAgree(sim, List.copyOf(sim.live.values()));
    assertThat(sim.rejections).as("no rejected blocks").isEmpty();
  }

  private static void assertAgree(Sim sim, List<BlockEngine> nodes) {
    List<Hash> reference = Sim.hashes(nodes.get(0));
    assertThat(reference.size()).as("blocks built").isGreaterThan(10);
    for (BlockEngine e : nodes) {
      assertThat(Sim.hashes(e)).as("chain of %s", e.id()).isEqualTo(reference);
      assertThat(e.ledger().state().root()).isEqualTo(nodes.get(0).ledger().state().root());
      assertThat(e.ledger().verify().valid()).isTrue();
    }
    BlockEngine e = nodes.get(0);
    Set<Hash> userTxs = new HashSet<>();
    for (long h = 1; h <= e.ledger().height(); h++) {
      for (Transaction tx : e.ledger().block(h).orElseThrow().transactions()) {
        if (!tx.sender().equals(TREASURY.address())) {
          assertThat(userTxs.add(tx.id())).as("included once").isTrue();
        }
      }
    }
    assertThat(userTxs).isEqualTo(sim.accepted.keySet());
  }

  /** Rank of each block's proposer in its height's draw; checks the block's settlement. */
  private static List<Integer> ranksAndSettlements(Sim sim, ProofOfEnergyGeneration p) {
    return ranksAndSettlements(sim.live.values().iterator().next(), p);
  }

  private static List<Integer> ranksAndSettlements(BlockEngine e, ProofOfEnergyGeneration p) {
    List<Integer> ranks = new ArrayList<>();
    for (long h = 1; h <= e.ledger().height(); h++) {
      Block b = e.ledger().block(h).orElseThrow();
      BlockHeader parent = e.ledger().block(h - 1).orElseThrow().header();
      List<ProofOfEnergyGeneration.Draw> order = p.drawOrder(parent.hash(), h);
      int rank = -1;
      for (ProofOfEnergyGeneration.Draw d : order) {
        if (d.signer().equals(b.header().proposer())) {
          rank = d.rank();
          break;
        }
      }
      assertThat(rank).as("proposer of %d is drawn", h).isGreaterThanOrEqualTo(0);
      ranks.add(rank);
      long rewarded = 0;
      Set<Address> winners = new HashSet<>();
      order.get(rank).coalition().members().forEach(m -> winners.add(m.address()));
      for (Transaction tx : b.transactions()) {
        if (tx.body().payload() instanceof Payload.Reward rw) {
          assertThat(rw.to()).as("reward at %d", h).isIn(winners);
          rewarded += rw.amount();
        }
        if (tx.body().payload() instanceof Payload.Slash sl) {
          assertThat(sl.offender())
              .as("slashed at %d", h)
              .isIn(
                  order.subList(0, rank).stream()
                      .map(ProofOfEnergyGeneration.Draw::signer)
                      .toList());
        }
      }
      assertThat(rewarded).as("reward of block %d", h).isEqualTo(REWARD);
    }
    return ranks;
  }

  @ParameterizedTest(name = "{0} nodes, seed {1}")
  @CsvSource({"3, 5", "5, 6"})
  void nodes_agreeOnOneChain_sealedByTheDrawnCoalitions(int n, long seed) {
    Sim sim = sim(n, seed, 0);
    sim.startAll();
    sim.runWithLoad(15_000, 0.3);
    sim.run(10_000);
    assertAgree(sim);
    List<Integer> ranks = ranksAndSettlements(sim, poeg(Fixtures.addresses(sim.sealers), 0));
    long firstDrawn = ranks.stream().filter(r -> r == 0).count();
    assertThat(firstDrawn)
        .as("blocks by the first-drawn coalition")
        .isGreaterThan(ranks.size() * 8L / 10);
    Set<Address> proposers = new HashSet<>();
    BlockEngine e = sim.live.values().iterator().next();
    for (long h = 1; h <= e.ledger().height(); h++) {
      proposers.add(e.ledger().block(h).orElseThrow().header().proposer());
    }
    assertThat(proposers).hasSizeGreaterThan(1);
    long supplyGain = e.ledger().state().totalSupply() - sim.genesis.state().totalSupply();
    assertThat(supplyGain).isEqualTo(REWARD * e.ledger().height());
    sim.closeAll();
  }

  @Test
  void offlineFirstDrawn_isRedrawnAfterTheTimeout_andSlashedEachTime() {
    Sim sim = sim(4, 8, 4);
    sim.startAll();
    // The offline coalition's signer locked stake before going silent.
    Transaction stake =
        new TransactionBody(Fixtures.CHAIN, OFFLINE.publicKey(), 0, 1, new Payload.Stake(10_000))
            .sign(OFFLINE);
    assertThat(sim.live.get("n0").submit(stake).accepted()).isTrue();
    sim.accepted.put(stake.id(), stake);
    sim.runWithLoad(20_000, 0.3);
    sim.run(10_000);
    assertAgree(sim);
    ProofOfEnergyGeneration p = poeg(Fixtures.addresses(sim.sealers), 4);
    List<Integer> ranks = ranksAndSettlements(sim, p);
    BlockEngine e = sim.live.values().iterator().next();
    long stakedAt = -1;
    int slashes = 0;
    int redrawnAfterOffline = 0;
    for (long h = 1; h <= e.ledger().height(); h++) {
      Block b = e.ledger().block(h).orElseThrow();
      assertThat(b.header().proposer()).isNotEqualTo(OFFLINE.address());
      BlockHeader parent = e.ledger().block(h - 1).orElseThrow().header();
      List<ProofOfEnergyGeneration.Draw> order = p.drawOrder(parent.hash(), h);
      int rank = ranks.get((int) h - 1);
      boolean offlineBefore =
          order.subList(0, rank).stream().anyMatch(d -> d.signer().equals(OFFLINE.address()));
      boolean slashed =
          b.transactions().stream()
              .anyMatch(
                  tx ->
                      tx.body().payload() instanceof Payload.Slash sl
                          && sl.offender().equals(OFFLINE.address()));
      if (order.get(0).signer().equals(OFFLINE.address())) {
        redrawnAfterOffline++;
        assertThat(rank).as("re-draw at %d", h).isGreaterThanOrEqualTo(1);
        assertThat(b.header().timestamp() - parent.timestamp()).isGreaterThanOrEqualTo(TIMEOUT);
      }
      if (stakedAt > 0) {
        assertThat(slashed).as("slash at %d", h).isEqualTo(offlineBefore);
      }
      if (slashed) {
        slashes++;
      }
      if (b.transactions().contains(stake)) {
        stakedAt = h;
      }
    }
    assertThat(stakedAt).isPositive();
    assertThat(redrawnAfterOffline)
        .as("heights where the offline coalition was drawn first")
        .isGreaterThan(5);
    assertThat(slashes).isGreaterThan(5);
    assertThat(e.ledger().state().account(OFFLINE.address()).stake())
        .isEqualTo(10_000 - SLASH * slashes);
    sim.closeAll();
  }

  @Test
  void drawnProposerWithInvalidBlocks_isRejected_redrawn_andSlashed() {
    // Node n0 runs a protocol that pays itself twice the reward: its blocks fail checkBlock on
    // every honest node, which treat them as a refusal.
    java.util.concurrent.atomic.AtomicInteger started =
        new java.util.concurrent.atomic.AtomicInteger();
    Sim sim =
        new Sim(
            4,
            9,
            1,
            100,
            0,
            POLICY,
            sealers -> {
              List<Candidate> cs = coalitions(sealers, 0);
              return ConsensusSchedule.of(
                  ProofOfEnergyGeneration.builder()
                      .source(h -> cs)
                      .timeout(Duration.ofMillis(TIMEOUT))
                      .blockReward(started.getAndIncrement() == 0 ? 2 * REWARD : REWARD)
                      .slashAmount(SLASH)
                      .treasury(TREASURY)
                      .build());
            },
            null);
    sim.firstSender = 2;
    sim.endSender = 50; // the sealers send only their stake
    sim.startAll();
    KeyPair cheat = sim.sealers.get(0);
    Transaction stake =
        new TransactionBody(Fixtures.CHAIN, cheat.publicKey(), 0, 1, new Payload.Stake(10_000))
            .sign(cheat);
    assertThat(sim.live.get("n1").submit(stake).accepted()).isTrue();
    sim.accepted.put(stake.id(), stake);
    sim.runWithLoad(20_000, 0.3);
    sim.run(10_000);
    List<BlockEngine> honest = List.of(sim.live.get("n1"), sim.live.get("n2"), sim.live.get("n3"));
    assertAgree(sim, honest);
    assertThat(sim.rejections)
        .as("the cheat's blocks are rejected")
        .anySatisfy(r -> assertThat(r.reason()).contains("not the prescribed"));
    ProofOfEnergyGeneration p = poeg(Fixtures.addresses(sim.sealers), 0);
    BlockEngine e = honest.get(0);
    List<Integer> ranks = ranksAndSettlements(e, p);
    int slashes = 0;
    int redrawn = 0;
    boolean staked = false;
    for (long h = 1; h <= e.ledger().height(); h++) {
      Block b = e.ledger().block(h).orElseThrow();
      assertThat(b.header().proposer()).as("height %d", h).isNotEqualTo(cheat.address());
      List<ProofOfEnergyGeneration.Draw> order =
          p.drawOrder(e.ledger().block(h - 1).orElseThrow().hash(), h);
      if (order.get(0).signer().equals(cheat.address())) {
        redrawn++;
      }
      boolean cheatBefore =
          order.subList(0, ranks.get((int) h - 1)).stream()
              .anyMatch(d -> d.signer().equals(cheat.address()));
      boolean slashed =
          b.transactions().stream()
              .anyMatch(
                  tx ->
                      tx.body().payload() instanceof Payload.Slash sl
                          && sl.offender().equals(cheat.address()));
      if (staked) {
        assertThat(slashed).as("slash at %d", h).isEqualTo(cheatBefore);
      }
      slashes += slashed ? 1 : 0;
      staked |= b.transactions().contains(stake);
    }
    assertThat(staked).isTrue();
    assertThat(redrawn).isGreaterThan(3);
    assertThat(slashes).isGreaterThan(3);
    assertThat(e.ledger().state().account(cheat.address()).stake())
        .isEqualTo(10_000 - SLASH * slashes);
    sim.closeAll();
  }

  @Test
  void protocolSwitch_fromPoaToPoeg_atAHeight() {
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
                    .from(switchAt, poeg(sealers.subList(1, 3), 0))
                    .build(),
            null);
    sim.firstSender = 2;
    sim.startAll();
    sim.runWithLoad(15_000, 0.3);
    sim.run(10_000);
    assertAgree(sim);
    ProofOfEnergyGeneration p = poeg(Fixtures.addresses(sim.sealers).subList(1, 3), 0);
    BlockEngine e = sim.live.get("n0");
    for (long h = 1; h <= e.ledger().height(); h++) {
      Block b = e.ledger().block(h).orElseThrow();
      Address proposer = b.header().proposer();
      boolean rewarded =
          b.transactions().stream().anyMatch(tx -> tx.body().payload() instanceof Payload.Reward);
      if (h < switchAt) {
        assertThat(proposer).as("height %d", h).isEqualTo(sim.sealers.get(0).address());
        assertThat(rewarded).as("PoA pays no reward at %d", h).isFalse();
      } else {
        Hash parent = e.ledger().block(h - 1).orElseThrow().hash();
        assertThat(p.drawOrder(parent, h).stream().map(ProofOfEnergyGeneration.Draw::signer))
            .as("height %d", h)
            .contains(proposer);
        assertThat(rewarded).as("PoEG pays the reward at %d", h).isTrue();
      }
    }
    assertThat(e.ledger().height()).isGreaterThan(switchAt + 3);
    sim.closeAll();
  }
}

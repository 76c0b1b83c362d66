package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.posoc.ProofOfStateOfCharge;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.consensus.spi.StateOfChargeSource.Candidate;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Proof of State of Charge on an in-process network of engines, one EV per node. */
class PosocNetworkTest {
  private static final BlockPolicy POLICY =
      BlockPolicy.DEFAULT
          .withBlockPeriod(Duration.ofMillis(200))
          .withMaxTransactions(50)
          .withStatusInterval(Duration.ofMillis(500));
  private static final long TIMEOUT = 600;
  private static final long PER_PERIOD = 4;
  private static final KeyPair TREASURY = Fixtures.key(0); // Sim's genesis authority
  private static final KeyPair OFFLINE = Fixtures.key(1);
  private static final List<double[]> MODELS =
      List.of(new double[] {0.5, -1, 2}, new double[] {1.5, 1, 0}, new double[] {1, 3, 1});

  /** EV i: sealer i, daily score 1 + i % 3, profit 10,000 · (i + 1); optionally an offline EV. */
  private static List<Candidate> evs(List<Address> sealers, double offlineScore) {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < sealers.size(); i++) {
      out.add(new Candidate(sealers.get(i), 1 + i % 3, 10_000L * (i + 1)));
    }
    if (offlineScore > 0) {
      out.add(new Candidate(OFFLINE.address(), offlineScore, 5_000));
    }
    return List.copyOf(out);
  }

  private static ProofOfStateOfCharge posoc(List<Address> sealers, double offlineScore) {
    return ProofOfStateOfCharge.builder()
        .source(StateOfChargeSource.fixed(evs(sealers, offlineScore), MODELS))
        .blocksPerPeriod(PER_PERIOD)
        .timeout(Duration.ofMillis(TIMEOUT))
        .beta(0.2)
        .treasury(TREASURY)
        .build();
  }

  private static Sim sim(int n, long seed, double offlineScore) {
    Sim sim =
        new Sim(
            n,
            seed,
            1,
            100,
            0,
            POLICY,
            sealers -> ConsensusSchedule.of(posoc(sealers, offlineScore)),
            null);
    sim.firstSender = 2; // the treasury sends nothing else
    sim.endSender = 50; // the EVs send only their mining-reward payments
    return sim;
  }

  private static void assertAgree(Sim sim) {
    List<BlockEngine> nodes = List.copyOf(sim.live.values());
    List<Hash> reference = Sim.hashes(nodes.get(0));
    assertThat(reference.size()).as("blocks built").isGreaterThan(20);
    for (BlockEngine e : nodes) {
      assertThat(Sim.hashes(e)).as("chain of %s", e.id()).isEqualTo(reference);
      assertThat(e.ledger().state().root()).isEqualTo(nodes.get(0).ledger().state().root());
      assertThat(e.ledger().verify().valid()).isTrue();
    }
    assertThat(sim.rejections).as("no rejected blocks").isEmpty();
    Set<Hash> userTxs = new HashSet<>();
    BlockEngine e = nodes.get(0);
    for (long h = 1; h <= e.ledger().height(); h++) {
      for (Transaction tx : e.ledger().block(h).orElseThrow().transactions()) {
        if (!tx.sender().equals(TREASURY.address())) {
          assertThat(userTxs.add(tx.id())).as("included once").isTrue();
        }
      }
    }
    assertThat(userTxs).isEqualTo(sim.accepted.keySet());
  }

  private static Block block(BlockEngine e, long h) {
    return e.ledger().block(h).orElseThrow();
  }

  /** The rank of each block's proposer in its period's draw, recomputed from the stored chain. */
  private static List<Integer> ranks(BlockEngine e, ProofOfStateOfCharge p, long from) {
    List<Integer> ranks = new ArrayList<>();
    for (long h = from; h <= e.ledger().height(); h++) {
      long period = p.period(h);
      Hash seed = block(e, p.firstHeight(period) - 1).hash();
      List<ProofOfStateOfCharge.Draw> order = p.drawOrder(seed, period);
      Address proposer = block(e, h).header().proposer();
      int rank =
          order.stream()
              .filter(d -> d.address().equals(proposer))
              .mapToInt(ProofOfStateOfCharge.Draw::rank)
              .findFirst()
              .orElse(-1);
      assertThat(rank).as("proposer of %d is drawn", h).isGreaterThanOrEqualTo(0);
      ranks.add(rank);
    }
    return ranks;
  }

  /** Rewards by height and recipient in one node's chain. */
  private static Map<Long, List<Payload.Reward>> rewards(BlockEngine e) {
    Map<Long, List<Payload.Reward>> out = new TreeMap<>();
    for (long h = 1; h <= e.ledger().height(); h++) {
      for (Transaction tx : block(e, h).transactions()) {
        if (tx.body().payload() instanceof Payload.Reward r) {
          out.computeIfAbsent(h, k -> new ArrayList<>()).add(r);
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0} nodes, seed {1}")
  @CsvSource({"3, 5", "5, 6"})
  void nodes_agreeOnOneChain_sealedByEachPeriodsMlag_withTheModelHashAndTheMlagsProfit(
      int n, long seed) {
    Sim sim = sim(n, seed, 0);
    sim.startAll();
    sim.runWithLoad(15_000, 0.3);
    sim.run(10_000);
    assertAgree(sim);
    List<Address> sealers = Fixtures.addresses(sim.sealers);
    ProofOfStateOfCharge p = posoc(sealers, 0);
    BlockEngine e = sim.live.values().iterator().next();
    assertThat(ranks(e, p, 1)).as("every block by its period's first-drawn EV").containsOnly(0);
    Hash model = FederatedAveraging.modelHash(new double[] {1, 1, 1}); // mean of MODELS by hand
    Set<Address> mlags = new HashSet<>();
    for (long h = 1; h <= e.ledger().height(); h++) {
      assertThat(ProofOfStateOfCharge.recordedModelHash(block(e, h).header()))
          .as("model hash at %d", h)
          .contains(model);
      long first = p.firstHeight(p.period(h));
      assertThat(block(e, h).header().proposer())
          .as("height %d sealed by the mLAG of its period", h)
          .isEqualTo(block(e, first).header().proposer());
      mlags.add(block(e, first).header().proposer());
    }
    assertThat(mlags).as("mLAGs over the run").hasSizeGreaterThan(1);
    // Nobody paid: each period start releases only the previous mLAG's own profit.
    Map<Long, List<Payload.Reward>> rewards = rewards(e);
    long released = 0;
    for (long q = 1; p.firstHeight(q) <= e.ledger().height(); q++) {
      Address mlag = block(e, p.firstHeight(q - 1)).header().proposer();
      long profit = 10_000L * (sealers.indexOf(mlag) + 1);
      assertThat(rewards.get(p.firstHeight(q)))
          .as("period %d start", q)
          .containsExactly(new Payload.Reward(mlag, profit));
      released += profit;
    }
    assertThat(rewards.values().stream().mapToInt(List::size).sum())
        .isEqualTo((int) ((e.ledger().height() - 1) / PER_PERIOD));
    assertThat(e.ledger().state().totalSupply() - sim.genesis.state().totalSupply())
        .isEqualTo(released);
    sim.closeAll();
  }

  @Test
  void offlineMlag_isRedrawnAfterTheTimeout_andTheBackupKeepsThePeriod() {
    Sim sim = sim(4, 8, 6);
    sim.startAll();
    sim.runWithLoad(20_000, 0.3);
    sim.run(10_000);
    assertAgree(sim);
    ProofOfStateOfCharge p = posoc(Fixtures.addresses(sim.sealers), 6);
    BlockEngine e = sim.live.values().iterator().next();
    List<Integer> ranks = ranks(e, p, 1);
    int redrawnPeriods = 0;
    for (long h = 1; h <= e.ledger().height(); h++) {
      Block b = block(e, h);
      assertThat(b.header().proposer()).isNotEqualTo(OFFLINE.address());
      long period = p.period(h);
      long first = p.firstHeight(period);
      Address offlineFirst = p.drawOrder(block(e, first - 1).hash(), period).get(0).address();
      if (offlineFirst.equals(OFFLINE.address())) {
        assertThat(ranks.get((int) h - 1)).as("re-draw at %d", h).isEqualTo(1);
        if (h == first) {
          redrawnPeriods++;
          assertThat(b.header().timestamp() - block(e, h - 1).header().timestamp())
              .as("the backup waits one timeout")
              .isGreaterThanOrEqualTo(TIMEOUT);
        }
      } else {
        assertThat(ranks.get((int) h - 1)).as("in-turn mLAG at %d", h).isZero();
      }
      assertThat(b.header().proposer()).isEqualTo(block(e, first).header().proposer());
    }
    assertThat(redrawnPeriods).as("periods whose first-drawn EV was offline").isGreaterThan(2);
    // The offline EV never pays its share: its profit is withheld for ever.
    assertThat(rewards(e).values().stream().flatMap(List::stream))
        .noneMatch(r -> r.to().equals(OFFLINE.address()));
    sim.closeAll();
  }

  @Test
  void paymentOnChain_releasesTheProfitAtTheNextPeriodStart_andOnlyThen() {
    Sim sim = sim(3, 12, 0);
    sim.startAll();
    ProofOfStateOfCharge p = posoc(Fixtures.addresses(sim.sealers), 0);
    BlockEngine n0 = sim.live.get("n0");
    for (int i = 0; i < 10_000 && n0.ledger().height() < p.firstHeight(1); i++) {
      sim.runWithLoad(Sim.STEP, 0.3);
    }
    assertThat(n0.ledger().height()).isGreaterThanOrEqualTo(p.firstHeight(1));
    Address mlag1 = block(n0, p.firstHeight(1)).header().proposer();
    int payer = 0;
    while (sim.sealers.get(payer).address().equals(mlag1)) {
      payer++;
    }
    KeyPair ev = sim.sealers.get(payer);
    long profit = 10_000L * (payer + 1);
    assertThat(p.share(profit)).isEqualTo(profit / 5);
    Transaction pay = Fixtures.transfer(ev, mlag1, 0, p.share(profit), 1);
    assertThat(n0.submit(pay).accepted()).isTrue();
    sim.accepted.put(pay.id(), pay);
    sim.runWithLoad(15_000, 0.3);
    sim.run(5_000);
    assertAgree(sim);
    long paidAt = -1;
    for (long h = 1; h <= n0.ledger().height(); h++) {
      if (block(n0, h).transactions().contains(pay)) {
        paidAt = h;
      }
    }
    assertThat(paidAt).isGreaterThanOrEqualTo(p.firstHeight(1));
    // Expected releases to the EV: its own profit after each period it led, and the period-1
    // profit at the first period start after its payment.
    Map<Long, Long> expected = new TreeMap<>();
    for (long q = 1; p.firstHeight(q) <= n0.ledger().height(); q++) {
      if (block(n0, p.firstHeight(q - 1)).header().proposer().equals(ev.address())) {
        expected.merge(p.firstHeight(q), profit, Long::sum);
      }
    }
    long release = p.firstHeight(p.period(paidAt) + 1);
    assertThat(release).isLessThanOrEqualTo(n0.ledger().height());
    expected.merge(release, profit, Long::sum);
    Map<Long, Long> actual = new TreeMap<>();
    rewards(n0)
        .forEach(
            (h, rs) ->
                rs.stream()
                    .filter(r -> r.to().equals(ev.address()))
                    .forEach(r -> actual.merge(h, r.amount(), Long::sum)));
    assertThat(actual).isEqualTo(expected);
    sim.closeAll();
  }

  @Test
  void protocolSwitch_fromPoaToPosoc_midPeriod() {
    long switchAt = 6; // period 1 covers heights 5..8; PoSOC governs it from 6
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
                    .from(switchAt, posoc(sealers.subList(1, 3), 0))
                    .build(),
            null);
    sim.firstSender = 2;
    sim.endSender = 50;
    sim.startAll();
    sim.runWithLoad(15_000, 0.3);
    sim.run(10_000);
    assertAgree(sim);
    List<Address> evs = Fixtures.addresses(sim.sealers).subList(1, 3);
    ProofOfStateOfCharge p = posoc(evs, 0);
    BlockEngine e = sim.live.get("n0");
    assertThat(e.ledger().height()).isGreaterThan(switchAt + 3 * PER_PERIOD);
    List<Integer> ranks = ranks(e, p, switchAt);
    assertThat(ranks).containsOnly(0);
    Map<Long, List<Payload.Reward>> rewards = rewards(e);
    for (long h = 1; h <= e.ledger().height(); h++) {
      Block b = block(e, h);
      if (h < switchAt) {
        assertThat(b.header().proposer())
            .as("height %d", h)
            .isEqualTo(sim.sealers.get(0).address());
        assertThat(rewards).doesNotContainKey(h);
      } else {
        assertThat(evs).contains(b.header().proposer());
        long period = p.period(h);
        long firstGoverned = Math.max(p.firstHeight(period), switchAt);
        assertThat(b.header().proposer()).isEqualTo(block(e, firstGoverned).header().proposer());
        if (h == p.firstHeight(period)) {
          Address prev =
              block(e, Math.max(p.firstHeight(period - 1), switchAt)).header().proposer();
          assertThat(rewards.get(h))
              .as("period %d start", period)
              .containsExactly(new Payload.Reward(prev, 10_000L * (evs.indexOf(prev) + 1)));
        } else {
          assertThat(rewards).doesNotContainKey(h);
        }
      }
    }
    sim.closeAll();
  }
}

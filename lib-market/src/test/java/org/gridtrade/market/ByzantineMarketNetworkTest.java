package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.BlockPolicy;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.consensus.InMemoryNetwork;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.spi.LedgerModule;
import org.junit.jupiter.api.Test;

/**
 * Three Proof-of-Authority sealers on an in-process network; one runs a doctored market module and
 * is the in-turn sealer of the market's gate block. Its gate block, which settles the market in the
 * operator's favour, is refused by both honest nodes as invalid; an honest sealer seals the gate
 * block out of turn, and both honest nodes hold the honest clearing.
 */
class ByzantineMarketNetworkTest {
  private static final long STEP = 10;

  /** A clock the test moves. */
  private static final class ManualClock extends Clock {
    private long millis;

    ManualClock(long start) {
      millis = start;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }

  @Test
  void doctoredSealer_inTurnAtTheGate_isRefusedAndTheHonestClearingStands() {
    List<KeyPair> keys = MarketChain.keys(5);
    Genesis genesis = MarketChain.genesis(keys, 1_000_000_000L);
    List<Address> sealers = keys.subList(0, 3).stream().map(KeyPair::address).toList();
    List<Address> sorted = new ArrayList<>(new TreeSet<>(sealers));
    int byzantine = 2;
    ManualClock clock = new ManualClock(MarketChain.T0 + 1_000);
    List<BlockEngine> engines = new ArrayList<>();
    List<List<EngineListener.Rejection>> invalid = new ArrayList<>();
    try (InMemoryNetwork net =
        InMemoryNetwork.builder()
            .manualDelivery()
            .clock(clock)
            .seed(7)
            .delay(Duration.ofMillis(5), Duration.ofMillis(30))
            .lossRate(0)
            .build()) {
      for (int i = 0; i < 3; i++) {
        List<EngineListener.Rejection> seen = Collections.synchronizedList(new ArrayList<>());
        invalid.add(seen);
        LedgerModule module = i == byzantine ? new DoctoredMarket() : new DoubleAuctionMarket();
        engines.add(
            BlockEngine.builder()
                .genesis(genesis)
                .store(BlockStores.inMemory())
                .schedule(
                    ConsensusSchedule.of(
                        ProofOfAuthority.builder()
                            .sealers(sealers)
                            .outOfTurnDelay(Duration.ofMillis(500))
                            .wiggle(Duration.ofMillis(200))
                            .build()))
                .policy(
                    BlockPolicy.DEFAULT
                        .withBlockPeriod(Duration.ofSeconds(1))
                        .withOnlyWhenTransactionsWait(false))
                .clock(clock)
                .transport(net.join("node-" + i))
                .sealingKey(keys.get(i))
                .modules(List.of(module))
                .listener(
                    new EngineListener() {
                      @Override
                      public void onRejected(Rejection r) {
                        if (r.kind() == Rejection.Kind.INVALID) {
                          seen.add(r);
                        }
                      }
                    })
                .build());
      }
      run(clock, net, engines, 3_000);
      // The gate: a height at least 6 ahead at which the doctored node is the in-turn sealer.
      long gate = engines.get(0).ledger().height() + 6;
      while (!sorted.get((int) (gate % 3)).equals(sealers.get(byzantine))) {
        gate++;
      }
      Instant delivery = Instant.ofEpochSecond(MarketChain.T0 / 1000 + 7_200);
      submit(
          engines.get(0),
          keys.get(0),
          0,
          MarketCalls.open(
              new MarketSpec(
                  ClearingRule.UNIFORM_PRICE, 500_000, gate, delivery, delivery.plusSeconds(900))));
      long until = clock.millis() + 60_000;
      while (engines.stream().anyMatch(e -> Markets.count(e.ledger().state()) == 0)
          && clock.millis() < until) {
        step(clock, net, engines);
      }
      submit(engines.get(0), keys.get(3), 0, MarketCalls.bid(0, 100_000, 2_000));
      submit(engines.get(1), keys.get(4), 0, MarketCalls.ask(0, 40_000, 2_000));
      until = clock.millis() + 120_000;
      long g = gate;
      while ((engines.get(0).ledger().height() < g + 2 || engines.get(1).ledger().height() < g + 2)
          && clock.millis() < until) {
        step(clock, net, engines);
      }
      assertThat(engines.get(0).ledger().height())
          .as("honest node 0 passed the gate")
          .isGreaterThan(gate);
      assertThat(engines.get(1).ledger().height())
          .as("honest node 1 passed the gate")
          .isGreaterThan(gate);

      // Both honest nodes refused the doctored node's gate block as invalid.
      for (int i = 0; i < 2; i++) {
        assertThat(invalid.get(i))
            .as("node %d's invalid-block rejections", i)
            .anySatisfy(
                r -> {
                  assertThat(r.block().header().height()).isEqualTo(g);
                  assertThat(r.block().header().proposer()).isEqualTo(sealers.get(byzantine));
                });
      }
      // They hold the same, honest gate block, sealed out of turn by an honest sealer.
      Block a = engines.get(0).ledger().block(gate).orElseThrow();
      Block b = engines.get(1).ledger().block(gate).orElseThrow();
      assertThat(a.hash()).isEqualTo(b.hash());
      assertThat(a.header().proposer()).isNotEqualTo(sealers.get(byzantine));
      Clearing c =
          Markets.market(engines.get(0).ledger().state(), 0).orElseThrow().clearing().orElseThrow();
      assertThat(c.height()).isEqualTo(gate);
      assertThat(c.buyerPrice())
          .hasValue(70_000); // the uniform price: midpoint of 100,000 and 40,000
      assertThat(c.budgetMicro()).isZero(); // pay-as-bid would have left 60,000 to the operator
    } finally {
      engines.forEach(BlockEngine::close);
    }
  }

  private static void submit(BlockEngine e, KeyPair k, long nonce, Payload p) {
    var r = e.submit(new TransactionBody(MarketChain.CHAIN, k.publicKey(), nonce, 1, p).sign(k));
    assertThat(r.accepted()).as("%s", r).isTrue();
  }

  private static void run(
      ManualClock clock, InMemoryNetwork net, List<BlockEngine> engines, long ms) {
    for (long t = 0; t < ms; t += STEP) {
      step(clock, net, engines);
    }
  }

  private static void step(ManualClock clock, InMemoryNetwork net, List<BlockEngine> engines) {
    clock.millis += STEP;
    net.deliverDue();
    engines.forEach(BlockEngine::tick);
  }
}

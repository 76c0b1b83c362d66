package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.junit.jupiter.api.Test;

/**
 * Three Proof-of-Authority sealers on an in-process network; one runs a doctored market module and
 * is the in-turn sealer of the market's gate block. Its gate block, which settles the market in the
 * operator's favour, is refused by both honest nodes as invalid; an honest sealer seals the gate
 * block out of turn, and both honest nodes hold the honest clearing.
 */
class ByzantineMarketNetworkTest {
  @Test
  void doctoredSealer_inTurnAtTheGate_isRefusedAndTheHonestClearingStands() {
    List<KeyPair> keys = MarketChain.keys(5);
    Genesis genesis = MarketChain.genesis(keys, 1_000_000_000L);
    int byzantine = 2;
    try (SealerNetwork n =
        new SealerNetwork(
            keys,
            genesis,
            i -> i == byzantine ? new DoctoredMarket() : new DoubleAuctionMarket())) {
      List<Address> sealers = n.sealers;
      List<Address> sorted = n.sorted;
      List<BlockEngine> engines = n.engines;
      List<List<EngineListener.Rejection>> invalid = n.invalid;
      n.run(3_000);
      // The gate: a height at least 6 ahead at which the doctored node is the in-turn sealer.
      long gate = engines.get(0).ledger().height() + 6;
      while (!sorted.get((int) (gate % 3)).equals(sealers.get(byzantine))) {
        gate++;
      }
      Instant delivery = Instant.ofEpochSecond(MarketChain.T0 / 1000 + 7_200);
      n.submit(
          0,
          keys.get(0),
          0,
          MarketCalls.open(
              new MarketSpec(
                  ClearingRule.UNIFORM_PRICE, 500_000, gate, delivery, delivery.plusSeconds(900))));
      long until = n.millis() + 60_000;
      while (engines.stream().anyMatch(e -> Markets.count(e.ledger().state()) == 0)
          && n.millis() < until) {
        n.step();
      }
      n.submit(0, keys.get(3), 0, MarketCalls.bid(0, 100_000, 2_000));
      n.submit(1, keys.get(4), 0, MarketCalls.ask(0, 40_000, 2_000));
      until = n.millis() + 120_000;
      long g = gate;
      while ((engines.get(0).ledger().height() < g + 2 || engines.get(1).ledger().height() < g + 2)
          && n.millis() < until) {
        n.step();
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
    }
  }
}

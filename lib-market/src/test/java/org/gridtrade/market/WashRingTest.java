package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gridtrade.consensus.trust.TrustScores;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Units;
import org.junit.jupiter.api.Test;

/**
 * The wash-trading ring of the trust layer's Sybil analysis, in markets that settle on metered
 * delivery: two identities trade with each other every round and try to rate each other 5, while an
 * honest pair trades real energy. Only delivered trades can be rated, so the ring's ratings never
 * reach the chain, and Haider's trust (Alg. 1, computed from the ratings the chain accepted) leaves
 * the ring at TRP 1 while the honest seller rises.
 */
class WashRingTest {
  private static final int ROUNDS = 8;

  @Test
  void ringThatNeverDelivers_getsNoRatingAndStaysAtTrp1() {
    try (MarketChain c = new MarketChain(6, 100_000_000_000L)) {
      KeyPair ringA = c.keys.get(1);
      KeyPair ringB = c.keys.get(2);
      KeyPair buyer = c.keys.get(3);
      KeyPair seller = c.keys.get(4);
      Map<Address, double[]> trust = new HashMap<>(); // {trust, rated transactions}
      int ringRefused = 0;
      for (int round = 0; round < ROUNDS; round++) {
        long h = c.ledger.height();
        Instant start = Instant.ofEpochMilli(MarketChain.T0 + (h + 1) * 1_000L);
        MarketSpec spec =
            new MarketSpec(ClearingRule.UNIFORM_PRICE, 500_000, h + 3, start, start.plusSeconds(3))
                .withDelivery(new DeliveryTerms(120_000, h + 6));
        c.block(List.of(c.tx(c.operator(), MarketCalls.open(spec))));
        long market = Markets.count(c.state()) - 1;
        // The ring trades with itself in both directions; the honest pair trades once.
        c.block(
            List.of(
                c.tx(ringA, MarketCalls.bid(market, 95_000, 5_000)),
                c.tx(ringB, MarketCalls.ask(market, 90_000, 5_000)),
                c.tx(buyer, MarketCalls.bid(market, 95_000, 2_000)),
                c.tx(seller, MarketCalls.ask(market, 90_000, 2_000))));
        c.advanceTo(h + 4); // past the gate and the delivery interval
        // The metering service: the honest seller delivered; the ring delivered nothing.
        int honestAsk = 3;
        c.block(List.of(c.tx(c.operator(), MarketCalls.reportDelivery(market, honestAsk, 2_000))));
        c.advanceTo(h + 6); // the deadline: the ring's ask settles as undelivered
        for (MarketTrade t : Markets.trades(c.state(), market)) {
          KeyPair rater = t.buyOrder() == 0 ? ringA : buyer;
          KeyPair rated = t.buyOrder() == 0 ? ringB : seller;
          var p = c.block(List.of(c.tx(rater, MarketCalls.rate(market, t.index(), 5))));
          if (!p.skipped().isEmpty()) {
            c.unuse(rater);
            ringRefused++;
            continue;
          }
          // Alg. 1 on the accepted rating: 2 days registered, coins traded so far.
          double[] s = trust.computeIfAbsent(rated.address(), a -> new double[2]);
          double coins = Units.microToCoins(t.sellerReceivesMicro()) * (s[1] + 1);
          s[0] =
              TrustScores.traderTrust(
                  s[0],
                  (long) s[1],
                  Markets.rating(c.state(), market, t.index()).orElseThrow(),
                  2,
                  coins);
          s[1]++;
        }
      }
      assertThat(ringRefused).isEqualTo(ROUNDS);
      assertThat(trust).doesNotContainKey(ringB.address());
      assertThat(TrustScores.trp(0)).isEqualTo(1); // where the ring stays
      assertThat(trust.get(seller.address())[1]).isEqualTo(ROUNDS);
      assertThat(TrustScores.trp(trust.get(seller.address())[0])).isGreaterThan(1);
      // Each round the ring's seller paid the shortfall's penalty to its partner: coins go round,
      // but the penalty is real for a ring that trades with outsiders.
      assertThat(Markets.delivery(c.state(), 0, 1).orElseThrow().penaltyMicro()).isEqualTo(600_000);
    }
  }
}

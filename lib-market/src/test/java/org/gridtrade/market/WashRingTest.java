package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.gridtrade.consensus.trust.TrustIndex;
import org.gridtrade.consensus.trust.TrustParameters;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.KeyPair;
import org.junit.jupiter.api.Test;

/**
 * The wash-trading ring of the trust layer's Sybil analysis, in markets that settle on metered
 * delivery: two identities trade with each other every round and try to rate each other 5, while an
 * honest pair trades real energy. Only delivered trades can be rated, so the ring's ratings never
 * reach the chain, and Haider's trust (Alg. 1, folded from the chain's blocks with the market's
 * rating decoder) leaves the ring at TRP 1 while the honest seller rises.
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
          boolean ring = t.buyOrder() == 0;
          KeyPair rater = ring ? ringA : buyer;
          KeyPair rated = ring ? ringB : seller;
          var p = c.block(List.of(c.tx(rater, MarketCalls.rate(t, rated.address(), 5))));
          if (!p.skipped().isEmpty()) {
            c.unuse(rater);
            ringRefused++;
          }
        }
      }
      assertThat(ringRefused).isEqualTo(ROUNDS);
      // Trust folded from the chain's blocks, reading the market's ratings (Haider Alg. 1).
      List<Block> blocks = new ArrayList<>();
      for (long h = 0; h <= c.ledger.height(); h++) {
        blocks.add(c.ledger.block(h).orElseThrow());
      }
      TrustIndex trust =
          TrustIndex.replay(TrustParameters.DEFAULT, List.of(Markets.ratingDecoder()), blocks);
      assertThat(trust.trader(ringB.address()).ratings()).isZero();
      assertThat(trust.trp(ringB.address())).isEqualTo(1);
      assertThat(trust.trp(ringA.address())).isEqualTo(1);
      assertThat(trust.trader(seller.address()).ratings()).isEqualTo(ROUNDS);
      assertThat(trust.trp(seller.address())).isGreaterThan(1);
      // Read without the decoder, the same blocks give no one any trust.
      assertThat(TrustIndex.replay(TrustParameters.DEFAULT, blocks).trust(seller.address()))
          .isZero();
      // Each round the ring's seller paid the shortfall's penalty to its partner: coins go round,
      // but the penalty is real for a ring that trades with outsiders.
      assertThat(Markets.delivery(c.state(), 0, 1).orElseThrow().penaltyMicro()).isEqualTo(600_000);
    }
  }
}

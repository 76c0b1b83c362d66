package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.gridtrade.auction.TrustRatedAccess.Bid;
import org.gridtrade.auction.TrustRatedAccess.BuyerAccess;
import org.gridtrade.auction.TrustRatedAccess.Matching;
import org.gridtrade.auction.TrustRatedAccess.Offer;
import org.junit.jupiter.api.Test;

class TrustRatedAccessTest {

  @Test
  void accessPercent_andVisibleCount_followSpecTable() {
    assertThat(TrustRatedAccess.accessPercent(1)).isEqualTo(50);
    assertThat(TrustRatedAccess.accessPercent(2)).isEqualTo(75);
    assertThat(TrustRatedAccess.accessPercent(3)).isEqualTo(90);
    assertThat(TrustRatedAccess.accessPercent(4)).isEqualTo(100);
    assertThat(TrustRatedAccess.visibleCount(3, 10)).isEqualTo(9);
    assertThat(TrustRatedAccess.visibleCount(1, 3)).isEqualTo(2);
    assertThat(TrustRatedAccess.visibleCount(2, 1)).isEqualTo(1);
    assertThat(TrustRatedAccess.visibleCount(1, 0)).isZero();
    assertThat(TrustRatedAccess.visibleCount(3, 100)).isEqualTo(90);
  }

  @Test
  void match_lowTrustBuyerSeesOnlyExpensiveOffers() {
    List<Offer> offers =
        List.of(
            new Offer("cheap", 1, 5, 10),
            new Offer("mid", 1, 8, 10),
            new Offer("dear", 1, 9, 10),
            new Offer("top", 1, 12, 10));
    Matching m =
        TrustRatedAccess.match(
            offers, List.of(new Bid("low", 1, 20, 5), new Bid("high", 4, 20, 5)));
    // served high TRP first: it takes the cheapest offer
    assertThat(m.buyers()).extracting(BuyerAccess::buyerId).containsExactly("high", "low");
    assertThat(m.buyers().get(1).visibleOfferIds()).containsExactly("top", "dear");
    assertThat(m.trades())
        .containsExactly(new Trade("high", "cheap", 5, 5, 5), new Trade("low", "dear", 5, 9, 9));
  }

  @Test
  void match_equalPrices_higherTrustSellerFirst() {
    Matching m =
        TrustRatedAccess.match(
            List.of(new Offer("a", 2, 7, 3), new Offer("b", 4, 7, 3)),
            List.of(new Bid("x", 4, 10, 4)));
    assertThat(m.trades())
        .containsExactly(new Trade("x", "b", 3, 7, 7), new Trade("x", "a", 1, 7, 7));
  }

  @Test
  void visibility_tieAtTheCut_higherTrustSellerVisible() {
    Matching m =
        TrustRatedAccess.match(
            List.of(new Offer("low", 1, 5, 1), new Offer("high", 4, 5, 1), new Offer("c", 2, 9, 1)),
            List.of(new Bid("x", 1, 10, 3)));
    assertThat(m.buyers().get(0).visibleOfferIds()).containsExactly("c", "high");
    assertThat(m.trades()).extracting(Trade::sellerId).containsExactly("high", "c");
  }

  @Test
  void badInput_andEmptyMarkets() {
    assertThatThrownBy(() -> new Offer("o", 5, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trp 5");
    assertThatThrownBy(() -> new Bid("b", 1, Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("price NaN");
    assertThatThrownBy(() -> new Bid("b", 1, 1, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quantity -1.0");
    assertThatThrownBy(
            () ->
                TrustRatedAccess.match(
                    List.of(new Offer("o", 1, 1, 1), new Offer("o", 1, 2, 1)), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'o'");
    assertThat(TrustRatedAccess.match(List.of(), List.of(new Bid("b", 4, 1, 1))).trades())
        .isEmpty();
    assertThat(TrustRatedAccess.match(List.of(new Offer("o", 1, 1, 1)), List.of()).buyers())
        .isEmpty();
  }

  /** Against an independent computation of each buyer's access set. */
  @Test
  void property_match_neverExceedsAccess() {
    qt().withFixedSeed(3_5L)
        .withExamples(400)
        .forAll(longs().all(), integers().between(0, 15), integers().between(0, 10))
        .checkAssert(
            (seed, nOffers, nBids) -> {
              SplittableRandom rnd = new SplittableRandom(seed);
              List<Offer> offers = new ArrayList<>();
              Map<String, Offer> byId = new HashMap<>();
              for (int i = 0; i < nOffers; i++) {
                Offer o =
                    new Offer("o" + i, 1 + rnd.nextInt(4), 1 + rnd.nextInt(6), 1 + rnd.nextInt(5));
                offers.add(o);
                byId.put(o.id(), o);
              }
              List<Bid> bids = new ArrayList<>();
              for (int i = 0; i < nBids; i++) {
                bids.add(
                    new Bid("b" + i, 1 + rnd.nextInt(4), 1 + rnd.nextInt(7), 1 + rnd.nextInt(8)));
              }
              Matching m = TrustRatedAccess.match(offers, bids);
              assertThat(m.buyers()).hasSize(nBids);
              Map<String, BuyerAccess> access = new HashMap<>();
              int prevTrp = 5;
              for (BuyerAccess b : m.buyers()) {
                assertThat(b.trp()).isLessThanOrEqualTo(prevTrp);
                prevTrp = b.trp();
                access.put(b.buyerId(), b);
                int pct = new int[] {0, 50, 75, 90, 100}[b.trp()];
                int k = (int) Math.ceil(pct * nOffers / 100.0 - 1e-12);
                assertThat(b.visibleOfferIds()).hasSize(k);
                // visible = the k most expensive: no invisible offer is dearer than a visible one
                double cheapestVisible =
                    b.visibleOfferIds().stream()
                        .mapToDouble(id -> byId.get(id).price())
                        .min()
                        .orElse(Double.POSITIVE_INFINITY);
                for (Offer o : offers) {
                  if (!b.visibleOfferIds().contains(o.id())) {
                    assertThat(o.price()).isLessThanOrEqualTo(cheapestVisible);
                  }
                }
              }
              Map<String, Double> sold = new HashMap<>();
              Map<String, Double> bought = new HashMap<>();
              for (Trade t : m.trades()) {
                BuyerAccess b = access.get(t.buyerId());
                assertThat(b.visibleOfferIds()).contains(t.sellerId());
                Offer o = byId.get(t.sellerId());
                assertThat(t.buyerPrice()).isEqualTo(o.price());
                Bid bid =
                    bids.stream().filter(x -> x.id().equals(t.buyerId())).findFirst().orElseThrow();
                assertThat(o.price()).isLessThanOrEqualTo(bid.limitPrice());
                sold.merge(o.id(), t.quantity(), Double::sum);
                bought.merge(bid.id(), t.quantity(), Double::sum);
              }
              sold.forEach(
                  (id, q) -> assertThat(q).isLessThanOrEqualTo(byId.get(id).quantity() + 1e-9));
              for (Bid bid : bids) {
                double q = bought.getOrDefault(bid.id(), 0.0);
                assertThat(q).isLessThanOrEqualTo(bid.quantity() + 1e-9);
                assertThat(access.get(bid.id()).filledQuantity()).isCloseTo(q, within(1e-9));
              }
            });
  }
}

package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Aggarwal Alg. 7 feeding Alg. 8: the auction trades only on links the SP selection leaves open.
 */
class SpSelectionFeedsAuctionTest {

  private static final DemandResponseAuction AUCTION = DemandResponseAuction.builder().build();

  @Test
  void property_restrictedMarket_noTradeOnExcludedLinks_welfareIsTheRestrictedOptimum() {
    int[] ran = {0};
    int[] excludedSome = {0};
    qt().withFixedSeed(51)
        .withExamples(60)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rng = new SplittableRandom(seed);
              int n = 1 + rng.nextInt(8);
              int m = 1 + rng.nextInt(5);
              DrInstance market = DrInstance.random(n, m, rng);
              List<Order> bids = new ArrayList<>();
              Map<String, List<Order>> asks = new HashMap<>();
              boolean[][] open = new boolean[n][m];
              for (int i = 0; i < n; i++) {
                String ev = market.evs().get(i).id();
                double bid = rng.nextDouble(10, 60);
                bids.add(new Order(ev, bid, 10));
                List<Order> list = new ArrayList<>();
                for (int j = 0; j < m; j++) {
                  if (rng.nextInt(8) == 0) {
                    continue; // this SP does not ask for this EV
                  }
                  double ask = rng.nextDouble(0, 50);
                  list.add(new Order(market.sps().get(j).id(), ask, 10));
                  open[i][j] = ask <= bid;
                }
                asks.put(ev, list);
              }
              DrInstance restricted;
              try {
                restricted = SpSelection.restrict(market, bids, asks);
              } catch (IllegalArgumentException e) {
                assertThat(e).hasMessageContaining("infeasible");
                return; // the open links cannot deliver every e_min
              }
              ran[0]++;
              DemandResponseResult r = AUCTION.run(restricted);
              double[][] s = DemandResponseAuctionTest.supply(restricted, r);
              boolean any = false;
              for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                  if (!open[i][j]) {
                    any = true;
                    assertThat(s[i][j]).as("supply on excluded link %d-%d", i, j).isZero();
                  }
                }
              }
              excludedSome[0] += any ? 1 : 0;
              SwmOracle.Bounds opt = SwmOracle.solve(restricted);
              double scale = Math.max(1, Math.abs(opt.upper()));
              assertThat(r.converged()).isTrue();
              assertThat(r.welfare())
                  .isBetween(opt.lower() - 1e-3 * scale, opt.upper() + 1e-9 * scale);
              assertThat(r.optimalWelfare())
                  .isBetween(opt.lower() - 1e-6 * scale, opt.upper() + 1e-6 * scale);
            });
    // the property was exercised: most markets stayed feasible and most lost links
    assertThat(ran[0]).isGreaterThan(30);
    assertThat(excludedSome[0]).isGreaterThan(ran[0] / 2);
  }

  @Test
  void restrict_ownPrices_closesExactlyTheCellsPricesClose() {
    DrInstance market = DrInstance.randomWithPrices(8, 4, new SplittableRandom(5));
    DrInstance restricted = SpSelection.restrict(market);
    for (int i = 0; i < 8; i++) {
      for (int j = 0; j < 4; j++) {
        DrInstance.Ev ev = market.evs().get(i);
        DrInstance.Sp sp = market.sps().get(j);
        boolean alg7 = sp.c2() + sp.minPrice() <= ev.maxPrice();
        assertThat(restricted.excludedLinks().contains(new DrInstance.Link(ev.id(), sp.id())))
            .isEqualTo(!alg7);
      }
    }
  }

  @Test
  void restrict_bidForUnknownEvOrMissingBid_refusedWithTheId() {
    DrInstance market = DrInstance.random(2, 2, new SplittableRandom(1));
    assertThatThrownBy(
            () ->
                SpSelection.restrict(
                    market, List.of(new Order("ev0", 30, 1), new Order("nobody", 30, 1)), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nobody");
    assertThatThrownBy(
            () -> SpSelection.restrict(market, List.of(new Order("ev0", 30, 1)), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ev1");
    assertThatThrownBy(
            () ->
                new DrInstance(
                    market.evs(),
                    market.sps(),
                    0.8,
                    0.9,
                    0.001,
                    java.util.Set.of(new DrInstance.Link("ev0", "sp9"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sp9");
  }
}

package org.gridtrade.examples.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.gridtrade.game.v2v.TouPrices;
import org.gridtrade.game.v2v.V2vEpisode;
import org.gridtrade.game.v2v.V2vPolicy;
import org.gridtrade.game.v2v.V2vScenario;
import org.junit.jupiter.api.Test;

/**
 * The hotspot cleared by lib-auction's double auction, against the environment's own fixed-price
 * accounting (when every kWh finds a counterparty the two must agree) and against hand-computed
 * hours (when one side is short, the rest goes to the grid).
 */
class V2vHotspotTest {
  private static final V2vScenario EV = V2vScenario.defaults(); // 07:00-18:00, SOC 0.5, 42 kWh

  /** Charges {@code kwh} at {@code hour} (negative: discharges), idle otherwise. */
  private static V2vPolicy at(int hour, double kwh) {
    return s -> s.hour() == hour ? kwh : 0;
  }

  @Test
  void mirroredTrades_matchInFull_andScoreExactlyAsTheFixedPriceRule() {
    double[] day = EV.prices().sampleDay(new SplittableRandom(3));
    List<V2vScenario> fleet = List.of(EV, EV);
    List<V2vPolicy> policies = List.of(at(9, 5), at(9, -5));
    List<V2vHotspot.EvDay> cleared = V2vHotspot.playDay(fleet, policies::get, day);
    for (int i = 0; i < 2; i++) {
      V2vEpisode e = V2vEpisode.play(EV, policies.get(i), day);
      assertThat(cleared.get(i).totalReward()).isCloseTo(e.totalReward(), within(1e-9));
      assertThat(cleared.get(i).totalProfit()).isCloseTo(e.totalProfit(), within(1e-9));
      assertThat(cleared.get(i).offeredKwh()).isEqualTo(5.0);
      assertThat(cleared.get(i).matchedKwh()).isCloseTo(5.0, within(1e-12));
    }
  }

  @Test
  void shortSide_isRationedInEvOrder_andTheRestTradesWithTheGrid() {
    double[] day = EV.prices().sampleDay(new SplittableRandom(4));
    int h = 12; // mid-peak
    TouPrices t = EV.prices();
    double retail = day[h];
    double feedIn = t.feedInPrice();
    double rule = t.v2vPrice(retail);
    double delta = t.delta(h);
    List<V2vScenario> fleet = List.of(EV, EV, EV);
    // two buyers of 4 kWh, one seller of 6 kWh: EV0 gets 4, EV1 gets 2 and buys 2 from the grid
    List<V2vPolicy> policies = List.of(at(h, 4), at(h, 4), at(h, -6));
    List<V2vHotspot.EvDay> cleared = V2vHotspot.playDay(fleet, policies::get, day);
    double penaltyBuy4 =
        V2vEpisode.play(EV, at(h, 4), day).steps().stream()
            .mapToDouble(s -> s.departurePenalty())
            .sum();
    double penaltySell6 =
        V2vEpisode.play(EV, at(h, -6), day).steps().stream()
            .mapToDouble(s -> s.departurePenalty())
            .sum();
    assertThat(retail).as("a day on which V2V pays").isGreaterThan(feedIn);
    assertThat(cleared.get(0).matchedKwh()).isCloseTo(4, within(1e-12));
    assertThat(cleared.get(1).matchedKwh()).isCloseTo(2, within(1e-12));
    assertThat(cleared.get(2).matchedKwh()).isCloseTo(6, within(1e-12));
    // Buyers are left over, so the leftover bid (the retail price) sets the uniform price: the
    // buyers save nothing, the seller earns the whole gap to the feed-in price.
    assertThat(cleared.get(0).totalReward())
        .isCloseTo(-delta * 4 * retail + penaltyBuy4, within(1e-9));
    assertThat(cleared.get(0).totalProfit()).isCloseTo(0, within(1e-9));
    assertThat(cleared.get(1).totalReward())
        .isCloseTo(-delta * (2 * retail + 2 * retail) + penaltyBuy4, within(1e-9));
    assertThat(cleared.get(2).totalReward())
        .isCloseTo(delta * 6 * retail + penaltySell6, within(1e-9));
    assertThat(cleared.get(2).totalProfit()).isCloseTo(6 * (retail - feedIn), within(1e-9));
    assertThat(rule).isBetween(feedIn, retail);
  }

  @Test
  void shortSupply_theOtherWay_pricesAtTheFeedIn() {
    double[] day = EV.prices().sampleDay(new SplittableRandom(4));
    int h = 12;
    double retail = day[h];
    double feedIn = EV.prices().feedInPrice();
    double delta = EV.prices().delta(h);
    // one buyer of 3 kWh, two sellers of 2 kWh: EV1 sells 2, EV2 sells 1 and 1 to the grid
    List<V2vPolicy> policies = List.of(at(h, 3), at(h, -2), at(h, -2));
    List<V2vHotspot.EvDay> cleared = V2vHotspot.playDay(List.of(EV, EV, EV), policies::get, day);
    double penaltySell2 =
        V2vEpisode.play(EV, at(h, -2), day).steps().stream()
            .mapToDouble(s -> s.departurePenalty())
            .sum();
    assertThat(cleared.get(0).matchedKwh()).isCloseTo(3, within(1e-12));
    assertThat(cleared.get(0).totalProfit()).isCloseTo(3 * (retail - feedIn), within(1e-9));
    assertThat(cleared.get(1).matchedKwh()).isCloseTo(2, within(1e-12));
    assertThat(cleared.get(2).matchedKwh()).isCloseTo(1, within(1e-12));
    assertThat(cleared.get(2).totalProfit()).isCloseTo(0, within(1e-9));
    assertThat(cleared.get(2).totalReward())
        .isCloseTo(delta * (1 * feedIn + 1 * feedIn) + penaltySell2, within(1e-9));
  }

  @Test
  void aLoneEv_tradesOnlyWithTheGrid_andEarnsNoV2vProfit() {
    double[] day = EV.prices().sampleDay(new SplittableRandom(5));
    V2vHotspot.Summary s =
        V2vHotspot.evaluate(List.of(EV), i -> at(8, -7), List.of(day, day.clone()));
    assertThat(s.matchedShare()).isZero();
    assertThat(s.meanProfit()).isZero();
    double sold = 7 * EV.prices().feedInPrice() * EV.prices().delta(8);
    double penalty =
        V2vEpisode.play(EV, at(8, -7), day).steps().stream()
            .mapToDouble(x -> x.departurePenalty())
            .sum();
    assertThat(s.meanReturn()).isCloseTo(sold + penalty, within(1e-9));
  }
}

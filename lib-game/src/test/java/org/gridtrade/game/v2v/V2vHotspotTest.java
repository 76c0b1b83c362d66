package org.gridtrade.game.v2v;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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

  /** A small EV: 4 kWh, 1 kWh per hour, SOC 0.25–0.75, arriving at 0.5. */
  private static V2vScenario small(int arrival, int departure, double soc, double eta) {
    return new V2vScenario(
        arrival, departure, soc, 4, 1, 0.25, 0.75, eta, V2vMode.DIRECT, 0, TouPrices.table41());
  }

  /**
   * The best fleet return over every plan of hourly energies on a grid, each EV's plan fixed in
   * advance (perfect foresight), played and cleared by {@link V2vHotspot#playDay}.
   */
  private static double bestGridPlan(List<V2vScenario> fleet, double[] day, double[] grid) {
    int n = fleet.size();
    int[] slots = fleet.stream().mapToInt(V2vScenario::slots).toArray();
    int total = 0;
    for (int k : slots) {
      total += k;
    }
    int[] digit = new int[total];
    double best = Double.NEGATIVE_INFINITY;
    while (true) {
      double[][] plan = new double[n][24];
      int d = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < slots[i]; k++) {
          plan[i][fleet.get(i).arrivalHour() + k] = grid[digit[d++]];
        }
      }
      double sum = 0;
      for (V2vHotspot.EvDay e : V2vHotspot.playDay(fleet, i -> st -> plan[i][st.hour()], day)) {
        sum += e.totalReward();
      }
      best = Math.max(best, sum);
      int j = 0;
      while (j < total && ++digit[j] == grid.length) {
        digit[j++] = 0;
      }
      if (j == total) {
        return best;
      }
    }
  }

  @Test
  void jointBound_equalsTheBestPlanOfAGrid_thatHoldsTheOptimum() {
    // Without the departure penalty the program is linear; with 1 kWh of room either way and
    // 1 kWh an hour, its optimum lies on multiples of half a kWh.
    double[] grid = {-1, -0.5, 0, 0.5, 1};
    List<V2vScenario> fleet = List.of(small(8, 11, 0.5, 0), small(9, 12, 0.5, 0));
    for (int seed = 1; seed <= 3; seed++) {
      double[] day = EV.prices().sampleDay(new SplittableRandom(seed));
      assertThat(V2vHotspot.jointBound(fleet, day))
          .isCloseTo(bestGridPlan(fleet, day, grid), within(1e-6));
    }
  }

  @Test
  void jointBound_isAboveEveryPlan_andNearTheBestOfAFineGrid_withThePenalty() {
    // From 0.3 the EVs may sell below the band's floor only down to 0.25.
    double[] grid = {-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1};
    List<V2vScenario> fleet = List.of(small(16, 18, 0.3, 40), small(17, 20, 0.6, 40));
    for (int seed = 1; seed <= 3; seed++) {
      double[] day = EV.prices().sampleDay(new SplittableRandom(seed));
      double bound = V2vHotspot.jointBound(fleet, day);
      double best = bestGridPlan(fleet, day, grid);
      assertThat(bound).isGreaterThanOrEqualTo(best - 1e-6).isLessThan(best + 0.5);
    }
  }

  @Test
  void jointBound_boundsRandomPolicies_onRandomFleetsAndDays() {
    V2vPopulation population = new V2vPopulation(false, EV);
    qt().withFixedSeed(23)
        .withExamples(60)
        .forAll(
            integers().between(1, 4),
            longs().between(0, 1_000_000),
            integers().between(0, 1_000_000))
        .checkAssert(
            (n, seed, policySeed) -> {
              SplittableRandom rng = new SplittableRandom(seed);
              List<V2vScenario> fleet = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                fleet.add(population.sample(rng));
              }
              double[] day = EV.prices().sampleDay(rng);
              SplittableRandom acts = new SplittableRandom(policySeed);
              double[][] plan = new double[n][24];
              for (double[] row : plan) {
                for (int h = 0; h < 24; h++) {
                  row[h] = acts.nextDouble(-8, 8);
                }
              }
              double sum = 0;
              for (V2vHotspot.EvDay e :
                  V2vHotspot.playDay(fleet, i -> st -> plan[i][st.hour()], day)) {
                sum += e.totalReward();
              }
              double rule = 0;
              for (V2vHotspot.EvDay e :
                  V2vHotspot.playDay(fleet, i -> RuleBasedPolicy.of(fleet.get(i)), day)) {
                rule += e.totalReward();
              }
              double bound = V2vHotspot.jointBound(fleet, day);
              assertThat(bound).isGreaterThanOrEqualTo(sum - 1e-6);
              assertThat(bound).isGreaterThanOrEqualTo(rule - 1e-6);
            });
  }

  @Test
  void jointBound_refusesFleetsItCannotBound() {
    V2vScenario assisted =
        new V2vScenario(7, 18, 0.5, 42, 7, 0.2, 0.8, 100, V2vMode.ASSISTED, 2, TouPrices.table41());
    double[] day = EV.prices().sampleDay(new SplittableRandom(1));
    assertThatThrownBy(() -> V2vHotspot.jointBound(List.of(EV, assisted), day))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fleet[1].omega");
    assertThatThrownBy(() -> V2vHotspot.jointBound(List.of(), day))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fleet");
    assertThatThrownBy(() -> V2vHotspot.jointBound(List.of(EV), new double[23]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retailPrices length 23");
  }
}

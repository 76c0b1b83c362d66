package org.gridtrade.game.stackelberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FollowerBestResponseTest {

  @Test
  void property_bestResponse_matchesLpSolver() {
    qt().withFixedSeed(401)
        .withExamples(3000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rng = new SplittableRandom(seed);
              Ev ev = Oracles.randomEv("EV" + seed, rng);
              boolean ties = rng.nextInt(3) == 0;
              double[] prices = Oracles.randomPrices(rng, ties);
              Schedule s = FollowerBestResponse.respond(ev, Oracles.list(prices));
              double[] lp = Oracles.lpBestResponse(ev, prices);
              double lpCost = 0;
              for (int h = 0; h < 24; h++) {
                lpCost += prices[h] * lp[h];
              }
              double scale = Math.max(1, Math.abs(lpCost));
              assertThat(s.bill()).isCloseTo(lpCost, within(1e-7 * scale));
              assertFeasible(ev, s);
              if (!ties) {
                for (int h = 0; h < 24; h++) {
                  assertThat(s.energy().get(h)).isCloseTo(lp[h], within(1e-6 * scale));
                }
              }
            });
  }

  @Test
  void property_fleetResponse_equalsSumOfSingleResponses() {
    qt().withFixedSeed(408)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rng = new SplittableRandom(seed);
              List<Ev> evs = new java.util.ArrayList<>();
              for (int j = 0; j < 1 + rng.nextInt(40); j++) {
                evs.add(Oracles.randomEv("EV" + j, rng));
              }
              double[] prices = Oracles.randomPrices(rng, rng.nextBoolean());
              double[] load = new double[24];
              FleetResponse.of(evs).load(prices, load);
              double[] expected = new double[24];
              for (Ev ev : evs) {
                Schedule s = FollowerBestResponse.respond(ev, Oracles.list(prices));
                for (int h = 0; h < 24; h++) {
                  expected[h] += s.energy().get(h);
                }
              }
              for (int h = 0; h < 24; h++) {
                assertThat(load[h]).isCloseTo(expected[h], within(1e-9 * (1 + expected[h])));
              }
            });
  }

  static void assertFeasible(Ev ev, Schedule s) {
    double sum = 0;
    double tol = 1e-9 * Math.max(1, ev.alphaMax());
    for (int h = 0; h < 24; h++) {
      double x = s.energy().get(h);
      if (ev.inWindow(h)) {
        assertThat(x).isBetween(ev.alphaMin() - tol, ev.alphaMax() + tol);
      } else {
        assertThat(x).isZero();
      }
      sum += x;
    }
    assertThat(sum).isCloseTo(ev.energy(), within(1e-9 * Math.max(1, ev.energy())));
  }

  @Test
  void respond_ties_goToEarlierHour() {
    Ev ev = new Ev("EV1", 2, 5, 10, 0, 5);
    double[] prices = new double[24];
    java.util.Arrays.fill(prices, 10);
    Schedule s = FollowerBestResponse.respond(ev, Oracles.list(prices));
    assertThat(s.energy().subList(2, 6)).containsExactly(5.0, 5.0, 0.0, 0.0);
    assertThat(s.bill()).isEqualTo(100.0);
  }

  @Test
  void respond_cheapestHoursFirst_withOneIntermediateHour() {
    Ev ev = new Ev("EV1", 0, 3, 7, 1, 3);
    double[] prices = {4, 1, 3, 2, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    Schedule s = FollowerBestResponse.respond(ev, Oracles.list(prices));
    // m = floor((7 − 4)/2) = 1 hour at 3 (hour 1), x* = 7 − 3 − 2 = 2 (hour 3), rest at 1.
    assertThat(s.energy().subList(0, 4)).containsExactly(1.0, 3.0, 1.0, 2.0);
  }

  @Test
  void ev_badInput_rejectedNamingTheRule() {
    assertThatThrownBy(() -> new Ev("EV7", 0, 24, 1, 0, 1))
        .hasMessageContaining("EV7")
        .hasMessageContaining("end 24");
    assertThatThrownBy(() -> new Ev("EV7", -1, 3, 1, 0, 1)).hasMessageContaining("start -1");
    assertThatThrownBy(() -> new Ev("EV7", 5, 3, 1, 0, 1)).hasMessageContaining("before start");
    assertThatThrownBy(() -> new Ev("EV7", 0, 3, 1, 2, 1))
        .hasMessageContaining("alphaMin 2.0 must not exceed alphaMax 1.0");
    assertThatThrownBy(() -> new Ev("EV7", 0, 3, -1, 0, 1)).hasMessageContaining("energy -1.0");
    assertThatThrownBy(() -> new Ev("EV7", 0, 3, Double.NaN, 0, 1))
        .hasMessageContaining("energy NaN");
    assertThatThrownBy(() -> new Ev("EV8", 0, 3, 1, 0.5, 1))
        .hasMessageContaining("EV8 is infeasible")
        .hasMessageContaining("exceeds energy");
    assertThatThrownBy(() -> new Ev("EV9", 0, 1, 10, 0, 1))
        .hasMessageContaining("EV9 is infeasible")
        .hasMessageContaining("below energy");
    assertThatThrownBy(() -> new PriceBounds(14, 8)).hasMessageContaining("pMin 14.0 > pMax 8.0");
    assertThatThrownBy(
            () -> FollowerBestResponse.respond(new Ev("EV1", 0, 1, 1, 0, 1), List.of(1.0, 2.0)))
        .hasMessageContaining("24");
  }
}

package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Markets drawn across the whole accepted range of every parameter (log-uniform, so the extremes
 * are as likely as the thesis's values): the auction and the direct optimum always finish within
 * their limits, report finite numbers, say whether they converged, and when they say so their
 * allocation is feasible. (Some such extreme markets do not converge within the limits; they must
 * say so.)
 */
class DemandResponseExtremesTest {

  private static final Duration LIMIT = Duration.ofSeconds(1);

  static double logUniform(SplittableRandom r, double lo, double hi) {
    return Math.exp(r.nextDouble(Math.log(lo), Math.log(hi)));
  }

  static DrInstance extreme(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 1 + r.nextInt(5);
    int m = 1 + r.nextInt(4);
    double eta = logUniform(r, DrInstance.MIN_EFFICIENCY, 1);
    double rho = logUniform(r, DrInstance.MIN_EFFICIENCY, 1);
    List<DrInstance.Sp> sps = new ArrayList<>();
    double capacity = 0;
    for (int j = 0; j < m; j++) {
      DrInstance.Sp sp =
          new DrInstance.Sp(
              "sp" + j,
              logUniform(r, 1e-3, DrInstance.MAX_ENERGY),
              logUniform(r, DrInstance.MIN_C1, DrInstance.MAX_COST_FACTOR),
              r.nextBoolean() ? 0 : logUniform(r, 1e-6, DrInstance.MAX_COST_FACTOR));
      capacity += sp.capacity();
      sps.add(sp);
    }
    double[] eMax = new double[n];
    double[] share = new double[n];
    double need = 0;
    for (int i = 0; i < n; i++) {
      eMax[i] = logUniform(r, 1e-3, DrInstance.MAX_ENERGY);
      share[i] = r.nextDouble();
      need += eMax[i] * share[i];
    }
    double scale = Math.min(1, 0.9 * eta * rho * capacity / Math.max(need, 1e-300));
    List<DrInstance.Ev> evs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      evs.add(
          new DrInstance.Ev(
              "ev" + i,
              logUniform(r, DrInstance.MIN_SOC, 1),
              eMax[i] * share[i] * scale,
              eMax[i],
              logUniform(r, 1e-6, DrInstance.MAX_SIGMA)));
    }
    return new DrInstance(evs, sps, eta, rho, DrInstance.DEFAULT_XI);
  }

  // A seeded loop rather than a QuickTheories property: shrinking re-runs slow failing examples
  // for minutes. Each seed names its market, so a failure is reproducible from the message.
  @Test
  void run_anyParametersInRange_finishesWithFiniteResultFeasibleWhenConverged() {
    DemandResponseAuction auction = DemandResponseAuction.builder().timeLimit(LIMIT).build();
    int examples = Integer.getInteger("gridtrade.extremes.examples", 40);
    for (long seed = 0; seed < examples; seed++) {
      DrInstance inst = extreme(seed);
      String what = "seed %d: %s".formatted(seed, inst);
      DemandResponseResult r =
          assertTimeoutPreemptively(LIMIT.plusSeconds(8), () -> auction.run(inst), what);
      assertThat(r.welfare()).as(what).isFinite();
      assertThat(r.optimalWelfare()).as(what).isFinite();
      for (DrFlow f : r.allocation()) {
        assertThat(f.supply()).as(what).isFinite().isGreaterThanOrEqualTo(0);
      }
      if (r.converged()) {
        assertFeasible(inst, r, what);
      }
      if (r.converged() && r.optimumConverged()) {
        assertThat(r.welfare())
            .as("%s: no allocation beats the optimum", what)
            .isLessThanOrEqualTo(
                r.optimalWelfare() + 1e-6 * Math.max(1, Math.abs(r.optimalWelfare())));
      }
    }
  }

  /** Capacities and energy bounds hold up to 1e-6 relative plus 1e-6 of the market's scale. */
  private static void assertFeasible(DrInstance inst, DemandResponseResult r, String what) {
    double scale = 0;
    for (DrInstance.Sp sp : inst.sps()) {
      scale = Math.max(scale, sp.capacity());
    }
    Map<String, Double> supply = new HashMap<>();
    Map<String, Double> energy = new HashMap<>();
    for (DrFlow f : r.allocation()) {
      supply.merge(f.spId(), f.supply(), Double::sum);
      energy.merge(f.evId(), inst.eta() * f.energy(), Double::sum);
    }
    for (DrInstance.Sp sp : inst.sps()) {
      assertThat(supply.get(sp.id()))
          .as("%s: supply of %s", what, sp.id())
          .isLessThanOrEqualTo(sp.capacity() * (1 + 1e-6) + 1e-6 * scale);
    }
    for (DrInstance.Ev ev : inst.evs()) {
      assertThat(energy.get(ev.id()))
          .as("%s: energy of %s", what, ev.id())
          .isBetween(ev.eMin() * (1 - 1e-6) - 1e-6 * scale, ev.eMax() * (1 + 1e-6) + 1e-6 * scale);
    }
  }

  @Test
  void run_timeLimitReached_reportsNotConvergedInsteadOfRunningOn() {
    DrInstance inst = DrInstance.random(400, 40, new SplittableRandom(3));

    DemandResponseResult r =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20),
            () ->
                DemandResponseAuction.builder()
                    .update(DemandResponseAuction.BidUpdate.LITERAL)
                    .maxRounds(100_000)
                    .timeLimit(Duration.ofMillis(1))
                    .build()
                    .run(inst));

    assertThat(r.converged()).isFalse();
    assertThat(r.optimumConverged()).isFalse();
    assertThat(r.iterations()).isGreaterThanOrEqualTo(1);
  }
}

package org.gridtrade.game.stackelberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MinimumCostTest {

  static StackelbergProblem randomProblem(SplittableRandom rng, int n, boolean capacityBinds) {
    List<Ev> evs = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      evs.add(Oracles.randomEv("EV" + j, rng));
    }
    List<Double> m = new ArrayList<>();
    List<Double> q = new ArrayList<>();
    List<Double> r = new ArrayList<>();
    for (int h = 0; h < 24; h++) {
      m.add(1e-4 + rng.nextDouble() * 1e-3);
      q.add(rng.nextInt(3) == 0 ? rng.nextDouble() * 0.05 : 0.0);
      r.add(rng.nextDouble());
    }
    List<Double> cap = Collections.nCopies(24, Double.POSITIVE_INFINITY);
    StackelbergProblem loose =
        StackelbergProblem.of(evs, new GenerationCost(m, q, r, cap), PriceBounds.thesisDefaults());
    if (!capacityBinds) {
      return loose;
    }
    // A capacity a little above the flattest load possible, below the unconstrained optimum's peak.
    Outcome flat = StackelbergGame.unscheduled(loose);
    double peak = flat.load().stream().mapToDouble(Double::doubleValue).max().orElse(1);
    List<Double> tight = new ArrayList<>();
    for (int h = 0; h < 24; h++) {
      tight.add(Math.max(1e-3, 0.9 * peak));
    }
    return StackelbergProblem.of(
        evs, new GenerationCost(m, q, r, tight), PriceBounds.thesisDefaults());
  }

  @Test
  void property_minimumCost_matchesOjAlgoQp_uncapacitated() {
    qt().withFixedSeed(402)
        .withExamples(100)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rng = new SplittableRandom(seed);
              StackelbergProblem p = randomProblem(rng, 1 + rng.nextInt(6), false);
              double qp = Oracles.qpMinimumCost(p.evs(), p.cost());
              double lb = StackelbergGame.minimumCost(p);
              double tol = 1e-6 * Math.max(1, qp);
              assertThat(lb).isLessThanOrEqualTo(qp + tol);
              assertThat(lb).isGreaterThanOrEqualTo(qp - 1e-4 * Math.max(1, qp));
            });
  }

  @Test
  void property_minimumCost_isValidLowerBound_whenCapacityBinds() {
    qt().withFixedSeed(403)
        .withExamples(40)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rng = new SplittableRandom(seed);
              StackelbergProblem p = randomProblem(rng, 2 + rng.nextInt(5), true);
              double qp;
              try {
                qp = Oracles.qpMinimumCost(p.evs(), p.cost());
              } catch (AssertionError infeasible) {
                return; // capacity too tight for any schedule: nothing to bound
              }
              double lb = StackelbergGame.minimumCost(p);
              assertThat(lb).isLessThanOrEqualTo(qp + 1e-6 * Math.max(1, qp));
              assertThat(lb).isGreaterThanOrEqualTo(qp - 0.02 * Math.max(1, qp));
            });
  }
}

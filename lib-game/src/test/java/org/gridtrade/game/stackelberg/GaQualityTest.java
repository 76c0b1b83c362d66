package org.gridtrade.game.stackelberg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The GA against exhaustive search on small instances: every window lies in hours 0..5, so the
 * followers react only to the order of those six prices, and the best prices for an order are the
 * highest ones that realise it. Enumerating the 720 orders is therefore an exact oracle on the 0.01
 * price grid.
 */
class GaQualityTest {
  static final int ACTIVE = 6;

  static StackelbergProblem instance(SplittableRandom rng) {
    int n = 2 + rng.nextInt(7);
    List<Ev> evs = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      int start = rng.nextInt(ACTIVE - 1);
      int end = start + 1 + rng.nextInt(ACTIVE - start - 1);
      int m = end - start + 1;
      double alphaMax = 1 + rng.nextInt(10);
      double alphaMin = rng.nextInt(3) == 0 ? alphaMax * rng.nextDouble() * 0.3 : 0;
      double energy = m * alphaMin + rng.nextDouble() * m * (alphaMax - alphaMin);
      evs.add(new Ev("EV" + j, start, end, energy, alphaMin, alphaMax));
    }
    double factor = new double[] {1, 100, 1000, 3000}[rng.nextInt(4)];
    return StackelbergProblem.of(
        evs, GenerationCost.thesisDefaults().scaled(factor), PriceBounds.thesisDefaults());
  }

  static double objective(StackelbergProblem p, List<Double> prices, double w) {
    Outcome o = StackelbergGame.evaluate(p, prices);
    return o.profit() - w * o.par();
  }

  /** Best objective over all orders of the six active hours. */
  static double exhaustive(StackelbergProblem p, double w) {
    int[] perm = new int[ACTIVE];
    for (int i = 0; i < ACTIVE; i++) {
      perm[i] = i;
    }
    double best = Double.NEGATIVE_INFINITY;
    do {
      Double[] prices = new Double[24];
      for (int h = ACTIVE; h < 24; h++) {
        prices[h] = p.priceCap();
      }
      double price = p.priceCap();
      prices[perm[ACTIVE - 1]] = price;
      for (int r = ACTIVE - 2; r >= 0; r--) {
        if (perm[r] > perm[r + 1]) {
          price = Math.round((price - 0.01) * 100) / 100.0;
        }
        prices[perm[r]] = price;
      }
      best = Math.max(best, objective(p, List.of(prices), w));
    } while (nextPermutation(perm));
    return best;
  }

  static boolean nextPermutation(int[] a) {
    int i = a.length - 2;
    while (i >= 0 && a[i] >= a[i + 1]) {
      i--;
    }
    if (i < 0) {
      return false;
    }
    int j = a.length - 1;
    while (a[j] <= a[i]) {
      j--;
    }
    int t = a[i];
    a[i] = a[j];
    a[j] = t;
    for (int l = i + 1, r = a.length - 1; l < r; l++, r--) {
      t = a[l];
      a[l] = a[r];
      a[r] = t;
    }
    return true;
  }

  @Test
  void defaultConfiguration_reaches999PerMilleOfExhaustiveBest_onEveryInstance() {
    SplittableRandom rng = new SplittableRandom(407);
    int thesisConfigHits = 0;
    int instances = 40;
    for (int k = 0; k < instances; k++) {
      StackelbergProblem p = instance(rng);
      double w = k % 2 == 0 ? 0 : 50;
      double best = exhaustive(p, w);
      LeaderConfig config = LeaderConfig.defaults().withLoadShapingWeight(w).withRandomSeed(k);
      StackelbergSolution s = StackelbergGame.solve(p, config);
      double got = objective(p, s.prices(), w);
      assertThat(got)
          .as("instance %d (w=%s): default GA %s vs exhaustive %s", k, w, got, best)
          .isGreaterThanOrEqualTo(best - 1e-3 * Math.abs(best));
      assertThat(got).isLessThanOrEqualTo(best + 1e-9 * Math.abs(best));
      StackelbergSolution thesisGa =
          StackelbergGame.solve(
              p, LeaderConfig.thesisDefaults().withLoadShapingWeight(w).withRandomSeed(k));
      if (objective(p, thesisGa.prices(), w) >= best - 1e-3 * Math.abs(best)) {
        thesisConfigHits++;
      }
    }
    System.out.printf(
        "thesis GA configuration reached 99.9%% of the exhaustive best on %d of %d instances%n",
        thesisConfigHits, instances);
  }
}

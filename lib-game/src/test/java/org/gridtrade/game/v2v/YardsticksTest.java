package org.gridtrade.game.v2v;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.gridtrade.game.v2v.internal.NormalMath;
import org.junit.jupiter.api.Test;

class YardsticksTest {

  /** Four slots, 15:00–19:00: two mid-peak, two on-peak hours. */
  private static final V2vScenario AFTERNOON = V2vScenario.defaults().withDay(15, 19, 0.5);

  @Test
  void cdf_knownValues_matchTables() {
    assertThat(NormalMath.cdf(0)).isEqualTo(0.5);
    assertThat(NormalMath.cdf(1)).isCloseTo(0.8413447460685429, within(1e-15));
    assertThat(NormalMath.cdf(-2)).isCloseTo(0.022750131948179195, within(1e-15));
    assertThat(NormalMath.cdf(3)).isCloseTo(0.9986501019683699, within(1e-15));
    // Tail values (from erfc) to 1e-13 relative: the continued fraction beyond |z| = 3.
    assertThat(NormalMath.cdf(-6)).isCloseTo(9.865876450377012e-10, within(1e-22));
    assertThat(NormalMath.cdf(-3)).isCloseTo(0.0013498980316300957, within(1e-15));
    assertThat(NormalMath.cdf(-2.999)).isCloseTo(0.0013543365337271066, within(1e-15));
    assertThat(NormalMath.cdf(6)).isCloseTo(1 - 9.865876450376946e-10, within(1e-15));
  }

  @Test
  void expectedMax_randomLines_matchesNumericalIntegration() {
    qt().withFixedSeed(61)
        .withExamples(200)
        .forAll(integers().between(1, 9), integers().between(0, 1_000_000))
        .checkAssert(
            (n, seed) -> {
              SplittableRandom rng = new SplittableRandom(seed);
              double[] c = new double[n];
              double[] m = new double[n];
              for (int i = 0; i < n; i++) {
                c[i] = rng.nextDouble(-20, 20);
                // Some equal slopes on purpose.
                m[i] = rng.nextInt(3) == 0 ? 1 : rng.nextDouble(-5, 5);
              }
              double mean = rng.nextDouble(-5, 15);
              double sd = rng.nextDouble(0.1, 3);
              double exact = NormalMath.expectedMax(c, m, n, mean, sd, new int[n]);
              // Midpoint rule over mean ± 12 sd.
              int pts = 200_000;
              double w = 24 * sd / pts;
              double sum = 0;
              for (int k = 0; k < pts; k++) {
                double p = mean - 12 * sd + (k + 0.5) * w;
                double best = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                  best = Math.max(best, c[i] + m[i] * p);
                }
                double z = (p - mean) / sd;
                sum += best * Math.exp(-0.5 * z * z) / (sd * Math.sqrt(2 * Math.PI)) * w;
              }
              assertThat(exact).isCloseTo(sum, within(1e-6 * (1 + Math.abs(sum))));
            });
  }

  /**
   * Every sequence of whole-step actions that the environment applies unclipped; the best return.
   */
  private static double bruteForce(V2vScenario s, double[] prices, int stepsPerRate) {
    int slots = s.slots();
    int width = 2 * stepsPerRate + 1;
    double da = s.rateKwhPerHour() / stepsPerRate;
    double best = Double.NEGATIVE_INFINITY;
    int total = (int) Math.pow(width, slots);
    for (int code = 0; code < total; code++) {
      V2vEnvironment env = new V2vEnvironment(s);
      env.reset(prices);
      int rest = code;
      double ret = 0;
      boolean clipped = false;
      while (!env.done()) {
        double a = (rest % width - stepsPerRate) * da;
        rest /= width;
        V2vStep st = env.step(a);
        clipped |= Math.abs(st.appliedKwh() - a) > 1e-9;
        ret += st.reward();
      }
      if (!clipped) {
        best = Math.max(best, ret);
      }
    }
    return best;
  }

  @Test
  void perfectForesight_sampledDays_equalsBruteForceOverAllActionSequences() {
    qt().withFixedSeed(62)
        .withExamples(12)
        .forAll(integers().between(0, 1_000_000), integers().between(1, 5))
        .checkAssert(
            (seed, k) -> {
              SplittableRandom rng = new SplittableRandom(seed);
              double soc = 0.2 + 0.6 * rng.nextDouble();
              V2vScenario s = AFTERNOON.withDay(15, 19, soc);
              double[] prices = s.prices().sampleDay(rng);
              V2vEpisode pf = PerfectForesight.solve(s, prices, k);
              assertThat(pf.totalReward()).isCloseTo(bruteForce(s, prices, k), within(1e-9));
            });
  }

  @Test
  void optimalCausal_noPriceNoise_equalsBruteForceAtTheMeanPrices() {
    TouPrices fixed = new TouPrices(6.8, 0, 10, 0, 12.9, 0, 3.4, 0.5);
    V2vScenario s = new V2vScenario(15, 19, 0.45, 42, 7, 0.2, 0.8, 100, V2vMode.DIRECT, 0, fixed);
    double[] means = new double[24];
    for (int h = 0; h < 24; h++) {
      means[h] = fixed.mean(TouBand.of(h));
    }
    for (int k = 1; k <= 5; k++) {
      OptimalCausalPolicy dp = OptimalCausalPolicy.solve(s, k);
      assertThat(dp.expectedReturn()).isCloseTo(bruteForce(s, means, k), within(1e-9));
      assertThat(V2vEpisode.play(s, dp, means).totalReward())
          .isCloseTo(dp.expectedReturn(), within(1e-9));
    }
  }

  /**
   * An independent recursion over continuous SOC (memoised by SOC) whose price expectation is a
   * midpoint rule over ±10 standard deviations instead of the closed form.
   */
  private static double quadratureValue(
      V2vScenario s, int hour, double soc, int k, Map<String, Double> memo) {
    if (hour == s.departureHour()) {
      return -s.eta() * (soc - s.socMax()) * (soc - s.socMax());
    }
    String key = hour + ":" + Math.round(soc * 1e9);
    Double known = memo.get(key);
    if (known != null) {
      return known;
    }
    TouPrices t = s.prices();
    TouBand band = TouBand.of(hour);
    double da = s.rateKwhPerHour() / k;
    int actions = 2 * k + 1;
    double[] next = new double[actions];
    boolean[] ok = new boolean[actions];
    for (int j = 0; j < actions; j++) {
      double a = (j - k) * da;
      ok[j] = a >= s.minAction(soc) - 1e-9 && a <= s.maxAction(soc) + 1e-9;
      if (ok[j]) {
        next[j] = quadratureValue(s, hour + 1, soc + a / s.capacityKwh(), k, memo);
      }
    }
    int pts = 4000;
    double sd = t.sd(band);
    double w = 20 * sd / pts;
    double sum = 0;
    for (int q = 0; q < pts; q++) {
      double p = t.mean(band) - 10 * sd + (q + 0.5) * w;
      double best = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < actions; j++) {
        if (ok[j]) {
          double a = (j - k) * da;
          double r = -t.delta(hour) * a * (t.v2vPrice(p) + s.omega());
          best = Math.max(best, r + next[j]);
        }
      }
      double z = (p - t.mean(band)) / sd;
      sum += best * Math.exp(-0.5 * z * z) / (sd * Math.sqrt(2 * Math.PI)) * w;
    }
    memo.put(key, sum);
    return sum;
  }

  @Test
  void optimalCausal_coarseGrid_equalsQuadratureRecursion() {
    for (int k = 1; k <= 3; k++) {
      for (double soc : new double[] {0.3, 0.5, 0.75}) {
        V2vScenario s = AFTERNOON.withDay(15, 19, soc);
        double expected = quadratureValue(s, 15, soc, k, new HashMap<>());
        assertThat(OptimalCausalPolicy.solve(s, k).expectedReturn())
            .isCloseTo(expected, within(1e-5)); // the midpoint rule's own error near the kinks
      }
    }
  }

  @Test
  void optimalCausal_defaultScenario_attainsItsValueAndSitsBetweenTheBaselinesAndForesight() {
    V2vScenario s = V2vScenario.defaults();
    OptimalCausalPolicy dp = OptimalCausalPolicy.solve(s, 10);
    RuleBasedPolicy rule = RuleBasedPolicy.of(s);
    SplittableRandom rng = new SplittableRandom(63);
    int days = 3000;
    double[] played = new double[days];
    double pf = 0;
    double ruleSum = 0;
    for (int d = 0; d < days; d++) {
      double[] prices = s.prices().sampleDay(rng);
      played[d] = V2vEpisode.play(s, dp, prices).totalReward();
      double foresight = PerfectForesight.solve(s, prices, 10).totalReward();
      assertThat(foresight).isGreaterThanOrEqualTo(played[d] - 1e-9);
      pf += foresight;
      ruleSum += V2vEpisode.play(s, rule, prices).totalReward();
    }
    double mean = Arrays.stream(played).average().orElseThrow();
    double var = Arrays.stream(played).map(x -> (x - mean) * (x - mean)).sum() / (days - 1);
    assertThat(mean).isCloseTo(dp.expectedReturn(), within(4 * Math.sqrt(var / days)));
    assertThat(dp.expectedReturn()).isLessThan(pf / days);
    assertThat(dp.expectedReturn()).isGreaterThan(ruleSum / days);
    assertThat(dp.expectedReturn()).isGreaterThan(-9); // doing nothing
  }

  @Test
  void optimalCausal_finerGrid_movesLessThanTheStatedBound() {
    V2vScenario s = V2vScenario.defaults();
    double coarse = OptimalCausalPolicy.solve(s, 5).expectedReturn();
    double fine = OptimalCausalPolicy.solve(s, 40).expectedReturn();
    assertThat(fine).isGreaterThanOrEqualTo(coarse - 1e-9);
    // The bound for K = 5: 2·(7/5)·Σ δ_t·E|p_v2v,t| + η·(2h + h²), h = 7/(42·5).
    TouPrices t = s.prices();
    double sum = 0;
    for (int hour = 7; hour < 18; hour++) {
      sum += t.delta(hour) * t.v2vPrice(t.mean(TouBand.of(hour)));
    }
    double h = 7 / (42.0 * 5);
    assertThat(fine - coarse).isLessThanOrEqualTo(2 * 7 / 5.0 * sum + 100 * (2 * h + h * h));
  }

  @Test
  void solve_badGrid_rejectedNamingTheField() {
    assertThatThrownBy(() -> OptimalCausalPolicy.solve(V2vScenario.defaults(), 0))
        .hasMessageContaining("stepsPerRate 0 must be in 1..10000");
    OptimalCausalPolicy dp = OptimalCausalPolicy.solve(V2vScenario.defaults(), 2);
    assertThatThrownBy(() -> dp.action(new V2vState(18, 1, 0.5, 0, 0, 0, 0, 0)))
        .hasMessageContaining("hour 18 must be in 7..17");
  }
}

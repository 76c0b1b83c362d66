package org.gridtrade.game.v2v.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.gridtrade.game.v2v.SacConfig;
import org.junit.jupiter.api.Test;

class SacTest {

  private static SacConfig small(long seed) {
    return new SacConfig(1, 16, 3e-3, 64, 20_000, 500, 1, 0.01, 0.1, 1, seed);
  }

  /**
   * The actor's reparameterised gradient against central finite differences of its objective {@code
   * α log π(ã|s) − min(Q1, Q2)(s, ã)}, {@code ã = tanh(μ + σ ε)}, at fixed noise, for every actor
   * weight, on random observations, noises and temperatures.
   */
  @Test
  void actorGradient_matchesCentralFiniteDifferencesOfTheObjective() {
    SplittableRandom rng = new SplittableRandom(31);
    int checked = 0;
    for (int example = 0; example < 20; example++) {
      Sac sac = new Sac(new SacConfig(2, 5, 1e-3, 4, 8, 0, 1, 0.1, 0.5, 1, example), 3);
      double[] p = sac.actorParameters();
      // Move the actor from its near-zero output layer, so that μ and log σ vary.
      for (int i = 0; i < p.length; i++) {
        p[i] += 0.5 * rng.nextGaussian();
      }
      double[] obs = {rng.nextDouble(-1, 1), rng.nextDouble(-1, 1), rng.nextDouble(-1, 1)};
      double eps = rng.nextGaussian();
      double alpha = rng.nextDouble(0.01, 1);
      double[] grad = new double[p.length];
      sac.actorGradient(p, obs, eps, alpha, grad, 1);
      double h = 1e-6;
      for (int i = 0; i < p.length; i++) {
        double keep = p[i];
        p[i] = keep + h;
        double up = sac.actorObjective(p, obs, eps, alpha);
        p[i] = keep - h;
        double down = sac.actorObjective(p, obs, eps, alpha);
        p[i] = keep;
        assertThat(grad[i])
            .as("example %d, parameter %d", example, i)
            .isCloseTo((up - down) / (2 * h), within(1e-5 * (1 + Math.abs(grad[i]))));
        checked++;
      }
    }
    assertThat(checked).isPositive();
  }

  @Test
  void train_trackingTask_learnsTheKnownOptimalAction() {
    Sac sac = new Sac(small(41), 1);
    List<Double> returns = sac.train(new PpoTest.Tracking(), 15_000);
    for (double x : new double[] {-0.8, -0.3, 0, 0.4, 0.9}) {
      assertThat(sac.act(new double[] {x})).as("x = %s", x).isCloseTo(0.5 * x + 0.2, within(0.1));
    }
    double early =
        returns.subList(0, 500).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double late =
        returns.subList(returns.size() - 500, returns.size()).stream()
            .mapToDouble(Double::doubleValue)
            .average()
            .orElseThrow();
    // Uniform random actions earn about −0.43; the learned, still stochastic policy far more.
    assertThat(early).isLessThan(-0.3);
    assertThat(late).isGreaterThan(-0.1);
  }

  @Test
  void train_sameSeed_sameParametersBitForBit() {
    Sac a = new Sac(small(43), 2);
    Sac b = new Sac(small(43), 2);
    Sac c = new Sac(small(44), 2);
    a.train(new PpoTest.Delayed(), 1_500);
    b.train(new PpoTest.Delayed(), 1_500);
    c.train(new PpoTest.Delayed(), 1_500);
    assertThat(a.actorParameters()).containsExactly(b.actorParameters());
    assertThat(a.criticParameters()).containsExactly(b.criticParameters());
    assertThat(a.actorParameters()).isNotEqualTo(c.actorParameters());
    assertThat(a.steps()).isEqualTo(b.steps()).isGreaterThanOrEqualTo(1_500);
  }
}

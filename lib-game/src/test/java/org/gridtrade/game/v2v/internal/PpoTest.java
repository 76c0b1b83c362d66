package org.gridtrade.game.v2v.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.gridtrade.game.v2v.PpoConfig;
import org.junit.jupiter.api.Test;

class PpoTest {

  /**
   * One-step episodes: observe {@code x ~ U[−1, 1]}, act {@code a}, earn {@code −(a − 0.5·x −
   * 0.2)²}. The optimal mean action is {@code 0.5·x + 0.2}; the best expected return of a Gaussian
   * policy is {@code −σ²}.
   */
  static final class Tracking implements Task {
    private double x;
    private boolean done = true;

    @Override
    public int observationSize() {
      return 1;
    }

    @Override
    public void reset(RandomGenerator rng, double[] obs) {
      x = rng.nextDouble(-1, 1);
      obs[0] = x;
      done = false;
    }

    @Override
    public double step(double action, double[] obs) {
      done = true;
      double e = action - 0.5 * x - 0.2;
      return -e * e;
    }

    @Override
    public boolean done() {
      return done;
    }
  }

  /**
   * Three-step episodes that need credit assignment: a position starts at {@code x ~ U[−1, 1]},
   * each action moves it ({@code x += a}), and only the last step pays {@code −x²}. Any policy
   * reaching 0 is optimal; the reward arrives two steps after the first action.
   */
  static final class Delayed implements Task {
    private double x;
    private int t = 3;

    @Override
    public int observationSize() {
      return 2;
    }

    @Override
    public void reset(RandomGenerator rng, double[] obs) {
      x = rng.nextDouble(-1, 1);
      t = 0;
      obs[0] = x;
      obs[1] = 0;
    }

    @Override
    public double step(double action, double[] obs) {
      x += Math.max(-1, Math.min(1, action));
      t++;
      obs[0] = x;
      obs[1] = t / 3.0;
      return t == 3 ? -x * x : 0;
    }

    @Override
    public boolean done() {
      return t >= 3;
    }
  }

  private static PpoConfig small(long seed) {
    return new PpoConfig(1, 16, 3e-3, 512, 10, 64, 1, 0.95, 0.2, 0, 0.5, 0.5, -1, 1, seed);
  }

  @Test
  void lossAndGradient_randomRollout_matchesCentralFiniteDifferences() {
    PpoConfig cfg = new PpoConfig(2, 6, 1e-3, 40, 1, 40, 0.9, 0.8, 0.2, 0.05, 0.7, 1, -0.3, 1, 5);
    Ppo ppo = new Ppo(cfg, 2);
    Ppo.Rollout r = ppo.collect(new Delayed(), 40, new ArrayList<>());
    double[] p = ppo.parameters().clone();
    // Move away from the collecting parameters so that ratios differ from 1 (some are clipped).
    SplittableRandom rng = new SplittableRandom(6);
    for (int i = 0; i < p.length; i++) {
      p[i] += 0.3 * rng.nextGaussian();
    }
    int[] order = new int[r.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = order.length - 1 - i;
    }
    double[] grad = new double[p.length];
    ppo.lossAndGradient(p, r, order, 3, 35, grad);
    double h = 1e-6;
    double[] scratch = new double[p.length];
    int checked = 0;
    for (int i = 0; i < p.length; i++) {
      double keep = p[i];
      p[i] = keep + h;
      double up = ppo.lossAndGradient(p, r, order, 3, 35, scratch);
      p[i] = keep - h;
      double down = ppo.lossAndGradient(p, r, order, 3, 35, scratch);
      p[i] = keep;
      assertThat(grad[i])
          .as("parameter %d of %d", i, p.length)
          .isCloseTo((up - down) / (2 * h), within(1e-6 * (1 + Math.abs(grad[i]))));
      checked++;
    }
    assertThat(checked).isEqualTo(p.length);
    assertThat(grad[p.length - 1]).isNotZero(); // the log std receives a gradient
  }

  /**
   * A2C's configuration (one epoch of one full-batch minibatch) takes the gradient of the clipped
   * objective at the parameters that collected the rollout. There it must be the plain policy
   * gradient: checked against central finite differences of A2C's own objective, {@code −mean_i(log
   * π(a_i|s_i) Â_i) − c_H H}, written here with the advantages held fixed, for every actor weight
   * and the log std (the critic's term is the same squared error in both).
   */
  @Test
  void a2cUpdate_atTheCollectingParameters_isThePolicyGradient() {
    PpoConfig base = PpoConfig.a2c(7);
    PpoConfig cfg =
        new PpoConfig(
            2, 6, 1e-3, 60, 1, 10_000_000, 0.9, 1, 0.2, 0.05, 0.5, 1, -0.3, 1, base.seed());
    Ppo ppo = new Ppo(cfg, 2);
    Ppo.Rollout r = ppo.collect(new Delayed(), 60, new ArrayList<>());
    int n = r.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    double[] p = ppo.parameters();
    double[] grad = new double[p.length];
    ppo.lossAndGradient(p.clone(), r, order, 0, n, grad);
    // The advantages as the update normalises them, held fixed.
    double mean = 0;
    for (int i = 0; i < n; i++) {
      mean += r.advantage[i];
    }
    mean /= n;
    double var = 0;
    for (int i = 0; i < n; i++) {
      var += (r.advantage[i] - mean) * (r.advantage[i] - mean);
    }
    double[] adv = new double[n];
    for (int i = 0; i < n; i++) {
      adv[i] = (r.advantage[i] - mean) / (Math.sqrt(var / (n - 1)) + 1e-8);
    }
    int actorParams = new Mlp(2, 6, 6, 1).parameterCount();
    double h = 1e-6;
    int checked = 0;
    for (int k = 0; k <= actorParams; k++) {
      int i = k == actorParams ? p.length - 1 : k;
      double keep = p[i];
      p[i] = keep + h;
      double up = a2cObjective(ppo, r, adv, cfg.entropyCoef());
      p[i] = keep - h;
      double down = a2cObjective(ppo, r, adv, cfg.entropyCoef());
      p[i] = keep;
      assertThat(grad[i])
          .as("parameter %d", i)
          .isCloseTo((up - down) / (2 * h), within(1e-6 * (1 + Math.abs(grad[i]))));
      checked++;
    }
    assertThat(checked).isEqualTo(actorParams + 1);
  }

  /** A2C's policy objective at the learner's current parameters. */
  private static double a2cObjective(Ppo ppo, Ppo.Rollout r, double[] adv, double entropyCoef) {
    double logStd = Math.log(ppo.std());
    double loss = 0;
    double[] x = new double[r.obsSize];
    for (int i = 0; i < r.size(); i++) {
      System.arraycopy(r.obs, i * r.obsSize, x, 0, r.obsSize);
      double z = (r.action[i] - ppo.mean(x)) / ppo.std();
      double logp = -0.5 * z * z - logStd - 0.5 * Math.log(2 * Math.PI);
      loss -= logp * adv[i];
    }
    double entropy = logStd + 0.5 * (1 + Math.log(2 * Math.PI));
    return loss / r.size() - entropyCoef * entropy;
  }

  @Test
  void a2c_trackingTask_learnsTheKnownOptimalAction() {
    PpoConfig cfg =
        new PpoConfig(1, 16, 3e-3, 64, 1, 10_000_000, 1, 1, 0.2, 0, 0.5, 0.5, -1, 1, 15);
    Ppo a2c = new Ppo(cfg, 1);
    a2c.train(new Tracking(), 120_000);
    for (double x : new double[] {-0.8, -0.3, 0, 0.4, 0.9}) {
      assertThat(a2c.mean(new double[] {x})).as("x = %s", x).isCloseTo(0.5 * x + 0.2, within(0.1));
    }
  }

  @Test
  void train_trackingTask_learnsTheKnownOptimalAction() {
    Ppo ppo = new Ppo(small(11), 1);
    List<Double> curve = ppo.train(new Tracking(), 60_000);
    for (double x : new double[] {-0.8, -0.3, 0, 0.4, 0.9}) {
      assertThat(ppo.mean(new double[] {x})).as("x = %s", x).isCloseTo(0.5 * x + 0.2, within(0.05));
    }
    // The policy narrows: far below the initial σ = e^−1 ≈ 0.37.
    assertThat(ppo.std()).isLessThan(0.2);
    // An untrained policy (mean ≈ 0, σ ≈ 0.37) earns about −(0.25/3 + 0.04 + 0.135) ≈ −0.26.
    assertThat(curve.get(0)).isLessThan(-0.15);
    assertThat(curve.get(curve.size() - 1)).isGreaterThan(-0.05);
  }

  @Test
  void train_delayedReward_reachesTheTarget() {
    Ppo ppo = new Ppo(small(12), 2);
    ppo.train(new Delayed(), 60_000);
    SplittableRandom rng = new SplittableRandom(99);
    double sq = 0;
    int n = 200;
    for (int e = 0; e < n; e++) {
      double x = rng.nextDouble(-1, 1);
      for (int t = 0; t < 3; t++) {
        x += Math.max(-1, Math.min(1, ppo.mean(new double[] {x, t / 3.0})));
      }
      sq += x * x;
    }
    // Doing nothing leaves E[x²] = 1/3; the optimum is 0.
    assertThat(sq / n).isLessThan(0.01);
  }

  @Test
  void train_sameSeed_sameParametersBitForBit() {
    Ppo a = new Ppo(small(13), 2);
    Ppo b = new Ppo(small(13), 2);
    Ppo c = new Ppo(small(14), 2);
    a.train(new Delayed(), 3000);
    b.train(new Delayed(), 3000);
    c.train(new Delayed(), 3000);
    assertThat(a.parameters()).containsExactly(b.parameters());
    assertThat(a.parameters()).isNotEqualTo(c.parameters());
    assertThat(a.steps()).isEqualTo(b.steps()).isGreaterThanOrEqualTo(3000);
  }
}

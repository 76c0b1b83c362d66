package org.gridtrade.examples.study;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.gridtrade.game.v2v.PpoConfig;
import org.gridtrade.game.v2v.PpoLearner;
import org.gridtrade.game.v2v.SacConfig;
import org.gridtrade.game.v2v.SacLearner;
import org.gridtrade.game.v2v.V2vPolicy;
import org.gridtrade.game.v2v.V2vPopulation;
import org.gridtrade.game.v2v.V2vScenario;

/**
 * Moniruzzaman Fig. 4.10: PPO2, A2C and SAC side by side on the normal (ND) and uniform (UD) data
 * of Table 4.1. Each algorithm trains one learner per data set on EVs drawn from that population (a
 * fresh EV and day every episode, no federation, so the comparison is of the algorithms alone), for
 * the same number of environment steps; after each stage the learner's policy plays held-out days
 * of a fleet drawn from the same population, and its mean return is compared with the optimal
 * causal policy of each EV (the dynamic-programming yardstick).
 */
public final class V2vComparison {
  /** A learning algorithm of the comparison. */
  public enum Algorithm {
    /** PPO2: the clipped objective, 10 epochs of minibatches per rollout of 2,048 steps. */
    PPO,
    /** A2C: one full-batch policy-gradient step per rollout of 256 steps. */
    A2C,
    /** SAC: off-policy, one minibatch of 64 from a replay buffer per environment step. */
    SAC;

    /** A fresh learner of this algorithm. */
    Learner learner(long seed) {
      if (this == SAC) {
        SacLearner sac = new SacLearner(SacConfig.defaults(seed));
        return new Learner(sac::train, sac::stepsTrained, sac::policy);
      }
      PpoLearner ppo = new PpoLearner(this == PPO ? PpoConfig.defaults(seed) : PpoConfig.a2c(seed));
      return new Learner(ppo::train, ppo::stepsTrained, ppo::policy);
    }

    /** Its name in output. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One learning curve.
   *
   * @param algorithm the algorithm
   * @param uniform whether the data is the uniform variant (UD) rather than the normal one (ND)
   * @param steps environment steps trained at each point
   * @param meanReturn the fleet's mean held-out return at each point, cents
   * @param optimalCausal the fleet's mean optimal causal return, cents
   * @param seconds wall time of training (evaluation excluded)
   */
  public record Curve(
      Algorithm algorithm,
      boolean uniform,
      List<Long> steps,
      List<Double> meanReturn,
      double optimalCausal,
      double seconds) {
    /** Copies the lists. */
    public Curve {
      steps = List.copyOf(steps);
      meanReturn = List.copyOf(meanReturn);
    }

    /** The last point's return as a fraction of the optimal causal return. */
    public double finalRatio() {
      return meanReturn.get(meanReturn.size() - 1) / optimalCausal;
    }

    /** The data set's name: {@code "normal"} or {@code "uniform"}. */
    public String data() {
      return uniform ? "uniform" : "normal";
    }
  }

  /** What the comparison needs of a learner: training, its step count, and its policy. */
  private record Learner(
      BiConsumer<V2vPopulation, Long> train,
      LongSupplier steps,
      Function<V2vScenario, V2vPolicy> policy) {}

  private V2vComparison() {}

  /**
   * Trains and evaluates every algorithm on both data sets.
   *
   * @param template the fields every EV shares (prices, limits)
   * @param steps environment steps per learner
   * @param points evaluation points along the way, 1 or more
   * @param evs EVs of the evaluation fleet
   * @param evalDays held-out days each of them plays at every point
   * @param seed the seed of the learners, fleets and days
   * @param err where progress goes
   * @return one curve per algorithm and data set: PPO, A2C, SAC, normal data first
   */
  public static List<Curve> run(
      V2vScenario template,
      long steps,
      int points,
      int evs,
      int evalDays,
      long seed,
      PrintWriter err) {
    List<Curve> out = new ArrayList<>();
    for (Algorithm a : Algorithm.values()) {
      for (boolean uniform : new boolean[] {false, true}) {
        out.add(curve(a, uniform, template, steps, points, evs, evalDays, seed, err));
      }
    }
    return List.copyOf(out);
  }

  private static Curve curve(
      Algorithm a,
      boolean uniform,
      V2vScenario template,
      long steps,
      int points,
      int evs,
      int evalDays,
      long seed,
      PrintWriter err) {
    V2vPopulation population = new V2vPopulation(uniform, template);
    List<V2vScenario> fleet = V2vStudy.fleet(evs, uniform, template, seed + 1);
    List<double[]> days = V2vStudy.heldOutDays(template.prices(), evalDays, seed);
    double optimal = V2vStudy.optimalMean(fleet);
    Learner learner = a.learner(seed);
    V2vStudy.Progress progress =
        new V2vStudy.Progress(
            err, "training %s on %s data".formatted(a.label(), uniform ? "UD" : "ND"), steps);
    List<Long> at = new ArrayList<>();
    List<Double> returns = new ArrayList<>();
    long nanos = 0;
    for (int k = 1; k <= points; k++) {
      long target = steps * k / points;
      long t0 = System.nanoTime();
      if (target > learner.steps().getAsLong()) {
        learner.train().accept(population, target - learner.steps().getAsLong());
      }
      nanos += System.nanoTime() - t0;
      at.add(learner.steps().getAsLong());
      returns.add(V2vStudy.fleetReturn(fleet, i -> learner.policy().apply(fleet.get(i)), days));
      progress.at(learner.steps().getAsLong(), "steps");
    }
    return new Curve(a, uniform, at, returns, optimal, nanos / 1e9);
  }
}

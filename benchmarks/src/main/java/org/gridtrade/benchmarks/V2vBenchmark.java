package org.gridtrade.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.gridtrade.game.v2v.FederatedTraining;
import org.gridtrade.game.v2v.HotspotTraining;
import org.gridtrade.game.v2v.OptimalCausalPolicy;
import org.gridtrade.game.v2v.PpoConfig;
import org.gridtrade.game.v2v.PpoLearner;
import org.gridtrade.game.v2v.V2vEnvironment;
import org.gridtrade.game.v2v.V2vHotspot;
import org.gridtrade.game.v2v.V2vPopulation;
import org.gridtrade.game.v2v.V2vScenario;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * V2V trading with reinforcement learning (Moniruzzaman Ch. 4) on one core, the default EV
 * (07:00–18:00, SOC 0.5, 42 kWh, 7 kWh per hour).
 *
 * <ul>
 *   <li>{@code environmentStep}: one hourly step of the environment with a random action (a new day
 *       of prices drawn every 11 steps), in ns.
 *   <li>{@code ppoUpdate}: one PPO update at the default hyperparameters (2,057 steps of whole days
 *       collected, then 10 epochs of minibatches of 64), hidden layers of 32 and 64 units, in ms;
 *       time per 100,000 environment steps of training = this × 100,000 / 2,057.
 *   <li>{@code optimalCausalSolve}: the optimal causal policy by dynamic programming at 20 grid
 *       steps per full-rate hour, in ms.
 *   <li>{@code federatedRound}: one round of federated PPO (Alg. 4) for 10 EVs drawn from Table
 *       4.1: every EV trains 2,048 steps (four updates) on its own window, plays the round's day,
 *       and the models are averaged and hashed, in ms.
 *   <li>{@code hotspotRound}: one round of the same 10 EVs learning together at the hotspot cleared
 *       by the double auction (about one update's steps per EV, every hour cleared), in ms.
 *   <li>{@code jointBound}: the fleet's joint perfect-foresight bound on one day at the cleared
 *       hotspot (a linear program with cutting planes), in ms.
 * </ul>
 *
 * Run: {@code benchmarks/run.sh quick V2v}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
public class V2vBenchmark {

  private final V2vScenario scenario = V2vScenario.defaults();
  private V2vEnvironment env;
  private SplittableRandom rng;

  /** One PPO learner per hidden width. */
  @State(Scope.Thread)
  public static class Learner {
    /** Units per hidden layer (two layers). */
    @Param({"32", "64"})
    public int hiddenUnits;

    PpoLearner learner;

    /** A fresh learner at the default hyperparameters but the width. */
    @Setup(Level.Trial)
    public void setup() {
      PpoConfig d = PpoConfig.defaults(1);
      learner =
          new PpoLearner(
              new PpoConfig(
                  d.hiddenLayers(),
                  hiddenUnits,
                  d.learningRate(),
                  d.stepsPerUpdate(),
                  d.epochs(),
                  d.minibatchSize(),
                  d.gamma(),
                  d.gaeLambda(),
                  d.clipRange(),
                  d.entropyCoef(),
                  d.valueCoef(),
                  d.maxGradNorm(),
                  d.initialLogStd(),
                  d.rewardScale(),
                  d.seed()));
    }
  }

  /** Ten EVs drawn from Table 4.1 and their trainings. */
  @State(Scope.Thread)
  public static class Fleet {
    List<V2vScenario> evs;
    FederatedTraining federated;
    HotspotTraining hotspot;
    List<double[]> days;
    int day;

    /** Draws the fleet and starts both trainings. */
    @Setup(Level.Trial)
    public void setup() {
      V2vPopulation population = V2vPopulation.normal(V2vScenario.defaults());
      SplittableRandom rng = new SplittableRandom(5);
      evs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        evs.add(population.sample(rng));
      }
      PpoConfig ppo = PpoConfig.defaults(1);
      federated =
          new FederatedTraining(
              FederatedTraining.Config.fleet(FederatedTraining.Variant.FEDERATED, 1),
              evs,
              FederatedTraining.AggregatorDraw.highestScore());
      hotspot = new HotspotTraining(HotspotTraining.Config.of(false, ppo, evs), evs);
      days = new ArrayList<>();
      for (int d = 0; d < 64; d++) {
        days.add(evs.get(0).prices().sampleDay(rng));
      }
    }
  }

  /** A started environment. */
  @Setup(Level.Trial)
  public void setup() {
    rng = new SplittableRandom(3);
    env = new V2vEnvironment(scenario);
    env.reset(scenario.prices().sampleDay(rng));
  }

  /**
   * One environment step.
   *
   * @return the reward (kept live)
   */
  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public double environmentStep() {
    if (env.done()) {
      env.reset(scenario.prices().sampleDay(rng));
    }
    return env.step(14 * rng.nextDouble() - 7).reward();
  }

  /**
   * One PPO update (collection and optimisation).
   *
   * @param l the learner
   * @return steps collected
   */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public long ppoUpdate(Learner l) {
    return l.learner.train(scenario, l.learner.config().stepsPerUpdate()).steps();
  }

  /**
   * The optimal causal policy's dynamic program.
   *
   * @return its expected return
   */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public double optimalCausalSolve() {
    return OptimalCausalPolicy.solve(scenario, 20).expectedReturn();
  }

  /**
   * One federated round of 10 EVs.
   *
   * @param f the fleet
   * @return the round's mean day return (kept live)
   */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public double federatedRound(Fleet f) {
    return f.federated.round().meanDayReturn();
  }

  /**
   * One round of 10 EVs learning together at the cleared hotspot.
   *
   * @param f the fleet
   * @return the round's mean return (kept live)
   */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public double hotspotRound(Fleet f) {
    return f.hotspot.round().meanReturn();
  }

  /**
   * The joint perfect-foresight bound of 10 EVs on one day.
   *
   * @param f the fleet
   * @return the bound (kept live)
   */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public double jointBound(Fleet f) {
    f.day = (f.day + 1) % f.days.size();
    return V2vHotspot.jointBound(f.evs, f.days.get(f.day));
  }
}

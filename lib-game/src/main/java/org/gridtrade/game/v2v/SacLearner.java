package org.gridtrade.game.v2v;

import java.util.Objects;
import org.gridtrade.game.v2v.internal.Sac;
import org.gridtrade.game.v2v.internal.V2vTask;

/**
 * One EV's soft actor-critic learner for V2V trading, the off-policy alternative Moniruzzaman Fig.
 * 4.10 compares with PPO2 and A2C: a tanh-squashed Gaussian policy, two critics of (state, action)
 * with target copies, a replay buffer and a learned temperature, on the same small tanh networks
 * and the same observation as {@link PpoLearner}. Its action in (−1, 1) is a fraction of the most
 * energy the EV may discharge (−) or charge (+) in the hour. Training is seeded by {@link
 * SacConfig#seed()}: the same configuration, calls and scenarios give the same parameters bit for
 * bit.
 *
 * <p>Not thread-safe; one learner per thread.
 */
public final class SacLearner {
  private final SacConfig config;
  private final Sac sac;

  /**
   * A learner with freshly initialised networks.
   *
   * @param config the hyperparameters and seed
   */
  public SacLearner(SacConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.sac = new Sac(config, V2vTask.FEATURES);
  }

  /**
   * The configuration.
   *
   * @return the hyperparameters and seed
   */
  public SacConfig config() {
    return config;
  }

  /**
   * Trains on EVs drawn from a population, a fresh EV and day every episode, one gradient step per
   * environment step after the warm-up.
   *
   * @param population the population
   * @param steps the least number of environment steps to take (whole days)
   * @return the steps and episodes of this run (the curve holds each episode's return, cents)
   * @throws IllegalArgumentException when steps is negative
   */
  public PpoTraining train(V2vPopulation population, long steps) {
    Objects.requireNonNull(population, "population");
    return train(population::sample, steps);
  }

  private PpoTraining train(
      java.util.function.Function<java.util.random.RandomGenerator, V2vScenario> scenarios,
      long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("steps %d must be >= 0".formatted(steps));
    }
    long s0 = sac.steps();
    long e0 = sac.episodes();
    java.util.List<Double> returns =
        sac.train(new V2vTask(scenarios, config.rewardScale()), steps).stream()
            .map(r -> r / config.rewardScale())
            .toList();
    return new PpoTraining(sac.steps() - s0, sac.episodes() - e0, returns);
  }

  /**
   * Trains on one EV's scenario with a fresh day of prices every episode.
   *
   * @param scenario the EV's day
   * @param steps the least number of environment steps to take (whole days)
   * @return what the run did
   * @throws IllegalArgumentException when steps is negative
   */
  public PpoTraining train(V2vScenario scenario, long steps) {
    Objects.requireNonNull(scenario, "scenario");
    return train(rng -> scenario, steps);
  }

  /**
   * Environment steps trained so far.
   *
   * @return the count
   */
  public long stepsTrained() {
    return sac.steps();
  }

  /**
   * The temperature α reached.
   *
   * @return α
   */
  public double alpha() {
    return sac.alpha();
  }

  /**
   * The deterministic policy of the current parameters ({@code tanh} of the Gaussian's mean), for
   * evaluation. It keeps a copy of the parameters: later training does not change it. Not
   * thread-safe (it reuses its buffers); take one per thread.
   *
   * @param scenario the scenario it will act in (for the feasible interval)
   * @return the policy
   */
  public V2vPolicy policy(V2vScenario scenario) {
    Objects.requireNonNull(scenario, "scenario");
    Sac snapshot = new Sac(config, V2vTask.FEATURES);
    System.arraycopy(
        sac.actorParameters(), 0, snapshot.actorParameters(), 0, sac.actorParameters().length);
    double[] x = new double[V2vTask.FEATURES];
    return state -> {
      V2vTask.features(state, scenario, x);
      return V2vTask.energy(snapshot.act(x), scenario, state.soc());
    };
  }
}

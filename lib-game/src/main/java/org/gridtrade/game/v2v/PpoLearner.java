package org.gridtrade.game.v2v;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.gridtrade.game.v2v.internal.Ppo;
import org.gridtrade.game.v2v.internal.V2vTask;

/**
 * One EV's PPO learner for V2V trading (Moniruzzaman Alg. 4 lines 4–10): an actor and a critic,
 * each a small tanh network of our own, and a learned log standard deviation, all in one flat
 * parameter vector ({@link #parameters()}), so that federated averaging of real models (Eq. 4.19)
 * is an element-wise mean of vectors.
 *
 * <p>The policy sees the state of Eq. 4.10 plus the hours to departure, the clock hour and the
 * feasible interval; its action in [−1, 1] is a fraction of the most energy it may discharge (−) or
 * charge (+) in the hour. Training is seeded by {@link PpoConfig#seed()}: the same configuration,
 * calls and scenarios give the same parameters bit for bit.
 *
 * <p>Not thread-safe; one learner per thread.
 */
public final class PpoLearner {

  private final PpoConfig config;
  private final Ppo ppo;

  /**
   * A learner with freshly initialised networks.
   *
   * @param config the hyperparameters and seed
   */
  public PpoLearner(PpoConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.ppo = new Ppo(config, V2vTask.FEATURES);
  }

  /**
   * The configuration.
   *
   * @return the hyperparameters
   */
  public PpoConfig config() {
    return config;
  }

  /**
   * Trains on one EV's scenario with a fresh day of prices every episode.
   *
   * @param scenario the EV's day
   * @param steps the least number of environment steps to collect (whole updates)
   * @return what the run did
   * @throws IllegalArgumentException when steps is negative
   */
  public PpoTraining train(V2vScenario scenario, long steps) {
    Objects.requireNonNull(scenario, "scenario");
    return train(rng -> scenario, steps);
  }

  /**
   * Trains on EVs drawn from a population, a fresh EV and day every episode.
   *
   * @param population the population
   * @param steps the least number of environment steps to collect (whole updates)
   * @return what the run did
   * @throws IllegalArgumentException when steps is negative
   */
  public PpoTraining train(V2vPopulation population, long steps) {
    Objects.requireNonNull(population, "population");
    return train(population::sample, steps);
  }

  private PpoTraining train(Function<RandomGenerator, V2vScenario> scenarios, long steps) {
    return train(scenarios, steps, false);
  }

  /**
   * Trains on one EV's scenario, optionally with the reward of {@code δ ≡ 1} (baseline 2 of
   * Moniruzzaman Fig. 4.11–4.12); the curve then holds that reward's returns.
   */
  PpoTraining train(V2vScenario scenario, long steps, boolean unitDelta) {
    Objects.requireNonNull(scenario, "scenario");
    return train(rng -> scenario, steps, unitDelta);
  }

  private PpoTraining train(
      Function<RandomGenerator, V2vScenario> scenarios, long steps, boolean unitDelta) {
    if (steps < 0) {
      throw new IllegalArgumentException("steps %d must be >= 0".formatted(steps));
    }
    long s0 = ppo.steps();
    long e0 = ppo.episodes();
    List<Double> curve = new ArrayList<>();
    for (double r : ppo.train(new V2vTask(scenarios, config.rewardScale(), unitDelta), steps)) {
      curve.add(r / config.rewardScale());
    }
    return new PpoTraining(ppo.steps() - s0, ppo.episodes() - e0, curve);
  }

  /**
   * Environment steps trained so far.
   *
   * @return the count
   */
  public long stepsTrained() {
    return ppo.steps();
  }

  /**
   * Episodes (days) trained so far.
   *
   * @return the count
   */
  public long episodesTrained() {
    return ppo.episodes();
  }

  /**
   * The deterministic policy of the current parameters (the Gaussian's mean), for evaluation. It
   * keeps a copy of the parameters: later training does not change it. Like the learner it is not
   * thread-safe (it reuses its buffers); take one per thread.
   *
   * @param scenario the scenario it will act in (for the feasible interval)
   * @return the policy
   */
  public V2vPolicy policy(V2vScenario scenario) {
    Objects.requireNonNull(scenario, "scenario");
    Ppo snapshot = new Ppo(config, V2vTask.FEATURES);
    System.arraycopy(ppo.parameters(), 0, snapshot.parameters(), 0, parameterCount());
    double[] x = new double[V2vTask.FEATURES];
    return state -> {
      V2vTask.features(state, scenario, x);
      return V2vTask.energy(snapshot.mean(x), scenario, state.soc());
    };
  }

  /**
   * Number of parameters: actor, critic and the log standard deviation.
   *
   * @return the length of {@link #parameters()}
   */
  public int parameterCount() {
    return ppo.parameters().length;
  }

  /**
   * A copy of the flat parameter vector {@code [actor | critic | log std]}.
   *
   * @return the parameters
   */
  public double[] parameters() {
    return ppo.parameters().clone();
  }

  /**
   * Replaces the parameters (e.g. by the federated average); the optimiser's moments are kept.
   *
   * @param parameters a vector of {@link #parameterCount()} finite values; copied
   * @throws IllegalArgumentException when the length is wrong or a value is not finite (nothing
   *     changes)
   */
  public void setParameters(double[] parameters) {
    Objects.requireNonNull(parameters, "parameters");
    if (parameters.length != parameterCount()) {
      throw new IllegalArgumentException(
          "parameters length %d must be %d".formatted(parameters.length, parameterCount()));
    }
    for (int i = 0; i < parameters.length; i++) {
      if (!Double.isFinite(parameters[i])) {
        throw new IllegalArgumentException(
            "parameters[%d] %s must be finite".formatted(i, parameters[i]));
      }
    }
    System.arraycopy(parameters, 0, ppo.parameters(), 0, parameters.length);
  }
}

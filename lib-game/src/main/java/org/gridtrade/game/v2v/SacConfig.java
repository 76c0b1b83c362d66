package org.gridtrade.game.v2v;

/**
 * Hyperparameters of the soft actor-critic learner (Haarnoja et al. 2018, with the learned
 * temperature of their second paper), the third algorithm of Moniruzzaman Fig. 4.10. Defaults
 * follow the paper's, scaled to this task's networks; the chapter gives none.
 *
 * @param hiddenLayers tanh hidden layers of the actor and of each critic, 1..8
 * @param hiddenUnits units per hidden layer, 1..1024
 * @param learningRate Adam's step size for the actor and the critics, and the temperature's step,
 *     in (0, 1]
 * @param batchSize transitions per gradient step, 1..100,000
 * @param bufferSize transitions the replay buffer keeps (the oldest go first), at least the batch
 *     size, up to 10,000,000
 * @param warmupSteps steps of uniformly random actions before learning starts, 0..10,000,000
 * @param gamma discount factor, in [0, 1] (1: the episode's plain return)
 * @param tau how far the target critics move towards the critics after each step, in (0, 1]
 * @param initialAlpha the temperature's starting value, in (0, 100]
 * @param rewardScale factor applied to rewards before learning, in (0, 1000]
 * @param seed seed of every random draw (weights, actions, prices, minibatches)
 */
public record SacConfig(
    int hiddenLayers,
    int hiddenUnits,
    double learningRate,
    int batchSize,
    int bufferSize,
    int warmupSteps,
    double gamma,
    double tau,
    double initialAlpha,
    double rewardScale,
    long seed) {

  /**
   * Validates the configuration.
   *
   * @throws IllegalArgumentException naming the field, its value and the rule
   */
  public SacConfig {
    requireInt("hiddenLayers", hiddenLayers, 1, 8);
    requireInt("hiddenUnits", hiddenUnits, 1, 1024);
    requireIn("learningRate", learningRate, 0, false, 1);
    requireInt("batchSize", batchSize, 1, 100_000);
    requireInt("bufferSize", bufferSize, batchSize, 10_000_000);
    requireInt("warmupSteps", warmupSteps, 0, 10_000_000);
    requireIn("gamma", gamma, 0, true, 1);
    requireIn("tau", tau, 0, false, 1);
    requireIn("initialAlpha", initialAlpha, 0, false, 100);
    requireIn("rewardScale", rewardScale, 0, false, 1000);
  }

  /**
   * The defaults: two hidden layers of 32 (as PPO's), learning rate 1e-3, minibatches of 64, a
   * buffer of 100,000 transitions, 1,000 random steps first, {@code γ = 1} (days end), τ = 0.005, α
   * starting at 0.1, rewards scaled by 0.02 (as PPO's).
   *
   * @param seed the seed
   * @return the configuration
   */
  public static SacConfig defaults(long seed) {
    return new SacConfig(2, 32, 1e-3, 64, 100_000, 1_000, 1, 0.005, 0.1, 0.02, seed);
  }

  private static void requireInt(String field, int v, int lo, int hi) {
    ConfigChecks.requireInt("SacConfig", field, v, lo, hi);
  }

  private static void requireIn(String field, double v, double lo, boolean loClosed, double hi) {
    ConfigChecks.requireIn("SacConfig", field, v, lo, loClosed, hi);
  }
}

package org.gridtrade.game.v2v;

/**
 * Hyperparameters of the PPO learner (the chapter's PPO2: Schulman et al. 2017's clipped objective
 * with generalised advantage estimation and an entropy bonus, Moniruzzaman Eq. 4.9 and Alg. 4 lines
 * 5–10). Defaults follow common PPO practice for continuous control; the chapter gives none.
 *
 * @param hiddenLayers tanh hidden layers of the actor and of the critic, 1..8
 * @param hiddenUnits units per hidden layer, 1..1024
 * @param learningRate Adam's step size, in (0, 1]
 * @param stepsPerUpdate environment steps collected per update (whole episodes: at least this
 *     many), 1..10,000,000
 * @param epochs passes over the collected steps per update, 1..1,000
 * @param minibatchSize steps per gradient step, 1..10,000,000
 * @param gamma discount factor, in [0, 1] (1: the episode's plain return, as the chapter's day)
 * @param gaeLambda GAE's {@code λ}, in [0, 1]
 * @param clipRange the clipped objective's {@code ε}, in (0, 1)
 * @param entropyCoef weight of the entropy bonus, in [0, 1]
 * @param valueCoef weight of the critic's squared error, in (0, 100]
 * @param maxGradNorm the largest gradient norm per step (clipped above), in (0, ∞]
 * @param initialLogStd the Gaussian policy's initial log standard deviation (learned,
 *     state-independent), in [−10, 2]
 * @param rewardScale factor applied to rewards before learning (the critic's scale), in (0, 1000]
 * @param seed seed of every random draw (weights, actions, prices, minibatches)
 */
public record PpoConfig(
    int hiddenLayers,
    int hiddenUnits,
    double learningRate,
    int stepsPerUpdate,
    int epochs,
    int minibatchSize,
    double gamma,
    double gaeLambda,
    double clipRange,
    double entropyCoef,
    double valueCoef,
    double maxGradNorm,
    double initialLogStd,
    double rewardScale,
    long seed) {

  /**
   * Validates the configuration.
   *
   * @throws IllegalArgumentException naming the field, its value and the rule
   */
  public PpoConfig {
    requireInt("hiddenLayers", hiddenLayers, 1, 8);
    requireInt("hiddenUnits", hiddenUnits, 1, 1024);
    requireIn("learningRate", learningRate, 0, false, 1);
    requireInt("stepsPerUpdate", stepsPerUpdate, 1, 10_000_000);
    requireInt("epochs", epochs, 1, 1000);
    requireInt("minibatchSize", minibatchSize, 1, 10_000_000);
    requireIn("gamma", gamma, 0, true, 1);
    requireIn("gaeLambda", gaeLambda, 0, true, 1);
    requireIn("clipRange", clipRange, 0, false, 1);
    if (clipRange >= 1) {
      throw new IllegalArgumentException(
          "PpoConfig: clipRange %s must be in (0, 1)".formatted(clipRange));
    }
    requireIn("entropyCoef", entropyCoef, 0, true, 1);
    requireIn("valueCoef", valueCoef, 0, false, 100);
    if (!(maxGradNorm > 0)) {
      throw new IllegalArgumentException(
          "PpoConfig: maxGradNorm %s must be in (0, Infinity]".formatted(maxGradNorm));
    }
    if (!(initialLogStd >= -10 && initialLogStd <= 2)) {
      throw new IllegalArgumentException(
          "PpoConfig: initialLogStd %s must be in [-10, 2]".formatted(initialLogStd));
    }
    requireIn("rewardScale", rewardScale, 0, false, 1000);
  }

  /**
   * The defaults: two hidden layers of 32, learning rate 1e-3, 2,048 steps per update, 10 epochs,
   * minibatches of 64, {@code γ = 1}, {@code λ = 0.95}, {@code ε = 0.2}, no entropy bonus, value
   * weight 0.5, gradient norm 0.5, initial log std −0.5, rewards scaled by 0.02 (a full-rate
   * on-peak hour is worth about 50 cents). On the default EV, layers of 64 at 3e-4 reached the same
   * held-out return in 1,000,000 steps at two to three times the cost (docs/v2v.md).
   *
   * @param seed the seed
   * @return the configuration
   */
  public static PpoConfig defaults(long seed) {
    return new PpoConfig(2, 32, 1e-3, 2048, 10, 64, 1, 0.95, 0.2, 0, 0.5, 0.5, -0.5, 0.02, seed);
  }

  /**
   * The defaults for the EVs of a fleet ({@link FederatedTraining}): {@link #defaults(long)} with
   * updates of 512 steps, so that a round of {@link FederatedTraining#ROUND_STEPS} steps is four
   * local updates before the models are averaged. Measured on 10 EVs drawn from Table 4.1 (200,000
   * steps per EV, seed 1): the global model reached 96 % of the optimal causal return this way,
   * against 93–95 % with one update of 2,048 steps per round, and 94 % instead of 78 % after 9
   * rounds (docs/v2v.md).
   *
   * @param seed the seed
   * @return the configuration
   */
  public static PpoConfig fleet(long seed) {
    PpoConfig d = defaults(seed);
    return new PpoConfig(
        d.hiddenLayers,
        d.hiddenUnits,
        d.learningRate,
        512,
        d.epochs,
        d.minibatchSize,
        d.gamma,
        d.gaeLambda,
        d.clipRange,
        d.entropyCoef,
        d.valueCoef,
        d.maxGradNorm,
        d.initialLogStd,
        d.rewardScale,
        seed);
  }

  /**
   * A2C, the synchronous advantage actor-critic (Mnih et al. 2016) that Moniruzzaman Fig. 4.10
   * compares with PPO2: the same actor, critic and Gaussian policy, but one gradient step per
   * rollout, on the whole rollout, with the advantage of the Monte Carlo return over the critic
   * ({@code λ = 1}). It is this learner with one epoch of one minibatch: the update's gradient is
   * taken at the parameters that collected the rollout, where every probability ratio is 1, so the
   * clip never binds and the clipped objective's gradient is the policy gradient {@code −mean(Â
   * ∇log π)} of A2C (a unit test checks it by finite differences of that objective). Rollouts of
   * 256 steps (about 23 days) and learning rate 1e-3; the rest as {@link #defaults(long)}. Each
   * sample is used once, where PPO reuses it for 10 epochs.
   *
   * @param seed the seed
   * @return the configuration
   */
  public static PpoConfig a2c(long seed) {
    return new PpoConfig(2, 32, 1e-3, 256, 1, 10_000_000, 1, 1, 0.2, 0, 0.5, 0.5, -0.5, 0.02, seed);
  }

  private static void requireInt(String field, int v, int lo, int hi) {
    ConfigChecks.requireInt("PpoConfig", field, v, lo, hi);
  }

  private static void requireIn(String field, double v, double lo, boolean loClosed, double hi) {
    ConfigChecks.requireIn("PpoConfig", field, v, lo, loClosed, hi);
  }
}

package org.gridtrade.game.v2v.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.gridtrade.game.v2v.PpoConfig;

/**
 * Proximal policy optimisation with the clipped objective (Schulman et al. 2017, "PPO2"), GAE and
 * an entropy bonus, for a scalar continuous action: a Gaussian policy whose mean is an MLP of the
 * observation and whose log standard deviation is one learned parameter, and an MLP critic. All
 * parameters live in one flat vector: {@code [actor | critic | log std]}.
 *
 * <p>Deterministic: one {@link SplittableRandom} seeded from the configuration draws the initial
 * weights, then every episode's randomness, action noise and minibatch order, in a fixed sequence;
 * the arithmetic is sequential, so a seed reproduces the parameters bit for bit. Not thread-safe.
 */
public final class Ppo {

  private static final double LOG_2PI = Math.log(2 * Math.PI);

  private final PpoConfig cfg;
  private final Mlp actor;
  private final Mlp critic;
  private final int criticOffset;
  private final int logStdIndex;
  private final double[] params;
  private final Adam adam;
  private final SplittableRandom rng;
  private final double[] one = new double[1];
  private long steps;
  private long episodes;

  /** The steps of one update. */
  public static final class Rollout {
    final int obsSize;
    double[] obs = new double[0];
    double[] action = new double[0];
    double[] logProb = new double[0];
    double[] value = new double[0];
    double[] reward = new double[0];
    boolean[] last = new boolean[0];
    double[] advantage = new double[0];
    double[] target = new double[0];
    int size;

    Rollout(int obsSize) {
      this.obsSize = obsSize;
    }

    void add(double[] o, double a, double lp, double v, double r, boolean end) {
      if (size == action.length) {
        int cap = Math.max(64, 2 * size);
        obs = Arrays.copyOf(obs, cap * obsSize);
        action = Arrays.copyOf(action, cap);
        logProb = Arrays.copyOf(logProb, cap);
        value = Arrays.copyOf(value, cap);
        reward = Arrays.copyOf(reward, cap);
        last = Arrays.copyOf(last, cap);
        advantage = Arrays.copyOf(advantage, cap);
        target = Arrays.copyOf(target, cap);
      }
      System.arraycopy(o, 0, obs, size * obsSize, obsSize);
      action[size] = a;
      logProb[size] = lp;
      value[size] = v;
      reward[size] = r;
      last[size] = end;
      size++;
    }

    /**
     * Number of steps.
     *
     * @return the count
     */
    public int size() {
      return size;
    }
  }

  /**
   * A learner for observations of a given size.
   *
   * @param cfg the hyperparameters (and seed)
   * @param obsSize the observation size
   */
  public Ppo(PpoConfig cfg, int obsSize) {
    this.cfg = cfg;
    int[] sizes = new int[cfg.hiddenLayers() + 2];
    sizes[0] = obsSize;
    Arrays.fill(sizes, 1, sizes.length - 1, cfg.hiddenUnits());
    sizes[sizes.length - 1] = 1;
    this.actor = new Mlp(sizes);
    this.critic = new Mlp(sizes);
    this.criticOffset = actor.parameterCount();
    this.logStdIndex = criticOffset + critic.parameterCount();
    this.params = new double[logStdIndex + 1];
    this.rng = new SplittableRandom(cfg.seed());
    actor.initialise(params, 0, rng, 0.01);
    critic.initialise(params, criticOffset, rng, 1);
    params[logStdIndex] = cfg.initialLogStd();
    this.adam = new Adam(params.length);
  }

  /**
   * The flat parameter vector (live: callers must not keep it across updates).
   *
   * @return the parameters
   */
  public double[] parameters() {
    return params;
  }

  /**
   * Environment steps trained so far.
   *
   * @return the count
   */
  public long steps() {
    return steps;
  }

  /**
   * Episodes trained so far.
   *
   * @return the count
   */
  public long episodes() {
    return episodes;
  }

  /**
   * Sets the counts of a model read back from a file (its training happened elsewhere).
   *
   * @param steps environment steps trained, 0 or more
   * @param episodes episodes trained, 0 or more
   */
  public void restoreCounts(long steps, long episodes) {
    this.steps = steps;
    this.episodes = episodes;
  }

  /**
   * The policy's mean action.
   *
   * @param obs an observation
   * @return the mean of the Gaussian policy
   */
  public double mean(double[] obs) {
    return actor.forward(params, 0, obs)[0];
  }

  /**
   * The policy's standard deviation.
   *
   * @return {@code exp(log std)}
   */
  public double std() {
    return Math.exp(params[logStdIndex]);
  }

  /**
   * Collects whole episodes until at least {@code minSteps} steps, sampling actions from the
   * policy.
   *
   * @param task the task
   * @param minSteps the least number of steps
   * @param returns out: each episode's return (unscaled by anything here)
   * @return the rollout
   */
  public Rollout collect(Task task, int minSteps, List<Double> returns) {
    int d = task.observationSize();
    Rollout r = new Rollout(d);
    double[] obs = new double[d];
    double[] next = new double[d];
    int collected = 0;
    while (r.size < minSteps) {
      task.reset(rng, obs);
      double ret = 0;
      while (!task.done()) {
        double a = act(r, obs);
        double reward = task.step(a, next);
        ret += reward;
        reward(r, reward, task.done());
        double[] t = obs;
        obs = next;
        next = t;
      }
      returns.add(ret);
      collected++;
    }
    finish(r, collected);
    return r;
  }

  /**
   * An empty rollout, for collecting step by step when several learners act in one environment
   * ({@link #act}, {@link #reward}, {@link #finish}).
   *
   * @param obsSize the observation size
   * @return the rollout
   */
  public Rollout rollout(int obsSize) {
    return new Rollout(obsSize);
  }

  /**
   * Samples an action from the policy and appends the step to the rollout; its reward follows with
   * {@link #reward}.
   *
   * @param r the rollout
   * @param obs the observation (copied)
   * @return the raw action
   */
  public double act(Rollout r, double[] obs) {
    double logStd = params[logStdIndex];
    double mu = mean(obs);
    double v = critic.forward(params, criticOffset, obs)[0];
    double eps = rng.nextGaussian();
    double a = mu + Math.exp(logStd) * eps;
    double lp = -0.5 * eps * eps - logStd - 0.5 * LOG_2PI;
    r.add(obs, a, lp, v, 0, false);
    return a;
  }

  /**
   * Sets the reward of the rollout's last step.
   *
   * @param r the rollout
   * @param reward the step's reward
   * @param last whether the step ended its episode
   */
  public void reward(Rollout r, double reward, boolean last) {
    r.reward[r.size - 1] = reward;
    r.last[r.size - 1] = last;
  }

  /**
   * Ends a collection: counts its steps and episodes and computes the advantages, after which the
   * rollout is ready for {@link #update}.
   *
   * @param r the rollout, its last step ending an episode
   * @param episodesCollected the episodes it holds
   */
  public void finish(Rollout r, int episodesCollected) {
    steps += r.size;
    episodes += episodesCollected;
    advantages(r);
  }

  /** GAE(λ) advantages and value targets; episodes end at their last step (no bootstrap). */
  private void advantages(Rollout r) {
    double nextValue = 0;
    double nextAdv = 0;
    double g = cfg.gamma();
    double gl = cfg.gamma() * cfg.gaeLambda();
    for (int t = r.size - 1; t >= 0; t--) {
      if (r.last[t]) {
        nextValue = 0;
        nextAdv = 0;
      }
      double delta = r.reward[t] + g * nextValue - r.value[t];
      nextAdv = delta + gl * nextAdv;
      r.advantage[t] = nextAdv;
      r.target[t] = nextAdv + r.value[t];
      nextValue = r.value[t];
    }
  }

  /**
   * One PPO update: {@code epochs} passes over the rollout in shuffled minibatches, one Adam step
   * each.
   *
   * @param r the rollout
   */
  public void update(Rollout r) {
    int n = r.size;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    double[] grad = new double[params.length];
    int mb = Math.min(cfg.minibatchSize(), n);
    for (int e = 0; e < cfg.epochs(); e++) {
      for (int i = n - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int from = 0; from + mb <= n; from += mb) {
        Arrays.fill(grad, 0);
        lossAndGradient(params, r, order, from, from + mb, grad);
        adam.step(params, grad, cfg.learningRate(), cfg.maxGradNorm());
      }
    }
  }

  /**
   * The PPO loss of a minibatch and its gradient: {@code mean_i(−min(ρ_i Â_i, clip(ρ_i, 1−ε, 1+ε)
   * Â_i)) − c_H · H + c_V · mean_i((V(s_i) − R_i)²)}, {@code ρ_i} the probability ratio, {@code Â}
   * the advantages normalised within the minibatch, {@code H} the Gaussian's entropy.
   *
   * @param p the parameters
   * @param r the rollout
   * @param order step indices
   * @param from first position in order
   * @param to end position in order (exclusive)
   * @param grad out: the gradient is added here
   * @return the loss
   */
  public double lossAndGradient(
      double[] p, Rollout r, int[] order, int from, int to, double[] grad) {
    int b = to - from;
    double mean = 0;
    for (int k = from; k < to; k++) {
      mean += r.advantage[order[k]];
    }
    mean /= b;
    double var = 0;
    for (int k = from; k < to; k++) {
      double d = r.advantage[order[k]] - mean;
      var += d * d;
    }
    double scale = b > 1 ? 1 / (Math.sqrt(var / (b - 1)) + 1e-8) : 1;
    double logStd = p[logStdIndex];
    double sd = Math.exp(logStd);
    double eps = cfg.clipRange();
    double policyLoss = 0;
    double valueLoss = 0;
    double logStdGrad = 0;
    double[] x = new double[r.obsSize];
    for (int k = from; k < to; k++) {
      int i = order[k];
      System.arraycopy(r.obs, i * r.obsSize, x, 0, r.obsSize);
      double adv = b > 1 ? (r.advantage[i] - mean) * scale : r.advantage[i];
      double mu = actor.forward(p, 0, x)[0];
      double z = (r.action[i] - mu) / sd;
      double logp = -0.5 * z * z - logStd - 0.5 * LOG_2PI;
      double ratio = Math.exp(logp - r.logProb[i]);
      double surr1 = ratio * adv;
      double surr2 = Math.max(1 - eps, Math.min(1 + eps, ratio)) * adv;
      policyLoss -= Math.min(surr1, surr2);
      if (surr1 <= surr2) {
        double dLogp = -ratio * adv / b;
        one[0] = dLogp * z / sd;
        actor.backward(p, 0, one, grad);
        logStdGrad += dLogp * (z * z - 1);
      }
      double v = critic.forward(p, criticOffset, x)[0];
      double err = v - r.target[i];
      valueLoss += err * err;
      one[0] = 2 * cfg.valueCoef() * err / b;
      critic.backward(p, criticOffset, one, grad);
    }
    grad[logStdIndex] += logStdGrad - cfg.entropyCoef();
    double entropy = logStd + 0.5 * (1 + LOG_2PI);
    return policyLoss / b - cfg.entropyCoef() * entropy + cfg.valueCoef() * valueLoss / b;
  }

  /**
   * Trains until at least {@code totalSteps} more steps have been collected.
   *
   * @param task the task
   * @param totalSteps the least number of new steps
   * @return the mean episode return of each update's rollout
   */
  public List<Double> train(Task task, long totalSteps) {
    List<Double> curve = new ArrayList<>();
    long target = steps + totalSteps;
    List<Double> returns = new ArrayList<>();
    while (steps < target) {
      returns.clear();
      Rollout r = collect(task, cfg.stepsPerUpdate(), returns);
      curve.add(returns.stream().mapToDouble(Double::doubleValue).average().orElse(0));
      update(r);
    }
    return curve;
  }
}

package org.gridtrade.game.v2v.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.gridtrade.game.v2v.SacConfig;

/**
 * Soft actor-critic (Haarnoja et al. 2018, with the learned temperature of their second paper) for
 * a scalar action in [−1, 1]: a tanh-squashed Gaussian policy whose mean and log standard deviation
 * are the two outputs of an MLP of the observation, two Q networks of (observation, action) with
 * slowly following target copies, a replay buffer, and the temperature α tuned so that the policy's
 * entropy stays near −1 (minus the action's dimension).
 *
 * <p>Per environment step, after a warm-up of uniformly random actions, one gradient step on a
 * minibatch drawn from the buffer: the critics towards {@code r + γ (min Q'(s', ã') − α log
 * π(ã'|s'))} (no bootstrap past an episode's end), the actor by the reparameterised gradient of
 * {@code α log π(ã|s) − min Q(s, ã)} with {@code ã = tanh(μ + σ ε)}, α by the gradient of {@code
 * −log α · (log π(ã|s) − 1)}, then the targets move by τ.
 *
 * <p>Deterministic: one {@link SplittableRandom} seeded from the configuration draws the initial
 * weights, then every episode's randomness, action noise and minibatch in a fixed sequence; the
 * arithmetic is sequential, so a seed reproduces the parameters bit for bit. Not thread-safe.
 */
public final class Sac {
  private static final double LOG_2PI = Math.log(2 * Math.PI);
  private static final double MIN_LOG_STD = -5;
  private static final double MAX_LOG_STD = 2;
  private static final double SQUASH_EPS = 1e-6;
  private static final double TARGET_ENTROPY = -1;

  private final SacConfig cfg;
  private final int obsSize;
  private final Mlp actor;
  private final Mlp critic;
  private final Mlp critic2; // Q2's own buffers, so that both forward passes stay for backward
  private final Mlp targetCritic;
  private final double[] actorParams;
  private final double[] criticParams; // [Q1 | Q2]
  private final double[] targetParams; // [Q1' | Q2']
  private final int q2;
  private final Adam actorAdam;
  private final Adam criticAdam;
  private double logAlpha;
  private final SplittableRandom rng;
  // The replay buffer, a ring.
  private final double[] bufObs;
  private final double[] bufNext;
  private final double[] bufAction;
  private final double[] bufReward;
  private final boolean[] bufDone;
  private int bufSize;
  private int bufNextSlot;
  private long steps;
  private long episodes;
  // Scratch.
  private final double[] qIn;
  private final double[] one = new double[1];
  private final double[] two = new double[2];
  private final double[] gradQIn;
  // Scratch of every gradient step (one per environment step), allocated once.
  private final double[] criticGrad;
  private final double[] actorGrad;
  private final double[] batchObs;
  private final double[] logProbOut = new double[1];

  /**
   * A learner for observations of a given size.
   *
   * @param cfg the hyperparameters (and seed)
   * @param obsSize the observation size
   */
  public Sac(SacConfig cfg, int obsSize) {
    this.cfg = cfg;
    this.obsSize = obsSize;
    int[] a = new int[cfg.hiddenLayers() + 2];
    a[0] = obsSize;
    Arrays.fill(a, 1, a.length - 1, cfg.hiddenUnits());
    a[a.length - 1] = 2;
    int[] q = a.clone();
    q[0] = obsSize + 1;
    q[q.length - 1] = 1;
    this.actor = new Mlp(a);
    this.critic = new Mlp(q);
    this.critic2 = new Mlp(q);
    this.targetCritic = new Mlp(q);
    this.q2 = critic.parameterCount();
    this.actorParams = new double[actor.parameterCount()];
    this.criticParams = new double[2 * q2];
    this.rng = new SplittableRandom(cfg.seed());
    actor.initialise(actorParams, 0, rng, 0.01);
    critic.initialise(criticParams, 0, rng, 1);
    critic.initialise(criticParams, q2, rng, 1);
    this.targetParams = criticParams.clone();
    this.actorAdam = new Adam(actorParams.length);
    this.criticAdam = new Adam(criticParams.length);
    this.logAlpha = Math.log(cfg.initialAlpha());
    int cap = cfg.bufferSize();
    this.bufObs = new double[cap * obsSize];
    this.bufNext = new double[cap * obsSize];
    this.bufAction = new double[cap];
    this.bufReward = new double[cap];
    this.bufDone = new boolean[cap];
    this.qIn = new double[obsSize + 1];
    this.gradQIn = new double[obsSize + 1];
    this.criticGrad = new double[criticParams.length];
    this.actorGrad = new double[actorParams.length];
    this.batchObs = new double[obsSize];
  }

  /**
   * The policy's parameters (live: callers must not keep it across updates).
   *
   * @return the actor's parameters
   */
  public double[] actorParameters() {
    return actorParams;
  }

  /**
   * The critics' parameters, {@code [Q1 | Q2]} (live).
   *
   * @return the parameters
   */
  public double[] criticParameters() {
    return criticParams;
  }

  /**
   * The temperature.
   *
   * @return α
   */
  public double alpha() {
    return Math.exp(logAlpha);
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
   * The policy's deterministic action: {@code tanh(μ(obs))}.
   *
   * @param obs an observation
   * @return the action, in (−1, 1)
   */
  public double act(double[] obs) {
    return Math.tanh(actor.forward(actorParams, 0, obs)[0]);
  }

  /**
   * Trains until at least {@code totalSteps} more steps have been taken (whole episodes).
   *
   * @param task the task
   * @param totalSteps the least number of new steps
   * @return each finished episode's return, in order
   */
  public List<Double> train(Task task, long totalSteps) {
    List<Double> returns = new ArrayList<>();
    long target = steps + totalSteps;
    double[] obs = new double[obsSize];
    double[] next = new double[obsSize];
    while (steps < target) {
      task.reset(rng, obs);
      double ret = 0;
      while (!task.done()) {
        double a =
            steps < cfg.warmupSteps() ? 2 * rng.nextDouble() - 1 : sample(actorParams, obs, null);
        double r = task.step(a, next);
        ret += r;
        store(obs, a, r, next, task.done());
        steps++;
        if (steps >= cfg.warmupSteps() && bufSize >= cfg.batchSize()) {
          update();
        }
        double[] t = obs;
        obs = next;
        next = t;
      }
      returns.add(ret);
      episodes++;
    }
    return returns;
  }

  private void store(double[] obs, double a, double r, double[] next, boolean done) {
    int i = bufNextSlot;
    System.arraycopy(obs, 0, bufObs, i * obsSize, obsSize);
    System.arraycopy(next, 0, bufNext, i * obsSize, obsSize);
    bufAction[i] = a;
    bufReward[i] = r;
    bufDone[i] = done;
    bufNextSlot = (i + 1) % bufAction.length;
    bufSize = Math.min(bufSize + 1, bufAction.length);
  }

  /**
   * A squashed sample {@code tanh(μ + σ ε)} for an observation; writes {@code log π} of it into
   * {@code logProb[0]} when given.
   */
  private double sample(double[] params, double[] obs, double[] logProb) {
    double[] out = actor.forward(params, 0, obs);
    double mu = out[0];
    double logStd = clampLogStd(out[1]);
    double eps = rng.nextGaussian();
    double a = Math.tanh(mu + Math.exp(logStd) * eps);
    if (logProb != null) {
      logProb[0] = logProb(eps, logStd, a);
    }
    return a;
  }

  /** {@code log π(a|s)} of a squashed Gaussian sample with noise {@code ε}. */
  static double logProb(double eps, double logStd, double a) {
    return -0.5 * eps * eps - logStd - 0.5 * LOG_2PI - Math.log(1 - a * a + SQUASH_EPS);
  }

  static double clampLogStd(double raw) {
    return Math.max(MIN_LOG_STD, Math.min(MAX_LOG_STD, raw));
  }

  private double q(double[] params, int offset, Mlp net, double[] obs, int from, double a) {
    System.arraycopy(obs, from, qIn, 0, obsSize);
    qIn[obsSize] = a;
    return net.forward(params, offset, qIn)[0];
  }

  /** One gradient step of the critics, the actor and the temperature, then the targets. */
  private void update() {
    int b = cfg.batchSize();
    double alpha = Math.exp(logAlpha);
    double[] gradC = criticGrad;
    double[] gradA = actorGrad;
    Arrays.fill(gradC, 0);
    Arrays.fill(gradA, 0);
    double alphaGrad = 0;
    double[] x = batchObs;
    double[] lp = logProbOut;
    for (int k = 0; k < b; k++) {
      int i = rng.nextInt(bufSize);
      // Critics.
      double y = bufReward[i];
      if (!bufDone[i]) {
        System.arraycopy(bufNext, i * obsSize, x, 0, obsSize);
        double an = sample(actorParams, x, lp);
        double t1 = q(targetParams, 0, targetCritic, bufNext, i * obsSize, an);
        double t2 = q(targetParams, q2, targetCritic, bufNext, i * obsSize, an);
        y += cfg.gamma() * (Math.min(t1, t2) - alpha * lp[0]);
      }
      for (int c = 0; c < 2; c++) {
        double v = q(criticParams, c * q2, critic, bufObs, i * obsSize, bufAction[i]);
        one[0] = 2 * (v - y) / b;
        critic.backward(criticParams, c * q2, one, gradC);
      }
      // Actor, by the reparameterised sample.
      System.arraycopy(bufObs, i * obsSize, x, 0, obsSize);
      alphaGrad += actorGradient(actorParams, x, rng.nextGaussian(), alpha, gradA, 1.0 / b);
    }
    criticAdam.step(criticParams, gradC, cfg.learningRate(), Double.POSITIVE_INFINITY);
    actorAdam.step(actorParams, gradA, cfg.learningRate(), Double.POSITIVE_INFINITY);
    // d/d log α of −log α · (log π + target entropy), averaged.
    logAlpha -= cfg.learningRate() * (-(alphaGrad / b + TARGET_ENTROPY));
    double tau = cfg.tau();
    for (int i = 0; i < targetParams.length; i++) {
      targetParams[i] += tau * (criticParams[i] - targetParams[i]);
    }
  }

  /**
   * Adds {@code weight} times the gradient of {@code α log π(ã|s) − min(Q1, Q2)(s, ã)}, {@code ã =
   * tanh(μ + σ ε)}, with respect to the actor's parameters to {@code grad}.
   *
   * @param params the actor's parameters
   * @param obs the observation
   * @param eps the noise
   * @param alpha the temperature
   * @param grad out: the gradient is added here
   * @param weight the factor
   * @return {@code log π(ã|s)}
   */
  double actorGradient(
      double[] params, double[] obs, double eps, double alpha, double[] grad, double weight) {
    double[] out = actor.forward(params, 0, obs);
    double mu = out[0];
    double raw = out[1];
    double logStd = clampLogStd(raw);
    double sd = Math.exp(logStd);
    double u = mu + sd * eps;
    double a = Math.tanh(u);
    double logPi = logProb(eps, logStd, a);
    // The smaller critic and its gradient with respect to the action.
    System.arraycopy(obs, 0, qIn, 0, obsSize);
    qIn[obsSize] = a;
    double v1 = critic.forward(criticParams, 0, qIn)[0];
    double v2 = critic2.forward(criticParams, q2, qIn)[0];
    one[0] = 1;
    if (v1 <= v2) {
      critic.backward(criticParams, 0, one, null, gradQIn);
    } else {
      critic2.backward(criticParams, q2, one, null, gradQIn);
    }
    double dqda = gradQIn[obsSize];
    double dadu = 1 - a * a;
    // d/du of −log(1 − a² + e), and of −Q.
    double gu = alpha * 2 * a * dadu / (1 - a * a + SQUASH_EPS) - dqda * dadu;
    two[0] = weight * gu;
    boolean clamped = raw < MIN_LOG_STD || raw > MAX_LOG_STD;
    two[1] = clamped ? 0 : weight * (-alpha + gu * sd * eps);
    actor.backward(params, 0, two, grad); // the actor's activations are still this forward's
    return logPi;
  }

  /**
   * The actor's objective for one observation and noise (for tests): {@code α log π(ã|s) − min(Q1,
   * Q2)(s, ã)}.
   */
  double actorObjective(double[] params, double[] obs, double eps, double alpha) {
    double[] out = actor.forward(params, 0, obs);
    double logStd = clampLogStd(out[1]);
    double a = Math.tanh(out[0] + Math.exp(logStd) * eps);
    System.arraycopy(obs, 0, qIn, 0, obsSize);
    qIn[obsSize] = a;
    double v1 = critic.forward(criticParams, 0, qIn)[0];
    double v2 = critic.forward(criticParams, q2, qIn)[0];
    return alpha * logProb(eps, logStd, a) - Math.min(v1, v2);
  }
}

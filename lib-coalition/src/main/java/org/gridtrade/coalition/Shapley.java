package org.gridtrade.coalition;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Shapley values and the core of a transferable-utility game given by a worth function
 * (Moniruzzaman Eq. 3.3): {@code φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S))}.
 * Players are numbered {@code 0 … n−1}; a coalition is a {@link BitSet} of player numbers. The
 * worth function must be deterministic; {@code v(∅)} is taken as given by the function (usually 0).
 * Stateless and thread-safe; the worth function is called from the calling thread only.
 */
public final class Shapley {
  /** Largest game {@link #exact} accepts (it evaluates all 2^n coalitions). */
  public static final int MAX_EXACT_PLAYERS = 25;

  /**
   * The largest magnitude of a coalition's worth: marginal contributions, values and the core
   * check's sums over up to 2^25 coalitions then stay finite.
   */
  public static final double MAX_WORTH = 1e100;

  private Shapley() {}

  /**
   * Exact Shapley values: evaluates the worth of all {@code 2^n} coalitions once, then sums the
   * weighted marginal contributions ({@code O(2^n · n)}).
   *
   * @param players number of players, 1 to {@value #MAX_EXACT_PLAYERS}
   * @param worth the worth function
   * @return the values (standard errors 0)
   * @throws IllegalArgumentException if the size is out of range or a worth is outside [-{@link
   *     #MAX_WORTH}, {@link #MAX_WORTH}]
   */
  public static ShapleyResult exact(int players, ToDoubleFunction<BitSet> worth) {
    double[] v = table(players, worth);
    int n = players;
    double[] weight = new double[n];
    // weight[k] = k!(n-k-1)!/n!, computed as 1 / (n · C(n-1, k)).
    for (int k = 0; k < n; k++) {
      weight[k] = 1.0 / (n * binomial(n - 1, k));
    }
    double[] phi = new double[n];
    int full = 1 << n;
    for (int mask = 0; mask < full; mask++) {
      int size = Integer.bitCount(mask);
      for (int i = 0; i < n; i++) {
        if ((mask & (1 << i)) == 0) {
          phi[i] += weight[size] * (v[mask | (1 << i)] - v[mask]);
        }
      }
    }
    List<Double> vals = new ArrayList<>();
    List<Double> ses = new ArrayList<>();
    for (double p : phi) {
      vals.add(p);
      ses.add(0.0);
    }
    return new ShapleyResult(vals, ses, 0, 0);
  }

  /**
   * Estimated Shapley values by permutation sampling: each sampled order adds players one by one
   * and credits each with its marginal contribution; the estimate is the mean over orders and the
   * standard error is the sample standard deviation over {@code √permutations}. Costs {@code
   * permutations · n} worth evaluations. Deterministic for a seed.
   *
   * @param players number of players, 1 or more
   * @param worth the worth function
   * @param permutations number of sampled orders, 2 or more
   * @param seed the random seed
   * @return the estimates with standard errors
   * @throws IllegalArgumentException if a count is out of range or a worth is outside [-{@link
   *     #MAX_WORTH}, {@link #MAX_WORTH}]
   */
  public static ShapleyResult sample(
      int players, ToDoubleFunction<BitSet> worth, long permutations, long seed) {
    Objects.requireNonNull(worth, "worth");
    if (players < 1) {
      throw new IllegalArgumentException("players %d must be >= 1".formatted(players));
    }
    if (permutations < 2) {
      throw new IllegalArgumentException("permutations %d must be >= 2".formatted(permutations));
    }
    int n = players;
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] mean = new double[n];
    double[] m2 = new double[n];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    BitSet s = new BitSet(n);
    double empty = checked(worth, new BitSet(n));
    for (long t = 1; t <= permutations; t++) {
      for (int i = n - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
      s.clear();
      double prev = empty;
      for (int k = 0; k < n; k++) {
        int p = order[k];
        s.set(p);
        double now = checked(worth, (BitSet) s.clone());
        double x = now - prev;
        prev = now;
        double d = x - mean[p];
        mean[p] += d / t;
        m2[p] += d * (x - mean[p]);
      }
    }
    List<Double> vals = new ArrayList<>();
    List<Double> ses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      vals.add(mean[i]);
      ses.add(Math.sqrt(m2[i] / (permutations - 1) / permutations));
    }
    return new ShapleyResult(vals, ses, permutations, seed);
  }

  /**
   * A coalition that blocks a payoff vector, if any: the payoff is in the core when it is efficient
   * ({@code Σ x_i = v(N)} within the tolerance) and no coalition gets less than its worth ({@code
   * Σ_{i∈S} x_i >= v(S) − tolerance}). Checks all {@code 2^n} coalitions.
   *
   * @param payoff one payoff per player
   * @param worth the worth function
   * @param tolerance allowed slack, 0 or more
   * @return empty when the payoff is in the core; else the grand coalition when the payoff is not
   *     efficient, or a coalition whose worth exceeds its payoff
   * @throws IllegalArgumentException if the size is out of range or a value is not finite
   */
  public static Optional<BitSet> blockingCoalition(
      List<Double> payoff, ToDoubleFunction<BitSet> worth, double tolerance) {
    int n = payoff.size();
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException(
          "tolerance %s must be finite and >= 0".formatted(tolerance));
    }
    double[] v = table(n, worth);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = payoff.get(i);
      if (!Double.isFinite(x[i])) {
        throw new IllegalArgumentException(
            "payoff[%d] %s must be finite".formatted(i, payoff.get(i)));
      }
    }
    int full = (1 << n) - 1;
    double total = 0;
    for (double xi : x) {
      total += xi;
    }
    if (Math.abs(total - v[full]) > tolerance) {
      return Optional.of(toBitSet(full));
    }
    double[] sum = new double[full + 1];
    for (int mask = 1; mask <= full; mask++) {
      int low = Integer.numberOfTrailingZeros(mask);
      sum[mask] = sum[mask & (mask - 1)] + x[low];
      if (sum[mask] < v[mask] - tolerance) {
        return Optional.of(toBitSet(mask));
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a payoff vector is in the core.
   *
   * @param payoff one payoff per player
   * @param worth the worth function
   * @param tolerance allowed slack, 0 or more
   * @return true when no coalition blocks it
   * @throws IllegalArgumentException as {@link #blockingCoalition}
   */
  public static boolean inCore(
      List<Double> payoff, ToDoubleFunction<BitSet> worth, double tolerance) {
    return blockingCoalition(payoff, worth, tolerance).isEmpty();
  }

  private static double[] table(int n, ToDoubleFunction<BitSet> worth) {
    Objects.requireNonNull(worth, "worth");
    if (n < 1 || n > MAX_EXACT_PLAYERS) {
      throw new IllegalArgumentException(
          "players %d must be in 1..%d for an exact computation".formatted(n, MAX_EXACT_PLAYERS));
    }
    double[] v = new double[1 << n];
    for (int mask = 0; mask < v.length; mask++) {
      v[mask] = checked(worth, toBitSet(mask));
    }
    return v;
  }

  private static double checked(ToDoubleFunction<BitSet> worth, BitSet s) {
    double w = worth.applyAsDouble(s);
    if (!(Math.abs(w) <= MAX_WORTH)) {
      throw new IllegalArgumentException(
          "worth of %s is %s; it must be in [-%s, %s]".formatted(s, w, MAX_WORTH, MAX_WORTH));
    }
    return w;
  }

  private static BitSet toBitSet(int mask) {
    return BitSet.valueOf(new long[] {mask & 0xffffffffL});
  }

  private static double binomial(int n, int k) {
    double r = 1;
    for (int i = 1; i <= k; i++) {
      r = r * (n - k + i) / i;
    }
    return r;
  }
}

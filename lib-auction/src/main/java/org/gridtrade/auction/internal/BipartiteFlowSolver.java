package org.gridtrade.auction.internal;

/**
 * Exact block-coordinate dual ascent for separable concave allocation on a complete bipartite graph
 * with row bounds and column capacities.
 *
 * <p>The flow of cell (i, j) is {@code x_ij = flow(i, j, u_i − α_j)}, non-decreasing in its
 * argument, where {@code u_i} is row i's price and {@code α_j ≥ 0} column j's capacity price. A row
 * update sets {@code u_i} so that the row total equals the row's target {@code clip(τ_i(u_i), lo_i,
 * hi_i)}; a column update sets the smallest {@code α_j ≥ 0} whose column total fits the capacity.
 * Each update maximises the concave dual over one block exactly, so the sweeps converge to the
 * unique KKT point. Not thread-safe; one instance per solve.
 *
 * <p>Every search is bounded: a row or column price is searched for among finite doubles only (at
 * most {@link #MAX_DOUBLINGS} doublings of the step, then bisection). A price that cannot be
 * bracketed — the flows overflow, or the price would have to leave the range of {@code double} — is
 * left unchanged and the solve reports failure instead of looping; so does a solve whose {@link
 * Budget} expires.
 */
public final class BipartiteFlowSolver {

  /** The problem: cell responses and row targets. */
  public interface Problem {
    /**
     * The flow of a cell at net price {@code t}, non-decreasing in {@code t}.
     *
     * @param i row
     * @param j column
     * @param t row price minus column price
     * @return the flow, 0 or more
     */
    double flow(int i, int j, double t);

    /**
     * The row total a row wants at price {@code u}, already clipped to the row's bounds;
     * non-increasing in {@code u}.
     *
     * @param i row
     * @param u the row price
     * @param total the row total the flows give at {@code u}
     * @return the target total
     */
    double target(int i, double u, double total);
  }

  private final Problem problem;
  private final int rows;
  private final int cols;
  private final double[] capacity;
  private final double[] u;
  private final double[] alpha;
  private int sweeps;
  private boolean stalled;

  /** The most doublings of a bracket's step: enough to span the whole range of double. */
  static final int MAX_DOUBLINGS = 2_100;

  /**
   * A solver starting from the given prices.
   *
   * @param problem the problem
   * @param capacity column capacities
   * @param u0 initial row prices (copied)
   * @param alpha0 initial column prices (copied)
   */
  public BipartiteFlowSolver(Problem problem, double[] capacity, double[] u0, double[] alpha0) {
    this.problem = problem;
    this.rows = u0.length;
    this.cols = capacity.length;
    this.capacity = capacity.clone();
    this.u = u0.clone();
    this.alpha = alpha0.clone();
  }

  /**
   * Sweeps until the row residual is below {@code tol} (relative) or {@code maxSweeps} is reached.
   *
   * @param tol relative tolerance on row totals
   * @param maxSweeps most sweeps
   * @return true if the tolerance was met
   */
  public boolean solve(double tol, int maxSweeps) {
    return solve(tol, maxSweeps, Budget.unlimited());
  }

  /**
   * Sweeps until the row residual is below {@code tol} (relative), {@code maxSweeps} is reached, a
   * price cannot be bracketed among finite doubles or the budget expires.
   *
   * @param tol relative tolerance on row totals
   * @param maxSweeps most sweeps
   * @param budget the time budget, checked once per sweep
   * @return true if the tolerance was met
   */
  public boolean solve(double tol, int maxSweeps, Budget budget) {
    for (int i = 0; i < rows; i++) {
      updateRow(i);
    }
    while (sweeps < maxSweeps && !stalled && !budget.expired()) {
      sweeps++;
      for (int j = 0; j < cols; j++) {
        updateColumn(j);
      }
      double residual = 0;
      for (int i = 0; i < rows; i++) {
        double total = rowTotal(i, u[i]);
        double target = problem.target(i, u[i], total);
        residual = Math.max(residual, Math.abs(total - target) / Math.max(1, Math.abs(target)));
      }
      for (int i = 0; i < rows; i++) {
        updateRow(i);
      }
      if (residual <= tol && !stalled) {
        return true;
      }
    }
    return false;
  }

  /**
   * The flows at the current prices.
   *
   * @return x[i][j]
   */
  public double[][] flows() {
    double[][] x = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        x[i][j] = problem.flow(i, j, u[i] - alpha[j]);
      }
    }
    return x;
  }

  /**
   * The row prices.
   *
   * @return a copy of u
   */
  public double[] rowPrices() {
    return u.clone();
  }

  /**
   * The column prices.
   *
   * @return a copy of α
   */
  public double[] columnPrices() {
    return alpha.clone();
  }

  /**
   * Sweeps done so far.
   *
   * @return the count
   */
  public int sweeps() {
    return sweeps;
  }

  private double rowTotal(int i, double ui) {
    double s = 0;
    for (int j = 0; j < cols; j++) {
      s += problem.flow(i, j, ui - alpha[j]);
    }
    return s;
  }

  private double columnTotal(int j, double a) {
    double s = 0;
    for (int i = 0; i < rows; i++) {
      s += problem.flow(i, j, u[i] - a);
    }
    return s;
  }

  private double rowGap(int i, double ui) {
    double total = rowTotal(i, ui);
    return total - problem.target(i, ui, total);
  }

  /**
   * Whether a search stopped because a price could not be bracketed among finite doubles.
   *
   * @return true after such a failure
   */
  public boolean stalled() {
    return stalled;
  }

  // The bracket searches below used to double their step without a bound. On out-of-range input
  // (flows that overflow, or an optimum price beyond the range of double) the price became -inf,
  // then the next search's bound -inf + inf = NaN, where the gap never changes sign: the doubling
  // never ended. Now a search stays among finite prices, stops after MAX_DOUBLINGS and leaves the
  // price unchanged when it finds no bracket (the solve then reports failure).
  private void updateRow(int i) {
    if (!Double.isFinite(u[i])) {
      stalled = true;
      return;
    }
    double lo = u[i];
    double hi = u[i];
    double g = rowGap(i, lo);
    if (g == 0) {
      return;
    }
    if (Double.isNaN(g)) {
      stalled = true;
      return;
    }
    double step = Math.max(1, Math.abs(u[i]));
    boolean bracketed = false;
    if (g > 0) {
      // too much flow: lower the price
      for (int k = 0; k < MAX_DOUBLINGS; k++) {
        lo = hi - step;
        double gl = rowGap(i, lo);
        if (!Double.isFinite(lo) || Double.isNaN(gl)) {
          break;
        }
        if (gl <= 0) {
          bracketed = true;
          break;
        }
        hi = lo;
        step *= 2;
      }
    } else {
      for (int k = 0; k < MAX_DOUBLINGS; k++) {
        hi = lo + step;
        double gh = rowGap(i, hi);
        if (!Double.isFinite(hi) || Double.isNaN(gh)) {
          break;
        }
        if (gh >= 0) {
          bracketed = true;
          break;
        }
        lo = hi;
        step *= 2;
      }
    }
    if (!bracketed) {
      stalled = true;
      return;
    }
    u[i] = bisect(lo, hi, x -> rowGap(i, x), false);
  }

  private void updateColumn(int j) {
    if (columnTotal(j, 0) <= capacity[j]) {
      alpha[j] = 0;
      return;
    }
    double lo = 0;
    double hi = Double.isFinite(alpha[j]) ? Math.max(1, alpha[j]) : 1;
    int k = 0;
    while (columnTotal(j, hi) > capacity[j]) {
      lo = hi;
      hi *= 2;
      if (++k >= MAX_DOUBLINGS || !Double.isFinite(hi)) {
        stalled = true;
        return;
      }
    }
    // columnTotal is decreasing in α: negate so the gap increases
    alpha[j] = bisect(lo, hi, a -> capacity[j] - columnTotal(j, a), true);
  }

  /**
   * Bisection for an increasing function with f(lo) ≤ 0 ≤ f(hi); returns the upper end (the
   * feasible side of a capacity) or the midpoint.
   */
  private static double bisect(
      double lo, double hi, java.util.function.DoubleUnaryOperator f, boolean upper) {
    for (int k = 0; k < 200; k++) {
      double mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi) {
        break;
      }
      double v = f.applyAsDouble(mid);
      if (v == 0 && !upper) {
        return mid;
      }
      if (v < 0 || (v == 0 && upper)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return upper ? hi : 0.5 * (lo + hi);
  }
}

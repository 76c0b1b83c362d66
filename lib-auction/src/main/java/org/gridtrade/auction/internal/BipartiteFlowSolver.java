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
    for (int i = 0; i < rows; i++) {
      updateRow(i);
    }
    while (sweeps < maxSweeps) {
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
      if (residual <= tol) {
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

  private void updateRow(int i) {
    double lo = u[i];
    double hi = u[i];
    double g = rowGap(i, lo);
    if (g == 0) {
      return;
    }
    double step = Math.max(1, Math.abs(u[i]));
    if (g > 0) {
      // too much flow: lower the price
      while (true) {
        lo = hi - step;
        if (rowGap(i, lo) <= 0) {
          break;
        }
        hi = lo;
        step *= 2;
      }
    } else {
      while (true) {
        hi = lo + step;
        if (rowGap(i, hi) >= 0) {
          break;
        }
        lo = hi;
        step *= 2;
      }
    }
    u[i] = bisect(lo, hi, x -> rowGap(i, x), false);
  }

  private void updateColumn(int j) {
    if (columnTotal(j, 0) <= capacity[j]) {
      alpha[j] = 0;
      return;
    }
    double lo = 0;
    double hi = Math.max(1, alpha[j]);
    while (columnTotal(j, hi) > capacity[j]) {
      lo = hi;
      hi *= 2;
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

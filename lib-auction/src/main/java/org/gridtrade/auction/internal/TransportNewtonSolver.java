package org.gridtrade.auction.internal;

/**
 * Separable concave allocation on a complete bipartite graph with row bounds and column capacities,
 * solved by a projected Newton method on the column (capacity) prices with an exact 1-D Newton
 * solve of every row.
 *
 * <p>The flow of cell (i, j) is {@code x_ij = flow(i, j, u_i − α_j)}, non-decreasing in its
 * argument, where {@code u_i} is row i's price and {@code α_j ≥ 0} column j's capacity price. Given
 * α, each row price solves {@code Σ_j x_ij = clip(demand_i(u_i), lo_i, hi_i)} (or, for a problem
 * whose rows are {@linkplain Problem#freeAtZero() free at zero}, {@code u_i = 0} when the row total
 * at 0 lies within the bounds, else the nearer bound is met). The column prices then solve the
 * complementarity system {@code Σ_i x_ij ≤ cap_j ⊥ α_j ≥ 0}, whose Jacobian {@code ∂C/∂α} has the
 * closed form {@code Σ_i v_i v_iᵀ / (V_i + ω_i) − diag(Σ_i v_ij)} (v = flow slopes, V_i their row
 * sum, {@code ω_i = −∂ target/∂u}): an m×m system per step, built in O(n m²). A backtracking line
 * search on the squared residual globalises the step. Not thread-safe; one instance per solve.
 */
public final class TransportNewtonSolver {

  /** The problem: cell responses and row demands. */
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
     * The derivative of {@link #flow} in {@code t} (the right derivative at a kink).
     *
     * @param i row
     * @param j column
     * @param t row price minus column price
     * @return the slope, 0 or more
     */
    double slope(int i, int j, double t);

    /**
     * True if every row is free at price 0 (any total within the bounds) and only a bound can make
     * its price non-zero; {@link #demand} and {@link #demandSlope} are then not used.
     *
     * @return whether rows are free at zero
     */
    boolean freeAtZero();

    /**
     * The unclipped total row i wants at price {@code u}, non-increasing in {@code u}, possibly
     * infinite.
     *
     * @param i row
     * @param u row price
     * @return the demand
     */
    double demand(int i, double u);

    /**
     * The derivative of {@link #demand} in {@code u}, 0 or less.
     *
     * @param i row
     * @param u row price
     * @return the slope
     */
    double demandSlope(int i, double u);

    /**
     * The price at which row i's unclipped demand equals {@code total} (0 for rows free at zero).
     *
     * @param i row
     * @param total a row total
     * @return the price
     */
    double inversePrice(int i, double total);
  }

  private final Problem problem;
  private final int n;
  private final int m;
  private final double[] lo;
  private final double[] hi;
  private final double[] cap;
  private final double[] u;
  private final double[] alpha;
  private final double[] omega;
  private final byte[] clip;
  private final double[][] x;
  private final double[][] v;
  private final double[] col;
  private int iterations;
  private Budget budget = Budget.unlimited();

  /**
   * A solver starting from the given prices.
   *
   * @param problem the problem
   * @param lo row lower bounds
   * @param hi row upper bounds
   * @param cap column capacities
   * @param u0 initial row prices (copied)
   * @param alpha0 initial column prices (copied, negatives raised to 0)
   */
  public TransportNewtonSolver(
      Problem problem, double[] lo, double[] hi, double[] cap, double[] u0, double[] alpha0) {
    this.problem = problem;
    this.n = lo.length;
    this.m = cap.length;
    this.lo = lo;
    this.hi = hi;
    this.cap = cap;
    this.u = u0.clone();
    this.alpha = new double[m];
    for (int j = 0; j < m; j++) {
      alpha[j] = Math.max(0, alpha0[j]);
    }
    this.omega = new double[n];
    this.clip = new byte[n];
    this.x = new double[n][m];
    this.v = new double[n][m];
    this.col = new double[m];
  }

  /**
   * Newton steps until every column's complementarity residual is below {@code tol} relative to its
   * capacity.
   *
   * @param tol relative tolerance on column totals
   * @param maxIterations most Newton steps
   * @return true if the tolerance was met
   */
  public boolean solve(double tol, int maxIterations) {
    return solve(tol, maxIterations, Budget.unlimited());
  }

  /**
   * Newton steps until every column's complementarity residual is below {@code tol} relative to its
   * capacity, or {@code maxIterations} steps, or the budget expires.
   *
   * @param tol relative tolerance on column totals
   * @param maxIterations most Newton steps
   * @param budget the time budget, checked once per step
   * @return true if the tolerance was met
   */
  public boolean solve(double tol, int maxIterations, Budget budget) {
    this.budget = budget;
    solveRows(alpha, u);
    double merit = merit(alpha);
    int[] active = new int[m];
    double[] trialAlpha = new double[m];
    double[] trialU = new double[n];
    int stalls = 0;
    while (true) {
      if (maxResidual() <= Math.max(tol, 4 * roundingFloor())) {
        return true;
      }
      if (iterations >= maxIterations || budget.expired() || !finitePrices()) {
        return false;
      }
      iterations++;
      int a = 0;
      for (int j = 0; j < m; j++) {
        if (alpha[j] > 0 || col[j] > cap[j]) {
          active[a++] = j;
        }
      }
      boolean accepted = false;
      // Levenberg-Marquardt safeguard: a larger ridge when the Newton step fails the line search
      // (the Jacobian is singular along shifts of all prices when every row sits on a bound).
      for (int attempt = 0; attempt < 6 && !accepted; attempt++) {
        double[] step = newtonStep(active, a, Math.pow(100, attempt) * 1e-10);
        double t = 1;
        for (int ls = 0; ls < (attempt == 5 ? 40 : 12); ls++) {
          System.arraycopy(alpha, 0, trialAlpha, 0, m);
          for (int q = 0; q < a; q++) {
            int j = active[q];
            trialAlpha[j] = Math.max(0, alpha[j] + t * step[q]);
          }
          System.arraycopy(u, 0, trialU, 0, n);
          solveRows(trialAlpha, trialU);
          double trial = merit(trialAlpha);
          if (trial <= (1 - 1e-4 * t) * merit || trial == 0) {
            System.arraycopy(trialAlpha, 0, alpha, 0, m);
            System.arraycopy(trialU, 0, u, 0, n);
            merit = trial;
            accepted = true;
            normaliseShift();
            break;
          }
          t *= 0.5;
        }
      }
      if (!accepted) {
        // A kink of the piecewise-smooth system stalls Newton: a few exact coordinate-ascent
        // sweeps (monotone in the dual) move past it, then Newton resumes.
        if (maxResidual() <= 100 * tol) {
          return true; // at the floating-point floor of the column sums
        }
        if (++stalls > 3 || !finitePrices()) {
          return false; // the caller falls back to coordinate ascent from its own start
        }
        coordinateSweeps(20);
        merit = merit(alpha);
      }
    }
  }

  private boolean finitePrices() {
    for (double p : u) {
      if (!Double.isFinite(p)) {
        return false;
      }
    }
    for (double p : alpha) {
      if (!Double.isFinite(p)) {
        return false;
      }
    }
    return true;
  }

  private void coordinateSweeps(int sweeps) {
    BipartiteFlowSolver.Problem p =
        new BipartiteFlowSolver.Problem() {
          @Override
          public double flow(int i, int j, double t) {
            return problem.flow(i, j, t);
          }

          @Override
          public double target(int i, double uu, double total) {
            double d;
            if (problem.freeAtZero()) {
              d = uu < 0 ? hi[i] : uu > 0 ? lo[i] : total;
            } else {
              d = problem.demand(i, uu);
            }
            return Math.min(hi[i], Math.max(lo[i], d));
          }
        };
    BipartiteFlowSolver cs = new BipartiteFlowSolver(p, cap, u, alpha);
    cs.solve(0, sweeps, budget);
    System.arraycopy(cs.rowPrices(), 0, u, 0, n);
    System.arraycopy(cs.columnPrices(), 0, alpha, 0, m);
    solveRows(alpha, u);
  }

  /** Solves (−∂C/∂α) dα = C − cap over the active columns; −∂C/∂α is positive semi-definite. */
  private double[] newtonStep(int[] active, int a, double relativeRidge) {
    double[][] h = new double[a][a];
    double[] rhs = new double[a];
    double[] va = new double[a];
    for (int i = 0; i < n; i++) {
      double rowV = 0;
      for (int j = 0; j < m; j++) {
        rowV += v[i][j];
      }
      double denom = rowV + omega[i];
      if (!(denom > 0) || Double.isInfinite(denom)) {
        for (int q = 0; q < a; q++) {
          h[q][q] += v[i][active[q]];
        }
        continue;
      }
      boolean any = false;
      for (int q = 0; q < a; q++) {
        va[q] = v[i][active[q]];
        h[q][q] += va[q];
        any |= va[q] > 0;
      }
      if (!any) {
        continue;
      }
      double inv = 1 / denom;
      for (int q = 0; q < a; q++) {
        double s = va[q] * inv;
        if (s == 0) {
          continue;
        }
        double[] hq = h[q];
        for (int r = 0; r <= q; r++) {
          hq[r] -= s * va[r];
        }
      }
    }
    double trace = 0;
    for (int q = 0; q < a; q++) {
      for (int r = 0; r < q; r++) {
        h[r][q] = h[q][r];
      }
      trace += h[q][q];
      int j = active[q];
      rhs[q] = col[j] - cap[j];
    }
    double ridge = relativeRidge * trace / Math.max(1, a) + 1e-300;
    for (int q = 0; q < a; q++) {
      h[q][q] += ridge;
      if (!(h[q][q] > 0)) {
        h[q][q] = Math.max(ridge, 1e-12);
      }
    }
    double[] d = LinearAlgebra.solveCholesky(h, rhs);
    if (d == null) {
      d = new double[a];
      for (int q = 0; q < a; q++) {
        d[q] = rhs[q] / h[q][q];
      }
    }
    return d;
  }

  /**
   * With every row on a bound, shifting every price down by the same amount leaves all flows
   * unchanged as long as no lower-bound row's demand reaches its bound: the Jacobian is singular
   * along that shift, and the iterates could drift along it. Shift back to the smallest equivalent
   * prices (some α_j becomes 0 or some lower-bound row reaches the price of its bound).
   */
  private void normaliseShift() {
    double delta = Double.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      if (clip[i] == 0) {
        return;
      }
      if (clip[i] < 0) {
        delta = Math.min(delta, u[i] - problem.inversePrice(i, lo[i]));
      }
    }
    for (int j = 0; j < m; j++) {
      delta = Math.min(delta, alpha[j]);
    }
    if (!(delta > 0) || Double.isInfinite(delta)) {
      return;
    }
    for (int j = 0; j < m; j++) {
      alpha[j] = Math.max(0, alpha[j] - delta);
    }
    for (int i = 0; i < n; i++) {
      u[i] -= delta;
    }
    solveRows(alpha, u);
  }

  private double merit(double[] al) {
    double s = 0;
    for (int j = 0; j < m; j++) {
      double r = residual(j, al);
      s += r * r;
    }
    return s;
  }

  private double maxResidual() {
    double s = 0;
    for (int j = 0; j < m; j++) {
      s = Math.max(s, Math.abs(residual(j, alpha)));
    }
    return s;
  }

  /**
   * The smallest column residual floating point can resolve at the current prices: one unit in the
   * last place of a row or column price moves a column total by the cells' slopes times that unit.
   * With steep flows (a small c1) and high prices this exceeds any fixed tolerance; Newton then
   * stalled and the caller fell back to 100,000 futile coordinate sweeps.
   */
  private double roundingFloor() {
    double floor = 0;
    for (int j = 0; j < m; j++) {
      double f = 0;
      for (int i = 0; i < n; i++) {
        f += v[i][j] * (Math.ulp(u[i]) + Math.ulp(alpha[j]));
      }
      floor = Math.max(floor, f / cap[j]);
    }
    return floor;
  }

  private double residual(int j, double[] al) {
    double over = (col[j] - cap[j]) / cap[j];
    return al[j] > 0 ? over : Math.max(0, over);
  }

  /** Solves every row at the given column prices, updating {@code uu} in place. */
  private void solveRows(double[] al, double[] uu) {
    java.util.Arrays.fill(col, 0);
    for (int i = 0; i < n; i++) {
      uu[i] = solveRow(i, al, uu[i]);
      double[] xi = x[i];
      double[] vi = v[i];
      for (int j = 0; j < m; j++) {
        double t = uu[i] - al[j];
        xi[j] = problem.flow(i, j, t);
        vi[j] = problem.slope(i, j, t);
        col[j] += xi[j];
      }
    }
  }

  private double rowTotal(int i, double[] al, double ui) {
    double s = 0;
    for (int j = 0; j < m; j++) {
      s += problem.flow(i, j, ui - al[j]);
    }
    return s;
  }

  private double rowSlope(int i, double[] al, double ui) {
    double s = 0;
    for (int j = 0; j < m; j++) {
      s += problem.slope(i, j, ui - al[j]);
    }
    return s;
  }

  private double solveRow(int i, double[] al, double start) {
    if (problem.freeAtZero()) {
      double s0 = rowTotal(i, al, 0);
      if (s0 >= lo[i] && s0 <= hi[i]) {
        omega[i] = Double.POSITIVE_INFINITY;
        clip[i] = 0;
        return 0;
      }
      omega[i] = 0;
      clip[i] = (byte) (s0 < lo[i] ? -1 : 1);
      double target = s0 < lo[i] ? lo[i] : hi[i];
      // the root lies on the side of 0 where the total moves toward the target
      double bracketLo = s0 < lo[i] ? 0 : Double.NEGATIVE_INFINITY;
      double bracketHi = s0 < lo[i] ? Double.POSITIVE_INFINITY : 0;
      double guess = start > bracketLo && start < bracketHi ? start : 0;
      return rootOfRow(i, al, guess, bracketLo, bracketHi, target, false);
    }
    return rootOfRow(
        i, al, start, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NaN, true);
  }

  /**
   * Safeguarded Newton for the increasing row gap {@code g(u) = total(u) − target(u)}: Newton steps
   * inside a bracket, bisection when a step leaves it, doubling steps until a bracket is found.
   */
  private double rootOfRow(
      int i, double[] al, double start, double a, double b, double fixedTarget, boolean useDemand) {
    double uu = start;
    double scale = Math.max(1, Math.abs(start));
    double step = scale;
    double previous = Double.POSITIVE_INFINITY;
    for (int it = 0; it < 200; it++) {
      double total = rowTotal(i, al, uu);
      double target;
      double om = 0;
      if (useDemand) {
        double d = problem.demand(i, uu);
        if (d <= lo[i]) {
          target = lo[i];
          clip[i] = -1;
        } else if (d >= hi[i]) {
          target = hi[i];
          clip[i] = 1;
        } else {
          target = d;
          clip[i] = 0;
          om = -problem.demandSlope(i, uu);
        }
      } else {
        target = fixedTarget;
      }
      double g = total - target;
      omega[i] = om;
      if (Math.abs(g) <= 1e-13 * Math.max(1, Math.abs(target))) {
        return uu;
      }
      if (g > 0) {
        b = uu;
      } else {
        a = uu;
      }
      double slope = rowSlope(i, al, uu) + om;
      double next = slope > 0 ? uu - g / slope : Double.NaN;
      boolean finiteBracket = Double.isFinite(a) && Double.isFinite(b);
      // bisect when Newton leaves the bracket or stalls (it can cycle around a kink)
      boolean stalled = Math.abs(g) > 0.5 * previous;
      previous = Math.abs(g);
      if (!(next > a && next < b) || (stalled && finiteBracket)) {
        if (finiteBracket) {
          next = 0.5 * (a + b);
        } else {
          next = g > 0 ? uu - step : uu + step;
          step *= 2;
        }
      }
      if (finiteBracket && (b - a) <= 1e-15 * Math.max(1, Math.abs(uu))) {
        return 0.5 * (a + b);
      }
      if (next == uu) {
        return uu;
      }
      uu = next;
    }
    return uu;
  }

  /**
   * The flows at the current prices.
   *
   * @return a copy of x[i][j]
   */
  public double[][] flows() {
    double[][] c = new double[n][];
    for (int i = 0; i < n; i++) {
      c[i] = x[i].clone();
    }
    return c;
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
   * Newton steps done.
   *
   * @return the count
   */
  public int iterations() {
    return iterations;
  }
}

package org.gridtrade.auction.internal;

/**
 * A separable convex program on a complete bipartite graph, quadratic in the cells, solved by a
 * primal-dual interior-point method (Mehrotra's predictor-corrector) that exploits the graph:
 *
 * <pre>
 *   minimise   Σ_i f_i(T_i) + Σ_ij (½ q_ij y_ij² + c_ij y_ij)
 *   subject to Σ_j y_ij = T_i,  lo_i ≤ T_i ≤ hi_i          (rows)
 *              Σ_i y_ij ≤ cap_j                              (columns)
 *              0 ≤ y_ij ≤ ub_ij                              (cells; ub_ij = 0 closes a cell)
 * </pre>
 *
 * with {@code q_ij ≥ 0} and every row cost {@code f_i} convex and twice differentiable on its
 * bounds: a quadratic {@code ½ a_i T² + g_i T} (the auctioneer's model) or minus an EV's
 * logarithmic utility (SWM itself). Every bound is finite, so the method keeps every variable
 * strictly inside its box and needs no feasible start. Each step solves the normal equations {@code
 * A D Aᵀ} of the n row and m column constraints by eliminating the rows (a diagonal block) and
 * factoring the m×m Schur complement: O(n m²) a step, where a general QP solver would factor a
 * system in all n m cells. It converges in a few dozen steps whatever the active set, where the
 * Newton method on the column prices ({@link TransportNewtonSolver}) can stall at a kink and
 * coordinate ascent crawls.
 *
 * <p>At the optimum the row multiplier {@code u_i} is row i's marginal value {@code −f_i'(T_i)}
 * where its total is inside its bounds, and the column multiplier {@code α_j ≥ 0} the price of
 * column j's capacity: an open cell strictly inside its bounds has marginal cost {@code q_ij y_ij +
 * c_ij = u_i − α_j}, the convention of {@link TransportNewtonSolver}. A row without an open cell
 * has total 0 and price 0. The iterate stays strictly inside the bounds, so a cell whose optimum is
 * at a bound ends a hair inside it: a Newton step from the prices ({@link TransportNewtonSolver})
 * puts it on the bound (a crossover). Not thread-safe; one instance per solve.
 */
public final class TransportInteriorPointSolver {

  /** A row's convex cost {@code f_i}, through its first two derivatives. */
  public interface RowCost {
    /**
     * {@code f_i'(t)}.
     *
     * @param i row
     * @param t a total within the row's bounds
     * @return the derivative
     */
    double gradient(int i, double t);

    /**
     * {@code f_i''(t)}, 0 or more.
     *
     * @param i row
     * @param t a total within the row's bounds
     * @return the second derivative
     */
    double curvature(int i, double t);
  }

  /** The fraction of the way to the boundary a step may go. */
  private static final double STEP_TO_BOUNDARY = 0.995;

  /** The proximal regularisation of the Newton systems, relative to price scale / size scale. */
  private static final double REGULARISATION = 1e-9;

  private final int n;
  private final int m;
  // variables: the open cells, then the free row totals, then the column slacks
  private final int cells;
  private final int size;
  private final int[] cellRow;
  private final int[] cellCol;
  private final int[] rowStart; // open cells of row i: rowStart[i] .. rowStart[i + 1] - 1
  private final int[] totalVar; // variable of T_i, or -1 if T_i is fixed at lo_i
  private final int[] slackVar; // variable of column j's slack, or -1 if the column is closed
  private final RowCost rowCost;
  private final int[] varRow; // the row of a free total's variable
  private final double[] q;
  private final double[] c;
  private final double[] lower;
  private final double[] upper;
  private final double[] rowRhs;
  private final double[] colRhs;
  private final double[] z;
  private final double[] lambdaLo;
  private final double[] lambdaHi;
  private final double[] rowPrice;
  private final double[] colPrice;
  private int iterations;

  /**
   * A problem with quadratic row costs {@code ½ a_i T² + g_i T}. Arrays are read, not kept.
   *
   * @param a rows' quadratic factors, 0 or more
   * @param g rows' linear factors
   * @param qq cells' quadratic factors, 0 or more
   * @param cc cells' linear factors
   * @param lo row lower bounds
   * @param hi row upper bounds, at least lo
   * @param ub cell capacities, 0 or more
   * @param cap column capacities, 0 or more
   */
  public TransportInteriorPointSolver(
      double[] a,
      double[] g,
      double[][] qq,
      double[][] cc,
      double[] lo,
      double[] hi,
      double[][] ub,
      double[] cap) {
    this(quadratic(a.clone(), g.clone()), qq, cc, lo, hi, ub, cap);
  }

  /**
   * A problem. Arrays are read, not kept.
   *
   * @param rowCost the rows' convex costs
   * @param qq cells' quadratic factors, 0 or more
   * @param cc cells' linear factors
   * @param lo row lower bounds
   * @param hi row upper bounds, at least lo
   * @param ub cell capacities, 0 or more
   * @param cap column capacities, 0 or more
   */
  public TransportInteriorPointSolver(
      RowCost rowCost,
      double[][] qq,
      double[][] cc,
      double[] lo,
      double[] hi,
      double[][] ub,
      double[] cap) {
    this.rowCost = rowCost;
    this.n = lo.length;
    this.m = cap.length;
    int open = 0;
    boolean[] rowOpen = new boolean[n];
    boolean[] colOpen = new boolean[m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        if (ub[i][j] > 0 && cap[j] > 0) {
          open++;
          rowOpen[i] = true;
          colOpen[j] = true;
        }
      }
    }
    this.cells = open;
    this.cellRow = new int[open];
    this.cellCol = new int[open];
    this.rowStart = new int[n + 1];
    this.totalVar = new int[n];
    this.slackVar = new int[m];
    int free = 0;
    // a row without an open cell has total 0 and a column without one carries nothing: fixed,
    // not variables, or their multipliers would be free to grow without bound together
    for (int i = 0; i < n; i++) {
      totalVar[i] = hi[i] > lo[i] && rowOpen[i] ? open + free++ : -1;
    }
    int slacks = 0;
    for (int j = 0; j < m; j++) {
      slackVar[j] = colOpen[j] ? open + free + slacks++ : -1;
    }
    this.size = open + free + slacks;
    this.varRow = new int[free];
    this.q = new double[size];
    this.c = new double[size];
    this.lower = new double[size];
    this.upper = new double[size];
    int k = 0;
    for (int i = 0; i < n; i++) {
      rowStart[i] = k;
      for (int j = 0; j < m; j++) {
        if (ub[i][j] > 0 && cap[j] > 0) {
          cellRow[k] = i;
          cellCol[k] = j;
          q[k] = qq[i][j];
          c[k] = cc[i][j];
          upper[k] = ub[i][j];
          k++;
        }
      }
      if (totalVar[i] >= 0) {
        int t = totalVar[i];
        varRow[t - open] = i;
        lower[t] = lo[i];
        upper[t] = hi[i];
      }
    }
    rowStart[n] = k;
    this.rowRhs = new double[n];
    for (int i = 0; i < n; i++) {
      // a closed row that must take more than 0 is infeasible: its residual stays and the solve
      // reports failure
      rowRhs[i] = totalVar[i] >= 0 ? 0 : rowOpen[i] ? lo[i] : Math.max(0, lo[i]);
    }
    this.colRhs = cap.clone();
    for (int j = 0; j < m; j++) {
      if (slackVar[j] >= 0) {
        upper[slackVar[j]] = cap[j];
      }
    }
    this.z = new double[size];
    this.lambdaLo = new double[size];
    this.lambdaHi = new double[size];
    this.rowPrice = new double[n];
    this.colPrice = new double[m];
  }

  private static RowCost quadratic(double[] a, double[] g) {
    return new RowCost() {
      @Override
      public double gradient(int i, double t) {
        return a[i] * t + g[i];
      }

      @Override
      public double curvature(int i, double t) {
        return a[i];
      }
    };
  }

  /**
   * Interior-point steps until the primal and dual residuals and the complementarity gap are below
   * {@code tol} relative to the problem's scale, or {@code maxIterations} steps, or the budget
   * expires.
   *
   * @param tol relative tolerance, e.g. 1e-11
   * @param maxIterations most steps
   * @param budget the time budget
   * @return true if the tolerance was met
   */
  public boolean solve(double tol, int maxIterations, Budget budget) {
    double priceScale = 1;
    double sizeScale = 1;
    for (int k = 0; k < size; k++) {
      priceScale = Math.max(priceScale, Math.abs(c[k]) + q[k] * upper[k]);
      sizeScale = Math.max(sizeScale, upper[k]);
    }
    for (int i = 0; i < n; i++) {
      if (totalVar[i] >= 0) {
        int t = totalVar[i];
        double slope =
            Math.max(
                Math.abs(rowCost.gradient(i, lower[t])), Math.abs(rowCost.gradient(i, upper[t])));
        if (Double.isFinite(slope)) {
          priceScale = Math.max(priceScale, slope);
        }
      }
    }
    // a proximal term on the Newton systems keeps them well conditioned where a variable has no
    // curvature and is far from its bounds (the residuals stay exact, so the fixed point is too)
    double regularisation = REGULARISATION * priceScale / sizeScale;
    for (int k = 0; k < size; k++) {
      z[k] = lower[k] + 0.5 * (upper[k] - lower[k]);
      lambdaLo[k] = priceScale;
      lambdaHi[k] = priceScale;
    }
    java.util.Arrays.fill(rowPrice, 0);
    java.util.Arrays.fill(colPrice, 0);
    double[] rd = new double[size];
    double[] rp = new double[n + m];
    double[] d = new double[size];
    double[] rowDiag = new double[n];
    double[][] schur = new double[m][m];
    double[] dz = new double[size];
    double[] dll = new double[size];
    double[] dlh = new double[size];
    double[] dpr = new double[n];
    double[] dpc = new double[m];
    double[] rcl = new double[size];
    double[] rch = new double[size];
    double[] affZ = new double[size];
    double[] affLo = new double[size];
    double[] affHi = new double[size];
    for (iterations = 0; iterations < maxIterations; iterations++) {
      if (budget.expired()) {
        return false;
      }
      residuals(rd, rp);
      double gap = 0;
      for (int k = 0; k < size; k++) {
        gap += (z[k] - lower[k]) * lambdaLo[k] + (upper[k] - z[k]) * lambdaHi[k];
      }
      double mu = gap / (2.0 * size);
      // the gap bounds the objective's distance from the optimum: judged against the size of the
      // objective's terms, Σ_k |∂f/∂z_k · z_k|
      double objectiveScale = 1;
      for (int k = 0; k < cells; k++) {
        objectiveScale += Math.abs((q[k] * z[k] + c[k]) * z[k]);
      }
      for (int t = cells; t < cells + varRow.length; t++) {
        objectiveScale += Math.abs(rowCost.gradient(varRow[t - cells], z[t]) * z[t]);
      }
      if (maxAbs(rp) <= tol * sizeScale
          && maxAbs(rd) <= tol * priceScale
          && gap <= tol * objectiveScale) {
        return true;
      }
      for (int t = cells; t < cells + varRow.length; t++) {
        q[t] = rowCost.curvature(varRow[t - cells], z[t]);
      }
      for (int k = 0; k < size; k++) {
        double sigma = lambdaLo[k] / (z[k] - lower[k]) + lambdaHi[k] / (upper[k] - z[k]);
        d[k] = 1 / (q[k] + sigma + regularisation);
      }
      if (!factor(d, rowDiag, schur)) {
        return false;
      }
      // predictor: the affine-scaling direction
      for (int k = 0; k < size; k++) {
        rcl[k] = -(z[k] - lower[k]) * lambdaLo[k];
        rch[k] = -(upper[k] - z[k]) * lambdaHi[k];
      }
      direction(d, rowDiag, schur, rd, rp, rcl, rch, dz, dll, dlh, dpr, dpc);
      double affStep = maxStep(dz, dll, dlh);
      double affGap = 0;
      for (int k = 0; k < size; k++) {
        affGap +=
            (z[k] + affStep * dz[k] - lower[k]) * (lambdaLo[k] + affStep * dll[k])
                + (upper[k] - z[k] - affStep * dz[k]) * (lambdaHi[k] + affStep * dlh[k]);
      }
      double centring = Math.pow(affGap / gap, 3);
      System.arraycopy(dz, 0, affZ, 0, size);
      System.arraycopy(dll, 0, affLo, 0, size);
      System.arraycopy(dlh, 0, affHi, 0, size);
      // corrector: centring towards σμ with Mehrotra's second-order term
      for (int k = 0; k < size; k++) {
        rcl[k] = centring * mu - (z[k] - lower[k]) * lambdaLo[k] - affZ[k] * affLo[k];
        rch[k] = centring * mu - (upper[k] - z[k]) * lambdaHi[k] + affZ[k] * affHi[k];
      }
      direction(d, rowDiag, schur, rd, rp, rcl, rch, dz, dll, dlh, dpr, dpc);
      double step = Math.min(1, STEP_TO_BOUNDARY * maxStep(dz, dll, dlh));
      if (!(step > 0)) {
        return false;
      }
      for (int k = 0; k < size; k++) {
        z[k] += step * dz[k];
        lambdaLo[k] += step * dll[k];
        lambdaHi[k] += step * dlh[k];
      }
      for (int i = 0; i < n; i++) {
        rowPrice[i] += step * dpr[i];
      }
      for (int j = 0; j < m; j++) {
        colPrice[j] += step * dpc[j];
      }
    }
    return false;
  }

  /** Dual residual {@code ∇f(z) − Aᵀ π − λ_lo + λ_hi} and primal residual {@code b − A z}. */
  private void residuals(double[] rd, double[] rp) {
    for (int k = 0; k < size; k++) {
      rd[k] = q[k] * z[k] + c[k] - lambdaLo[k] + lambdaHi[k];
    }
    for (int t = cells; t < cells + varRow.length; t++) {
      rd[t] = rowCost.gradient(varRow[t - cells], z[t]) - lambdaLo[t] + lambdaHi[t];
    }
    for (int k = 0; k < cells; k++) {
      rd[k] -= rowPrice[cellRow[k]] + colPrice[cellCol[k]];
    }
    for (int i = 0; i < n; i++) {
      if (totalVar[i] >= 0) {
        rd[totalVar[i]] += rowPrice[i];
      }
    }
    for (int j = 0; j < m; j++) {
      if (slackVar[j] >= 0) {
        rd[slackVar[j]] -= colPrice[j];
      }
    }
    multiply(z, rp);
    for (int i = 0; i < n; i++) {
      rp[i] = rowRhs[i] - rp[i];
    }
    for (int j = 0; j < m; j++) {
      rp[n + j] = (slackVar[j] >= 0 ? colRhs[j] : 0) - rp[n + j];
    }
  }

  /** {@code out = A v}: the rows' and then the columns' constraint functions at v. */
  private void multiply(double[] v, double[] out) {
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int k = rowStart[i]; k < rowStart[i + 1]; k++) {
        s += v[k];
      }
      out[i] = totalVar[i] >= 0 ? s - v[totalVar[i]] : s;
    }
    for (int j = 0; j < m; j++) {
      out[n + j] = slackVar[j] >= 0 ? v[slackVar[j]] : 0;
    }
    for (int k = 0; k < cells; k++) {
      out[n + cellCol[k]] += v[k];
    }
  }

  /**
   * Factors the normal equations {@code A D Aᵀ}: the rows' diagonal block and the Cholesky factor
   * of the columns' Schur complement {@code M_cc − M_rcᵀ M_rr⁻¹ M_rc}.
   */
  private boolean factor(double[] d, double[] rowDiag, double[][] schur) {
    for (double[] r : schur) {
      java.util.Arrays.fill(r, 0);
    }
    for (int j = 0; j < m; j++) {
      // a closed column's constraint reads 0 = 0: keep its equation trivially solvable
      schur[j][j] = slackVar[j] >= 0 ? d[slackVar[j]] : 1;
    }
    for (int i = 0; i < n; i++) {
      double diag = totalVar[i] >= 0 ? d[totalVar[i]] : 0;
      for (int k = rowStart[i]; k < rowStart[i + 1]; k++) {
        diag += d[k];
        schur[cellCol[k]][cellCol[k]] += d[k];
      }
      rowDiag[i] = diag;
      if (diag > 0) {
        for (int k = rowStart[i]; k < rowStart[i + 1]; k++) {
          double f = d[k] / diag;
          double[] sr = schur[cellCol[k]];
          for (int h = rowStart[i]; h <= k; h++) {
            sr[cellCol[h]] -= f * d[h];
          }
        }
      }
    }
    return LinearAlgebra.factorCholesky(schur);
  }

  /** One Newton direction for the complementarity targets {@code rcl, rch}. */
  private void direction(
      double[] d,
      double[] rowDiag,
      double[][] schur,
      double[] rd,
      double[] rp,
      double[] rcl,
      double[] rch,
      double[] dz,
      double[] dll,
      double[] dlh,
      double[] dpr,
      double[] dpc) {
    // (Q + Σ) Δz − Aᵀ Δπ = ρ and A Δz = rp, so A D Aᵀ Δπ = rp − A D ρ
    double[] dr = new double[size];
    for (int k = 0; k < size; k++) {
      double rho = -rd[k] + rcl[k] / (z[k] - lower[k]) - rch[k] / (upper[k] - z[k]);
      dr[k] = d[k] * rho;
    }
    double[] adr = new double[n + m];
    multiply(dr, adr);
    double[] r1 = new double[n];
    double[] r2 = new double[m];
    for (int i = 0; i < n; i++) {
      r1[i] = rp[i] - adr[i];
    }
    for (int j = 0; j < m; j++) {
      r2[j] = rp[n + j] - adr[n + j];
    }
    // eliminate the rows: S Δπ_c = r2 − M_rcᵀ M_rr⁻¹ r1
    for (int i = 0; i < n; i++) {
      if (rowDiag[i] > 0) {
        double f = r1[i] / rowDiag[i];
        for (int k = rowStart[i]; k < rowStart[i + 1]; k++) {
          r2[cellCol[k]] -= d[k] * f;
        }
      }
    }
    double[] pc = LinearAlgebra.solveFactored(schur, r2);
    System.arraycopy(pc, 0, dpc, 0, m);
    for (int i = 0; i < n; i++) {
      double s = r1[i];
      for (int k = rowStart[i]; k < rowStart[i + 1]; k++) {
        s -= d[k] * dpc[cellCol[k]];
      }
      dpr[i] = rowDiag[i] > 0 ? s / rowDiag[i] : 0;
    }
    // Δz = D (ρ + Aᵀ Δπ)
    for (int k = 0; k < size; k++) {
      dz[k] = dr[k];
    }
    for (int k = 0; k < cells; k++) {
      dz[k] += d[k] * (dpr[cellRow[k]] + dpc[cellCol[k]]);
    }
    for (int i = 0; i < n; i++) {
      if (totalVar[i] >= 0) {
        dz[totalVar[i]] -= d[totalVar[i]] * dpr[i];
      }
    }
    for (int j = 0; j < m; j++) {
      if (slackVar[j] >= 0) {
        dz[slackVar[j]] += d[slackVar[j]] * dpc[j];
      }
    }
    for (int k = 0; k < size; k++) {
      dll[k] = (rcl[k] - lambdaLo[k] * dz[k]) / (z[k] - lower[k]);
      dlh[k] = (rch[k] + lambdaHi[k] * dz[k]) / (upper[k] - z[k]);
    }
  }

  /** The longest step in [0, 1/0.995] that keeps every slack and bound multiplier positive. */
  private double maxStep(double[] dz, double[] dll, double[] dlh) {
    double step = 1 / STEP_TO_BOUNDARY;
    for (int k = 0; k < size; k++) {
      if (dz[k] < 0) {
        step = Math.min(step, -(z[k] - lower[k]) / dz[k]);
      } else if (dz[k] > 0) {
        step = Math.min(step, (upper[k] - z[k]) / dz[k]);
      }
      if (dll[k] < 0) {
        step = Math.min(step, -lambdaLo[k] / dll[k]);
      }
      if (dlh[k] < 0) {
        step = Math.min(step, -lambdaHi[k] / dlh[k]);
      }
    }
    return step;
  }

  /** Whether the step keeps every variable strictly inside its bounds and every multiplier > 0. */
  private boolean inside(double step, double[] dz, double[] dll, double[] dlh) {
    for (int k = 0; k < size; k++) {
      double zk = z[k] + step * dz[k];
      if (!(zk > lower[k] && zk < upper[k])
          || !(lambdaLo[k] + step * dll[k] > 0)
          || !(lambdaHi[k] + step * dlh[k] > 0)) {
        return false;
      }
    }
    return true;
  }

  private static double maxAbs(double[] v) {
    double r = 0;
    for (double x : v) {
      r = Math.max(r, Math.abs(x));
    }
    return r;
  }

  /**
   * The cell flows of the last iterate, within their bounds; closed cells 0.
   *
   * @return y[i][j]
   */
  public double[][] flows() {
    double[][] y = new double[n][m];
    for (int k = 0; k < cells; k++) {
      y[cellRow[k]][cellCol[k]] = Math.max(0, Math.min(upper[k], z[k]));
    }
    return y;
  }

  /**
   * The row prices {@code u_i} of the last iterate.
   *
   * @return a copy
   */
  public double[] rowPrices() {
    return rowPrice.clone();
  }

  /**
   * The column prices {@code α_j ≥ 0} of the last iterate.
   *
   * @return a copy
   */
  public double[] columnPrices() {
    double[] alpha = new double[m];
    for (int j = 0; j < m; j++) {
      alpha[j] = Math.max(0, -colPrice[j]);
    }
    return alpha;
  }

  /**
   * Steps taken by the last solve.
   *
   * @return the count
   */
  public int iterations() {
    return iterations;
  }
}

package org.gridtrade.auction.internal;

import java.util.List;
import org.gridtrade.auction.DrInstance;

/**
 * The demand-response model of docs/demand-response.md ("The model") in supply units: {@code
 * x[i][j] = s_ji}, row totals {@code T_i = Σ_j s_ji}, {@code k = ηρ} so that the EV receives {@code
 * k T_i}. Stateless.
 */
public final class DrModel {

  /** The interior-point fallback's relative tolerance on residuals and complementarity gap. */
  static final double INTERIOR_TOLERANCE = 1e-10;

  /** The most interior-point steps of the fallback. */
  static final int INTERIOR_STEPS = 200;

  private DrModel() {}

  /** The SWM optimum in supply units with its multipliers. */
  public record Solution(double[][] x, double[] u, double[] alpha, int sweeps, boolean converged) {}

  /**
   * EV i's utility at row total T (Aggarwal Eq. 4.1 with {@code e_i^min} subtracted once).
   *
   * @param inst the instance
   * @param i the EV
   * @param total T_i in supply units
   * @return U_i
   */
  public static double utility(DrInstance inst, int i, double total) {
    DrInstance.Ev ev = inst.evs().get(i);
    return ev.willingness() * Math.log(k(inst) * total - ev.eMin() + 1);
  }

  /**
   * {@code ∂U_i/∂s_ji}, equal for every j.
   *
   * @param inst the instance
   * @param i the EV
   * @param total T_i in supply units
   * @return the marginal utility per unit of supply
   */
  public static double marginalUtility(DrInstance inst, int i, double total) {
    DrInstance.Ev ev = inst.evs().get(i);
    double k = k(inst);
    return ev.willingness() * k / (k * total - ev.eMin() + 1);
  }

  /**
   * {@code ηρ}.
   *
   * @param inst the instance
   * @return the delivered fraction of supply
   */
  public static double k(DrInstance inst) {
    return inst.eta() * inst.rho();
  }

  /**
   * Social welfare Σ U_i − Σ L_j (Eq. 4.3).
   *
   * @param inst the instance
   * @param x supply s_ji as x[i][j]
   * @return the welfare
   */
  public static double welfare(DrInstance inst, double[][] x) {
    List<DrInstance.Sp> sps = inst.sps();
    double w = 0;
    for (int i = 0; i < x.length; i++) {
      double t = 0;
      for (int j = 0; j < x[i].length; j++) {
        DrInstance.Sp sp = sps.get(j);
        t += x[i][j];
        w -= cost(sp, x[i][j]);
      }
      w += utility(inst, i, t);
    }
    return w;
  }

  /**
   * SP j's cost of supplying {@code s} on one cell: Eq. 4.2 plus its minimum selling price per kWh,
   * the value it gives up by selling (docs/demand-response.md, "Minimum prices").
   *
   * @param sp the SP
   * @param s the cell's supply
   * @return {@code c1 s² + (c2 + minPrice) s}
   */
  public static double cost(DrInstance.Sp sp, double s) {
    return sp.c1() * s * s + (sp.c2() + sp.minPrice()) * s;
  }

  /**
   * Every cell's capacity ({@link DrInstance#cellCapacity}).
   *
   * @param inst the instance
   * @return cap[i][j]
   */
  public static double[][] cellCapacities(DrInstance inst) {
    int n = inst.evs().size();
    int m = inst.sps().size();
    double[][] c = new double[n][m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        c[i][j] = inst.cellCapacity(i, j);
      }
    }
    return c;
  }

  /**
   * The supply of a cell whose marginal price is {@code a + 2 c1 s}, at net price {@code t}: {@code
   * (t − a)/(2 c1)} clipped to {@code [0, ub]}.
   *
   * @param t the net price
   * @param a the marginal price at 0
   * @param c1 the quadratic factor
   * @param ub the cell's capacity
   * @return the supply
   */
  static double quadraticFlow(double t, double a, double c1, double ub) {
    return t > a ? Math.min(ub, (t - a) / (2 * c1)) : 0;
  }

  /**
   * The slope of {@link #quadraticFlow} in {@code t} (right derivative).
   *
   * @param t the net price
   * @param a the marginal price at 0
   * @param c1 the quadratic factor
   * @param ub the cell's capacity
   * @return {@code 1/(2 c1)} where the flow is strictly inside {@code [0, ub)}, else 0
   */
  static double quadraticSlope(double t, double a, double c1, double ub) {
    return t >= a && (t - a) / (2 * c1) < ub ? 1 / (2 * c1) : 0;
  }

  /**
   * Row totals.
   *
   * @param x flows
   * @return T_i
   */
  public static double[] rowTotals(double[][] x) {
    double[] t = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      for (double v : x[i]) {
        t[i] += v;
      }
    }
    return t;
  }

  /**
   * Solves SWM (see {@link #solveSwm(DrInstance, Budget)}).
   *
   * @param inst the instance
   * @return the optimum and its multipliers
   */
  public static Solution solveSwm(DrInstance inst) {
    return solveSwm(inst, Budget.unlimited());
  }

  /**
   * Solves SWM within a time budget: Newton on the capacity prices ({@link TransportNewtonSolver});
   * where it stalls, the interior-point method ({@link TransportInteriorPointSolver}) and a Newton
   * crossover from its prices; as a last resort exact dual block-coordinate ascent.
   *
   * @param inst the instance
   * @param budget the time budget; when it expires the solution so far is returned, not converged
   * @return the optimum (or the last iterate) and its multipliers
   */
  public static Solution solveSwm(DrInstance inst, Budget budget) {
    int n = inst.evs().size();
    int m = inst.sps().size();
    double k = k(inst);
    double[] lo = new double[n];
    double[] hi = new double[n];
    double[] w = new double[n];
    double[] eMin = new double[n];
    double[] u0 = new double[n];
    for (int i = 0; i < n; i++) {
      DrInstance.Ev ev = inst.evs().get(i);
      lo[i] = ev.eMin() / k;
      hi[i] = ev.eMax() / k;
      w[i] = ev.willingness();
      eMin[i] = ev.eMin();
      u0[i] = marginalUtility(inst, i, 0.5 * (lo[i] + hi[i]));
    }
    double[] c1 = new double[m];
    double[] c2 = new double[m];
    double[] cap = new double[m];
    for (int j = 0; j < m; j++) {
      DrInstance.Sp sp = inst.sps().get(j);
      c1[j] = sp.c1();
      c2[j] = sp.c2() + sp.minPrice();
      cap[j] = sp.capacity();
    }
    double[][] ub = cellCapacities(inst);
    TransportNewtonSolver.Problem swm =
        new TransportNewtonSolver.Problem() {
          @Override
          public double flow(int i, int j, double t) {
            return quadraticFlow(t, c2[j], c1[j], ub[i][j]);
          }

          @Override
          public double slope(int i, int j, double t) {
            return quadraticSlope(t, c2[j], c1[j], ub[i][j]);
          }

          @Override
          public boolean freeAtZero() {
            return false;
          }

          @Override
          public double demand(int i, double u) {
            return u > 0 ? w[i] / u + (eMin[i] - 1) / k : Double.POSITIVE_INFINITY;
          }

          @Override
          public double demandSlope(int i, double u) {
            return u > 0 ? -w[i] / (u * u) : 0;
          }

          @Override
          public double inversePrice(int i, double total) {
            double s = total - (eMin[i] - 1) / k;
            return s > 0 ? w[i] / s : Double.POSITIVE_INFINITY;
          }
        };
    TransportNewtonSolver fast = new TransportNewtonSolver(swm, lo, hi, cap, u0, new double[m]);
    if (fast.solve(1e-12, 200, budget) && usable(inst, fast.flows())) {
      return new Solution(
          fast.flows(), fast.rowPrices(), fast.columnPrices(), fast.iterations(), true);
    }
    // Where Newton stalls at a kink (EVs held at e_min sharing a nearly full SP): the
    // interior-point method, which needs no active set, on the same program
    double[][] qq = new double[n][m];
    double[][] cc = new double[n][m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        qq[i][j] = 2 * c1[j];
        cc[i][j] = c2[j];
      }
    }
    TransportInteriorPointSolver interior =
        new TransportInteriorPointSolver(
            new TransportInteriorPointSolver.RowCost() {
              @Override
              public double gradient(int i, double t) {
                return -w[i] * k / (k * t - eMin[i] + 1);
              }

              @Override
              public double curvature(int i, double t) {
                double s = k * t - eMin[i] + 1;
                return w[i] * k * k / (s * s);
              }
            },
            qq,
            cc,
            lo,
            hi,
            ub,
            cap);
    interior.solve(INTERIOR_TOLERANCE, INTERIOR_STEPS, budget);
    if (!budget.expired()) {
      // the interior point leaves every flow a hair inside its bounds: Newton from its prices
      // puts each cell exactly at a bound or at its reduced price 0 (a crossover). Newton's own
      // tolerance decides, so an interior point that stopped short of its tolerance may serve.
      TransportNewtonSolver polish =
          new TransportNewtonSolver(
              swm, lo, hi, cap, interior.rowPrices(), interior.columnPrices());
      if (polish.solve(1e-12, 200, budget) && usable(inst, polish.flows())) {
        return new Solution(
            polish.flows(),
            polish.rowPrices(),
            polish.columnPrices(),
            fast.iterations() + interior.iterations() + polish.iterations(),
            true);
      }
    }
    // Fallback: exact block-coordinate ascent (slow but monotone) from the cold start.
    BipartiteFlowSolver.Problem problem =
        new BipartiteFlowSolver.Problem() {
          @Override
          public double flow(int i, int j, double t) {
            return quadraticFlow(t, c2[j], c1[j], ub[i][j]);
          }

          @Override
          public double target(int i, double u, double total) {
            double tau = u > 0 ? (w[i] * k / u + eMin[i] - 1) / k : Double.POSITIVE_INFINITY;
            return Math.min(hi[i], Math.max(lo[i], tau));
          }
        };
    BipartiteFlowSolver solver = new BipartiteFlowSolver(problem, cap, u0, new double[m]);
    boolean ok = solver.solve(1e-12, 100_000, budget) && usable(inst, solver.flows());
    double[][] x = solver.flows();
    if (!usable(inst, x)) {
      x = fast.flows();
    }
    if (!usable(inst, x)) {
      x = feasible(inst);
    }
    return new Solution(
        x, solver.rowPrices(), solver.columnPrices(), fast.iterations() + solver.sweeps(), ok);
  }

  /**
   * A feasible allocation that needs no solver: every EV receives exactly its minimum, spread over
   * the SPs in proportion to their capacities (feasible because the instance guarantees {@code Σ_i
   * e_i^min ≤ ηρ Σ_j S_j^max}). The stand-in for an iterate that overflowed.
   *
   * @param inst the instance
   * @return x[i][j], finite
   */
  public static double[][] feasible(DrInstance inst) {
    int n = inst.evs().size();
    int m = inst.sps().size();
    double k = k(inst);
    double capacity = 0;
    for (DrInstance.Sp sp : inst.sps()) {
      capacity += sp.capacity();
    }
    double[][] x = new double[n][m];
    for (int i = 0; i < n; i++) {
      double total = inst.evs().get(i).eMin() / k;
      for (int j = 0; j < m; j++) {
        x[i][j] = total * inst.sps().get(j).capacity() / capacity;
      }
    }
    return x;
  }

  /**
   * Whether an iterate can be reported: every flow and the welfare are finite numbers.
   *
   * @param inst the instance
   * @param x flows
   * @return true if usable
   */
  public static boolean usable(DrInstance inst, double[][] x) {
    return finite(x) && Double.isFinite(welfare(inst, x));
  }

  /**
   * Whether every flow is a finite number.
   *
   * @param x flows
   * @return true if all are finite
   */
  public static boolean finite(double[][] x) {
    for (double[] row : x) {
      for (double v : row) {
        if (!Double.isFinite(v)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The KKT residual of SWM at (x, u, α), scaled to be dimensionless: the largest of primal
   * infeasibility (relative to the bound), complementarity, and stationarity (relative to the
   * largest price).
   *
   * @param inst the instance
   * @param x flows
   * @param u row prices (marginal value of supply to EV i)
   * @param alpha capacity prices
   * @return the residual
   */
  public static double kktResidual(DrInstance inst, double[][] x, double[] u, double[] alpha) {
    int n = x.length;
    int m = alpha.length;
    double k = k(inst);
    double[] t = rowTotals(x);
    double priceScale = 1e-300;
    for (int i = 0; i < n; i++) {
      priceScale = Math.max(priceScale, Math.abs(u[i]));
      priceScale = Math.max(priceScale, marginalUtility(inst, i, t[i]));
    }
    double r = 0;
    for (int i = 0; i < n; i++) {
      DrInstance.Ev ev = inst.evs().get(i);
      double e = k * t[i];
      double scale = Math.max(1, ev.eMax());
      r = Math.max(r, Math.max(0, ev.eMin() - e) / scale);
      r = Math.max(r, Math.max(0, e - ev.eMax()) / scale);
      // u_i = ∂U/∂x + k(λ − β): λ ≥ 0 only at eMin, β ≥ 0 only at eMax
      double mu = marginalUtility(inst, i, t[i]);
      double nu = (u[i] - mu) / priceScale;
      double atLo = Math.abs(e - ev.eMin()) / scale;
      double atHi = Math.abs(e - ev.eMax()) / scale;
      double rowRes;
      if (nu > 0) {
        rowRes = Math.min(nu, atLo);
      } else {
        rowRes = Math.min(-nu, atHi);
      }
      boolean open = false;
      for (int j = 0; j < m; j++) {
        open |= inst.cellCapacity(i, j) > 0;
      }
      // an EV that may buy from no SP (every cell closed by prices) has no price to check
      r = open ? Math.max(r, rowRes) : r;
    }
    for (int j = 0; j < m; j++) {
      DrInstance.Sp sp = inst.sps().get(j);
      double col = 0;
      for (int i = 0; i < n; i++) {
        col += x[i][j];
      }
      r = Math.max(r, Math.max(0, col - sp.capacity()) / sp.capacity());
      r = Math.max(r, Math.max(0, -alpha[j]) / priceScale);
      r =
          Math.max(
              r, Math.min(alpha[j] / priceScale, Math.abs(sp.capacity() - col) / sp.capacity()));
      for (int i = 0; i < n; i++) {
        r = Math.max(r, Math.max(0, -x[i][j]));
        double reduced = u[i] - alpha[j] - sp.marginalPrice(x[i][j]);
        double scale = priceScale;
        double ub = inst.cellCapacity(i, j);
        r = Math.max(r, Math.max(0, x[i][j] - ub) / sp.capacity());
        if (ub == 0) {
          continue; // a closed cell: both of its bounds hold, any reduced price is optimal
        }
        if (x[i][j] >= ub * (1 - 1e-12)) {
          // at the cell's capacity the reduced price may be positive
          r = Math.max(r, Math.max(0, -reduced) / scale);
        } else if (x[i][j] > 0) {
          r = Math.max(r, Math.abs(reduced) / scale);
        } else {
          r = Math.max(r, Math.max(0, reduced) / scale);
        }
      }
    }
    return r;
  }
}

package org.gridtrade.auction;

import java.util.ArrayList;
import java.util.List;
import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/**
 * An independent solve of SWM (Aggarwal Eq. 4.3–4.4) for tests, sharing no code with the SDK's
 * solvers: Kelley's cutting planes (minimum selling prices as a linear cost, maximum buying prices
 * as cell limits: docs/demand-response.md, "Minimum prices"), each master problem an LP solved by
 * ojAlgo's simplex. Every EV's concave utility is replaced by the minimum of its tangents and every
 * cell's convex cost by the maximum of its tangents (outer approximations), so the master's optimum
 * is an upper bound on SWM's; the true welfare of the master's allocation, which is feasible, is a
 * lower bound. Tangents are added where the approximation is loose until the two bounds agree.
 */
final class SwmOracle {

  /** The bounds on SWM's optimal welfare and the allocation that attains the lower one. */
  record Bounds(double lower, double upper, double[][] supply) {}

  private SwmOracle() {}

  static double utility(DrInstance in, int i, double supplyTotal) {
    DrInstance.Ev ev = in.evs().get(i);
    return ev.willingness() * Math.log(in.eta() * in.rho() * supplyTotal - ev.eMin() + 1);
  }

  static double welfare(DrInstance in, double[][] s) {
    double w = 0;
    for (int i = 0; i < s.length; i++) {
      double t = 0;
      for (int j = 0; j < s[i].length; j++) {
        t += s[i][j];
        w -= cost(in, j, s[i][j]);
      }
      w += utility(in, i, t);
    }
    return w;
  }

  /** Eq. 4.2 plus the minimum selling price per kWh, the value the SP gives up by selling. */
  private static double cost(DrInstance in, int j, double s) {
    DrInstance.Sp sp = in.sps().get(j);
    return sp.c1() * s * s + (sp.c2() + sp.minPrice()) * s;
  }

  /** The most SP j may supply EV i: its marginal price may not pass the EV's maximum price. */
  static double cellLimit(DrInstance in, int i, int j) {
    DrInstance.Sp sp = in.sps().get(j);
    for (DrInstance.Link link : in.excludedLinks()) {
      if (link.evId().equals(in.evs().get(i).id()) && link.spId().equals(sp.id())) {
        return 0; // a link Alg. 7 did not select
      }
    }
    double q = in.evs().get(i).maxPrice();
    if (q == Double.POSITIVE_INFINITY) {
      return sp.capacity();
    }
    // 2 c1 s + c2 + minPrice <= q
    return Math.max(0, Math.min(sp.capacity(), (q - sp.c2() - sp.minPrice()) / (2 * sp.c1())));
  }

  static Bounds solve(DrInstance in) {
    int n = in.evs().size();
    int m = in.sps().size();
    double k = in.eta() * in.rho();
    double[] lo = new double[n];
    double[] hi = new double[n];
    List<List<Double>> evCuts = new ArrayList<>();
    List<List<Double>> cellCuts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lo[i] = in.evs().get(i).eMin() / k;
      hi[i] = in.evs().get(i).eMax() / k;
      List<Double> c = new ArrayList<>();
      for (int q = 0; q <= 16; q++) {
        c.add(lo[i] + (hi[i] - lo[i]) * q / 16.0);
      }
      evCuts.add(c);
      for (int j = 0; j < m; j++) {
        List<Double> d = new ArrayList<>();
        double top = Math.min(hi[i], cellLimit(in, i, j));
        for (int q = 0; q <= 16; q++) {
          d.add(top * q / 16.0);
        }
        cellCuts.add(d);
      }
    }
    Bounds best = null;
    for (int round = 0; round < 500; round++) {
      ExpressionsBasedModel model = new ExpressionsBasedModel();
      Variable[][] x = new Variable[n][m];
      Variable[][] c = new Variable[n][m];
      Variable[] z = new Variable[n];
      Expression[] column = new Expression[m];
      for (int j = 0; j < m; j++) {
        column[j] = model.addExpression("cap" + j).upper(in.sps().get(j).capacity());
      }
      for (int i = 0; i < n; i++) {
        Expression row = model.addExpression("row" + i).lower(lo[i]).upper(hi[i]);
        for (int j = 0; j < m; j++) {
          DrInstance.Sp sp = in.sps().get(j);
          x[i][j] = model.addVariable("x" + i + "_" + j).lower(0).upper(cellLimit(in, i, j));
          c[i][j] = model.addVariable("c" + i + "_" + j).lower(0).weight(1);
          row.set(x[i][j], 1);
          column[j].set(x[i][j], 1);
          int q = 0;
          for (double t : cellCuts.get(i * m + j)) {
            // c_ij >= L(t) + L'(t) (x_ij - t), i.e. L'(t) x_ij - c_ij <= L'(t) t - L(t)
            double slope = 2 * sp.c1() * t + sp.c2() + sp.minPrice();
            Expression cut =
                model
                    .addExpression("cost" + i + "_" + j + "_" + q++)
                    .upper(slope * t - cost(in, j, t));
            cut.set(x[i][j], slope);
            cut.set(c[i][j], -1);
          }
        }
        z[i] = model.addVariable("z" + i).weight(-1);
        int q = 0;
        DrInstance.Ev ev = in.evs().get(i);
        for (double t : evCuts.get(i)) {
          // z_i <= U(t) + U'(t) (T_i - t)
          double du = ev.willingness() * k / (k * t - ev.eMin() + 1);
          Expression cut =
              model.addExpression("value" + i + "_" + q++).upper(utility(in, i, t) - du * t);
          cut.set(z[i], 1);
          for (int j = 0; j < m; j++) {
            cut.set(x[i][j], -du);
          }
        }
      }
      Optimisation.Result r = model.minimise();
      if (!r.getState().isOptimal()) {
        throw new AssertionError("oracle LP failed: " + r.getState());
      }
      double[][] s = new double[n][m];
      double upper = -r.getValue();
      double loose = 0;
      for (int i = 0; i < n; i++) {
        double t = 0;
        for (int j = 0; j < m; j++) {
          s[i][j] = Math.max(0, r.doubleValue(x[i][j].getIndex().index));
          t += s[i][j];
          double cij = r.doubleValue(c[i][j].getIndex().index);
          double under = cost(in, j, s[i][j]) - cij;
          loose += Math.max(0, under);
          if (under > 1e-12 * Math.max(1, cij)) {
            cellCuts.get(i * m + j).add(s[i][j]);
          }
        }
        double clamped = Math.min(Math.max(t, lo[i]), hi[i]);
        double zi = r.doubleValue(z[i].getIndex().index);
        double over = zi - utility(in, i, clamped);
        loose += Math.max(0, over);
        if (over > 1e-12 * Math.max(1, zi)) {
          evCuts.get(i).add(clamped);
        }
      }
      best = new Bounds(welfare(in, s), upper, s);
      if (loose <= 1e-8 * Math.max(1, Math.abs(upper))) {
        return best;
      }
    }
    return best;
  }

  /**
   * Weak duality: for any capacity prices {@code α ≥ 0}, the Lagrangian relaxation of the SPs'
   * capacities, {@code Σ_i max_row [U_i(T_i) − Σ_j (cost_ij(s_ij) + α_j s_ij)] + Σ_j α_j S_j}, is
   * an upper bound on SWM's optimum. Each EV's row is maximised on its own by bisection on the
   * price of its total; fast at any market size, where {@link #solve} is not.
   */
  static double dualBound(DrInstance in, double[] alpha) {
    int n = in.evs().size();
    int m = in.sps().size();
    double k = in.eta() * in.rho();
    double bound = 0;
    for (int j = 0; j < m; j++) {
      if (alpha[j] < 0) {
        throw new IllegalArgumentException("alpha " + alpha[j] + " < 0");
      }
      bound += alpha[j] * in.sps().get(j).capacity();
    }
    for (int i = 0; i < n; i++) {
      DrInstance.Ev ev = in.evs().get(i);
      double lo = ev.eMin() / k;
      double hi = ev.eMax() / k;
      // at price p the cells supply S(p) (rising) and the EV wants D(p) (falling): find S = D
      double pLo = 0;
      double pHi = 1;
      while (rowSupply(in, i, alpha, pHi) < wanted(ev, k, lo, hi, pHi) && pHi < 1e300) {
        pHi *= 2;
      }
      for (int step = 0; step < 2_000 && pLo < pHi; step++) {
        double mid = 0.5 * (pLo + pHi);
        if (mid <= pLo || mid >= pHi) {
          break;
        }
        if (rowSupply(in, i, alpha, mid) < wanted(ev, k, lo, hi, mid)) {
          pLo = mid;
        } else {
          pHi = mid;
        }
      }
      double t = 0;
      double row = 0;
      for (int j = 0; j < m; j++) {
        double s = cellAt(in, i, j, alpha[j], pHi);
        t += s;
        row -= cost(in, j, s) + alpha[j] * s;
      }
      // the total the cells give may miss the EV's range only if no price reaches it
      bound += row + utility(in, i, Math.min(Math.max(t, lo), hi));
    }
    return bound;
  }

  private static double cellAt(DrInstance in, int i, int j, double alpha, double price) {
    DrInstance.Sp sp = in.sps().get(j);
    double s = (price - alpha - sp.c2() - sp.minPrice()) / (2 * sp.c1());
    return Math.max(0, Math.min(cellLimit(in, i, j), s));
  }

  private static double rowSupply(DrInstance in, int i, double[] alpha, double price) {
    double t = 0;
    for (int j = 0; j < alpha.length; j++) {
      t += cellAt(in, i, j, alpha[j], price);
    }
    return t;
  }

  /** The total that maximises {@code U(T) − p T} on [lo, hi]: U' = w k / (k T − e_min + 1). */
  private static double wanted(DrInstance.Ev ev, double k, double lo, double hi, double price) {
    double t = ev.willingness() / price + (ev.eMin() - 1) / k;
    return Math.min(Math.max(t, lo), hi);
  }
}

package org.gridtrade.game.stackelberg.internal;

/**
 * The least generation cost {@code min Σ_h Cost_h(P_h)} over all feasible follower schedules (for
 * the upper bound of docs/stackelberg.md, "Upper bound and gaps"), with a certified lower bound.
 *
 * <p>This is a convex QP in the {@code x_jh}. Solved in the aggregate: Frank–Wolfe on the loads
 * {@code P}, whose linear oracle is exactly the followers' best response to the prices {@code λ =
 * ∇Cost(P)} (Alg. 2), with exact line search. Every iterate yields the Lagrangian dual value {@code
 * g(λ) = Σ_h min_{0≤y≤cap_h}(Cost_h(y) − λ_h y) + Σ_j min_{x_j feasible} λ·x_j}, a valid lower
 * bound on the minimum by weak duality. When the capacities bind, projected subgradient ascent on
 * {@code λ} raises that bound. The bound is what the upper bound on profit uses, so profit ≤ upper
 * bound holds whatever the iteration count; {@link #primal} is the best feasible (uncapacitated)
 * cost found, and their difference is the certificate's slack. A general QP solver (ojAlgo) on N·24
 * variables needs dense matrices that do not fit for 1,000 EVs; the tests check this solver against
 * ojAlgo's QP on small instances.
 *
 * @param lowerBound certified lower bound on the minimum cost, cents
 * @param primal cost of the best load found (feasible when capacities do not bind), cents
 * @param loads the best load found
 * @param prices the dual prices λ that certify the lower bound
 * @param iterations iterations used
 */
public record MinimumCost(
    double lowerBound, double primal, double[] loads, double[] prices, int iterations) {

  /**
   * Solves to relative accuracy {@code tolerance} or {@code maxIterations}.
   *
   * @param leader the cost model and fleet
   * @param tolerance relative gap at which to stop
   * @param maxIterations iteration limit
   * @return the bound
   */
  public static MinimumCost solve(Leader leader, double tolerance, int maxIterations) {
    Fleet fleet = leader.fleet();
    double[] m = leader.quadratic();
    double[] q = leader.linear();
    double[] r = leader.constant();
    double[] cap = leader.capacity();
    final int h24 = Fleet.H;
    Fleet.Workspace ws = new Fleet.Workspace();
    double[] p = new double[h24];
    fleet.load(new double[h24], ws, p);
    double[] lambda = new double[h24];
    double[] s = new double[h24];
    double best = Double.NEGATIVE_INFINITY;
    double[] bestLambda = new double[h24];
    double primal = Double.POSITIVE_INFINITY;
    double[] bestP = p.clone();
    int it = 0;
    for (; it < maxIterations; it++) {
      for (int h = 0; h < h24; h++) {
        lambda[h] = 2 * m[h] * p[h] + q[h];
      }
      fleet.load(lambda, ws, s);
      double f = 0;
      for (int h = 0; h < h24; h++) {
        f += leader.cost(h, p[h]);
      }
      if (f < primal) {
        primal = f;
        bestP = p.clone();
      }
      double g = dual(lambda, s, m, q, r, cap);
      if (g > best) {
        best = g;
        bestLambda = lambda.clone();
      }
      if (primal - best <= tolerance * Math.max(1e-9, Math.abs(primal))) {
        break;
      }
      double num = 0;
      double den = 0;
      for (int h = 0; h < h24; h++) {
        double d = s[h] - p[h];
        num -= lambda[h] * d;
        den += 2 * m[h] * d * d;
      }
      double gamma = den > 0 ? Math.min(1, Math.max(0, num / den)) : 1;
      for (int h = 0; h < h24; h++) {
        p[h] += gamma * (s[h] - p[h]);
      }
    }
    boolean binds = false;
    for (int h = 0; h < h24; h++) {
      binds |= bestP[h] > cap[h] * (1 + 1e-12);
    }
    if (binds) {
      best = subgradient(fleet, ws, bestLambda, best, m, q, r, cap, Math.max(200, maxIterations));
      it += Math.max(200, maxIterations);
    }
    return new MinimumCost(best, primal, bestP, bestLambda, it);
  }

  private static double subgradient(
      Fleet fleet,
      Fleet.Workspace ws,
      double[] lambda,
      double best,
      double[] m,
      double[] q,
      double[] r,
      double[] cap,
      int iterations) {
    double[] lam = lambda.clone();
    double[] s = new double[Fleet.H];
    double scale = 0;
    for (double v : lam) {
      scale = Math.max(scale, Math.abs(v));
    }
    scale = Math.max(scale, 1e-6);
    for (int k = 0; k < iterations; k++) {
      fleet.load(lam, ws, s);
      double g = dual(lam, s, m, q, r, cap);
      if (g > best) {
        best = g;
        System.arraycopy(lam, 0, lambda, 0, Fleet.H);
      }
      double norm = 0;
      double[] grad = new double[Fleet.H];
      for (int h = 0; h < Fleet.H; h++) {
        grad[h] = s[h] - argmin(h, lam[h], m, q, cap);
        norm += grad[h] * grad[h];
      }
      if (norm == 0) {
        break;
      }
      double step = 0.5 * scale / Math.sqrt(k + 1.0) / Math.sqrt(norm);
      for (int h = 0; h < Fleet.H; h++) {
        lam[h] += step * grad[h];
      }
    }
    return best;
  }

  private static double argmin(int h, double lambda, double[] m, double[] q, double[] cap) {
    double y;
    if (m[h] > 0) {
      y = (lambda - q[h]) / (2 * m[h]);
    } else {
      y = lambda > q[h] ? cap[h] : 0;
    }
    return Math.max(0, Math.min(cap[h], y));
  }

  /**
   * The Lagrangian dual value {@code g(λ)} given the followers' best-response load {@code s} to
   * {@code λ}.
   */
  static double dual(
      double[] lambda, double[] s, double[] m, double[] q, double[] r, double[] cap) {
    double g = 0;
    for (int h = 0; h < Fleet.H; h++) {
      double y = argmin(h, lambda[h], m, q, cap);
      if (Double.isInfinite(y)) {
        return Double.NEGATIVE_INFINITY;
      }
      g += (m[h] * y + q[h] - lambda[h]) * y + r[h] + lambda[h] * s[h];
    }
    return g;
  }
}

package org.gridtrade.auction.internal;

import java.util.ArrayList;
import java.util.List;
import org.gridtrade.auction.DrInstance;
import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/**
 * The rounds of the iterative demand-response double auction (Aggarwal Alg. 8;
 * docs/demand-response.md) in supply units. One round = one OAP solve by the auctioneer plus one
 * bid update by every participant. Not thread-safe; one instance per run.
 */
public final class IterativeAuctionEngine {

  /** How participants turn an allocation into their next bids. */
  public enum Rule {
    /** The literal update at the last allocation. */
    LITERAL,
    /** Anderson acceleration of the literal update on the log-bid vector. */
    ANDERSON,
    /** The literal update at the allocation predicted by one Newton step on SWM's conditions. */
    NEWTON,
    /**
     * Bids only: the auctioneer's secant model of every participant's reported response, fitted to
     * the last two rounds' bids, predicts the next allocation; the next bids are the model's bids
     * there.
     */
    SECANT
  }

  /** One round's evidence: the bids the OAP was solved with and the allocation it gave. */
  public record RoundState(double[][] b, double[][] p, double[][] x, double maxRelativeChange) {}

  /** The outcome of a run. */
  public record Outcome(
      List<RoundState> rounds, boolean converged, double[][] x, double[][] b, double[][] p) {}

  private static final double RIDGE = 1e-10;

  /** Rounds without a new best residual after which the secant rule damps its steps further. */
  private static final int STALL_ROUNDS = 6;

  /**
   * The largest model (EVs × SPs) solved as a QP by ojAlgo when the model's Newton solve stalls; a
   * larger one goes to the interior-point method.
   */
  private static final int MAX_QP_CELLS = 4_000;

  /** The interior-point solve's relative tolerance on residuals and complementarity gap. */
  private static final double INTERIOR_TOLERANCE = 1e-10;

  /** The most interior-point steps per model solve. */
  private static final int INTERIOR_STEPS = 200;

  private final DrInstance inst;
  private final int n;
  private final int m;
  private final double k;
  private final double[] lo;
  private final double[] hi;
  private final double[] cap;
  private final double[][] ub;
  private final double xTol;
  private double[] u;
  private double[] alpha;
  private double[] modelU;
  private double[] modelAlpha;
  private Budget budget = Budget.unlimited();
  private Secant secant;

  /**
   * An engine for one instance.
   *
   * @param inst the instance
   */
  public IterativeAuctionEngine(DrInstance inst) {
    this.inst = inst;
    this.n = inst.evs().size();
    this.m = inst.sps().size();
    this.k = DrModel.k(inst);
    this.lo = new double[n];
    this.hi = new double[n];
    for (int i = 0; i < n; i++) {
      lo[i] = inst.evs().get(i).eMin() / k;
      hi[i] = inst.evs().get(i).eMax() / k;
    }
    this.cap = new double[m];
    double maxCap = 0;
    for (int j = 0; j < m; j++) {
      cap[j] = inst.sps().get(j).capacity();
      maxCap = Math.max(maxCap, cap[j]);
    }
    this.xTol = 1e-9 * maxCap;
    this.ub = DrModel.cellCapacities(inst);
    this.u = new double[n];
    this.alpha = new double[m];
  }

  /**
   * Runs the auction.
   *
   * @param rule the bid update rule
   * @param memory Anderson memory (used by {@link Rule#ANDERSON} only)
   * @param maxRounds the most rounds
   * @return the rounds and the final state
   */
  public Outcome run(Rule rule, int memory, int maxRounds) {
    return run(rule, memory, maxRounds, Budget.unlimited());
  }

  /**
   * Runs the auction within a time budget: when it expires after a round, the run stops there and
   * reports that it did not converge.
   *
   * @param rule the bid update rule
   * @param memory Anderson memory (used by {@link Rule#ANDERSON} only)
   * @param maxRounds the most rounds
   * @param budget the time budget, checked after every round and inside every OAP solve
   * @return the rounds and the final state
   */
  public Outcome run(Rule rule, int memory, int maxRounds, Budget budget) {
    this.budget = budget;
    int dim = 2 * n * m;
    double[][] y = initialAllocation();
    double[] z = updatedBids(y);
    boolean literalTail = false;
    List<double[]> dg = new ArrayList<>();
    List<double[]> df = new ArrayList<>();
    double[] prevG = null;
    double[] prevF = null;
    double prevNorm = Double.POSITIVE_INFINITY;
    List<RoundState> rounds = new ArrayList<>();
    double lastChange = Double.NaN;
    double[][] bidAt = y; // the allocation the submitted bids were computed at
    boolean modelRound = false; // the submitted bids are the secant model's at bidAt
    double[][] x = null;
    double bestChange = Double.POSITIVE_INFINITY;
    double[][] bestX = null;
    double[] bestG = null;
    int sinceBest = 0;
    while (rounds.size() < maxRounds) {
      double[][] b = unpack(z, 0);
      double[][] p = unpack(z, 1);
      x = solveOap(b, p);
      boolean overflowed = !DrModel.usable(inst, x);
      if (overflowed) {
        // a safety net: report a feasible allocation and stop rather than bid on infinities
        x = DrModel.feasible(inst);
      }
      double[] g = updatedBids(x);
      double[] f = new double[dim];
      double change = 0;
      for (int q = 0; q < dim; q++) {
        f[q] = g[q] - z[q];
        int cell = q % (n * m);
        double xv = x[cell / m][cell % m];
        if (modelRound) {
          // after a secant-model round the test compares prices, not bids: the marginal value
          // (b / s) or cost (p s) the model's bids stated at the model's allocation, against what
          // the reports state at OAP's. Every cell counts (a bid's 1/s or s factor is gone).
          // After a literal round it is the literal rule's test.
          double yv = Math.max(bidAt[cell / m][cell % m], xTol);
          double ratio = Math.log(Math.max(xv, xTol) / yv);
          change = Math.max(change, Math.abs(Math.expm1(q < n * m ? f[q] - ratio : f[q] + ratio)));
        } else if (xv > xTol) {
          change = Math.max(change, Math.abs(Math.expm1(f[q])));
        }
      }
      rounds.add(new RoundState(b, p, x, change));
      // a round whose OAP solve the time limit cut short proves nothing
      if (change < inst.xi() && !overflowed && !budget.expired()) {
        return new Outcome(rounds, true, x, b, p);
      }
      if (overflowed || budget.expired()) {
        break;
      }
      if (rule == Rule.LITERAL) {
        z = g;
        continue;
      }
      if (rule == Rule.SECANT) {
        if (secant == null) {
          secant = new Secant(y, z);
        }
        secant.observe(x, g);
        // a repeated residual means the model's allocation came back unchanged without meeting
        // the reports (a solve stalled at a kink): one literal round moves the reports on
        boolean stalled = Math.abs(change - lastChange) <= 1e-9 * change;
        lastChange = change;
        // Safeguard: where the model's kinks (capacities, price limits, e_min) send the rounds
        // round a cycle, the residual stops improving. Then the auctioneer starts its model
        // afresh from the best round it has seen (the allocation with the smallest residual and
        // the bids reported there), which breaks the cycle; the model's fixed point is unchanged.
        if (change < bestChange) {
          bestChange = change;
          bestX = x;
          bestG = g;
          sinceBest = 0;
        } else if (++sinceBest >= STALL_ROUNDS) {
          sinceBest = 0;
          secant = new Secant(bestX, bestG);
          stalled = false;
        }
        double[] next = stalled ? null : secant.predict();
        z = next != null ? next : g;
        bidAt = next != null ? secant.predicted : x;
        modelRound = next != null;
        continue;
      }
      if (rule == Rule.NEWTON) {
        // Newton becomes stationary (its prediction repeats) at SWM's optimum; if a cell's optimal
        // allocation is 0: its floored bid keeps a relative change. From then on the literal
        // update, which drives such cells below the absolute tolerance, takes over.
        double[][] next = literalTail ? null : newtonAllocation(y);
        if (next != null && stationary(next, y)) {
          literalTail = true;
          next = null;
        }
        if (next != null && allFinite(next)) {
          y = next;
          z = updatedBids(y);
        } else {
          y = x;
          z = g;
        }
        continue;
      }
      double norm = norm(f);
      if (prevG != null) {
        if (norm > 2 * prevNorm) {
          dg.clear();
          df.clear();
        } else {
          dg.add(minus(g, prevG));
          df.add(minus(f, prevF));
          if (dg.size() > memory) {
            dg.remove(0);
            df.remove(0);
          }
        }
      }
      prevG = g;
      prevF = f;
      prevNorm = norm;
      z = andersonStep(g, f, dg, df);
    }
    return new Outcome(rounds, false, x, unpack(z, 0), unpack(z, 1));
  }

  private double[] andersonStep(double[] g, double[] f, List<double[]> dg, List<double[]> df) {
    int h = df.size();
    if (h == 0) {
      return g.clone();
    }
    double[][] a = new double[h][h];
    double[] rhs = new double[h];
    double trace = 0;
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < h; c++) {
        a[r][c] = dot(df.get(r), df.get(c));
      }
      rhs[r] = dot(df.get(r), f);
      trace += a[r][r];
    }
    for (int r = 0; r < h; r++) {
      a[r][r] += RIDGE * trace + 1e-300;
    }
    double[] gamma = LinearAlgebra.solveSymmetric(a, rhs);
    if (gamma == null) {
      return g.clone();
    }
    double[] z = g.clone();
    for (int r = 0; r < h; r++) {
      double[] d = dg.get(r);
      for (int q = 0; q < z.length; q++) {
        z[q] -= gamma[r] * d[q];
      }
    }
    for (double v : z) {
      if (!Double.isFinite(v)) {
        return g.clone();
      }
    }
    return z;
  }

  /** Initial allocation: each EV asks for the middle of its range, split evenly over the SPs. */
  private double[][] initialAllocation() {
    double[][] x = new double[n][m];
    double[] col = new double[m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        x[i][j] = Math.min(ub[i][j], 0.5 * (lo[i] + hi[i]) / m);
        col[j] += x[i][j];
      }
    }
    for (int j = 0; j < m; j++) {
      double s = col[j] > cap[j] ? cap[j] / col[j] : 1;
      for (int i = 0; i < n; i++) {
        x[i][j] *= s;
      }
    }
    // the capacity scaling may take a row below e_min, where the EV's marginal value is undefined
    for (int i = 0; i < n; i++) {
      double t = 0;
      for (int j = 0; j < m; j++) {
        t += x[i][j];
      }
      if (t < lo[i]) {
        // spread e_min over the cells the EV may use, in proportion to their capacities (the
        // instance guarantees they can carry it)
        double open = 0;
        for (int j = 0; j < m; j++) {
          open += ub[i][j];
        }
        for (int j = 0; j < m; j++) {
          x[i][j] = open > 0 ? Math.min(ub[i][j], lo[i] * ub[i][j] / open) : 0;
        }
      }
    }
    return x;
  }

  /**
   * The bids every participant submits after seeing allocation x, as logarithms: EV {@code b_ij =
   * s_ji · ∂U_i/∂s_ji} (= {@code e_ij ∂U_i/∂e_ij}, Eq. 4.18), SP {@code p_ji = (2 c1 s_ji + c2) /
   * s_ji}. Allocations below the absolute tolerance are floored, so a bid tends to 0 (or ∞) without
   * becoming it.
   */
  private double[] updatedBids(double[][] x) {
    double[] z = new double[2 * n * m];
    double[] t = DrModel.rowTotals(x);
    for (int i = 0; i < n; i++) {
      double mu = DrModel.marginalUtility(inst, i, t[i]);
      for (int j = 0; j < m; j++) {
        DrInstance.Sp sp = inst.sps().get(j);
        double xv = Math.max(x[i][j], xTol);
        z[i * m + j] = Math.log(xv * mu);
        z[n * m + i * m + j] = Math.log(sp.marginalPrice(xv) / xv);
      }
    }
    return z;
  }

  private double[][] unpack(double[] z, int part) {
    double[][] v = new double[n][m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        v[i][j] = Math.exp(z[part * n * m + i * m + j]);
      }
    }
    return v;
  }

  /**
   * The auctioneer's allocation OAP: {@code max Σ_ij [b_ij ln e_ij − (p_ji/2) s_ji²]} under the
   * constraints of Eq. 4.4, warm-started from the previous round's multipliers.
   *
   * @param b EV bids
   * @param p SP bids
   * @return the allocation s_ji as x[i][j]
   */
  public double[][] solveOap(double[][] b, double[][] p) {
    TransportNewtonSolver solver =
        new TransportNewtonSolver(
            new TransportNewtonSolver.Problem() {
              @Override
              public double flow(int i, int j, double t) {
                return Math.min(ub[i][j], oapFlow(b[i][j], p[i][j], t));
              }

              @Override
              public double slope(int i, int j, double t) {
                double f = oapFlow(b[i][j], p[i][j], t);
                if (f >= ub[i][j]) {
                  return 0;
                }
                return f / Math.sqrt(t * t + 4 * p[i][j] * b[i][j]);
              }

              @Override
              public boolean freeAtZero() {
                return true;
              }

              @Override
              public double demand(int i, double uu) {
                throw new UnsupportedOperationException();
              }

              @Override
              public double demandSlope(int i, double uu) {
                throw new UnsupportedOperationException();
              }

              @Override
              public double inversePrice(int i, double total) {
                return 0;
              }
            },
            lo,
            hi,
            cap,
            u,
            alpha);
    if (solver.solve(1e-12, 200, budget)) {
      u = solver.rowPrices();
      alpha = solver.columnPrices();
      return solver.flows();
    }
    return solveOapByCoordinateAscent(b, p, u, alpha);
  }

  /** The OAP flow of a cell with bids b, p at net price t: the root of {@code p x − b/x = t}. */
  private static double oapFlow(double bb, double pb, double t) {
    double root = Math.sqrt(t * t + 4 * pb * bb);
    return t >= 0 ? (t + root) / (2 * pb) : 2 * bb / (root - t);
  }

  private double[][] solveOapByCoordinateAscent(
      double[][] b, double[][] p, double[] u0, double[] alpha0) {
    BipartiteFlowSolver.Problem problem =
        new BipartiteFlowSolver.Problem() {
          @Override
          public double flow(int i, int j, double t) {
            return Math.min(ub[i][j], oapFlow(b[i][j], p[i][j], t));
          }

          @Override
          public double target(int i, double uu, double total) {
            double tau = uu < 0 ? hi[i] : uu > 0 ? lo[i] : total;
            return Math.min(hi[i], Math.max(lo[i], tau));
          }
        };
    BipartiteFlowSolver solver = new BipartiteFlowSolver(problem, cap, u0, alpha0);
    solver.solve(1e-10, 20_000, budget);
    u = solver.rowPrices();
    alpha = solver.columnPrices();
    return solver.flows();
  }

  /**
   * The allocation one Newton step on SWM's optimality conditions predicts from allocation x: every
   * EV replaces its utility by its second-order Taylor model at its current total (its marginal
   * value and that value's derivative, both private), every SP's cost is quadratic already; the
   * model problem, with the constraints of Eq. 4.4, is solved exactly. Its fixed point is SWM's
   * optimum, so bidding literally at the prediction keeps the literal update's fixed point.
   */
  private double[][] newtonAllocation(double[][] x) {
    double[] t = DrModel.rowTotals(x);
    double[] mu = new double[n];
    double[] dmu = new double[n];
    for (int i = 0; i < n; i++) {
      DrInstance.Ev ev = inst.evs().get(i);
      double s = k * t[i] - ev.eMin() + 1;
      mu[i] = ev.willingness() * k / s;
      dmu[i] = -ev.willingness() * k * k / (s * s);
    }
    double[] c1 = new double[m];
    double[] c2 = new double[m];
    for (int j = 0; j < m; j++) {
      c1[j] = inst.sps().get(j).c1();
      c2[j] = inst.sps().get(j).c2() + inst.sps().get(j).minPrice();
    }
    if (modelU == null) {
      modelU = mu.clone();
      modelAlpha = new double[m];
    }
    TransportNewtonSolver solver =
        new TransportNewtonSolver(
            new LinearDemand(t, mu, dmu) {
              @Override
              public double flow(int i, int j, double tt) {
                return DrModel.quadraticFlow(tt, c2[j], c1[j], ub[i][j]);
              }

              @Override
              public double slope(int i, int j, double tt) {
                return DrModel.quadraticSlope(tt, c2[j], c1[j], ub[i][j]);
              }
            },
            lo,
            hi,
            cap,
            modelU,
            modelAlpha);
    solver.solve(1e-12, 200, budget);
    modelU = solver.rowPrices();
    modelAlpha = solver.columnPrices();
    return solver.flows();
  }

  /**
   * The auctioneer's model of the participants in the bids-only rule, built from what they reported
   * and nothing else. A bid reveals one number: EV i's bid {@code b_ij} at allocation x is {@code
   * x_ij μ_i(T_i)} (Eq. 4.18), so {@code μ_i(T_i) = b_ij / x_ij}, its marginal value at its total;
   * SP j's bid {@code p_ji} is {@code MC_ji(x_ij) / x_ij}, so {@code MC_ji(x_ij) = p_ji x_ij}, its
   * marginal cost of the cell. The model keeps, per EV and per cell, the last observed value and a
   * slope fitted to the last two observations with different totals (different cell flows): for a
   * cell's marginal cost the secant; for an EV's marginal value the slope at the newest point of
   * the curve {@code μ = A / (T − B)} through both, i.e. the secant of {@code 1/μ} (the EV's demand
   * modelled as linear in the reciprocal price, the shape of a logarithmic utility). Before there
   * are two observations it uses the slope OAP itself assumes ({@code b ln e}: {@code −μ/T}; {@code
   * (p/2) s²}: {@code p}). A slope of the wrong sign (a concave utility has a falling marginal
   * value, a convex cost a rising one) is refused and the old slope kept.
   *
   * <p>{@link #predict()} maximises the model's welfare (linear marginal values, linear marginal
   * costs) under the constraints of Eq. 4.4 and returns the model's bids at that allocation: OAP on
   * those bids gives back the model's optimum, because OAP's optimality conditions at x with bids
   * {@code x μ̂, MĈ/x} are the model's. When the allocation repeats, the model interpolates the
   * reported marginal values there, so the allocation satisfies SWM's optimality conditions: the
   * rule's fixed point is SWM's optimum (docs/demand-response.md, "Why the fixed point is SWM's").
   */
  private final class Secant {
    private final double[] total = new double[n];
    private final double[] mu = new double[n];
    private final double[] evSlope = new double[n];
    private final double[][] flow = new double[n][m];
    private final double[][] mc = new double[n][m];
    private final double[][] spSlope = new double[n][m];
    private double[] modelRowPrices;
    private double[][] predicted;
    private boolean modelSolved;
    private double[] modelColumnPrices = new double[m];
    private double[] interiorRowPrices;
    private double[] interiorColumnPrices;

    Secant(double[][] x0, double[] z0) {
      read(x0, z0, total, mu, flow, mc);
      for (int i = 0; i < n; i++) {
        evSlope[i] = -mu[i] / Math.max(total[i], xTol);
        for (int j = 0; j < m; j++) {
          spSlope[i][j] = mc[i][j] / flow[i][j];
        }
      }
      modelRowPrices = mu.clone();
    }

    /** Reads the marginal values and costs the bids z reveal at allocation x. */
    private void read(
        double[][] x, double[] z, double[] t, double[] v, double[][] f, double[][] c) {
      for (int i = 0; i < n; i++) {
        double rowTotal = 0;
        int widest = 0;
        for (int j = 0; j < m; j++) {
          rowTotal += x[i][j];
          if (x[i][j] > x[i][widest]) {
            widest = j;
          }
          f[i][j] = Math.max(x[i][j], xTol);
          c[i][j] = Math.exp(z[n * m + i * m + j]) * f[i][j];
        }
        t[i] = rowTotal;
        v[i] = Math.exp(z[i * m + widest]) / Math.max(x[i][widest], xTol);
      }
    }

    void observe(double[][] x, double[] g) {
      double[] t = new double[n];
      double[] v = new double[n];
      double[][] f = new double[n][m];
      double[][] c = new double[n][m];
      read(x, g, t, v, f, c);
      for (int i = 0; i < n; i++) {
        double dt = t[i] - total[i];
        if (Math.abs(dt) > Math.max(xTol, 1e-7 * Math.abs(t[i]))) {
          // the secant of 1/μ, read as the slope of μ at the newest point: exact for a marginal
          // value of the form A / (T − B), as that of a logarithmic utility (Eq. 4.1) is
          double slope = (v[i] - mu[i]) / dt * (v[i] / mu[i]);
          if (slope < 0 && Double.isFinite(slope)) {
            evSlope[i] = slope;
          }
        }
        total[i] = t[i];
        mu[i] = v[i];
        for (int j = 0; j < m; j++) {
          double df = f[i][j] - flow[i][j];
          // flows closer than the absolute tolerance (or than rounding) give a secant of noise
          if (Math.abs(df) > Math.max(xTol, 1e-7 * f[i][j])) {
            double slope = (c[i][j] - mc[i][j]) / df;
            if (slope > 0 && Double.isFinite(slope)) {
              spSlope[i][j] = slope;
            }
          }
          flow[i][j] = f[i][j];
          mc[i][j] = c[i][j];
        }
      }
    }

    /** The model's supply on a cell at net price tt, within the cell's capacity. */
    private double modelFlow(int i, int j, double tt) {
      return Math.min(ub[i][j], Math.max(0, flow[i][j] + (tt - mc[i][j]) / spSlope[i][j]));
    }

    /**
     * The model's optimum as a quadratic program solved by ojAlgo: every cell within [0, its
     * capacity], row totals within [e_min, e_max] (supply units), columns within capacity; null if
     * ojAlgo reports no optimum.
     */
    private double[][] solveModelQp() {
      ExpressionsBasedModel qp = new ExpressionsBasedModel();
      Expression objective = qp.addExpression("welfare").weight(1);
      Variable[][] cells = new Variable[n][m];
      Expression[] columns = new Expression[m];
      for (int j = 0; j < m; j++) {
        columns[j] = qp.addExpression("column" + j).upper(cap[j]);
      }
      for (int i = 0; i < n; i++) {
        Variable rowTotal = qp.addVariable("T" + i).lower(lo[i]).upper(hi[i]);
        Expression row = qp.addExpression("row" + i).level(0);
        row.set(rowTotal, 1);
        // the EV's model value: μ (T − t) + ½ s (T − t)², s < 0
        objective.set(rowTotal, rowTotal, 0.5 * evSlope[i]);
        objective.set(rowTotal, mu[i] - evSlope[i] * total[i]);
        for (int j = 0; j < m; j++) {
          Variable c = qp.addVariable("y" + i + "_" + j).lower(0).upper(ub[i][j]);
          cells[i][j] = c;
          row.set(c, -1);
          columns[j].set(c, 1);
          // minus the cell's model cost: mc (y − f) + ½ p (y − f)², p > 0
          objective.set(c, c, -0.5 * spSlope[i][j]);
          objective.set(c, -(mc[i][j] - spSlope[i][j] * flow[i][j]));
        }
      }
      Optimisation.Result r = qp.maximise();
      if (!r.getState().isOptimal()) {
        return null;
      }
      double[][] y = new double[n][m];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          y[i][j] = Math.min(ub[i][j], Math.max(0, cells[i][j].getValue().doubleValue()));
        }
      }
      return y;
    }

    /**
     * The model's optimum (the QP of {@link #solveModelQp}) by {@link
     * TransportInteriorPointSolver}, then Newton on the model from its prices, which puts every
     * cell exactly at a bound or at reduced price 0; null if neither that crossover meets Newton's
     * tolerance nor the interior point its own. The prices are left in {@code interiorRowPrices}
     * and {@code interiorColumnPrices}.
     */
    private double[][] solveModelByInteriorPoint(TransportNewtonSolver.Problem model) {
      double[] a = new double[n];
      double[] g = new double[n];
      double[][] qq = new double[n][m];
      double[][] cc = new double[n][m];
      for (int i = 0; i < n; i++) {
        // minus the EV's model value μ (T − t) + ½ s (T − t)², up to a constant
        a[i] = -evSlope[i];
        g[i] = -(mu[i] - evSlope[i] * total[i]);
        for (int j = 0; j < m; j++) {
          qq[i][j] = spSlope[i][j];
          cc[i][j] = mc[i][j] - spSlope[i][j] * flow[i][j];
        }
      }
      TransportInteriorPointSolver qp =
          new TransportInteriorPointSolver(a, g, qq, cc, lo, hi, ub, cap);
      boolean solved = qp.solve(INTERIOR_TOLERANCE, INTERIOR_STEPS, budget);
      if (budget.expired()) {
        return null;
      }
      // Newton's own tolerance decides, so an interior point short of its tolerance may serve
      TransportNewtonSolver polish =
          new TransportNewtonSolver(model, lo, hi, cap, qp.rowPrices(), qp.columnPrices());
      if (polish.solve(1e-12, 200, budget)) {
        interiorRowPrices = polish.rowPrices();
        interiorColumnPrices = polish.columnPrices();
        return polish.flows();
      }
      if (!solved) {
        return null;
      }
      // the interior point itself is optimal within its tolerance
      interiorRowPrices = qp.rowPrices();
      interiorColumnPrices = qp.columnPrices();
      return qp.flows();
    }

    /** The model's bids at the model's optimum, as logarithms; null if the model solve failed. */
    double[] predict() {
      TransportNewtonSolver.Problem model =
          new LinearDemand(total, mu, evSlope) {
            @Override
            public double flow(int i, int j, double tt) {
              return modelFlow(i, j, tt);
            }

            @Override
            public double slope(int i, int j, double tt) {
              double f = flow[i][j] + (tt - mc[i][j]) / spSlope[i][j];
              return f >= 0 && f < ub[i][j] ? 1 / spSlope[i][j] : 0;
            }
          };
      TransportNewtonSolver solver =
          new TransportNewtonSolver(model, lo, hi, cap, modelRowPrices, modelColumnPrices);
      double[][] y;
      modelSolved = true;
      if (solver.solve(1e-12, 200, budget)) {
        y = solver.flows();
        modelRowPrices = solver.rowPrices();
        modelColumnPrices = solver.columnPrices();
      } else if (n * m <= MAX_QP_CELLS && (y = solveModelQp()) != null) {
        // Newton stalls at a kink of the piecewise-linear model, for instance when rows held at
        // e_min share a nearly full SP; coordinate ascent then crawls (20,000 sweeps, a minute per
        // market, without meeting its tolerance). The model is a convex QP, which ojAlgo's
        // active-set solver finishes. Newton's last prices stay the next round's warm start.
        modelRowPrices = solver.rowPrices();
        modelColumnPrices = solver.columnPrices();
      } else if (n * m > MAX_QP_CELLS && (y = solveModelByInteriorPoint(model)) != null) {
        // beyond what ojAlgo's active-set solver finishes in time, the same QP by an
        // interior-point method that works on the columns' m×m Schur complement; its prices are
        // the next round's warm start
        modelRowPrices = interiorRowPrices;
        modelColumnPrices = interiorColumnPrices;
      } else {
        // exact coordinate ascent from Newton's last prices (slow but monotone)
        BipartiteFlowSolver ascent =
            new BipartiteFlowSolver(
                new BipartiteFlowSolver.Problem() {
                  @Override
                  public double flow(int i, int j, double tt) {
                    return modelFlow(i, j, tt);
                  }

                  @Override
                  public double target(int i, double uu, double rowTotal) {
                    double d = total[i] + (uu - mu[i]) / evSlope[i];
                    return Math.min(hi[i], Math.max(lo[i], d));
                  }
                },
                cap,
                solver.rowPrices(),
                solver.columnPrices());
        modelSolved = ascent.solve(1e-12, 20_000, budget);
        y = ascent.flows();
        modelRowPrices = ascent.rowPrices();
        modelColumnPrices = ascent.columnPrices();
      }
      if (!modelSolved || !allFinite(y)) {
        // an inexact model optimum proves nothing (the fixed-point argument needs the model's
        // optimality conditions): this round takes the literal update
        modelRowPrices = mu.clone();
        modelColumnPrices = new double[m];
        return null;
      }
      predicted = y;
      double[] t = DrModel.rowTotals(y);
      double[] z = new double[2 * n * m];
      for (int i = 0; i < n; i++) {
        // a linear model that extrapolates a marginal value or cost to 0 or below has left the
        // region where it describes the participant: this round takes the literal update instead
        double v = mu[i] + evSlope[i] * (t[i] - total[i]);
        if (!(v > 0)) {
          return null;
        }
        for (int j = 0; j < m; j++) {
          double yv = Math.max(y[i][j], xTol);
          double c = mc[i][j] + spSlope[i][j] * (yv - flow[i][j]);
          if (!(c > 0)) {
            return null;
          }
          z[i * m + j] = Math.log(yv * v);
          z[n * m + i * m + j] = Math.log(c / yv);
        }
      }
      for (double v : z) {
        if (!Double.isFinite(v)) {
          return null;
        }
      }
      return z;
    }
  }

  /**
   * Rows whose demand is linear in their price: row i wants {@code total_i + (u − μ_i) / slope_i}
   * (slope_i < 0), the model of an EV's marginal value {@code μ_i + slope_i (T − total_i)}. The
   * arrays are read when called, so a caller may update them in place.
   */
  private abstract static class LinearDemand implements TransportNewtonSolver.Problem {
    private final double[] total;
    private final double[] mu;
    private final double[] slope;

    LinearDemand(double[] total, double[] mu, double[] slope) {
      this.total = total;
      this.mu = mu;
      this.slope = slope;
    }

    @Override
    public boolean freeAtZero() {
      return false;
    }

    @Override
    public double demand(int i, double u) {
      return total[i] + (u - mu[i]) / slope[i];
    }

    @Override
    public double demandSlope(int i, double u) {
      return 1 / slope[i];
    }

    @Override
    public double inversePrice(int i, double t) {
      return mu[i] + slope[i] * (t - total[i]);
    }
  }

  private boolean stationary(double[][] a, double[][] b) {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        if (Math.abs(a[i][j] - b[i][j]) > 1e-9 * Math.max(xTol, Math.abs(b[i][j]))) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean allFinite(double[][] a) {
    for (double[] row : a) {
      for (double v : row) {
        if (!Double.isFinite(v)) {
          return false;
        }
      }
    }
    return true;
  }

  private static double[] minus(double[] a, double[] b) {
    double[] r = new double[a.length];
    for (int q = 0; q < a.length; q++) {
      r[q] = a[q] - b[q];
    }
    return r;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int q = 0; q < a.length; q++) {
      s += a[q] * b[q];
    }
    return s;
  }

  private static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }
}

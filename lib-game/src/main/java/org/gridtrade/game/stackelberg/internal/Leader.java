package org.gridtrade.game.stackelberg.internal;

import java.util.Arrays;

/**
 * The leader's objective over a fleet: profit (Aggarwal Eq. 3.8), optionally minus a load-shaping
 * weight times PAR (Eq. 3.26), with the penalty fitness of Eq. 3.19 for price vectors whose induced
 * load exceeds the capacity of some hour (Eq. 3.7).
 *
 * <p>Constraint count {@code m = 24} (one capacity constraint per hour; the price bounds and the
 * cap hold by construction of every price vector). An infeasible price vector with {@code s}
 * satisfied hours scores {@code −(K − s·K/m)}: Eq. 3.19 is written for minimisation; we maximise,
 * so the penalty is negated, and every infeasible vector ranks below every feasible one. Not
 * thread-safe: it owns scratch buffers.
 */
public final class Leader {
  /** Penalty constant K of Aggarwal Eq. 3.19. */
  public static final double PENALTY = 1e9;

  private final Fleet fleet;
  private final double[] m;
  private final double[] q;
  private final double[] r;
  private final double[] capacity;
  private final double weight;
  private final Fleet.Workspace ws = new Fleet.Workspace();
  private final double[] load = new double[Fleet.H];
  private long evaluations;

  /**
   * A leader model.
   *
   * @param fleet the followers
   * @param m quadratic cost factors
   * @param q linear cost factors
   * @param r constant costs
   * @param capacity hourly capacities
   * @param weight load-shaping weight w (cents per unit of PAR)
   */
  public Leader(Fleet fleet, double[] m, double[] q, double[] r, double[] capacity, double weight) {
    this.fleet = fleet;
    this.m = m.clone();
    this.q = q.clone();
    this.r = r.clone();
    this.capacity = capacity.clone();
    this.weight = weight;
  }

  /**
   * The followers.
   *
   * @return the fleet
   */
  public Fleet fleet() {
    return fleet;
  }

  /**
   * How many price vectors were evaluated.
   *
   * @return the evaluation count
   */
  public long evaluations() {
    return evaluations;
  }

  /**
   * The fitness of a price vector: objective when feasible, negated penalty otherwise.
   *
   * @param prices 24 prices
   * @return the fitness to maximise
   */
  public double fitness(double[] prices) {
    evaluations++;
    fleet.load(prices, ws, load);
    int satisfied = 0;
    for (int h = 0; h < Fleet.H; h++) {
      if (load[h] <= capacity[h] * (1 + 1e-12)) {
        satisfied++;
      }
    }
    if (satisfied < Fleet.H) {
      return -(PENALTY - satisfied * PENALTY / Fleet.H);
    }
    return objective(prices, load);
  }

  /**
   * Objective {@code profit − w·PAR} of prices and the load they induce.
   *
   * @param prices prices
   * @param load induced load
   * @return the objective
   */
  public double objective(double[] prices, double[] load) {
    double profit = profit(prices, load);
    return weight == 0 ? profit : profit - weight * par(load);
  }

  /**
   * Leader profit, Aggarwal Eq. 3.8.
   *
   * @param prices prices
   * @param load load
   * @return revenue minus generation cost in cents
   */
  public double profit(double[] prices, double[] load) {
    double p = 0;
    for (int h = 0; h < Fleet.H; h++) {
      p += prices[h] * load[h] - cost(h, load[h]);
    }
    return p;
  }

  /**
   * {@code Cost_h(y)}.
   *
   * @param h hour
   * @param y load
   * @return cost
   */
  public double cost(int h, double y) {
    return (m[h] * y + q[h]) * y + r[h];
  }

  /**
   * Peak-to-average ratio, Aggarwal Eq. 3.26; 1 for an all-zero load.
   *
   * @param load 24 loads
   * @return {@code 24·max/Σ}
   */
  public static double par(double[] load) {
    double max = 0;
    double sum = 0;
    for (double v : load) {
      max = Math.max(max, v);
      sum += v;
    }
    return sum <= 0 ? 1.0 : Fleet.H * max / sum;
  }

  /**
   * The load induced by prices (a copy).
   *
   * @param prices prices
   * @return 24 loads
   */
  public double[] load(double[] prices) {
    double[] out = new double[Fleet.H];
    fleet.load(prices, ws, out);
    return out;
  }

  /**
   * Quadratic factors (a copy).
   *
   * @return m_h
   */
  public double[] quadratic() {
    return m.clone();
  }

  /**
   * Linear factors (a copy).
   *
   * @return q_h
   */
  public double[] linear() {
    return q.clone();
  }

  /**
   * Constant costs (a copy).
   *
   * @return r_h
   */
  public double[] constant() {
    return r.clone();
  }

  /**
   * Capacities (a copy).
   *
   * @return capacity per hour
   */
  public double[] capacity() {
    return capacity.clone();
  }

  @Override
  public String toString() {
    return "Leader[n=%d, w=%s, m=%s]".formatted(fleet.size(), weight, Arrays.toString(m));
  }
}

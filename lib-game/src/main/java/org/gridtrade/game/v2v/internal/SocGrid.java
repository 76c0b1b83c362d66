package org.gridtrade.game.v2v.internal;

import org.gridtrade.game.v2v.V2vScenario;

/**
 * The SOC grid of the dynamic programs: points {@code s0 + j·h}, {@code h = rate/(capacity·K)},
 * anchored at the initial SOC and spanning {@code [min(socMin, s0), max(socMax, s0)]}; actions are
 * whole steps {@code k·h·capacity}, {@code |k| ≤ K}, inside the feasible interval, so every grid
 * policy runs unchanged in the environment.
 */
public final class SocGrid {

  private static final double TOL = 1e-9;

  private final V2vScenario scenario;
  private final int steps;
  private final double h;
  private final double da;
  private final int jLo;
  private final int jHi;
  private final int[] kMin;
  private final int[] kMax;

  /**
   * A grid for a scenario.
   *
   * @param scenario the EV's day
   * @param stepsPerRate K, the number of grid steps in one hour at full charger rate, 1..10,000
   * @throws IllegalArgumentException when K is out of range
   */
  public SocGrid(V2vScenario scenario, int stepsPerRate) {
    if (stepsPerRate < 1 || stepsPerRate > 10_000) {
      throw new IllegalArgumentException(
          "stepsPerRate %d must be in 1..10000".formatted(stepsPerRate));
    }
    this.scenario = scenario;
    this.steps = stepsPerRate;
    this.da = scenario.rateKwhPerHour() / stepsPerRate;
    this.h = da / scenario.capacityKwh();
    double s0 = scenario.initialSoc();
    double lo = Math.min(scenario.socMin(), s0);
    double hi = Math.max(scenario.socMax(), s0);
    this.jLo = -(int) Math.floor((s0 - lo) / h + TOL);
    this.jHi = (int) Math.floor((hi - s0) / h + TOL);
    int n = jHi - jLo + 1;
    this.kMin = new int[n];
    this.kMax = new int[n];
    for (int i = 0; i < n; i++) {
      double soc = soc(i);
      kMin[i] = Math.max(Math.max(-steps, (int) Math.ceil(scenario.minAction(soc) / da - TOL)), -i);
      kMax[i] =
          Math.min(
              Math.min(steps, (int) Math.floor(scenario.maxAction(soc) / da + TOL)), n - 1 - i);
    }
  }

  /**
   * Number of grid points.
   *
   * @return the count
   */
  public int size() {
    return jHi - jLo + 1;
  }

  /**
   * Index of the initial SOC.
   *
   * @return its index
   */
  public int start() {
    return -jLo;
  }

  /**
   * SOC of a grid index.
   *
   * @param i index, 0..size − 1
   * @return its SOC
   */
  public double soc(int i) {
    return scenario.initialSoc() + (i + jLo) * h;
  }

  /**
   * The nearest grid index of a SOC, clamped to the grid.
   *
   * @param soc a SOC
   * @return its index
   */
  public int index(double soc) {
    long j = Math.round((soc - scenario.initialSoc()) / h) - jLo;
    return (int) Math.max(0, Math.min(size() - 1, j));
  }

  /**
   * Energy of one step.
   *
   * @return {@code rate/K}, kWh
   */
  public double stepKwh() {
    return da;
  }

  /**
   * SOC of one step.
   *
   * @return {@code h}
   */
  public double stepSoc() {
    return h;
  }

  /**
   * Least feasible step count at an index.
   *
   * @param i index
   * @return {@code k_min ≤ 0}
   */
  public int kMin(int i) {
    return kMin[i];
  }

  /**
   * Greatest feasible step count at an index.
   *
   * @param i index
   * @return {@code k_max ≥ 0}
   */
  public int kMax(int i) {
    return kMax[i];
  }

  /**
   * The terminal values: the departure penalty {@code −η (SOC − SOC_max)²} of every grid point.
   *
   * @return a new array
   */
  public double[] terminal() {
    double[] v = new double[size()];
    for (int i = 0; i < v.length; i++) {
      double d = soc(i) - scenario.socMax();
      v[i] = -scenario.eta() * d * d;
    }
    return v;
  }

  /**
   * The intercepts and slopes in the retail price {@code p} of the action values at one state: the
   * value of step {@code k} is {@code c + m·p} with {@code m = −δ·a·w} and {@code c = −δ·a·((1 −
   * w)·p_Gbuy + Ω) + next[i + k]}, {@code a = k·rate/K}.
   *
   * @param hour clock hour
   * @param i index
   * @param next the values after the slot
   * @param c out: intercepts, index {@code k − kMin}
   * @param m out: slopes
   * @return number of actions written
   */
  public int lines(int hour, int i, double[] next, double[] c, double[] m) {
    double delta = scenario.prices().delta(hour);
    double w = scenario.prices().v2vShare();
    double fixed = (1 - w) * scenario.prices().feedInPrice() + scenario.omega();
    int n = 0;
    for (int k = kMin[i]; k <= kMax[i]; k++) {
      double a = k * da;
      m[n] = -delta * a * w;
      c[n] = -delta * a * fixed + next[i + k];
      n++;
    }
    return n;
  }

  /**
   * The best step at a known price; ties go to the step nearest to idling.
   *
   * @param hour clock hour
   * @param i index
   * @param next the values after the slot
   * @param price the retail price
   * @param c scratch
   * @param m scratch
   * @return the step count k
   */
  public int best(int hour, int i, double[] next, double price, double[] c, double[] m) {
    int n = lines(hour, i, next, c, m);
    int bestK = 0;
    double best = Double.NEGATIVE_INFINITY;
    for (int r = 0; r <= steps; r++) {
      for (int sign = 1; sign >= (r == 0 ? 1 : -1); sign -= 2) {
        int k = sign * r;
        int idx = k - kMin[i];
        if (idx < 0 || idx >= n) {
          continue;
        }
        double v = c[idx] + m[idx] * price;
        if (r == 0 || v > best + 1e-12 * Math.max(1, Math.abs(best))) {
          best = v;
          bestK = k;
        }
      }
    }
    return bestK;
  }
}

package org.gridtrade.game.v2v;

import java.util.Objects;
import org.gridtrade.game.v2v.internal.NormalMath;
import org.gridtrade.game.v2v.internal.SocGrid;

/**
 * The optimal causal policy of one EV's day: the best any policy can do in expectation when it sees
 * each hour's price before acting but not the prices to come (docs/v2v.md, "Yardsticks"). No
 * learner can beat it on average; the chapter reports no such yardstick.
 *
 * <p>Dynamic programming over (hour, SOC): {@code V_T(s) = −η (s − SOC_max)²} and {@code V_t(s) =
 * E_p[max_a (−δ_t · a · (p_v2v(p) + Ω) + V_{t+1}(s + a/capacity))]}, with {@code p ~ N(mean_t,
 * sd_t²)} the hour's retail price (independent across hours). Each action's value is affine in
 * {@code p}, so the inner maximum is a convex piecewise-linear function of {@code p} and its
 * expectation is computed in closed form (no price sampling or quadrature). SOC and actions live on
 * a grid anchored at the initial SOC with {@code K} steps per full-rate hour (steps of {@code
 * rate/K} kWh, actions whole steps inside the feasible interval); grid policies run unchanged in
 * the environment, so {@link #expectedReturn()} is attained exactly by {@link #action}. The only
 * approximation is the grid: a continuous policy's trajectory rounded to the grid changes each
 * action by at most {@code 2 · rate/K} kWh, so the continuous optimum exceeds the grid optimum by
 * at most {@code 2 · (rate/K) · Σ_t δ_t · E|p_v2v,t + Ω| + η · (2h + h²)}, {@code h} the SOC step.
 *
 * <p>Immutable and thread-safe.
 */
public final class OptimalCausalPolicy implements V2vPolicy {

  private final V2vScenario scenario;
  private final SocGrid grid;
  private final double[][] values;
  private final int stepsPerRate;

  private OptimalCausalPolicy(
      V2vScenario scenario, SocGrid grid, double[][] values, int stepsPerRate) {
    this.scenario = scenario;
    this.stepsPerRate = stepsPerRate;
    this.grid = grid;
    this.values = values;
  }

  /**
   * Solves the dynamic program.
   *
   * @param scenario the EV's day
   * @param stepsPerRate K, grid steps per full-rate hour, 1..10,000 (the default scenario is on the
   *     grid's points — SOC 0.2, 0.5, 0.8 — whenever K is a multiple of 5)
   * @return the policy
   * @throws IllegalArgumentException when K is out of range
   */
  public static OptimalCausalPolicy solve(V2vScenario scenario, int stepsPerRate) {
    Objects.requireNonNull(scenario, "scenario");
    SocGrid grid = new SocGrid(scenario, stepsPerRate);
    int slots = scenario.slots();
    double[][] v = new double[slots + 1][];
    v[slots] = grid.terminal();
    int width = 2 * stepsPerRate + 1;
    double[] c = new double[width];
    double[] m = new double[width];
    int[] order = new int[width];
    TouPrices prices = scenario.prices();
    for (int t = slots - 1; t >= 0; t--) {
      int hour = scenario.arrivalHour() + t;
      TouBand band = TouBand.of(hour);
      v[t] = new double[grid.size()];
      for (int i = 0; i < grid.size(); i++) {
        int n = grid.lines(hour, i, v[t + 1], c, m);
        v[t][i] = NormalMath.expectedMax(c, m, n, prices.mean(band), prices.sd(band), order);
      }
    }
    return new OptimalCausalPolicy(scenario, grid, v, stepsPerRate);
  }

  /**
   * The scenario solved.
   *
   * @return the scenario
   */
  public V2vScenario scenario() {
    return scenario;
  }

  /**
   * The optimal expected return from arrival, over the price distribution.
   *
   * @return {@code V_arrival(initial SOC)}
   */
  public double expectedReturn() {
    return values[0][grid.start()];
  }

  /**
   * The optimal expected return from a slot and SOC on (the SOC rounded to the grid).
   *
   * @param hour clock hour, arrival..departure (departure: the penalty alone)
   * @param soc the SOC
   * @return the value
   * @throws IllegalArgumentException when the hour is outside the episode
   */
  public double value(int hour, double soc) {
    return values[slot(hour, true)][grid.index(soc)];
  }

  /**
   * The optimal action, in kWh, for an observed state (its SOC rounded to the grid).
   *
   * @param state a state of this scenario's episode
   * @return the action, a whole number of grid steps
   * @throws IllegalArgumentException when the state's hour is outside the episode
   */
  @Override
  public double action(V2vState state) {
    int t = slot(state.hour(), false);
    int i = grid.index(state.soc());
    double[] c = new double[2 * stepsPerRate + 1];
    double[] m = new double[2 * stepsPerRate + 1];
    return grid.best(state.hour(), i, values[t + 1], state.retailPrice(), c, m) * grid.stepKwh();
  }

  private int slot(int hour, boolean allowDeparture) {
    int last = scenario.departureHour() - (allowDeparture ? 0 : 1);
    if (hour < scenario.arrivalHour() || hour > last) {
      throw new IllegalArgumentException(
          "hour %d must be in %d..%d (the episode's slots)"
              .formatted(hour, scenario.arrivalHour(), last));
    }
    return hour - scenario.arrivalHour();
  }
}

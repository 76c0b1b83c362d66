package org.gridtrade.game.v2v;

import java.util.Objects;
import org.gridtrade.game.v2v.internal.SocGrid;

/**
 * The perfect-foresight optimum of one sampled day: the best return with every price of the day
 * known in advance, an upper bound no causal policy reaches on average (docs/v2v.md, "Yardsticks").
 * Dynamic programming over SOC with the known prices, on the grid of {@link OptimalCausalPolicy}
 * (the same grid bound applies).
 */
public final class PerfectForesight {

  private PerfectForesight() {}

  /**
   * Solves one day and plays the optimal schedule through the environment.
   *
   * @param scenario the EV's day
   * @param retailPrices the day's 24 retail prices
   * @param stepsPerRate K, grid steps per full-rate hour, 1..10,000
   * @return the optimal episode (its return is the day's optimum on the grid)
   */
  public static V2vEpisode solve(V2vScenario scenario, double[] retailPrices, int stepsPerRate) {
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(retailPrices, "retailPrices");
    new V2vEnvironment(scenario).reset(retailPrices); // validates the prices
    SocGrid grid = new SocGrid(scenario, stepsPerRate);
    int slots = scenario.slots();
    double[][] v = new double[slots + 1][];
    int[][] choice = new int[slots][grid.size()];
    v[slots] = grid.terminal();
    double[] c = new double[2 * stepsPerRate + 1];
    double[] m = new double[2 * stepsPerRate + 1];
    for (int t = slots - 1; t >= 0; t--) {
      int hour = scenario.arrivalHour() + t;
      double p = retailPrices[hour];
      v[t] = new double[grid.size()];
      for (int i = 0; i < grid.size(); i++) {
        int k = grid.best(hour, i, v[t + 1], p, c, m);
        int n = k - grid.kMin(i);
        choice[t][i] = k;
        v[t][i] = c[n] + m[n] * p;
      }
    }
    int[] plan = new int[slots];
    int i = grid.start();
    for (int t = 0; t < slots; t++) {
      plan[t] = choice[t][i];
      i += plan[t];
    }
    double kwh = grid.stepKwh();
    return V2vEpisode.play(
        scenario, s -> plan[s.hour() - scenario.arrivalHour()] * kwh, retailPrices);
  }
}

package org.gridtrade.game.stackelberg;

import java.util.List;

/**
 * What one price vector does: the followers' schedules, the load, the leader's profit and the PAR.
 *
 * @param prices 24 hourly prices in cents/kWh
 * @param load 24 hourly loads {@code P_h} in kWh
 * @param schedules each EV's schedule and bill, in the problem's EV order
 * @param revenue {@code Σ_h p^h P_h} in cents
 * @param generationCost {@code Σ_h Cost_h(P_h)} in cents
 * @param profit revenue minus generation cost (Aggarwal Eq. 3.8) in cents
 * @param par peak-to-average ratio of the load (Eq. 3.26)
 * @param feasible whether the load respects every hour's capacity (Eq. 3.7)
 */
public record Outcome(
    List<Double> prices,
    List<Double> load,
    List<Schedule> schedules,
    double revenue,
    double generationCost,
    double profit,
    double par,
    boolean feasible) {
  /** Copies the lists. */
  public Outcome {
    prices = List.copyOf(prices);
    load = List.copyOf(load);
    schedules = List.copyOf(schedules);
  }
}

package org.gridtrade.game.stackelberg;

import java.util.List;

/**
 * The leader's prices found by {@link StackelbergGame#solve} with the evidence to judge them.
 *
 * <p>Check {@code outcome().feasible()}: when no price vector the search found keeps the induced
 * load within every hour's capacity, the solution is the one with the fewest violated hours (the
 * penalty fitness of Aggarwal Eq. 3.19) and is not a valid schedule for the grid.
 *
 * @param outcome what the leader's prices do (schedules, load, profit, PAR)
 * @param upperBound {@code cap·Σ_j E_j − minimumCost}: no price vector within the cap earns more
 *     (docs/stackelberg.md, "The model", and "Upper bound and gaps")
 * @param minimumCost certified lower bound on {@code min Σ_h Cost_h(P_h)} over all feasible
 *     follower schedules, cents
 * @param relativeGap {@code (upperBound − profit) / upperBound}
 * @param costRatio generation cost of the induced load ÷ {@code minimumCost} (1 = the prices shape
 *     the load as cheaply as any schedule could)
 * @param unscheduled the unscheduled baseline: every EV charges as early as it can from arrival
 *     (its best response to flat prices), billed at the cap
 * @param timeOfUse the time-of-use baseline of Aggarwal Table 3.1 (see {@link
 *     StackelbergGame#timeOfUsePrices})
 * @param fitnessTrace the GA's best fitness after each generation
 * @param generations generations the GA ran
 * @param evaluations price vectors evaluated (GA and polish)
 * @param config the configuration used
 */
public record StackelbergSolution(
    Outcome outcome,
    double upperBound,
    double minimumCost,
    double relativeGap,
    double costRatio,
    Outcome unscheduled,
    Outcome timeOfUse,
    List<Double> fitnessTrace,
    int generations,
    long evaluations,
    LeaderConfig config) {

  /** Copies the trace. */
  public StackelbergSolution {
    fitnessTrace = List.copyOf(fitnessTrace);
  }

  /**
   * The first generation whose best fitness equals the final best of the GA (0-based): where the GA
   * converged; the run then continued {@code steadyGenerations} more to confirm it.
   *
   * @return the generation index, or 0 for an empty trace
   */
  public int convergenceGeneration() {
    if (fitnessTrace.isEmpty()) {
      return 0;
    }
    double last = fitnessTrace.get(fitnessTrace.size() - 1);
    for (int g = 0; g < fitnessTrace.size(); g++) {
      if (fitnessTrace.get(g) >= last) {
        return g;
      }
    }
    return fitnessTrace.size() - 1;
  }

  /**
   * The leader's profit.
   *
   * @return profit in cents
   */
  public double profit() {
    return outcome.profit();
  }

  /**
   * The leader's prices.
   *
   * @return 24 prices
   */
  public List<Double> prices() {
    return outcome.prices();
  }

  /**
   * PAR of the scheduled load.
   *
   * @return PAR
   */
  public double par() {
    return outcome.par();
  }

  /**
   * PAR of the unscheduled load.
   *
   * @return PAR
   */
  public double parUnscheduled() {
    return unscheduled.par();
  }

  /**
   * {@code 1 − par / parUnscheduled}: the PAR reduction against unscheduled charging.
   *
   * @return the fraction, e.g. 0.125 for 12.5 %
   */
  public double parReduction() {
    return 1 - outcome.par() / unscheduled.par();
  }
}

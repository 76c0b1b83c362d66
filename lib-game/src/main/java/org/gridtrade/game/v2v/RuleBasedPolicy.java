package org.gridtrade.game.v2v;

/**
 * The rule-based baseline (Moniruzzaman Fig. 4.11–4.12's comparison): charge at full rate in the
 * cheapest band (off-peak), discharge at full rate in the dearest (on-peak), idle in mid-peak; the
 * environment keeps the SOC within its limits. It ignores the hour's actual price and the
 * departure.
 *
 * @param rateKwhPerHour the charger rate, kWh per hour, positive
 */
public record RuleBasedPolicy(double rateKwhPerHour) implements V2vPolicy {

  /**
   * Validates the rate.
   *
   * @throws IllegalArgumentException when the rate is not positive and finite
   */
  public RuleBasedPolicy {
    if (!(rateKwhPerHour > 0 && rateKwhPerHour <= V2vScenario.MAX_KWH)) {
      throw new IllegalArgumentException(
          "RuleBasedPolicy: rateKwhPerHour %s must be in (0, %s]"
              .formatted(rateKwhPerHour, V2vScenario.MAX_KWH));
    }
  }

  /**
   * The rule for a scenario's charger.
   *
   * @param scenario the EV's day
   * @return the policy
   */
  public static RuleBasedPolicy of(V2vScenario scenario) {
    return new RuleBasedPolicy(scenario.rateKwhPerHour());
  }

  @Override
  public double action(V2vState state) {
    return switch (TouBand.of(state.hour())) {
      case OFF_PEAK -> rateKwhPerHour;
      case ON_PEAK -> -rateKwhPerHour;
      case MID_PEAK -> 0;
    };
  }
}

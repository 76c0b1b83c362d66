package org.gridtrade.coalition;

import java.util.Objects;

/**
 * One prosumer's payoff in a mining round (Moniruzzaman Eq. 3.22 and Lemma 2).
 *
 * @param id the prosumer's id
 * @param saving energy saved versus acting alone, {@code E_Si^save}, kWh
 * @param rewardShare its share of the mining reward, {@code (M_r)_i}, kWh of energy credit (0
 *     outside the winning coalition)
 * @param utility {@code x_i = p · ((M_r)_i + E_Si^save)}, cents: the reward is an energy credit,
 *     valued at the price so that Eq. 3.22 adds like units
 * @param fee the prosumer's contribution to the reward, {@code δ · E_Si^save}, kWh (Lemma 2: the
 *     fees sum to {@code M_r})
 * @param net {@code utility − p · fee}, cents
 */
public record Payoff(
    String id, double saving, double rewardShare, double utility, double fee, double net) {
  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException if a value is not finite
   */
  public Payoff {
    Objects.requireNonNull(id, "id");
    for (double v : new double[] {saving, rewardShare, utility, fee, net}) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("payoff %s: value %s must be finite".formatted(id, v));
      }
    }
  }
}

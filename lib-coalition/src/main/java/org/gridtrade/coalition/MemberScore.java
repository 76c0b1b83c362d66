package org.gridtrade.coalition;

import java.util.Objects;

/**
 * One prosumer's standing in its coalition.
 *
 * @param id the prosumer's id
 * @param role seller, buyer or balanced
 * @param singletonScore proof score acting alone, {@code PS_i} (Eq. 3.4)
 * @param proofScore proof score in the coalition, {@code PS_Si = PS_i + E_i^loss − E_Si^loss} (Eq.
 *     3.6)
 * @param standaloneLoss loss acting alone, {@code E_i^loss} in kWh (Eq. 3.8)
 * @param coalitionLoss attributed loss in the coalition, {@code E_Si^loss} in kWh: half of each
 *     internal transfer's loss plus the loss of its own EDC trade (docs/coalition.md, "The model";
 *     Eq. 3.7 counted internal losses at both ends)
 * @param edcEnergy energy this prosumer still trades with the EDC, kWh
 */
public record MemberScore(
    String id,
    Prosumer.Role role,
    double singletonScore,
    double proofScore,
    double standaloneLoss,
    double coalitionLoss,
    double edcEnergy) {

  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException if a number is not finite
   */
  public MemberScore {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(role, "role");
    for (double v :
        new double[] {singletonScore, proofScore, standaloneLoss, coalitionLoss, edcEnergy}) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("member %s: value %s must be finite".formatted(id, v));
      }
    }
  }

  /**
   * The energy saving {@code E_Si^save = E_i^loss − E_Si^loss} in kWh; may be negative for a member
   * a coalition does not suit (formation never produces such a member).
   *
   * @return kWh saved versus acting alone
   */
  public double saving() {
    return standaloneLoss - coalitionLoss;
  }
}

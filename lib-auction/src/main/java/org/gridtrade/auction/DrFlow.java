package org.gridtrade.auction;

import java.util.Objects;

/**
 * One cell of a demand-response allocation: SP {@code spId} supplies {@code supply = s_ji} and EV
 * {@code evId} gets {@code energy = e_ij = ρ s_ji} (Aggarwal Eq. 4.4).
 *
 * @param evId the EV's id
 * @param spId the SP's id
 * @param energy e_ij in kWh, finite and 0 or more
 * @param supply s_ji in kWh, finite and 0 or more
 */
public record DrFlow(String evId, String spId, double energy, double supply) {
  public DrFlow {
    Objects.requireNonNull(evId, "evId");
    Objects.requireNonNull(spId, "spId");
    if (!Double.isFinite(energy) || energy < 0) {
      throw new IllegalArgumentException(
          "flow %s<-%s: energy %s must be finite and >= 0".formatted(evId, spId, energy));
    }
    if (!Double.isFinite(supply) || supply < 0) {
      throw new IllegalArgumentException(
          "flow %s<-%s: supply %s must be finite and >= 0".formatted(evId, spId, supply));
    }
  }
}

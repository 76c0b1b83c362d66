package org.gridtrade.game.stackelberg;

import java.util.List;
import java.util.Objects;

/**
 * One EV's charging schedule and its bill.
 *
 * @param evId the EV's id
 * @param energy 24 hourly energies in kWh, 0 outside the EV's window
 * @param bill {@code Σ_h p^h x_h} in cents under the prices that produced the schedule
 */
public record Schedule(String evId, List<Double> energy, double bill) {
  /**
   * Copies the list.
   *
   * @throws IllegalArgumentException when the schedule does not have 24 hours
   */
  public Schedule {
    Objects.requireNonNull(evId, "evId");
    energy = List.copyOf(energy);
    if (energy.size() != Ev.HOURS) {
      throw new IllegalArgumentException(
          "schedule of EV %s has %d hours, not 24".formatted(evId, energy.size()));
    }
  }
}

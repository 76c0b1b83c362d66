package org.gridtrade.coalition;

import java.util.Objects;

/**
 * An energy transfer: between two members of a coalition, or between a prosumer and the
 * distribution centre ({@link #EDC}).
 *
 * @param from the sending prosumer's id, or {@value #EDC}
 * @param to the receiving prosumer's id, or {@value #EDC}
 * @param energy the energy sent in kWh, finite and more than 0
 * @param loss the energy lost on the way in kWh ({@code energy · λ(d)})
 */
public record Transfer(String from, String to, double energy, double loss) {
  /** The id that stands for the electricity distribution centre. */
  public static final String EDC = "EDC";

  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException if the energy is not finite and positive or the loss is
   *     negative
   */
  public Transfer {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (!Double.isFinite(energy) || energy <= 0) {
      throw new IllegalArgumentException(
          "transfer %s->%s: energy %s must be finite and > 0".formatted(from, to, energy));
    }
    if (!Double.isFinite(loss) || loss < 0) {
      throw new IllegalArgumentException(
          "transfer %s->%s: loss %s must be finite and >= 0".formatted(from, to, loss));
    }
  }

  /**
   * Whether this transfer is between two prosumers (not with the EDC).
   *
   * @return true for an internal (peer-to-peer) transfer
   */
  public boolean internal() {
    return !from.equals(EDC) && !to.equals(EDC);
  }
}

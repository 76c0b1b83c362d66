package org.gridtrade.game.stackelberg;

import java.util.Objects;

/**
 * An electric vehicle (a follower): its charging window, its daily energy and its per-hour bounds
 * (Aggarwal Eq. 3.2–3.4).
 *
 * <p>Inside the window {@code [start, end]} (inclusive hour indices, 0 = 08:00) the EV draws
 * between {@code alphaMin} and {@code alphaMax} kWh per hour; outside it draws nothing. The EV is
 * feasible when {@code M·alphaMin ≤ energy ≤ M·alphaMax}, {@code M = end − start + 1}; an
 * infeasible EV is rejected at construction with its id in the message (docs/stackelberg.md, "The
 * model").
 *
 * @param id the EV's id, not blank
 * @param start first hour of the window, 0..23
 * @param end last hour of the window (inclusive), start..23
 * @param energy energy needed over the day in kWh, in [0, {@link #MAX_ENERGY}]
 * @param alphaMin least energy per hour inside the window in kWh, in [0, {@link #MAX_ENERGY}]
 * @param alphaMax most energy per hour inside the window in kWh, in [alphaMin, {@link #MAX_ENERGY}]
 */
public record Ev(String id, int start, int end, double energy, double alphaMin, double alphaMax) {

  /** Hours of the scheduling day. */
  public static final int HOURS = 24;

  /**
   * The most energy, kWh, of one EV's day or hour: with prices bounded by {@link
   * PriceBounds#MAX_PRICE} it keeps bills and loads finite.
   */
  public static final double MAX_ENERGY = 1e6;

  /** Relative slack allowed when checking {@code M·alphaMin ≤ energy ≤ M·alphaMax}. */
  static final double FEASIBILITY_TOLERANCE = 1e-9;

  /**
   * Validates the EV.
   *
   * @throws IllegalArgumentException naming the EV, the field, the value and the rule
   */
  public Ev {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("EV id '%s' must not be blank".formatted(id));
    }
    if (start < 0 || start >= HOURS) {
      throw new IllegalArgumentException(
          "EV %s: start %d must be an hour index in 0..23".formatted(id, start));
    }
    if (end < 0 || end >= HOURS) {
      throw new IllegalArgumentException(
          "EV %s: end %d must be an hour index in 0..23".formatted(id, end));
    }
    if (end < start) {
      throw new IllegalArgumentException(
          "EV %s: end %d must not be before start %d (the day runs 08:00 to 08:00, index 0 = 08:00)"
              .formatted(id, end, start));
    }
    requireNonNegative(id, "energy", energy);
    requireNonNegative(id, "alphaMin", alphaMin);
    requireNonNegative(id, "alphaMax", alphaMax);
    if (alphaMin > alphaMax) {
      throw new IllegalArgumentException(
          "EV %s: alphaMin %s must not exceed alphaMax %s".formatted(id, alphaMin, alphaMax));
    }
    int m = end - start + 1;
    double slack = FEASIBILITY_TOLERANCE * Math.max(1.0, energy);
    if (m * alphaMin > energy + slack) {
      throw new IllegalArgumentException(
          "EV %s is infeasible: M·alphaMin = %d·%s = %s exceeds energy %s"
              .formatted(id, m, alphaMin, m * alphaMin, energy));
    }
    if (m * alphaMax < energy - slack) {
      throw new IllegalArgumentException(
          "EV %s is infeasible: M·alphaMax = %d·%s = %s is below energy %s"
              .formatted(id, m, alphaMax, m * alphaMax, energy));
    }
  }

  private static void requireNonNegative(String id, String field, double v) {
    if (!(v >= 0 && v <= MAX_ENERGY)) {
      throw new IllegalArgumentException(
          "EV %s: %s %s must be in [0, %s]".formatted(id, field, v, MAX_ENERGY));
    }
  }

  /**
   * The window length {@code M = end − start + 1}.
   *
   * @return hours in the window, 1..24
   */
  public int windowLength() {
    return end - start + 1;
  }

  /**
   * Whether hour {@code h} lies in the window.
   *
   * @param h an hour index
   * @return {@code start ≤ h ≤ end}
   */
  public boolean inWindow(int h) {
    return h >= start && h <= end;
  }
}

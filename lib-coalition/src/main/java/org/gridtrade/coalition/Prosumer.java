package org.gridtrade.coalition;

import java.util.Objects;

/**
 * A prosumer in one trading slot: forecast production and consumption and a location.
 *
 * <p>A prosumer with {@code production > consumption} is a seller of its surplus, one with {@code
 * production < consumption} a buyer of its deficit, and one with both equal is balanced and never
 * trades (docs/coalition.md, "The model").
 *
 * @param id the prosumer's id, not blank and not {@value Transfer#EDC} (reserved for the
 *     distribution centre)
 * @param production forecast production P_i in kWh, in [0, {@link #MAX_ENERGY}]
 * @param consumption forecast consumption C_i in kWh, in [0, {@link #MAX_ENERGY}]
 * @param x east coordinate in km, finite
 * @param y north coordinate in km, finite
 */
public record Prosumer(String id, double production, double consumption, double x, double y) {

  /**
   * The most energy, kWh, a prosumer produces or consumes in one slot: it keeps sums over a
   * community, losses and payments finite.
   */
  public static final double MAX_ENERGY = 1e9;

  /** What a prosumer does in the market. */
  public enum Role {
    /** Production exceeds consumption: sells its surplus. */
    SELLER,
    /** Consumption exceeds production: buys its deficit. */
    BUYER,
    /** Production equals consumption: does not trade. */
    BALANCED
  }

  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException naming the prosumer, the field and the value when a field is
   *     NaN, infinite, negative (energy) or the id is blank or reserved
   */
  public Prosumer {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("prosumer id '%s' must not be blank".formatted(id));
    }
    if (id.equals(Transfer.EDC)) {
      throw new IllegalArgumentException(
          "prosumer id '%s' is reserved for the distribution centre".formatted(id));
    }
    if (!(production >= 0 && production <= MAX_ENERGY)) {
      throw new IllegalArgumentException(
          "prosumer %s: production %s must be in [0, %s]".formatted(id, production, MAX_ENERGY));
    }
    if (!(consumption >= 0 && consumption <= MAX_ENERGY)) {
      throw new IllegalArgumentException(
          "prosumer %s: consumption %s must be in [0, %s]".formatted(id, consumption, MAX_ENERGY));
    }
    if (!Double.isFinite(x)) {
      throw new IllegalArgumentException("prosumer %s: x %s must be finite".formatted(id, x));
    }
    if (!Double.isFinite(y)) {
      throw new IllegalArgumentException("prosumer %s: y %s must be finite".formatted(id, y));
    }
  }

  /**
   * The energy balance {@code P_i − C_i} in kWh: positive for a seller, negative for a buyer.
   *
   * @return production minus consumption
   */
  public double balance() {
    return production - consumption;
  }

  /**
   * This prosumer's role, from the sign of its balance.
   *
   * @return seller, buyer or balanced
   */
  public Role role() {
    double b = balance();
    return b > 0 ? Role.SELLER : b < 0 ? Role.BUYER : Role.BALANCED;
  }
}

package org.gridtrade.game.stackelberg;

import java.util.Objects;

/**
 * A service provider's sealed bid in the leader election (Aggarwal Alg. 1): the unit price at which
 * it would sell.
 *
 * @param id the SP's id, not blank
 * @param price cents/kWh, finite and 0 or more
 */
public record SpBid(String id, double price) {
  /**
   * Validates the bid.
   *
   * @throws IllegalArgumentException naming the SP and the value
   */
  public SpBid {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("SP id '%s' must not be blank".formatted(id));
    }
    if (!Double.isFinite(price) || price < 0) {
      throw new IllegalArgumentException(
          "SP %s: price %s must be finite and >= 0".formatted(id, price));
    }
  }
}

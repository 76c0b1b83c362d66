package org.gridtrade.auction;

import java.util.Objects;

/**
 * A limit order or sealed bid: who, at what unit price, for how much energy.
 *
 * <p>For a buy order {@code price} is the most the buyer pays; for a sell order it is the least the
 * seller accepts.
 *
 * @param id the trader's order id, not blank
 * @param price unit price in cents/kWh, finite and 0 or more
 * @param quantity energy in kWh, finite and more than 0
 */
public record Order(String id, double price, double quantity) {
  public Order {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("order id '%s' must not be blank".formatted(id));
    }
    if (!Double.isFinite(price) || price < 0) {
      throw new IllegalArgumentException(
          "order %s: price %s must be finite and >= 0".formatted(id, price));
    }
    if (!Double.isFinite(quantity) || quantity <= 0) {
      throw new IllegalArgumentException(
          "order %s: quantity %s must be finite and > 0".formatted(id, quantity));
    }
  }
}

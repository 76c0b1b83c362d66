package org.gridtrade.auction;

import java.util.Objects;

/**
 * A limit order or sealed bid: who, at what unit price, for how much energy.
 *
 * <p>For a buy order {@code price} is the most the buyer pays; for a sell order it is the least the
 * seller accepts.
 *
 * @param id the trader's order id, not blank
 * @param price unit price in cents/kWh, in [0, {@link #MAX_PRICE}]
 * @param quantity energy in kWh, in (0, {@link #MAX_QUANTITY}]
 */
public record Order(String id, double price, double quantity) {

  /** The highest unit price, cents/kWh. */
  public static final double MAX_PRICE = 1e9;

  /**
   * The largest quantity, kWh: with {@link #MAX_PRICE} a payment is at most 1e21 cents, so sums of
   * payments, welfare and budgets over any order book stay finite.
   */
  public static final double MAX_QUANTITY = 1e12;

  public Order {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("order id '%s' must not be blank".formatted(id));
    }
    if (!(price >= 0 && price <= MAX_PRICE)) {
      throw new IllegalArgumentException(
          "order %s: price %s must be in [0, %s]".formatted(id, price, MAX_PRICE));
    }
    if (!(quantity > 0 && quantity <= MAX_QUANTITY)) {
      throw new IllegalArgumentException(
          "order %s: quantity %s must be in (0, %s]".formatted(id, quantity, MAX_QUANTITY));
    }
  }
}

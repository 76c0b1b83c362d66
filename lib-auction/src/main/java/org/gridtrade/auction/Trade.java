package org.gridtrade.auction;

import java.util.Objects;

/**
 * One matched trade: the buyer pays {@code buyerPrice}, the seller receives {@code sellerPrice} per
 * kWh (equal in uniform-price markets; the difference is the auctioneer's per-kWh budget).
 *
 * @param buyerId the buy order's id
 * @param sellerId the sell order's id
 * @param quantity energy in kWh, more than 0
 * @param buyerPrice what the buyer pays per kWh, cents/kWh
 * @param sellerPrice what the seller receives per kWh, cents/kWh
 */
public record Trade(
    String buyerId, String sellerId, double quantity, double buyerPrice, double sellerPrice) {
  public Trade {
    Objects.requireNonNull(buyerId, "buyerId");
    Objects.requireNonNull(sellerId, "sellerId");
    if (!(quantity > 0) || !Double.isFinite(quantity)) {
      throw new IllegalArgumentException(
          "trade quantity %s must be finite and > 0".formatted(quantity));
    }
    if (!Double.isFinite(buyerPrice) || !Double.isFinite(sellerPrice)) {
      throw new IllegalArgumentException(
          "trade prices %s/%s must be finite".formatted(buyerPrice, sellerPrice));
    }
  }

  /**
   * What the buyer pays in total.
   *
   * @return {@code quantity × buyerPrice}, cents
   */
  public double buyerPayment() {
    return quantity * buyerPrice;
  }

  /**
   * What the seller receives in total.
   *
   * @return {@code quantity × sellerPrice}, cents
   */
  public double sellerRevenue() {
    return quantity * sellerPrice;
  }
}

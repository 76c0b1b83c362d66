package org.gridtrade.auction;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import org.gridtrade.auction.internal.TradeList;

/**
 * The outcome of a one-shot {@link DoubleAuction}: every trade, the prices, the volume, the total
 * welfare and the auctioneer's budget.
 *
 * <p>Prices are cents/kWh, quantities kWh, welfare and budget cents. When nothing trades, {@code
 * trades} is empty, the prices are empty, volume, welfare and budget are 0 and {@code
 * noTradeReason} says why.
 *
 * @param mechanism {@code "uniform-price"}, {@code "pay-as-bid"} or {@code "mcafee"}
 * @param price the single clearing price: the uniform price; for McAfee the price {@code p0} when
 *     it is used (empty when trade reduction gives two prices); empty for pay-as-bid
 * @param buyerPrice what every buyer pays per kWh, when that is one price (uniform price, McAfee)
 * @param sellerPrice what every seller receives per kWh, when that is one price (uniform price,
 *     McAfee)
 * @param volume the traded energy, kWh: the sum of the trades' quantities
 * @param trades every trade, in merit order (best buy with best sell first); an immutable list
 * @param welfare {@code Σ (buy price − sell price) × quantity} over the trades, at reported prices
 * @param budget the auctioneer's budget, {@code Σ buyer payments − Σ seller revenues}; 0 or more
 *     means weakly budget balanced
 * @param noTradeReason empty when there are trades, otherwise why there are none
 */
public record DoubleAuctionResult(
    String mechanism,
    OptionalDouble price,
    OptionalDouble buyerPrice,
    OptionalDouble sellerPrice,
    double volume,
    List<Trade> trades,
    double welfare,
    double budget,
    String noTradeReason) {

  /** Copies the trades and checks that the result is either trades or a reasoned no-trade. */
  public DoubleAuctionResult {
    Objects.requireNonNull(mechanism, "mechanism");
    Objects.requireNonNull(price, "price");
    Objects.requireNonNull(buyerPrice, "buyerPrice");
    Objects.requireNonNull(sellerPrice, "sellerPrice");
    Objects.requireNonNull(noTradeReason, "noTradeReason");
    // the internal column-wise list is immutable already; anything else is copied
    trades = trades instanceof TradeList ? trades : List.copyOf(trades);
    if (trades.isEmpty() == noTradeReason.isEmpty()) {
      throw new IllegalArgumentException(
          "noTradeReason '%s' must be empty exactly when there are trades (%d)"
              .formatted(noTradeReason, trades.size()));
    }
    if (!(volume >= 0) || !Double.isFinite(welfare) || !Double.isFinite(budget)) {
      throw new IllegalArgumentException(
          "volume %s must be >= 0, welfare %s and budget %s finite"
              .formatted(volume, welfare, budget));
    }
  }

  /**
   * Whether anything traded.
   *
   * @return {@code true} when there is at least one trade
   */
  public boolean traded() {
    return !trades.isEmpty();
  }
}

package org.gridtrade.market;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What every node computed at a market's gate closure.
 *
 * @param height the block height it cleared at
 * @param trades how many trades
 * @param volumeWh the energy traded
 * @param welfareMicro {@code ⌊Σ (bid − ask) × quantity / 1000⌋} over the trades, at the orders'
 *     limit prices: exact, the same as the off-chain auction's welfare of the same orders
 * @param buyerPrice the price every buyer pays, when there is one (uniform price, McAfee)
 * @param sellerPrice the price every seller receives, when there is one
 * @param paidMicro what the buyers paid in total
 * @param receivedMicro what the sellers received in total
 * @param refundedMicro the escrow returned to buyers at clearing
 * @param budgetMicro the auctioneer's spread, {@code paid − received} (0 or more), paid to the
 *     operator
 * @param noTradeReason empty when there are trades, otherwise why not
 */
public record Clearing(
    long height,
    int trades,
    long volumeWh,
    long welfareMicro,
    OptionalLong buyerPrice,
    OptionalLong sellerPrice,
    long paidMicro,
    long receivedMicro,
    long refundedMicro,
    long budgetMicro,
    String noTradeReason) {
  /** Checks the fields. */
  public Clearing {
    Objects.requireNonNull(buyerPrice, "buyerPrice");
    Objects.requireNonNull(sellerPrice, "sellerPrice");
    Objects.requireNonNull(noTradeReason, "noTradeReason");
  }
}

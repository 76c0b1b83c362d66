package org.gridtrade.market;

/**
 * How a market settles against metered delivery instead of at gate closure (Ahmad et al.: bills
 * follow from metered units; Haider §4.8: a trade is fulfilled in a later block). Sellers lock
 * collateral of {@code ⌈quantity × penalty / 1000⌉} with each ask; at gate closure the buyers'
 * payments stay in escrow; after the delivery interval each seller's delivered energy is reported,
 * by a threshold of its registered meters' signatures ({@link MarketCalls#attestedDelivery}) or,
 * for a seller without registered meters, by an authority of the chain (the metering service), and
 * every node pays the seller for what was delivered, refunds the buyers for what was not and pays
 * them the penalty for the shortfall (at the grid price: what they paid the grid instead) from the
 * seller's collateral. A seller with no report by the deadline delivered nothing.
 *
 * @param penaltyMicroPerKWh the grid price a shortfall is settled at, micro-coins per kWh, 0 to
 *     {@value DoubleAuctionMarket#MAX_PRICE}
 * @param reportDeadlineHeight the last height whose block takes delivery reports; at its end every
 *     unreported seller is settled as having delivered nothing. Above the gate closure height
 */
public record DeliveryTerms(long penaltyMicroPerKWh, long reportDeadlineHeight) {
  /** Checks the penalty's range. */
  public DeliveryTerms {
    if (penaltyMicroPerKWh < 0 || penaltyMicroPerKWh > DoubleAuctionMarket.MAX_PRICE) {
      throw new IllegalArgumentException(
          "penaltyMicroPerKWh %d must be in [0, %d]"
              .formatted(penaltyMicroPerKWh, DoubleAuctionMarket.MAX_PRICE));
    }
  }
}

package org.gridtrade.market;

/**
 * How one seller's ask was settled against its metered delivery, in a market with {@link
 * DeliveryTerms}.
 *
 * @param market the market's id
 * @param order the ask's order id
 * @param deliveredWh the energy counted as delivered: the reported energy, at most what the ask
 *     sold (0 when no report came by the deadline)
 * @param sellerReceivedMicro what the seller was paid for the delivered energy, at its trades'
 *     seller prices
 * @param penaltyMicro the shortfall's penalty, {@code ⌊shortfall × penalty price / 1000⌋} per
 *     trade, paid from the seller's collateral to the buyers
 * @param collateralReturnedMicro the collateral returned to the seller
 * @param buyersRefundedMicro what the buyers got back of their payments for energy not delivered
 * @param operatorSpreadMicro the spread (pay-as-bid, McAfee) on the delivered energy, paid to the
 *     operator
 * @param height the block height it was settled at
 * @param byDeadline {@code true} when no report came and it was settled at the deadline
 */
public record Delivery(
    long market,
    int order,
    long deliveredWh,
    long sellerReceivedMicro,
    long penaltyMicro,
    long collateralReturnedMicro,
    long buyersRefundedMicro,
    long operatorSpreadMicro,
    long height,
    boolean byDeadline) {}

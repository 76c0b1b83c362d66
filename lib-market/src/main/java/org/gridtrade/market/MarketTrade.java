package org.gridtrade.market;

/**
 * One trade of a cleared market.
 *
 * @param market the market's id
 * @param index the trade's number in the market's clearing (merit order)
 * @param buyOrder the bid's order id
 * @param sellOrder the ask's order id
 * @param quantityWh the energy traded, Wh
 * @param buyerPriceMicroPerKWh what the buyer pays per kWh
 * @param sellerPriceMicroPerKWh what the seller receives per kWh
 * @param buyerPaysMicro {@code ⌊quantity × buyer price / 1000⌋}
 * @param sellerReceivesMicro {@code ⌊quantity × seller price / 1000⌋}
 */
public record MarketTrade(
    long market,
    int index,
    int buyOrder,
    int sellOrder,
    long quantityWh,
    long buyerPriceMicroPerKWh,
    long sellerPriceMicroPerKWh,
    long buyerPaysMicro,
    long sellerReceivesMicro) {}

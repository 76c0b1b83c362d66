/**
 * Markets on chain: ledger modules that every node runs, so that a market is cleared and settled by
 * the chain rather than by one party. {@link org.gridtrade.market.DoubleAuctionMarket} takes signed
 * bids and asks with escrow and clears them at gate closure in integer units (Wh, micro-coins);
 * {@link org.gridtrade.market.MarketCalls} builds its transactions and {@link
 * org.gridtrade.market.Markets} reads its records back from any state.
 */
package org.gridtrade.market;

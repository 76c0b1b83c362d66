package org.gridtrade.market;

/** The side of an order. */
public enum Side {
  /** A bid: the most the buyer pays per kWh; its escrow is locked when it is placed. */
  BUY,
  /** An ask: the least the seller accepts per kWh. */
  SELL
}

package org.gridtrade.market;

/** Where an order is in its market's life. */
public enum OrderStatus {
  /** Placed; waiting for gate closure. */
  OPEN,
  /** Cancelled by its owner before gate closure; a bid's escrow was returned. */
  CANCELLED,
  /** Its market cleared: the order traded (fully, partly) or not at all, and was settled. */
  CLEARED
}

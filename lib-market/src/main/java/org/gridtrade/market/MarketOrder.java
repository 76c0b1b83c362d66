package org.gridtrade.market;

import java.util.Objects;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;

/**
 * An order as the chain holds it.
 *
 * @param market the market's id
 * @param id the order's number in its market (admission order, which breaks price ties)
 * @param side buy or sell
 * @param owner the account that signed it
 * @param priceMicroPerKWh the limit price, micro-coins per kWh
 * @param quantityWh the quantity, Wh
 * @param escrowMicro the coins a bid locked, {@code ⌈quantity × price / 1000⌉}; 0 for an ask
 * @param status open, cancelled or cleared
 * @param filledWh the energy it traded at clearing
 * @param settledMicro what a bid paid, or what an ask received, at clearing
 * @param refundedMicro the escrow returned to a bid's owner (at cancellation or clearing)
 * @param transaction the id of the transaction that placed it
 */
public record MarketOrder(
    long market,
    int id,
    Side side,
    Address owner,
    long priceMicroPerKWh,
    long quantityWh,
    long escrowMicro,
    OrderStatus status,
    long filledWh,
    long settledMicro,
    long refundedMicro,
    Hash transaction) {
  /** Checks the fields. */
  public MarketOrder {
    Objects.requireNonNull(side, "side");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(transaction, "transaction");
  }
}

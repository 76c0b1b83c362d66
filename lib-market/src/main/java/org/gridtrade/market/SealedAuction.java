package org.gridtrade.market;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.gridtrade.ledger.Address;

/**
 * A sealed-bid reverse auction as the chain holds it.
 *
 * @param id the auction's number, 0 for the first opened on the chain
 * @param operator the authority that opened it and escrowed the lot's price
 * @param spec its rule, reserve, lot, deposit and deadlines
 * @param bidCount the commitments made; their indexes are 0 to {@code bidCount - 1}
 * @param outcome the result once closed, otherwise empty
 */
public record SealedAuction(
    long id, Address operator, SealedAuctionSpec spec, int bidCount, Optional<Outcome> outcome) {

  /**
   * What every node computed when the auction closed.
   *
   * @param height the block height it closed at
   * @param winner the winning bidder, if any bid was valid and at most the reserve
   * @param winningBid the winner's own price, micro-coins per kWh
   * @param payment the price the winner is paid, micro-coins per kWh
   * @param paidMicro what the winner received, {@code ⌊payment × lot / 1000⌋}
   * @param forfeitedMicro the deposits of bids never revealed, paid to the operator
   * @param noTradeReason empty when there is a winner, otherwise why not
   */
  public record Outcome(
      long height,
      Optional<Address> winner,
      OptionalLong winningBid,
      OptionalLong payment,
      long paidMicro,
      long forfeitedMicro,
      String noTradeReason) {
    /** Checks the fields. */
    public Outcome {
      Objects.requireNonNull(winner, "winner");
      Objects.requireNonNull(winningBid, "winningBid");
      Objects.requireNonNull(payment, "payment");
      Objects.requireNonNull(noTradeReason, "noTradeReason");
    }
  }

  /** Checks the fields. */
  public SealedAuction {
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(outcome, "outcome");
  }
}

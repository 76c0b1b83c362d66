package org.gridtrade.market;

import java.util.Objects;
import java.util.OptionalLong;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;

/**
 * One commitment to a {@link SealedBidAuction}, and what became of it.
 *
 * @param auction the auction's id
 * @param index the commitment's number in the auction (commit order, which breaks price ties)
 * @param bidder the account that committed
 * @param commitment the commitment, {@link SealedBidAuction#commitment}
 * @param depositMicro the deposit it locked
 * @param revealedPrice the price, micro-coins per kWh, once validly revealed
 * @param status where it is
 */
public record SealedBid(
    long auction,
    int index,
    Address bidder,
    Hash commitment,
    long depositMicro,
    OptionalLong revealedPrice,
    Status status) {

  /** Where a sealed bid is. */
  public enum Status {
    /** Committed; not revealed yet. */
    COMMITTED,
    /** Revealed validly; its deposit comes back at the close. */
    REVEALED,
    /** The auction closed: revealed, deposit returned. */
    REFUNDED,
    /** The auction closed without a valid reveal: the deposit went to the operator. */
    FORFEITED
  }

  /** Checks the fields. */
  public SealedBid {
    Objects.requireNonNull(bidder, "bidder");
    Objects.requireNonNull(commitment, "commitment");
    Objects.requireNonNull(revealedPrice, "revealedPrice");
    Objects.requireNonNull(status, "status");
  }
}

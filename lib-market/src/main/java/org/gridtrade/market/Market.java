package org.gridtrade.market;

import java.util.Objects;
import java.util.Optional;
import org.gridtrade.ledger.Address;

/**
 * A market as the chain holds it.
 *
 * @param id the market's number, 0 for the first market opened on the chain
 * @param operator the authority that opened it; it receives the auctioneer's spread under
 *     pay-as-bid and McAfee
 * @param spec how it clears, its gate closure and delivery interval
 * @param orderCount the orders placed in it (cancelled ones included); order ids are 0 to {@code
 *     orderCount - 1}
 * @param clearing the outcome once its gate has closed, otherwise empty
 */
public record Market(
    long id, Address operator, MarketSpec spec, int orderCount, Optional<Clearing> clearing) {
  /** Checks the fields. */
  public Market {
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(clearing, "clearing");
    if (id < 0 || orderCount < 0) {
      throw new IllegalArgumentException(
          "id %d and orderCount %d must be >= 0".formatted(id, orderCount));
    }
  }

  /**
   * Whether the market has cleared.
   *
   * @return {@code true} once its gate closure height's block was applied
   */
  public boolean cleared() {
    return clearing.isPresent();
  }
}

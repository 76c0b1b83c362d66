package org.gridtrade.auction;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The outcome of a sealed-bid {@link ReverseAuction}.
 *
 * <p>Either a trade ({@link #traded()}: winner, payment and winning bid present, {@code
 * noTradeReason} empty) or no trade (all three empty, {@code noTradeReason} says why). Prices are
 * cents/kWh.
 *
 * @param winner the winning seller's id, when there is a trade
 * @param payment the price per kWh paid to the winner, when there is a trade
 * @param winningBid the winner's own ask, when there is a trade
 * @param ranking the admissible asks, best (lowest, then earliest) first
 * @param excluded asks (or sealed bids) that took no part, each with the reason
 * @param noTradeReason empty when there is a trade, otherwise why there is none
 */
public record ReverseAuctionResult(
    Optional<String> winner,
    OptionalDouble payment,
    OptionalDouble winningBid,
    List<Order> ranking,
    List<Exclusion> excluded,
    String noTradeReason) {

  /**
   * A bid that took no part in the auction, and why.
   *
   * @param id the bidder's (or order's) id
   * @param reason a human-readable reason, e.g. {@code "ask 15.00 above reserve 14.00"}
   */
  public record Exclusion(String id, String reason) {
    /** Checks for null. */
    public Exclusion {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Copies the lists and checks that the result is either a trade or a reasoned no-trade. */
  public ReverseAuctionResult {
    Objects.requireNonNull(winner, "winner");
    Objects.requireNonNull(payment, "payment");
    Objects.requireNonNull(winningBid, "winningBid");
    Objects.requireNonNull(noTradeReason, "noTradeReason");
    ranking = List.copyOf(ranking);
    excluded = List.copyOf(excluded);
    boolean trade = winner.isPresent();
    if (payment.isPresent() != trade || winningBid.isPresent() != trade) {
      throw new IllegalArgumentException(
          "winner, payment and winningBid must be all present or all empty, got %s/%s/%s"
              .formatted(winner, payment, winningBid));
    }
    if (trade == !noTradeReason.isEmpty()) {
      throw new IllegalArgumentException(
          "noTradeReason '%s' must be empty exactly when there is a winner (%s)"
              .formatted(noTradeReason, winner));
    }
  }

  /**
   * Whether the auction produced a trade.
   *
   * @return {@code true} when there is a winner
   */
  public boolean traded() {
    return winner.isPresent();
  }
}

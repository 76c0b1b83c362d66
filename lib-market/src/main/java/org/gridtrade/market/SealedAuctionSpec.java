package org.gridtrade.market;

/**
 * What an operator opens a sealed-bid reverse auction with (Aggarwal Alg. 1: service providers bid
 * the price at which they sell one lot; the lowest bid wins).
 *
 * @param secondPrice {@code true} for the second-price (Vickrey) rule: the winner is paid the
 *     second-lowest valid bid, or the reserve when it is the only one; {@code false} pays its own
 *     bid
 * @param reserveMicroPerKWh the most the operator pays per kWh (bids above it are excluded); 1 to
 *     {@value DoubleAuctionMarket#MAX_PRICE}
 * @param lotWh the energy the winner sells, Wh; 1 to {@value DoubleAuctionMarket#MAX_QUANTITY}. The
 *     operator escrows {@code ⌈reserve × lot / 1000⌉} when it opens the auction, so the winner's
 *     payment is there when the auction closes
 * @param depositMicro what each commitment locks, 0 or more; returned on a valid reveal, forfeited
 *     to the operator when the bid is never revealed
 * @param commitEndHeight the last height whose block takes commitments
 * @param revealEndHeight the last height whose block takes reveals, after {@code commitEndHeight};
 *     at the end of that block every node closes the auction
 */
public record SealedAuctionSpec(
    boolean secondPrice,
    long reserveMicroPerKWh,
    long lotWh,
    long depositMicro,
    long commitEndHeight,
    long revealEndHeight) {
  /** Checks every field. */
  public SealedAuctionSpec {
    if (reserveMicroPerKWh < 1 || reserveMicroPerKWh > DoubleAuctionMarket.MAX_PRICE) {
      throw new IllegalArgumentException(
          "reserveMicroPerKWh %d must be in [1, %d]"
              .formatted(reserveMicroPerKWh, DoubleAuctionMarket.MAX_PRICE));
    }
    if (lotWh < 1 || lotWh > DoubleAuctionMarket.MAX_QUANTITY) {
      throw new IllegalArgumentException(
          "lotWh %d must be in [1, %d]".formatted(lotWh, DoubleAuctionMarket.MAX_QUANTITY));
    }
    if (depositMicro < 0) {
      throw new IllegalArgumentException("depositMicro %d must be >= 0".formatted(depositMicro));
    }
    if (commitEndHeight < 1 || revealEndHeight <= commitEndHeight) {
      throw new IllegalArgumentException(
          "commitEndHeight %d must be >= 1 and revealEndHeight %d above it"
              .formatted(commitEndHeight, revealEndHeight));
    }
  }
}

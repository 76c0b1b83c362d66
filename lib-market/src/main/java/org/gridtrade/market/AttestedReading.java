package org.gridtrade.market;

import java.time.Instant;
import java.util.Objects;
import org.gridtrade.ledger.Address;

/**
 * A seller's export over one delivery interval, as its meter cluster attested it on chain, and how
 * much of it has settled asks so far. One reading closes the interval for the seller: every ask of
 * its in a market for that exact interval settles against what is left of it, so the same energy is
 * never paid twice.
 *
 * @param seller the seller's account
 * @param start the interval's start
 * @param end the interval's end
 * @param exportedWh the energy the meters attested it fed in, Wh
 * @param usedWh how much of it has settled asks, at most {@code exportedWh}
 */
public record AttestedReading(
    Address seller, Instant start, Instant end, long exportedWh, long usedWh) {
  /** Checks the fields. */
  public AttestedReading {
    Objects.requireNonNull(seller, "seller");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (exportedWh < 0 || usedWh < 0 || usedWh > exportedWh) {
      throw new IllegalArgumentException(
          "usedWh %d must be in [0, exportedWh %d]".formatted(usedWh, exportedWh));
    }
  }
}

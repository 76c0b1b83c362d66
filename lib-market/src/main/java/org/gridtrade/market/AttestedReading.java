package org.gridtrade.market;

import java.time.Instant;
import java.util.Objects;
import org.gridtrade.ledger.Address;

/**
 * A seller's export over one delivery interval, as its meter cluster attested it on chain, and how
 * much of it has settled asks so far. One reading closes the interval for the seller: every ask of
 * its in a market for that exact interval settles against what is left of it. A seller's readings
 * are disjoint or nested (an hour and the quarter-hours inside it): an ask settles against what is
 * left of its own interval's reading and of every reading that contains it, so the same energy is
 * never paid twice; a reading whose interval crosses another of the seller's is refused.
 *
 * @param seller the seller's account
 * @param start the interval's start
 * @param end the interval's end
 * @param exportedWh the energy the meters attested it fed in, Wh
 * @param usedWh how much of it has settled asks of this exact interval, at most {@code exportedWh}
 * @param withinWh how much has settled asks of this interval and of the seller's readings inside
 *     it, at least {@code usedWh} (at most {@code exportedWh}, unless the readings inside were
 *     attested as more than this one)
 */
public record AttestedReading(
    Address seller, Instant start, Instant end, long exportedWh, long usedWh, long withinWh) {
  /** Checks the fields. */
  public AttestedReading {
    Objects.requireNonNull(seller, "seller");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (exportedWh < 0 || usedWh < 0 || usedWh > exportedWh) {
      throw new IllegalArgumentException(
          "usedWh %d must be in [0, exportedWh %d]".formatted(usedWh, exportedWh));
    }
    if (withinWh < usedWh) {
      throw new IllegalArgumentException(
          "withinWh %d must be at least usedWh %d".formatted(withinWh, usedWh));
    }
  }
}

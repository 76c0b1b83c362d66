package org.gridtrade.consensus;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock the test moves by hand, shared by this module's tests. (They cannot use the testkit's
 * {@code ManualClock} and {@code SimulatedNetwork}: the testkit is built on this module.)
 */
public final class ManualClock extends Clock {
  private volatile long millis;

  /**
   * A clock standing at {@code startMillis}.
   *
   * @param startMillis epoch milliseconds
   */
  public ManualClock(long startMillis) {
    this.millis = startMillis;
  }

  /**
   * Moves the clock forward.
   *
   * @param ms milliseconds
   */
  public void advance(long ms) {
    millis += ms;
  }

  @Override
  public long millis() {
    return millis;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }
}

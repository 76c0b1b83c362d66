package org.gridtrade.examples;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Simulated time for the demo's network: the demo moves it in small steps (and jumps between
 * hours), so a day of blocks takes seconds and the same seed gives the same chain.
 */
final class SimClock extends Clock {
  private volatile long millis;

  SimClock(long startMillis) {
    this.millis = startMillis;
  }

  void advance(long ms) {
    if (ms < 0) {
      throw new IllegalArgumentException("cannot move the clock back by " + ms + " ms");
    }
    millis += ms;
  }

  void advanceTo(long target) {
    if (target > millis) {
      millis = target;
    }
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
    throw new UnsupportedOperationException("the simulated clock is UTC only");
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }
}

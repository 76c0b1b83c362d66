package org.gridtrade.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that stands still until it is moved: block engines, networks and modules given it see
 * exactly the time a test or a simulation sets, so a run is repeatable. Millisecond resolution, in
 * UTC. Thread-safe; views in other zones ({@link #withZone}) share the time.
 */
public final class ManualClock extends Clock {
  private final AtomicLong millis;
  private final ZoneId zone;

  private ManualClock(AtomicLong millis, ZoneId zone) {
    this.millis = millis;
    this.zone = zone;
  }

  /**
   * A clock standing at {@code epochMillis}.
   *
   * @param epochMillis the start, milliseconds since the epoch
   */
  public ManualClock(long epochMillis) {
    this(new AtomicLong(epochMillis), ZoneOffset.UTC);
  }

  /**
   * A clock standing at an instant (to the millisecond).
   *
   * @param start the start
   * @return the clock
   */
  public static ManualClock at(Instant start) {
    return new ManualClock(Objects.requireNonNull(start, "start").toEpochMilli());
  }

  /**
   * Moves the clock forward.
   *
   * @param d how far, zero or more, whole milliseconds counted
   * @return the new time, epoch milliseconds
   * @throws IllegalArgumentException if {@code d} is negative
   */
  public long advance(Duration d) {
    Objects.requireNonNull(d, "d");
    if (d.isNegative()) {
      throw new IllegalArgumentException("advance %s: a clock does not go back".formatted(d));
    }
    return millis.addAndGet(d.toMillis());
  }

  /**
   * Moves the clock forward.
   *
   * @param ms how far, milliseconds, zero or more
   * @return the new time, epoch milliseconds
   * @throws IllegalArgumentException if {@code ms} is negative
   */
  public long advanceMillis(long ms) {
    if (ms < 0) {
      throw new IllegalArgumentException(
          "advanceMillis %d: a clock does not go back".formatted(ms));
    }
    return millis.addAndGet(ms);
  }

  /**
   * Moves the clock forward to {@code epochMillis}, or leaves it where it is if it is there or
   * later already.
   *
   * @param epochMillis the time to reach
   * @return the new time, epoch milliseconds
   */
  public long advanceTo(long epochMillis) {
    return millis.accumulateAndGet(epochMillis, Math::max);
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId z) {
    return new ManualClock(millis, Objects.requireNonNull(z, "zone"));
  }

  @Override
  public String toString() {
    return "ManualClock[" + instant() + "]";
  }
}

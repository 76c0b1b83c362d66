package org.gridtrade.auction.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * A wall-clock budget shared by the solvers of one computation: a safety net against inputs that
 * converge too slowly, checked between sweeps, rounds and Newton steps. Immutable.
 */
public final class Budget {
  private static final Budget UNLIMITED = new Budget(0, false);

  private final long deadline;
  private final boolean limited;

  private Budget(long deadline, boolean limited) {
    this.deadline = deadline;
    this.limited = limited;
  }

  /**
   * No time limit.
   *
   * @return the unlimited budget
   */
  public static Budget unlimited() {
    return UNLIMITED;
  }

  /**
   * A budget that expires {@code limit} from now.
   *
   * @param limit positive
   * @return the budget
   */
  public static Budget of(Duration limit) {
    Objects.requireNonNull(limit, "limit");
    long nanos;
    try {
      nanos = limit.toNanos();
    } catch (ArithmeticException e) {
      return UNLIMITED; // more than 292 years
    }
    return new Budget(System.nanoTime() + nanos, true);
  }

  /**
   * Whether the time is up.
   *
   * @return true once the deadline has passed
   */
  public boolean expired() {
    return limited && System.nanoTime() - deadline > 0;
  }
}

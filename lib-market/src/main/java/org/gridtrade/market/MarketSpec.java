package org.gridtrade.market;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What an operator opens a market with: how it clears, when its gate closes, and the delivery
 * interval its energy is for.
 *
 * @param rule how trades are priced
 * @param kPpm for {@link ClearingRule#UNIFORM_PRICE}, the weight of the upper end of the price
 *     interval in millionths (500,000 splits the gap); 0 to 1,000,000, ignored by the other rules
 * @param gateClosureHeight the block height at whose end every node clears the market; orders are
 *     accepted in blocks below it
 * @param deliveryStart the start of the delivery interval (whole seconds, not before the epoch)
 * @param deliveryEnd the end of the delivery interval, after its start (whole seconds)
 * @param delivery empty: sellers are paid at gate closure; otherwise the market settles against
 *     metered delivery under these terms
 */
public record MarketSpec(
    ClearingRule rule,
    int kPpm,
    long gateClosureHeight,
    Instant deliveryStart,
    Instant deliveryEnd,
    Optional<DeliveryTerms> delivery) {

  /** Millionths in one: {@code kPpm = 1,000,000} is {@code k = 1}. */
  public static final int PPM = 1_000_000;

  /** Checks every field. */
  public MarketSpec {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(deliveryStart, "deliveryStart");
    Objects.requireNonNull(deliveryEnd, "deliveryEnd");
    Objects.requireNonNull(delivery, "delivery");
    if (kPpm < 0 || kPpm > PPM) {
      throw new IllegalArgumentException(
          "kPpm %d must be in [0, %d] (millionths of k)".formatted(kPpm, PPM));
    }
    if (gateClosureHeight < 1) {
      throw new IllegalArgumentException(
          "gateClosureHeight %d must be at least 1".formatted(gateClosureHeight));
    }
    if (deliveryStart.getNano() != 0 || deliveryStart.getEpochSecond() < 0) {
      throw new IllegalArgumentException(
          "deliveryStart %s must be a whole second, not before 1970".formatted(deliveryStart));
    }
    if (deliveryEnd.getNano() != 0 || !deliveryEnd.isAfter(deliveryStart)) {
      throw new IllegalArgumentException(
          "deliveryEnd %s must be a whole second after deliveryStart %s"
              .formatted(deliveryEnd, deliveryStart));
    }
    if (delivery.isPresent() && delivery.get().reportDeadlineHeight() <= gateClosureHeight) {
      throw new IllegalArgumentException(
          "reportDeadlineHeight %d must be above gateClosureHeight %d"
              .formatted(delivery.get().reportDeadlineHeight(), gateClosureHeight));
    }
  }

  /**
   * A market whose sellers are paid at gate closure.
   *
   * @param rule how trades are priced
   * @param kPpm k of the uniform price, in millionths
   * @param gateClosureHeight the gate closure height
   * @param deliveryStart the start of the delivery interval
   * @param deliveryEnd the end of the delivery interval
   */
  public MarketSpec(
      ClearingRule rule,
      int kPpm,
      long gateClosureHeight,
      Instant deliveryStart,
      Instant deliveryEnd) {
    this(rule, kPpm, gateClosureHeight, deliveryStart, deliveryEnd, Optional.empty());
  }

  /**
   * This market, settled against metered delivery.
   *
   * @param terms the penalty price and the report deadline
   * @return a new spec
   */
  public MarketSpec withDelivery(DeliveryTerms terms) {
    return new MarketSpec(
        rule, kPpm, gateClosureHeight, deliveryStart, deliveryEnd, Optional.of(terms));
  }
}

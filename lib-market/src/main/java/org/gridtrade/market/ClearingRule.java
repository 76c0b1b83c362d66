package org.gridtrade.market;

import java.util.Locale;

/** How a {@link DoubleAuctionMarket} prices the trades it clears at gate closure. */
public enum ClearingRule {
  /**
   * Uniform price (k-double auction): every trade clears at one price inside the bid–ask gap of the
   * marginal pair; {@code k} (in millionths) weights the upper end. Budget balanced.
   */
  UNIFORM_PRICE("uniform-price"),
  /**
   * Pay-as-bid: buyers pay their bids, sellers receive their asks; the spread goes to the operator.
   */
  PAY_AS_BID("pay-as-bid"),
  /**
   * McAfee trade reduction: one price {@code p0} when it lies in the marginal pair's gap, otherwise
   * the marginal orders are removed and buyers pay the marginal bid, sellers receive the marginal
   * ask; weakly budget balanced.
   */
  MCAFEE("mcafee");

  private final String label;

  ClearingRule(String label) {
    this.label = label;
  }

  /**
   * The rule's name in scenario files, JSON and messages, the same as the off-chain auction's.
   *
   * @return {@code "uniform-price"}, {@code "pay-as-bid"} or {@code "mcafee"}
   */
  public String label() {
    return label;
  }

  /**
   * The rule with this name.
   *
   * @param label {@code "uniform-price"}, {@code "pay-as-bid"} or {@code "mcafee"}
   * @return the rule
   * @throws IllegalArgumentException naming the value and the names allowed
   */
  public static ClearingRule parse(String label) {
    for (ClearingRule r : values()) {
      if (r.label.equals(label)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "mechanism '%s' must be one of uniform-price, pay-as-bid, mcafee"
            .formatted(label == null ? "null" : label.toLowerCase(Locale.ROOT)));
  }
}

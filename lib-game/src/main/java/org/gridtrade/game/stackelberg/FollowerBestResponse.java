package org.gridtrade.game.stackelberg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.gridtrade.game.stackelberg.internal.Fleet;

/**
 * A follower's exact best response to the leader's prices (Aggarwal Alg. 2, the LP of Eq. 3.15).
 *
 * <p>Sort the window's prices ascending (ties: the earlier hour first); charge {@code alphaMax} in
 * the {@code m = floor((E − M·alphaMin)/(alphaMax − alphaMin))} cheapest hours, {@code x* = E −
 * m·alphaMax − (M − m − 1)·alphaMin} in the next one and {@code alphaMin} in the rest (Eq.
 * 3.16–3.17; Aggarwal's "nearest integer" in Eq. 3.17 must be the floor, else {@code x*} can fall
 * below {@code alphaMin}). Stateless and thread-safe.
 */
public final class FollowerBestResponse {

  private FollowerBestResponse() {}

  /**
   * The cost-minimising schedule of {@code ev} under {@code prices}.
   *
   * @param ev the EV (validated, hence feasible)
   * @param prices 24 hourly prices, each in [−{@link PriceBounds#MAX_PRICE}, {@link
   *     PriceBounds#MAX_PRICE}]
   * @return the schedule and its bill
   * @throws IllegalArgumentException when prices do not hold 24 such numbers
   */
  public static Schedule respond(Ev ev, List<Double> prices) {
    Objects.requireNonNull(ev, "ev");
    double[] p = checkPrices(prices);
    double[] x =
        Fleet.bestResponse(p, ev.start(), ev.end(), ev.energy(), ev.alphaMin(), ev.alphaMax());
    double bill = 0;
    List<Double> out = new ArrayList<>(Ev.HOURS);
    for (int h = 0; h < Ev.HOURS; h++) {
      bill += p[h] * x[h];
      out.add(x[h]);
    }
    return new Schedule(ev.id(), out, bill);
  }

  static double[] checkPrices(List<Double> prices) {
    Objects.requireNonNull(prices, "prices");
    if (prices.size() != Ev.HOURS) {
      throw new IllegalArgumentException(
          "prices has %d values; it needs one per hour, 24".formatted(prices.size()));
    }
    double[] p = new double[Ev.HOURS];
    for (int h = 0; h < Ev.HOURS; h++) {
      Double v = prices.get(h);
      if (v == null || !(Math.abs(v) <= PriceBounds.MAX_PRICE)) {
        throw new IllegalArgumentException(
            "prices[%d] %s must be in [-%s, %s]"
                .formatted(h, v, PriceBounds.MAX_PRICE, PriceBounds.MAX_PRICE));
      }
      p[h] = v;
    }
    return p;
  }
}

package org.gridtrade.auction;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.gridtrade.auction.ReverseAuctionResult.Exclusion;
import org.gridtrade.auction.internal.Prices;

/**
 * A sealed-bid reverse auction: sellers (service providers) ask a price per kWh and the lowest ask
 * wins (Aggarwal Alg. 1; docs/auction.md, "Sealed-bid reverse auctions"). Implements the
 * first-price and the second-price (Vickrey) rule.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li><b>Submission order</b> is list order. <b>Ties</b>: among equal asks the earlier one wins.
 *   <li><b>Reserve</b> (optional): the maximum acceptable price. An ask strictly above it is
 *       excluded with a reason; an ask equal to it is admissible.
 *   <li><b>First price</b>: the winner is paid its own ask.
 *   <li><b>Second price</b>: the winner is paid the second-lowest admissible ask (on a tie, that is
 *       the tie price, so the payment equals the winning bid). With a single admissible ask the
 *       winner is paid the reserve; with a single ask and no reserve it is paid its own ask (there
 *       is no competing price to pay).
 * </ul>
 *
 * <p>With at least two admissible asks, or with a reserve, the second-price rule pays the winner
 * its critical value {@code min(reserve, lowest competing ask)}, so asking one's true cost is a
 * weakly dominant strategy and the winner is paid at least its ask (individual rationality). The
 * single-bidder-without-reserve case is the exception: there the lone bidder would gain by asking
 * more, which is why a reserve should be set when few bidders are expected.
 *
 * <p>Order quantities are carried through (in {@link ReverseAuctionResult#ranking()}) but do not
 * affect ranking or price: the auction selects one seller for the whole lot.
 *
 * <p>Immutable and thread-safe; results are deterministic.
 */
public final class ReverseAuction {
  private final boolean secondPrice;
  private final double reserve;

  private ReverseAuction(boolean secondPrice, double reserve) {
    this.secondPrice = secondPrice;
    this.reserve = reserve;
  }

  /**
   * A first-price reverse auction without reserve: the winner is paid its own ask.
   *
   * @return the auction
   */
  public static ReverseAuction firstPrice() {
    return new ReverseAuction(false, Double.NaN);
  }

  /**
   * A second-price (Vickrey) reverse auction without reserve: the winner is paid the second-lowest
   * admissible ask.
   *
   * @return the auction
   */
  public static ReverseAuction secondPrice() {
    return new ReverseAuction(true, Double.NaN);
  }

  /**
   * This auction with a reserve: the maximum acceptable price per kWh.
   *
   * @param reserve cents/kWh, in [0, {@link Order#MAX_PRICE}]
   * @return a new auction with the same pricing rule and this reserve
   * @throws IllegalArgumentException if {@code reserve} is outside that range
   */
  public ReverseAuction withReserve(double reserve) {
    if (!(reserve >= 0 && reserve <= Order.MAX_PRICE)) {
      throw new IllegalArgumentException(
          "reserve %s must be in [0, %s]".formatted(reserve, Order.MAX_PRICE));
    }
    return new ReverseAuction(secondPrice, reserve + 0.0);
  }

  /**
   * Whether the winner is paid the second-lowest admissible ask.
   *
   * @return {@code true} for second-price, {@code false} for first-price
   */
  public boolean isSecondPrice() {
    return secondPrice;
  }

  /**
   * The reserve, if any.
   *
   * @return the maximum acceptable price, cents/kWh
   */
  public OptionalDouble reserve() {
    return Double.isNaN(reserve) ? OptionalDouble.empty() : OptionalDouble.of(reserve);
  }

  /**
   * Runs the auction.
   *
   * @param asks the sealed asks in submission order; ids unique
   * @return the winner and payment, or no trade with the reason (no asks, or every ask above the
   *     reserve)
   * @throws IllegalArgumentException if two asks share an id
   * @throws NullPointerException if {@code asks} or an element is null
   */
  public ReverseAuctionResult run(List<Order> asks) {
    Objects.requireNonNull(asks, "asks");
    Map<String, Integer> seen = new HashMap<>();
    List<Order> admissible = new ArrayList<>(asks.size());
    List<Exclusion> excluded = new ArrayList<>();
    for (int i = 0; i < asks.size(); i++) {
      Order a = Objects.requireNonNull(asks.get(i), "ask at index " + i);
      Integer prev = seen.putIfAbsent(a.id(), i);
      if (prev != null) {
        throw new IllegalArgumentException(
            "duplicate ask id '%s' at indices %d and %d: ids must be unique"
                .formatted(a.id(), prev, i));
      }
      if (!Double.isNaN(reserve) && a.price() > reserve) {
        excluded.add(
            new Exclusion(
                a.id(),
                "ask %s above reserve %s"
                    .formatted(Prices.format(a.price()), Prices.format(reserve))));
      } else {
        admissible.add(a);
      }
    }
    // Stable sort: equal asks keep submission order, so the earlier one ranks first.
    admissible.sort((x, y) -> Double.compare(x.price() + 0.0, y.price() + 0.0));
    if (admissible.isEmpty()) {
      String reason;
      if (asks.isEmpty()) {
        reason = "no asks submitted";
      } else {
        double lowest = asks.stream().mapToDouble(Order::price).min().orElseThrow();
        reason =
            "no ask at or below reserve %s; lowest ask %s"
                .formatted(Prices.format(reserve), Prices.format(lowest));
      }
      return new ReverseAuctionResult(
          Optional.empty(),
          OptionalDouble.empty(),
          OptionalDouble.empty(),
          admissible,
          excluded,
          reason);
    }
    Order win = admissible.get(0);
    double bid = win.price() + 0.0;
    double payment;
    if (!secondPrice) {
      payment = bid;
    } else if (admissible.size() >= 2) {
      payment = admissible.get(1).price() + 0.0;
    } else if (!Double.isNaN(reserve)) {
      payment = reserve;
    } else {
      payment = bid;
    }
    return new ReverseAuctionResult(
        Optional.of(win.id()),
        OptionalDouble.of(payment),
        OptionalDouble.of(bid),
        admissible,
        excluded,
        "");
  }

  @Override
  public String toString() {
    return (secondPrice ? "second-price" : "first-price")
        + " reverse auction"
        + (Double.isNaN(reserve) ? "" : ", reserve " + Prices.format(reserve));
  }
}

package org.gridtrade.auction;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.gridtrade.auction.internal.Prices;

/**
 * Per-EV service-provider selection: implements Aggarwal Alg. 7 as docs/auction.md, "Per-EV SP
 * selection", states it.
 *
 * <p>EV {@code i} bids {@code b_i}; each SP {@code j} asks {@code p_ji} for that EV. An SP is
 * eligible only when {@code b_i ≥ p_ji}; the lowest eligible ask wins, ties going to the ask
 * earlier in the list. The selected SP's ask is the price ({@link Selection#price()}); the
 * demand-response auction then sets the final trading prices (Aggarwal Eqs. 4.15–4.16). When no SP
 * is eligible there is no trade and the reason says why; the EV may re-submit. Quantities are not
 * matched here (Alg. 7 selects by price; energy is allocated by the demand-response auction).
 *
 * <p>Stateless and thread-safe; results are deterministic.
 */
public final class SpSelection {
  private SpSelection() {}

  /**
   * The SP selected for one EV, or no trade with the reason.
   *
   * @param ev the EV's id
   * @param sp the selected SP's id, when there is a trade
   * @param price the selected SP's ask, cents/kWh, when there is a trade
   * @param noTradeReason empty when there is a trade, otherwise why there is none
   */
  public record Selection(
      String ev, Optional<String> sp, OptionalDouble price, String noTradeReason) {
    /** Checks that the selection is either a trade or a reasoned no-trade. */
    public Selection {
      Objects.requireNonNull(ev, "ev");
      Objects.requireNonNull(sp, "sp");
      Objects.requireNonNull(price, "price");
      Objects.requireNonNull(noTradeReason, "noTradeReason");
      if (sp.isPresent() != price.isPresent() || sp.isPresent() == !noTradeReason.isEmpty()) {
        throw new IllegalArgumentException(
            "selection for %s: sp %s, price %s and noTradeReason '%s' are inconsistent"
                .formatted(ev, sp, price, noTradeReason));
      }
    }

    /**
     * Whether an SP was selected.
     *
     * @return {@code true} when there is a trade
     */
    public boolean traded() {
      return sp.isPresent();
    }
  }

  /**
   * Selects the SP for one EV.
   *
   * @param evBid the EV's bid (its price is the most it pays per kWh)
   * @param spAsks the SPs' asks for this EV, in submission order; ids unique
   * @return the selected SP and its ask, or no trade with the reason, e.g. {@code "no SP asks at or
   *     below EV1's bid 9.50; lowest ask 10.20"}
   * @throws IllegalArgumentException if two asks share an id
   */
  public static Selection select(Order evBid, List<Order> spAsks) {
    Objects.requireNonNull(evBid, "evBid");
    Objects.requireNonNull(spAsks, "spAsks");
    Set<String> ids = new HashSet<>();
    Order best = null;
    double lowest = Double.POSITIVE_INFINITY;
    for (int i = 0; i < spAsks.size(); i++) {
      Order a = Objects.requireNonNull(spAsks.get(i), "ask at index " + i);
      if (!ids.add(a.id())) {
        throw new IllegalArgumentException(
            "duplicate SP ask id '%s' for EV %s: ids must be unique".formatted(a.id(), evBid.id()));
      }
      lowest = Math.min(lowest, a.price());
      if (a.price() <= evBid.price() && (best == null || a.price() < best.price())) {
        best = a;
      }
    }
    if (best != null) {
      return new Selection(
          evBid.id(), Optional.of(best.id()), OptionalDouble.of(best.price() + 0.0), "");
    }
    String reason =
        spAsks.isEmpty()
            ? "no SP asks for %s".formatted(evBid.id())
            : "no SP asks at or below %s's bid %s; lowest ask %s"
                .formatted(evBid.id(), Prices.format(evBid.price()), Prices.format(lowest));
    return new Selection(evBid.id(), Optional.empty(), OptionalDouble.empty(), reason);
  }

  /**
   * Selects an SP for every EV (Alg. 7's outer loop). Each EV has its own asks: {@code
   * asksByEv.get(ev.id())} (an EV without an entry has no asks and gets a no-trade result).
   *
   * @param evBids the EVs' bids; ids unique
   * @param asksByEv the SPs' asks per EV id
   * @return one selection per EV, in the order of {@code evBids}
   * @throws IllegalArgumentException if two EV bids share an id, if {@code asksByEv} has asks for
   *     an EV that did not bid, or if an EV's asks repeat an id
   */
  public static List<Selection> selectAll(List<Order> evBids, Map<String, List<Order>> asksByEv) {
    Objects.requireNonNull(evBids, "evBids");
    Objects.requireNonNull(asksByEv, "asksByEv");
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < evBids.size(); i++) {
      Order ev = Objects.requireNonNull(evBids.get(i), "EV bid at index " + i);
      Integer prev = seen.putIfAbsent(ev.id(), i);
      if (prev != null) {
        throw new IllegalArgumentException(
            "duplicate EV bid id '%s' at indices %d and %d: ids must be unique"
                .formatted(ev.id(), prev, i));
      }
    }
    for (String ev : asksByEv.keySet()) {
      if (!seen.containsKey(ev)) {
        throw new IllegalArgumentException(
            "asksByEv has asks for EV '%s', which has no bid".formatted(ev));
      }
    }
    List<Selection> out = new ArrayList<>(evBids.size());
    for (Order ev : evBids) {
      out.add(select(ev, asksByEv.getOrDefault(ev.id(), List.of())));
    }
    return List.copyOf(out);
  }

  /**
   * Alg. 7 feeding Alg. 8 (docs/demand-response.md, "Alg. 7 feeds Alg. 8"): the market with every
   * (EV, SP) link excluded on which the SP's ask for the EV is above the EV's bid, or the SP did
   * not ask for the EV. The demand-response auction on the result trades only on links Alg. 7
   * leaves open (an EV trades only with SPs whose ask is at most its bid); links the market already
   * excluded stay excluded.
   *
   * @param market the market; every EV needs a bid
   * @param evBids one bid per EV of the market, ids the EVs' ids
   * @param asksByEv the SPs' asks per EV id, ids the SPs' ids (an EV without an entry has no asks)
   * @return the restricted market
   * @throws IllegalArgumentException if an EV of the market has no bid, a bid or ask names no
   *     participant of the market, or the open links cannot deliver every EV's {@code e_min} (the
   *     message names the shortfall)
   */
  public static DrInstance restrict(
      DrInstance market, List<Order> evBids, Map<String, List<Order>> asksByEv) {
    Objects.requireNonNull(market, "market");
    Objects.requireNonNull(asksByEv, "asksByEv");
    Map<String, Order> bidOf = new HashMap<>();
    for (Order bid : Objects.requireNonNull(evBids, "evBids")) {
      bidOf.put(bid.id(), bid);
    }
    Set<String> spIds = new HashSet<>();
    for (DrInstance.Sp sp : market.sps()) {
      spIds.add(sp.id());
    }
    Set<String> evIds = new HashSet<>();
    for (DrInstance.Ev ev : market.evs()) {
      evIds.add(ev.id());
    }
    for (String id : bidOf.keySet()) {
      if (!evIds.contains(id)) {
        throw new IllegalArgumentException("bid '%s' names no EV of the market".formatted(id));
      }
    }
    Set<DrInstance.Link> excluded = new HashSet<>(market.excludedLinks());
    for (DrInstance.Ev ev : market.evs()) {
      Order bid = bidOf.get(ev.id());
      if (bid == null) {
        throw new IllegalArgumentException("EV '%s' has no bid".formatted(ev.id()));
      }
      Map<String, Double> ask = new HashMap<>();
      for (Order a : asksByEv.getOrDefault(ev.id(), List.of())) {
        if (!spIds.contains(a.id())) {
          throw new IllegalArgumentException(
              "ask '%s' for EV '%s' names no SP of the market".formatted(a.id(), ev.id()));
        }
        ask.put(a.id(), a.price());
      }
      for (DrInstance.Sp sp : market.sps()) {
        Double price = ask.get(sp.id());
        if (price == null || price > bid.price()) {
          excluded.add(new DrInstance.Link(ev.id(), sp.id()));
        }
      }
    }
    return new DrInstance(
        market.evs(), market.sps(), market.eta(), market.rho(), market.xi(), excluded);
  }

  /**
   * Alg. 7 on a market's own prices: every EV bids its maximum buying price (its willingness {@code
   * σ_i / SoC_i} when it has none), every SP asks every EV the marginal price of its first kWh,
   * {@code c2 + minPrice}; then {@link #restrict(DrInstance, List, Map)}.
   *
   * @param market the market
   * @return the market restricted to the links Alg. 7 selects
   */
  public static DrInstance restrict(DrInstance market) {
    Objects.requireNonNull(market, "market");
    List<Order> bids = new ArrayList<>();
    Map<String, List<Order>> asks = new HashMap<>();
    for (DrInstance.Ev ev : market.evs()) {
      double price = Double.isInfinite(ev.maxPrice()) ? ev.willingness() : ev.maxPrice();
      bids.add(new Order(ev.id(), Math.min(price, Order.MAX_PRICE), Math.max(ev.eMax(), 1e-9)));
      List<Order> list = new ArrayList<>();
      for (DrInstance.Sp sp : market.sps()) {
        list.add(new Order(sp.id(), sp.marginalPrice(0), sp.capacity()));
      }
      asks.put(ev.id(), list);
    }
    return restrict(market, bids, asks);
  }
}

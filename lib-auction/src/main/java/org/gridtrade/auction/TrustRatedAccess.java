package org.gridtrade.auction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Trust-rated market access (TRP): implements Haider §3.5 as docs/auction.md, "Trust-rated market
 * access", states it.
 *
 * <p>Trust rating points 1, 2, 3, 4 give access to 50 %, 75 %, 90 %, 100 % of the {@code n} offers.
 * Offers are ranked by price, most expensive first, and among equal prices the seller with higher
 * TRP first (then offer id, for determinism); a buyer with access fraction {@code f} sees only the
 * first {@code ⌈f·n⌉} offers of that ranking, fixed when the round starts. Buyers are served one at
 * a time in descending TRP order (input order among equal TRP); each buys from its visible offers
 * cheapest first (among equal prices the higher-TRP seller first), at the offer's price, while the
 * offer's price is at most the buyer's limit price and both have quantity left. A buyer never
 * trades with an offer outside its access.
 *
 * <p>Immutable and thread-safe; results are deterministic.
 */
public final class TrustRatedAccess {

  /**
   * A seller's offer.
   *
   * @param id the offer's (seller's) id, not blank
   * @param sellerTrp the seller's trust rating points, 1 to 4
   * @param price asking price, cents/kWh, finite and 0 or more
   * @param quantity kWh offered, finite and more than 0
   */
  public record Offer(String id, int sellerTrp, double price, double quantity) {
    /** Validates every field. */
    public Offer {
      Objects.requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("offer id '%s' must not be blank".formatted(id));
      }
      checkTrp("offer " + id, sellerTrp);
      checkPriceQuantity("offer " + id, price, quantity);
    }
  }

  /**
   * A buyer's bid.
   *
   * @param id the buyer's id, not blank
   * @param trp the buyer's trust rating points, 1 to 4
   * @param limitPrice the most it pays, cents/kWh, finite and 0 or more
   * @param quantity kWh wanted, finite and more than 0
   */
  public record Bid(String id, int trp, double limitPrice, double quantity) {
    /** Validates every field. */
    public Bid {
      Objects.requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("bid id '%s' must not be blank".formatted(id));
      }
      checkTrp("bid " + id, trp);
      checkPriceQuantity("bid " + id, limitPrice, quantity);
    }
  }

  /**
   * What one buyer could see and what it got.
   *
   * @param buyerId the buyer's id
   * @param trp its trust rating points
   * @param visibleOfferIds ids of the offers within its access, most expensive first
   * @param filledQuantity kWh it bought
   */
  public record BuyerAccess(
      String buyerId, int trp, List<String> visibleOfferIds, double filledQuantity) {
    /** Copies the list. */
    public BuyerAccess {
      Objects.requireNonNull(buyerId, "buyerId");
      visibleOfferIds = List.copyOf(visibleOfferIds);
    }
  }

  /**
   * The outcome of one matching round.
   *
   * @param trades trades in execution order; {@code sellerId} is the offer id, both prices are the
   *     offer's price
   * @param buyers per buyer, in service order (descending TRP)
   */
  public record Matching(List<Trade> trades, List<BuyerAccess> buyers) {
    /** Copies the lists. */
    public Matching {
      trades = List.copyOf(trades);
      buyers = List.copyOf(buyers);
    }
  }

  private TrustRatedAccess() {}

  /**
   * Percentage of offers a trust rating gives access to.
   *
   * @param trp trust rating points, 1 to 4
   * @return 50, 75, 90 or 100
   * @throws IllegalArgumentException if {@code trp} is outside 1..4
   */
  public static int accessPercent(int trp) {
    checkTrp("trp", trp);
    return switch (trp) {
      case 1 -> 50;
      case 2 -> 75;
      case 3 -> 90;
      default -> 100;
    };
  }

  /**
   * Number of offers visible to a rating: {@code ⌈f·n⌉}, computed in integers so that no rounding
   * error adds an offer.
   *
   * @param trp trust rating points, 1 to 4
   * @param offerCount {@code n}, 0 or more
   * @return {@code ⌈accessPercent(trp)·n / 100⌉}
   * @throws IllegalArgumentException if {@code trp} is outside 1..4 or {@code offerCount} negative
   */
  public static int visibleCount(int trp, int offerCount) {
    if (offerCount < 0) {
      throw new IllegalArgumentException("offerCount %d must be >= 0".formatted(offerCount));
    }
    long pct = accessPercent(trp);
    return (int) ((pct * offerCount + 99) / 100);
  }

  /**
   * Runs one matching round.
   *
   * @param offers the offers, unique ids; may be empty
   * @param bids the bids, unique ids; may be empty
   * @return trades and each buyer's access
   * @throws IllegalArgumentException if two offers or two bids share an id
   * @throws NullPointerException if a list or an element is null
   */
  public static Matching match(List<Offer> offers, List<Bid> bids) {
    Objects.requireNonNull(offers, "offers");
    Objects.requireNonNull(bids, "bids");
    checkUnique(
        offers.stream().map(o -> Objects.requireNonNull(o, "offer").id()).toList(), "offer");
    checkUnique(bids.stream().map(b -> Objects.requireNonNull(b, "bid").id()).toList(), "bid");
    Comparator<Offer> byPriceThenTrp =
        Comparator.comparingDouble(Offer::price)
            .thenComparing(Comparator.comparingInt(Offer::sellerTrp).reversed());
    // Visibility ranking: most expensive first; ties: higher TRP, then id.
    List<Offer> ranking = new ArrayList<>(offers);
    ranking.sort(
        Comparator.comparingDouble(Offer::price)
            .reversed()
            .thenComparing(Comparator.comparingInt(Offer::sellerTrp).reversed())
            .thenComparing(Offer::id));
    List<Bid> order = new ArrayList<>(bids);
    order.sort(Comparator.comparingInt(Bid::trp).reversed()); // stable: input order on ties
    Map<String, Double> left = new HashMap<>();
    for (Offer o : offers) {
      left.put(o.id(), o.quantity());
    }
    List<Trade> trades = new ArrayList<>();
    List<BuyerAccess> access = new ArrayList<>(order.size());
    for (Bid b : order) {
      List<Offer> visible = ranking.subList(0, visibleCount(b.trp(), ranking.size()));
      List<Offer> shopping = new ArrayList<>(visible);
      shopping.sort(byPriceThenTrp.thenComparing(Offer::id));
      double need = b.quantity();
      for (Offer o : shopping) {
        if (need <= 0 || o.price() > b.limitPrice()) {
          break;
        }
        double have = left.get(o.id());
        if (have <= 0) {
          continue;
        }
        double q = Math.min(need, have);
        need = q == need ? 0 : need - q;
        left.put(o.id(), q == have ? 0 : have - q);
        trades.add(new Trade(b.id(), o.id(), q, o.price(), o.price()));
      }
      access.add(
          new BuyerAccess(
              b.id(), b.trp(), visible.stream().map(Offer::id).toList(), b.quantity() - need));
    }
    return new Matching(trades, access);
  }

  private static void checkUnique(List<String> ids, String what) {
    Set<String> seen = new HashSet<>();
    for (String id : ids) {
      if (!seen.add(id)) {
        throw new IllegalArgumentException("%s id '%s' must be unique".formatted(what, id));
      }
    }
  }

  private static void checkTrp(String who, int trp) {
    if (trp < 1 || trp > 4) {
      throw new IllegalArgumentException("%s: trp %d must be within 1..4".formatted(who, trp));
    }
  }

  private static void checkPriceQuantity(String who, double price, double quantity) {
    if (!Double.isFinite(price) || price < 0) {
      throw new IllegalArgumentException(
          "%s: price %s must be finite and >= 0".formatted(who, price));
    }
    if (!Double.isFinite(quantity) || !(quantity > 0)) {
      throw new IllegalArgumentException(
          "%s: quantity %s must be finite and > 0".formatted(who, quantity));
    }
  }
}

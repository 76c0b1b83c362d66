package org.gridtrade.auction;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A continuous limit-order book with price-time priority (docs/auction.md, "Continuous order
 * book").
 *
 * <p>An incoming order first matches against the opposite side, best price first and, within a
 * price, oldest order first; every trade executes at the <em>resting</em> order's price. Fills may
 * be partial on both sides. What is left of the incoming order rests in the book. Resting orders
 * can be cancelled by id.
 *
 * <p>Order ids are unique over the life of the book: a second order with an id already seen (even
 * one fully filled or cancelled) is {@linkplain SubmitResult.Rejected rejected with a reason}, not
 * an exception, because orders come from traders. The book therefore remembers every accepted order
 * (for uniqueness and {@link #status(String)}): use one book per trading session.
 *
 * <p>Accounting: for every accepted order, {@code filled + resting + cancelled = submitted} (see
 * {@link #status(String)}); the book is never crossed after a call returns (best bid &lt; best
 * ask). Prices {@code -0.0} and {@code 0.0} are the same price level.
 *
 * <p>Thread-safety: <b>not thread-safe</b>. One thread owns a book, or callers serialise every call
 * on one lock. Cost: {@code O(log L)} per price level touched plus {@code O(1)} per fill, with
 * {@code L} the number of price levels; a cancel is {@code O(1)} plus {@code O(log L)} when it
 * empties its level (cancelled entries are removed lazily from their level's queue).
 */
public final class OrderBook {

  private static final Logger LOG = LoggerFactory.getLogger(OrderBook.class);

  /** Side of a limit order. */
  public enum Side {
    /** A bid: buys at the order's price or lower. */
    BUY,
    /** An ask: sells at the order's price or higher. */
    SELL
  }

  /** What {@link #submit(Side, Order)} did with an order. */
  public sealed interface SubmitResult permits SubmitResult.Accepted, SubmitResult.Rejected {

    /**
     * The order's id.
     *
     * @return the id of the submitted order
     */
    String orderId();

    /**
     * The order entered the book: it traded {@code trades} (in execution order) and {@code
     * restingQuantity} kWh of it now rests in the book (0 when fully filled).
     *
     * @param orderId the order's id
     * @param trades the trades the order caused, in execution order, each at the resting price
     * @param restingQuantity kWh left resting in the book, 0 or more
     */
    record Accepted(String orderId, List<Trade> trades, double restingQuantity)
        implements SubmitResult {
      /** Validates and copies the trades. */
      public Accepted {
        Objects.requireNonNull(orderId, "orderId");
        trades = List.copyOf(trades);
        if (!(restingQuantity >= 0) || !Double.isFinite(restingQuantity)) {
          throw new IllegalArgumentException(
              "restingQuantity %s must be finite and >= 0".formatted(restingQuantity));
        }
      }

      /**
       * Energy filled by the trades.
       *
       * @return the sum of the trades' quantities, kWh
       */
      public double filledQuantity() {
        double sum = 0;
        for (Trade t : trades) {
          sum += t.quantity();
        }
        return sum;
      }
    }

    /**
     * The order was refused and did not change the book.
     *
     * @param orderId the order's id
     * @param reason why, for the trader
     */
    record Rejected(String orderId, String reason) implements SubmitResult {
      /** Checks for nulls. */
      public Rejected {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(reason, "reason");
      }
    }
  }

  /**
   * Aggregated resting quantity at one price.
   *
   * @param price the level's price, cents/kWh
   * @param quantity total resting kWh at this price, more than 0
   * @param orderCount number of resting orders at this price, 1 or more
   */
  public record PriceLevel(double price, double quantity, int orderCount) {
    /** Validates the level. */
    public PriceLevel {
      if (!Double.isFinite(price) || price < 0) {
        throw new IllegalArgumentException(
            "price level price %s must be finite and >= 0".formatted(price));
      }
      if (!(quantity > 0) || !Double.isFinite(quantity)) {
        throw new IllegalArgumentException(
            "price level quantity %s must be finite and > 0".formatted(quantity));
      }
      if (orderCount < 1) {
        throw new IllegalArgumentException(
            "price level orderCount %d must be >= 1".formatted(orderCount));
      }
    }
  }

  /**
   * The accounting of one order ever accepted by the book.
   *
   * @param orderId the order's id
   * @param side buy or sell
   * @param price the limit price, cents/kWh
   * @param submitted the quantity submitted, kWh
   * @param filled kWh traded so far
   * @param resting kWh still resting in the book
   * @param cancelled kWh removed by a cancel
   */
  public record OrderStatus(
      String orderId,
      Side side,
      double price,
      double submitted,
      double filled,
      double resting,
      double cancelled) {
    /** Checks for nulls. */
    public OrderStatus {
      Objects.requireNonNull(orderId, "orderId");
      Objects.requireNonNull(side, "side");
    }
  }

  /** One accepted order; mutable, owned by the book. */
  private static final class Entry {
    final String id;
    final Side side;
    final double price;
    final double submitted;
    double remaining;
    double filled;
    double cancelled;

    Entry(String id, Side side, double price, double quantity) {
      this.id = id;
      this.side = side;
      this.price = price;
      this.submitted = quantity;
      this.remaining = quantity;
    }

    boolean live() {
      return remaining > 0;
    }
  }

  /** The orders at one price, oldest first; may hold dead (cancelled) entries at any position. */
  private static final class Level {
    final double price;
    final ArrayDeque<Entry> queue = new ArrayDeque<>();
    int liveCount;

    Level(double price) {
      this.price = price;
    }

    /** Drops dead entries from the head and returns the oldest live entry. */
    Entry head() {
      Entry e = queue.peekFirst();
      while (e != null && !e.live()) {
        queue.pollFirst();
        e = queue.peekFirst();
      }
      return e;
    }
  }

  /** Bids, best (highest) price first. */
  private final TreeMap<Double, Level> bids = new TreeMap<>(Comparator.reverseOrder());

  /** Asks, best (lowest) price first. */
  private final TreeMap<Double, Level> asks = new TreeMap<>();

  private final Map<String, Entry> orders = new HashMap<>();
  private final List<Trade> tape = new ArrayList<>();

  private OrderBook() {}

  /**
   * Creates an empty book.
   *
   * @return a new, empty order book
   */
  public static OrderBook create() {
    return new OrderBook();
  }

  /**
   * Submits a limit order: matches it against the opposite side, then rests any remainder.
   *
   * @param side buy or sell
   * @param order the order; its record already guarantees a finite price &ge; 0 and a finite
   *     quantity &gt; 0
   * @return {@link SubmitResult.Accepted} with the trades and the resting remainder, or {@link
   *     SubmitResult.Rejected} (duplicate id) leaving the book unchanged
   * @throws NullPointerException if {@code side} or {@code order} is null
   */
  public SubmitResult submit(Side side, Order order) {
    Objects.requireNonNull(side, "side");
    Objects.requireNonNull(order, "order");
    String id = order.id();
    if (orders.containsKey(id)) {
      LOG.debug("order {} rejected: duplicate order id", id);
      return new SubmitResult.Rejected(id, "duplicate order id '%s'".formatted(id));
    }
    double price = order.price() + 0.0; // folds -0.0 into 0.0 so both map to one level
    Entry in = new Entry(id, side, price, order.quantity());
    orders.put(id, in);
    List<Trade> trades = match(in);
    if (in.remaining > 0) {
      TreeMap<Double, Level> own = side == Side.BUY ? bids : asks;
      Level level = own.get(price);
      if (level == null) {
        level = new Level(price);
        own.put(price, level);
      }
      level.queue.addLast(in);
      level.liveCount++;
    }
    return new SubmitResult.Accepted(id, trades, in.remaining);
  }

  private List<Trade> match(Entry in) {
    boolean buy = in.side == Side.BUY;
    TreeMap<Double, Level> opposite = buy ? asks : bids;
    List<Trade> trades = List.of();
    while (in.remaining > 0) {
      Map.Entry<Double, Level> best = opposite.firstEntry();
      if (best == null) {
        break;
      }
      Level level = best.getValue();
      if (buy ? level.price > in.price : level.price < in.price) {
        break;
      }
      while (in.remaining > 0) {
        Entry rest = level.head();
        if (rest == null) {
          break;
        }
        double q = Math.min(in.remaining, rest.remaining);
        // x - x == 0 exactly, so the smaller side always ends at exactly 0.
        in.remaining = q == in.remaining ? 0 : in.remaining - q;
        rest.remaining = q == rest.remaining ? 0 : rest.remaining - q;
        in.filled += q;
        rest.filled += q;
        Trade t =
            buy
                ? new Trade(in.id, rest.id, q, level.price, level.price)
                : new Trade(rest.id, in.id, q, level.price, level.price);
        if (trades.isEmpty()) {
          trades = new ArrayList<>(2);
        }
        trades.add(t);
        tape.add(t);
        if (rest.remaining == 0) {
          level.queue.pollFirst();
          level.liveCount--;
        }
      }
      if (level.liveCount == 0) {
        opposite.pollFirstEntry();
      }
    }
    return trades;
  }

  /**
   * Cancels what rests of an order.
   *
   * @param orderId the order's id
   * @return the kWh removed from the book, or empty when no order with this id rests in the book
   *     (unknown, fully filled or already cancelled)
   * @throws NullPointerException if {@code orderId} is null
   */
  public OptionalDouble cancel(String orderId) {
    Objects.requireNonNull(orderId, "orderId");
    Entry e = orders.get(orderId);
    if (e == null || !e.live()) {
      return OptionalDouble.empty();
    }
    double q = e.remaining;
    e.cancelled += q;
    e.remaining = 0;
    TreeMap<Double, Level> own = e.side == Side.BUY ? bids : asks;
    Level level = own.get(e.price);
    level.liveCount--;
    if (level.liveCount == 0) {
      own.remove(e.price);
    }
    return OptionalDouble.of(q);
  }

  /**
   * The accounting of an order this book accepted.
   *
   * @param orderId the order's id
   * @return its status, or empty for an id the book never accepted
   * @throws NullPointerException if {@code orderId} is null
   */
  public Optional<OrderStatus> status(String orderId) {
    Objects.requireNonNull(orderId, "orderId");
    Entry e = orders.get(orderId);
    if (e == null) {
      return Optional.empty();
    }
    return Optional.of(
        new OrderStatus(e.id, e.side, e.price, e.submitted, e.filled, e.remaining, e.cancelled));
  }

  /**
   * The highest resting bid price.
   *
   * @return the best bid, cents/kWh, or empty when no bid rests
   */
  public OptionalDouble bestBid() {
    Map.Entry<Double, Level> e = bids.firstEntry();
    return e == null ? OptionalDouble.empty() : OptionalDouble.of(e.getKey());
  }

  /**
   * The lowest resting ask price.
   *
   * @return the best ask, cents/kWh, or empty when no ask rests
   */
  public OptionalDouble bestAsk() {
    Map.Entry<Double, Level> e = asks.firstEntry();
    return e == null ? OptionalDouble.empty() : OptionalDouble.of(e.getKey());
  }

  /**
   * Aggregated depth of one side, best price first.
   *
   * @param side which side
   * @param maxLevels how many price levels at most, 0 or more
   * @return up to {@code maxLevels} levels, best first (highest bid, lowest ask)
   * @throws IllegalArgumentException if {@code maxLevels} is negative
   */
  public List<PriceLevel> depth(Side side, int maxLevels) {
    Objects.requireNonNull(side, "side");
    if (maxLevels < 0) {
      throw new IllegalArgumentException("maxLevels %d must be >= 0".formatted(maxLevels));
    }
    List<PriceLevel> out = new ArrayList<>();
    Iterator<Level> it = (side == Side.BUY ? bids : asks).values().iterator();
    while (out.size() < maxLevels && it.hasNext()) {
      Level level = it.next();
      double q = 0;
      for (Entry e : level.queue) {
        q += e.remaining;
      }
      out.add(new PriceLevel(level.price, q, level.liveCount));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Every trade this book executed, in execution order.
   *
   * @return an unmodifiable snapshot of the trade tape (a copy: {@code O(trades)})
   */
  public List<Trade> tape() {
    return List.copyOf(tape);
  }

  /**
   * Number of trades executed so far.
   *
   * @return the length of the trade tape
   */
  public int tradeCount() {
    return tape.size();
  }
}

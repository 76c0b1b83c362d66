package org.gridtrade.examples.auction;

import java.util.List;
import java.util.Locale;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.OrderBook;
import org.gridtrade.auction.OrderBook.Side;
import org.gridtrade.auction.Trade;

/**
 * A morning on a continuous energy exchange: prosumers post PV surplus, households and an EV
 * charging hub buy, one order is cancelled. Shows price-time priority, partial fills, the depth of
 * the book and the trade tape.
 */
public final class OrderBookExample {
  private OrderBookExample() {}

  /**
   * Runs the example.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    OrderBook book = OrderBook.create();
    System.out.println("Continuous order book: price-time priority, trades at the resting price");
    System.out.println();
    submit(book, Side.SELL, new Order("pv-roof-7", 11.0, 4));
    submit(book, Side.SELL, new Order("pv-roof-2", 10.5, 3));
    submit(book, Side.SELL, new Order("battery-1", 12.5, 10));
    submit(book, Side.SELL, new Order("pv-roof-9", 10.5, 5));
    submit(book, Side.BUY, new Order("house-14", 9.0, 2));
    submit(book, Side.BUY, new Order("ev-hub", 11.0, 9));
    submit(book, Side.BUY, new Order("house-3", 12.0, 6));
    submit(book, Side.SELL, new Order("pv-roof-2", 9.0, 1));
    System.out.printf(
        Locale.ROOT,
        "cancel battery-1        -> %s kWh removed%n",
        book.cancel("battery-1").orElse(0));
    submit(book, Side.SELL, new Order("pv-roof-4", 8.5, 3));
    System.out.println();
    for (Side side : Side.values()) {
      System.out.printf(Locale.ROOT, "depth (%s side, best first)%n", side);
      for (OrderBook.PriceLevel l : book.depth(side, 5)) {
        System.out.printf(
            Locale.ROOT,
            "  %6.2f c/kWh  %5.1f kWh  %d orders%n",
            l.price(),
            l.quantity(),
            l.orderCount());
      }
    }
    System.out.println();
    System.out.println("trade tape");
    for (Trade t : book.tape()) {
      System.out.printf(
          Locale.ROOT,
          "  %-9s <- %-10s %4.1f kWh at %5.2f c/kWh%n",
          t.buyerId(),
          t.sellerId(),
          t.quantity(),
          t.buyerPrice());
    }
    System.out.println();
    for (String id : List.of("ev-hub", "house-3", "battery-1")) {
      OrderBook.OrderStatus s = book.status(id).orElseThrow();
      System.out.printf(
          Locale.ROOT,
          "%-9s submitted %4.1f = filled %4.1f + resting %4.1f + cancelled %4.1f kWh%n",
          id,
          s.submitted(),
          s.filled(),
          s.resting(),
          s.cancelled());
    }
  }

  private static void submit(OrderBook book, Side side, Order order) {
    OrderBook.SubmitResult r = book.submit(side, order);
    String what;
    if (r instanceof OrderBook.SubmitResult.Accepted a) {
      what =
          String.format(
              Locale.ROOT,
              "%d trades, %.1f kWh filled, %.1f kWh resting",
              a.trades().size(),
              a.filledQuantity(),
              a.restingQuantity());
    } else {
      what = "REJECTED: " + ((OrderBook.SubmitResult.Rejected) r).reason();
    }
    System.out.printf(
        Locale.ROOT,
        "%-4s %-10s %5.2f x %4.1f -> %s%n",
        side,
        order.id(),
        order.price(),
        order.quantity(),
        what);
  }
}

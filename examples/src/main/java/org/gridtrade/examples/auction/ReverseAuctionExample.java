package org.gridtrade.examples.auction;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.ReverseAuction;
import org.gridtrade.auction.ReverseAuctionResult;
import org.gridtrade.auction.SealedBidBox;
import org.gridtrade.auction.SpSelection;

/**
 * Sealed-bid reverse auctions (Aggarwal Alg. 1; docs/auction.md): service providers compete to
 * supply; the lowest ask wins. Shows first price against second price on the same asks,
 * commit–reveal sealing with one tampered and one late reveal, and the per-EV SP selection of
 * Aggarwal Alg. 7.
 */
public final class ReverseAuctionExample {
  private ReverseAuctionExample() {}

  /**
   * Runs the example.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    List<Order> asks =
        List.of(
            new Order("sp-solar", 9.8, 1),
            new Order("sp-wind", 9.1, 1),
            new Order("sp-battery", 11.4, 1),
            new Order("sp-diesel", 16.0, 1));
    System.out.println("Sealed-bid reverse auction, reserve 14.00 c/kWh");
    System.out.println();
    for (ReverseAuction auction :
        List.of(
            ReverseAuction.firstPrice().withReserve(14.0),
            ReverseAuction.secondPrice().withReserve(14.0))) {
      print(auction.isSecondPrice() ? "second price" : "first price ", auction.run(asks));
    }

    System.out.println();
    System.out.println("Commit-reveal: commitments until t=100, reveals until t=200");
    SealedBidBox box =
        SealedBidBox.withDeadlines(Instant.ofEpochMilli(100), Instant.ofEpochMilli(200));
    Map<String, Double> price = Map.of("sp-solar", 9.8, "sp-wind", 9.1, "sp-battery", 11.4);
    for (String bidder : price.keySet().stream().sorted().toList()) {
      box.commit(
          bidder,
          SealedBidBox.commitment(bidder, price.get(bidder), salt(bidder)),
          Instant.ofEpochMilli(10));
    }
    report(box.reveal("sp-battery", 11.4, salt("sp-battery"), Instant.ofEpochMilli(150)));
    report(
        box.reveal(
            "sp-wind", 8.0, salt("sp-wind"), Instant.ofEpochMilli(160))); // not the committed price
    report(
        box.reveal(
            "sp-solar", 9.8, salt("sp-solar"), Instant.ofEpochMilli(250))); // after the deadline
    print("sealed, 2nd ", box.close(ReverseAuction.secondPrice().withReserve(14.0)));

    System.out.println();
    System.out.println("Per-EV SP selection (Aggarwal Alg. 7): trade only when bid >= ask");
    List<SpSelection.Selection> picks =
        SpSelection.selectAll(
            List.of(new Order("ev-7", 10.0, 20), new Order("ev-9", 8.5, 12)),
            Map.of(
                "ev-7", List.of(new Order("sp-solar", 9.9, 20), new Order("sp-wind", 9.6, 20)),
                "ev-9", List.of(new Order("sp-solar", 9.4, 12), new Order("sp-wind", 9.0, 12))));
    for (SpSelection.Selection s : picks) {
      if (s.traded()) {
        System.out.printf(
            Locale.ROOT,
            "  %s buys from %s at %.2f c/kWh%n",
            s.ev(),
            s.sp().orElseThrow(),
            s.price().orElseThrow());
      } else {
        System.out.printf(Locale.ROOT, "  %s: no trade: %s%n", s.ev(), s.noTradeReason());
      }
    }
  }

  /** A demo salt; real bidders draw 16+ bytes from a SecureRandom. */
  private static byte[] salt(String bidder) {
    byte[] s = Arrays.copyOf(("salt-of-" + bidder).getBytes(StandardCharsets.UTF_8), 32);
    return s;
  }

  private static void report(SealedBidBox.Receipt r) {
    System.out.printf(
        Locale.ROOT,
        "  reveal %-10s %s%n",
        r.bidder(),
        r.accepted() ? "accepted" : "REJECTED: " + r.reason());
  }

  private static void print(String label, ReverseAuctionResult r) {
    if (r.traded()) {
      System.out.printf(
          Locale.ROOT,
          "  %s: %s wins with %.2f, is paid %.2f c/kWh",
          label,
          r.winner().orElseThrow(),
          r.winningBid().orElseThrow(),
          r.payment().orElseThrow());
    } else {
      System.out.printf(Locale.ROOT, "  %s: no trade: %s", label, r.noTradeReason());
    }
    for (ReverseAuctionResult.Exclusion e : r.excluded()) {
      System.out.printf(Locale.ROOT, "; excluded %s (%s)", e.id(), e.reason());
    }
    System.out.println();
  }
}

package org.gridtrade.examples.auction;

import java.util.List;
import java.util.Locale;
import org.gridtrade.auction.Trade;
import org.gridtrade.auction.TrustRatedAccess;
import org.gridtrade.auction.TrustRatedAccess.Bid;
import org.gridtrade.auction.TrustRatedAccess.Offer;

/**
 * Trust-rated market access (Haider §3.5; docs/auction.md): buyers with more trust rating points
 * see more of the offers (50, 75, 90, 100 %) and are served first.
 */
public final class TrustAccessExample {
  private TrustAccessExample() {}

  /**
   * Runs the example.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    List<Offer> offers =
        List.of(
            new Offer("pv-1", 4, 9.0, 5),
            new Offer("pv-2", 2, 9.0, 5),
            new Offer("pv-3", 3, 10.5, 4),
            new Offer("bat-1", 1, 12.0, 6),
            new Offer("pv-4", 4, 13.0, 3),
            new Offer("bat-2", 2, 15.0, 8));
    List<Bid> bids =
        List.of(
            new Bid("newcomer", 1, 14.0, 6),
            new Bid("regular", 3, 16.0, 7),
            new Bid("veteran", 4, 16.0, 8),
            new Bid("occasional", 2, 11.0, 5));
    TrustRatedAccess.Matching m = TrustRatedAccess.match(offers, bids);
    System.out.println("Trust-rated market access: TRP 1..4 -> 50/75/90/100 % of the offers");
    System.out.println();
    for (TrustRatedAccess.BuyerAccess b : m.buyers()) {
      System.out.printf(
          Locale.ROOT,
          "%-10s TRP %d (%3d %%) sees %-32s bought %4.1f kWh%n",
          b.buyerId(),
          b.trp(),
          TrustRatedAccess.accessPercent(b.trp()),
          String.join(",", b.visibleOfferIds()),
          b.filledQuantity());
    }
    System.out.println();
    for (Trade t : m.trades()) {
      System.out.printf(
          Locale.ROOT,
          "  %-10s <- %-6s %4.1f kWh at %5.2f c/kWh%n",
          t.buyerId(),
          t.sellerId(),
          t.quantity(),
          t.buyerPrice());
    }
  }
}

package org.gridtrade.examples.auction;

import java.util.List;
import java.util.Locale;
import org.gridtrade.auction.DoubleAuction;
import org.gridtrade.auction.DoubleAuctionResult;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.Trade;

/**
 * One-shot double auctions (docs/auction.md): the same hour's orders cleared by uniform price, pay
 * as bid and McAfee trade reduction, side by side: volume, welfare and the auctioneer's budget.
 */
public final class DoubleAuctionExample {
  private DoubleAuctionExample() {}

  /**
   * Runs the example.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    List<Order> sells =
        List.of(
            new Order("pv-1", 8.0, 6),
            new Order("pv-2", 9.5, 10),
            new Order("pv-3", 11.0, 4),
            new Order("bat-1", 13.5, 8));
    List<Order> buys =
        List.of(
            new Order("ev-1", 18.0, 7),
            new Order("house-1", 15.0, 5),
            new Order("house-2", 12.0, 6),
            new Order("ev-2", 10.5, 9));
    System.out.println("One-shot double auction: 4 sellers (28 kWh), 4 buyers (27 kWh)");
    System.out.println();
    System.out.println("mechanism        price          volume  welfare   budget  trades");
    for (DoubleAuction a :
        List.of(
            DoubleAuction.uniformPrice(0.5), DoubleAuction.payAsBid(), DoubleAuction.mcAfee())) {
      DoubleAuctionResult r = a.clear(buys, sells);
      String price =
          r.price().isPresent()
              ? String.format(Locale.ROOT, "%.2f", r.price().getAsDouble())
              : r.buyerPrice().isPresent()
                  ? String.format(
                      Locale.ROOT,
                      "%.2f/%.2f",
                      r.buyerPrice().getAsDouble(),
                      r.sellerPrice().getAsDouble())
                  : "as bid";
      System.out.printf(
          Locale.ROOT,
          "%-15s %-12s %8.1f %8.2f %8.2f  %d%n",
          r.mechanism(),
          price,
          r.volume(),
          r.welfare(),
          r.budget(),
          r.trades().size());
    }
    System.out.println();
    System.out.println("McAfee's trades (the marginal pair is removed so prices come from it):");
    for (Trade t : DoubleAuction.mcAfee().clear(buys, sells).trades()) {
      System.out.printf(
          Locale.ROOT,
          "  %-8s <- %-6s %4.1f kWh, buyer pays %.2f, seller gets %.2f%n",
          t.buyerId(),
          t.sellerId(),
          t.quantity(),
          t.buyerPrice(),
          t.sellerPrice());
    }
  }
}

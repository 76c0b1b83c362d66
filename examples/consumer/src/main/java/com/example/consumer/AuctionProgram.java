package com.example.consumer;

import java.util.List;
import java.util.Locale;
import org.gridtrade.auction.DoubleAuction;
import org.gridtrade.auction.DoubleAuctionResult;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.ReverseAuction;
import org.gridtrade.auction.ReverseAuctionResult;

/** A second-price reverse auction and a uniform-price double auction. */
public final class AuctionProgram {
  private AuctionProgram() {}

  /** What the program found. */
  public record Result(String leader, double leaderPayment, double volume, int trades) {}

  /**
   * Runs the program.
   *
   * @return the leader, its payment, and the double auction's volume and trade count
   */
  public static Result run() {
    List<Order> asks =
        List.of(
            new Order("sp-solar", 9.8, 1), new Order("sp-wind", 9.1, 1), new Order("sp-oil", 16, 1));
    ReverseAuctionResult leader = ReverseAuction.secondPrice().withReserve(14.0).run(asks);

    List<Order> sells = List.of(new Order("pv-1", 8.0, 6), new Order("pv-2", 9.5, 10));
    List<Order> buys = List.of(new Order("ev-1", 18.0, 7), new Order("house-1", 12.0, 5));
    DoubleAuctionResult market = DoubleAuction.uniformPrice(0.5).clear(buys, sells);
    return new Result(
        leader.winner().orElseThrow(),
        leader.payment().orElseThrow(),
        market.volume(),
        market.trades().size());
  }

  /**
   * Prints what {@link #run()} found.
   *
   * @param args none
   */
  public static void main(String[] args) {
    Result r = run();
    System.out.printf(
        Locale.ROOT,
        "leader %s paid %.2f c/kWh; double auction: %.1f kWh in %d trades%n",
        r.leader(),
        r.leaderPayment(),
        r.volume(),
        r.trades());
  }
}

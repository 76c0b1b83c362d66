package org.gridtrade.examples.auction;

import java.util.List;
import java.util.Locale;
import org.gridtrade.auction.SupplyDemandRatioPricing;
import org.gridtrade.auction.SupplyDemandRatioPricing.Clearing;
import org.gridtrade.auction.SupplyDemandRatioPricing.Microgrid;
import org.gridtrade.auction.SupplyDemandRatioPricing.NetPosition;

/**
 * Two-level supply–demand-ratio pricing (Haider §3.4; docs/auction.md): two microgrids clear
 * internally at SDR prices between the grid's feed-in and retail prices, then trade their net
 * positions with each other at a second SDR market.
 */
public final class SupplyDemandRatioExample {
  private SupplyDemandRatioExample() {}

  /**
   * Runs the example.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    SupplyDemandRatioPricing sdr =
        SupplyDemandRatioPricing.of(new SupplyDemandRatioPricing.Tariff(30.0, 8.0));
    System.out.println("Supply-demand-ratio pricing: grid retail 30.00, feed-in 8.00 c/kWh");
    System.out.println();
    System.out.println("price curve: SDR -> P_sell, P_buy");
    for (double ratio : new double[] {0, 0.25, 0.5, 0.75, 1.0, 1.5}) {
      System.out.printf(
          Locale.ROOT,
          "  SDR %4.2f -> %6.2f, %6.2f%n",
          ratio,
          sdr.sellPrice(ratio),
          sdr.buyPrice(ratio));
    }
    List<Microgrid> grids =
        List.of(
            new Microgrid(
                "north",
                List.of(
                    new NetPosition("n-pv-1", 6.0),
                    new NetPosition("n-pv-2", 2.5),
                    new NetPosition("n-house-1", -4.0),
                    new NetPosition("n-house-2", -7.5))),
            new Microgrid(
                "south",
                List.of(
                    new NetPosition("s-pv-1", 9.0),
                    new NetPosition("s-house-1", -2.0),
                    new NetPosition("s-ev-1", -3.0))));
    SupplyDemandRatioPricing.TwoLevelClearing two = sdr.clearTwoLevel(grids);
    for (int g = 0; g < grids.size(); g++) {
      System.out.println();
      print("level 1, microgrid " + grids.get(g).id(), two.microgrids().get(g));
    }
    System.out.println();
    print("level 2, between microgrids (each trades its net position)", two.interMicrogrid());
  }

  private static void print(String title, Clearing c) {
    System.out.println(title);
    System.out.printf(
        Locale.ROOT,
        "  supply %.2f kWh, demand %.2f kWh, SDR %.3f: P_sell %.3f, P_buy %.3f c/kWh,"
            + " %.2f kWh traded among peers%n",
        c.totalSupply(),
        c.totalDemand(),
        c.sdr(),
        c.sellPrice(),
        c.buyPrice(),
        c.peerVolume());
    for (SupplyDemandRatioPricing.Allocation a : c.allocations()) {
      System.out.printf(
          Locale.ROOT,
          "  %-10s net %6.2f kWh: peers %5.2f, grid %5.2f kWh, cash %+8.2f cents%n",
          a.id(),
          a.netEnergy(),
          a.peerEnergy(),
          a.gridEnergy(),
          a.cashFlow());
    }
  }
}

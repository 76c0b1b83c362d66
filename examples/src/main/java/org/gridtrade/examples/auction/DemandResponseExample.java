package org.gridtrade.examples.auction;

import java.util.List;
import java.util.Locale;
import org.gridtrade.auction.DemandResponseAuction;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.auction.DrInstance.Ev;
import org.gridtrade.auction.DrInstance.Sp;

/**
 * The iterative demand-response double auction (Aggarwal Alg. 8; docs/demand-response.md): four EVs
 * charge from two discharging SPs. Runs the literal bid update and the accelerated one on the same
 * market and compares rounds and welfare with the social-welfare optimum solved directly.
 */
public final class DemandResponseExample {
  private DemandResponseExample() {}

  /**
   * Runs the example.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    DrInstance market =
        new DrInstance(
            List.of(
                new Ev("ev-a", 0.2, 6, 35, 5.0),
                new Ev("ev-b", 0.6, 4, 20, 15.0),
                new Ev("ev-c", 0.4, 10, 50, 12.0),
                new Ev("ev-d", 0.9, 2, 10, 40.0)),
            List.of(
                new Sp("sp-1", 80, DrInstance.DEFAULT_C1, DrInstance.DEFAULT_C2),
                new Sp("sp-2", 60, DrInstance.DEFAULT_C1, DrInstance.DEFAULT_C2)),
            DrInstance.DEFAULT_ETA,
            DrInstance.DEFAULT_RHO,
            DrInstance.DEFAULT_XI);
    System.out.println("Demand-response double auction: 4 EVs, 2 SPs, xi 0.001");
    System.out.println();
    DemandResponseResult result = null;
    for (DemandResponseAuction.BidUpdate update : DemandResponseAuction.BidUpdate.values()) {
      result = DemandResponseAuction.builder().update(update).build().run(market);
      System.out.printf(
          Locale.ROOT,
          "%-11s %3d rounds, %s; welfare %.4f vs optimum %.4f (gap %.2e)%n",
          update,
          result.iterations(),
          result.converged() ? "converged" : "NOT converged",
          result.welfare(),
          result.optimalWelfare(),
          result.welfareGap());
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "individually rational: %s, weakly budget balanced: %s, settlement %s%n",
        result.individuallyRational(),
        result.weaklyBudgetBalanced(),
        result.settlement());
    for (int i = 0; i < market.evs().size(); i++) {
      System.out.printf(
          Locale.ROOT,
          "  %-5s pays %7.3f%n",
          result.settledEvPayments().get(i).id(),
          result.settledEvPayments().get(i).amount());
    }
    for (DemandResponseResult.Payment p : result.spRevenues()) {
      System.out.printf(Locale.ROOT, "  %-5s is paid %7.3f%n", p.id(), p.amount());
    }
    System.out.println();
    result.allocation().stream()
        .filter(f -> f.energy() > 1e-6)
        .forEach(
            f ->
                System.out.printf(
                    Locale.ROOT,
                    "  %-5s <- %-5s %6.2f kWh delivered (%6.2f kWh supplied)%n",
                    f.evId(),
                    f.spId(),
                    f.energy(),
                    f.supply()));
  }
}

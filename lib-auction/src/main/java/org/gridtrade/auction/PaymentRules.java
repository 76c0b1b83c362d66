package org.gridtrade.auction;

import java.util.ArrayList;
import java.util.List;
import org.gridtrade.auction.internal.DrModel;

/**
 * The payment rules of the demand-response auction, applied to a final allocation and checked per
 * participant against the outside option (docs/demand-response.md, "Individual rationality").
 */
final class PaymentRules {

  /** Relative tolerance of the IR and WBB checks (rounding of sums). */
  private static final double TOL = 1e-9;

  private PaymentRules() {}

  /**
   * The rule that keeps the allocation and is IR for every participant and weakly budget balanced
   * whenever any such rule exists: every EV pays its market bill (the SPs' marginal prices ×
   * quantities) up to what keeps it IR and within its maximum price; the relief is paid first from
   * the SPs' rents (down to their costs, one common fraction), then by the EVs with room left (pro
   * rata to room).
   *
   * @param in the market
   * @param x the final allocation, supply s_ji as x[i][j]
   * @param retailPrice the grid's retail price per kWh stored
   * @return the settlement
   */
  static DemandResponseResult.Payments individuallyRational(
      DrInstance in, double[][] x, double retailPrice) {
    int n = in.evs().size();
    int m = in.sps().size();
    double[] bill = new double[n];
    double[] cap = new double[n];
    double[] pay = new double[n];
    double rents = 0;
    double relief = 0;
    for (int i = 0; i < n; i++) {
      DrInstance.Ev ev = in.evs().get(i);
      double total = 0;
      for (int j = 0; j < m; j++) {
        DrInstance.Sp sp = in.sps().get(j);
        bill[i] += sp.marginalPrice(x[i][j]) * x[i][j];
        rents += sp.marginalPrice(x[i][j]) * x[i][j] - DrModel.cost(sp, x[i][j]);
        total += x[i][j];
      }
      double limit =
          Double.isInfinite(ev.maxPrice()) ? Double.POSITIVE_INFINITY : ev.maxPrice() * total;
      cap[i] =
          Math.max(0, Math.min(DrModel.utility(in, i, total) + retailPrice * ev.eMin(), limit));
      pay[i] = Math.min(bill[i], cap[i]);
      relief += bill[i] - pay[i];
    }
    // the SPs give up a common fraction theta of their rents (marginal price above cost)
    double theta = rents > 0 ? Math.min(1, relief / rents) : 0;
    double left = relief - theta * rents;
    if (left > 0) {
      double room = 0;
      for (int i = 0; i < n; i++) {
        room += cap[i] - pay[i];
      }
      double share = room > 0 ? Math.min(1, left / room) : 0;
      for (int i = 0; i < n; i++) {
        pay[i] += share * (cap[i] - pay[i]);
      }
      left -= share * room;
    }
    double[] rev = new double[m];
    double market = 0;
    for (int j = 0; j < m; j++) {
      DrInstance.Sp sp = in.sps().get(j);
      for (int i = 0; i < n; i++) {
        double value = sp.marginalPrice(x[i][j]) * x[i][j];
        double cost = DrModel.cost(sp, x[i][j]);
        rev[j] += value - theta * (value - cost);
      }
      market += rev[j];
    }
    if (left > 0 && market > 0) {
      // no rule keeps everyone IR: the SPs take the rest of the shortfall pro rata to revenue, so
      // the auctioneer still never loses money (and the SPs' IR check reports it)
      double keep = Math.max(0, 1 - left / market);
      for (int j = 0; j < m; j++) {
        rev[j] *= keep;
      }
    }
    return settle(
        in, x, retailPrice, DemandResponseAuction.PaymentRule.INDIVIDUALLY_RATIONAL, pay, rev);
  }

  /**
   * Checks a settlement per participant.
   *
   * @param in the market
   * @param x the allocation
   * @param retailPrice the grid's retail price per kWh stored
   * @param rule the rule that produced the payments
   * @param pay what each EV pays
   * @param rev what each SP is paid
   * @return the settlement with its checks
   */
  static DemandResponseResult.Payments settle(
      DrInstance in,
      double[][] x,
      double retailPrice,
      DemandResponseAuction.PaymentRule rule,
      double[] pay,
      double[] rev) {
    int n = in.evs().size();
    int m = in.sps().size();
    double k = in.eta() * in.rho();
    List<DemandResponseResult.EvOutcome> evs = new ArrayList<>(n);
    List<DemandResponseResult.SpOutcome> sps = new ArrayList<>(m);
    boolean ir = true;
    double paid = 0;
    double received = 0;
    for (int i = 0; i < n; i++) {
      DrInstance.Ev ev = in.evs().get(i);
      double total = 0;
      for (int j = 0; j < m; j++) {
        total += x[i][j];
      }
      double utility = DrModel.utility(in, i, total);
      double outside = -retailPrice * ev.eMin();
      boolean rational = utility - pay[i] >= outside - tol(utility, pay[i], outside);
      ir &= rational;
      paid += pay[i];
      evs.add(
          new DemandResponseResult.EvOutcome(
              ev.id(), k * total, utility, pay[i], outside, rational));
    }
    for (int j = 0; j < m; j++) {
      DrInstance.Sp sp = in.sps().get(j);
      double supply = 0;
      double cost = 0;
      for (int i = 0; i < n; i++) {
        supply += x[i][j];
        cost += DrModel.cost(sp, x[i][j]);
      }
      boolean rational = rev[j] - cost >= -tol(rev[j], cost, 0);
      ir &= rational;
      received += rev[j];
      sps.add(new DemandResponseResult.SpOutcome(sp.id(), supply, cost, rev[j], 0, rational));
    }
    double surplus = paid - received;
    return new DemandResponseResult.Payments(
        rule, evs, sps, ir, surplus >= -tol(paid, received, 0), surplus);
  }

  private static double tol(double a, double b, double c) {
    return TOL * Math.max(1, Math.max(Math.abs(a), Math.max(Math.abs(b), Math.abs(c))));
  }
}

package org.gridtrade.examples.report;

import java.util.List;
import org.gridtrade.auction.DemandResponseResult;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Charts of the demand-response auction. */
public final class DrCharts {
  private DrCharts() {}

  /**
   * The convergence chart: welfare per round against the optimum (left axis) and the EV and SP bids
   * of up to four (EV, SP) pairs (right axis).
   */
  public static XYChart chart(DemandResponseResult r) {
    XYChart chart =
        new XYChartBuilder()
            .width(960)
            .height(540)
            .title("Demand-response auction: convergence")
            .xAxisTitle("round")
            .yAxisTitle("social welfare")
            .build();
    int rounds = r.trace().size();
    double[] x = new double[rounds];
    double[] welfare = new double[rounds];
    double[] optimum = new double[rounds];
    for (int k = 0; k < rounds; k++) {
      x[k] = r.trace().get(k).round();
      welfare[k] = r.trace().get(k).welfare();
      optimum[k] = r.optimalWelfare();
    }
    XYSeries w = chart.addSeries("welfare", x, welfare);
    w.setMarker(SeriesMarkers.CIRCLE);
    XYSeries o = chart.addSeries("optimum (SWM)", x, optimum);
    o.setMarker(SeriesMarkers.NONE);
    o.setLineStyle(SeriesLines.DASH_DASH);
    int pairs = Math.min(4, r.trace().get(0).bids().size());
    List<DemandResponseResult.Bid> last = r.trace().get(rounds - 1).bids();
    for (int q = 0; q < pairs; q++) {
      double[] ev = new double[rounds];
      double[] sp = new double[rounds];
      for (int k = 0; k < rounds; k++) {
        DemandResponseResult.Bid bid = r.trace().get(k).bids().get(q);
        ev[k] = bid.evBid() / last.get(q).evBid();
        sp[k] = bid.spBid() / last.get(q).spBid();
      }
      DemandResponseResult.Bid first = r.trace().get(0).bids().get(q);
      XYSeries e = chart.addSeries("b " + first.evId() + "/" + first.spId(), x, ev);
      e.setYAxisGroup(1);
      e.setMarker(SeriesMarkers.NONE);
      XYSeries s = chart.addSeries("p " + first.spId() + "/" + first.evId(), x, sp);
      s.setYAxisGroup(1);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineStyle(SeriesLines.DOT_DOT);
    }
    chart.setYAxisGroupTitle(1, "bid / final bid");
    chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
    return chart;
  }
}

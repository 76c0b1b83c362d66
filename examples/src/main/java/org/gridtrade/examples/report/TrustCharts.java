package org.gridtrade.examples.report;

import org.gridtrade.examples.study.TrustSimulation.Result;
import org.gridtrade.examples.study.TrustSimulation.Round;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Charts of the trust simulation. */
public final class TrustCharts {
  private TrustCharts() {}

  /**
   * The mean trust score of honest and malicious traders per round.
   *
   * @param r the simulation's result
   * @param seed its seed, for the title
   * @return the chart
   */
  public static XYChart meanTrust(Result r, long seed) {
    XYChart c =
        new XYChartBuilder()
            .width(960)
            .height(540)
            .title("Mean trust score per round (trust-sim, seed " + seed + ")")
            .xAxisTitle("round (hours)")
            .yAxisTitle("trust score (0-5)")
            .build();
    double[] x = new double[r.rounds().size()];
    double[] h = new double[x.length];
    double[] m = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      Round rd = r.rounds().get(i);
      x[i] = rd.round();
      h[i] = rd.honestMeanTrust();
      m[i] = rd.maliciousMeanTrust();
    }
    c.addSeries("honest", x, h);
    c.addSeries("malicious", x, m);
    c.getStyler().setYAxisMin(0.0).setYAxisMax(5.0);
    return c;
  }
}

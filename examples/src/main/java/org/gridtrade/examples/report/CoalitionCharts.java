package org.gridtrade.examples.report;

import java.util.ArrayList;
import java.util.List;
import org.gridtrade.coalition.Coalition;
import org.gridtrade.coalition.Community;
import org.gridtrade.coalition.FormationResult;
import org.gridtrade.coalition.MemberScore;
import org.gridtrade.coalition.MiningOutcome;
import org.gridtrade.coalition.Payoff;
import org.gridtrade.coalition.Prosumer;
import org.gridtrade.coalition.Transfer;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Charts of coalition formation: the map of coalitions and transfers, losses and payoffs. */
public final class CoalitionCharts {
  private CoalitionCharts() {}

  private static final java.awt.Color[] PALETTE = {
    new java.awt.Color(0x1f77b4),
    new java.awt.Color(0xd62728),
    new java.awt.Color(0x2ca02c),
    new java.awt.Color(0x9467bd),
    new java.awt.Color(0xff7f0e),
    new java.awt.Color(0x8c564b),
    new java.awt.Color(0xe377c2),
    new java.awt.Color(0x17becf),
    new java.awt.Color(0xbcbd22),
    new java.awt.Color(0x7f7f7f)
  };

  public static XYChart mapChart(Community c, FormationResult r) {
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(800)
            .title("Coalitions and transfers")
            .xAxisTitle("x (km)")
            .yAxisTitle("y (km)")
            .build();
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(c.area().width());
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(c.area().height());
    int k = 0;
    for (Coalition co : r.coalitions()) {
      if (co.members().size() > 1) {
        k++;
      }
      double[] xs = new double[co.members().size()];
      double[] ys = new double[xs.length];
      for (int i = 0; i < xs.length; i++) {
        Prosumer p = c.prosumer(co.members().get(i).id()).orElseThrow();
        xs[i] = p.x();
        ys[i] = p.y();
      }
      String name = co.members().size() == 1 ? co.memberIds().get(0) : "coalition " + k;
      java.awt.Color colour =
          co.members().size() == 1
              ? java.awt.Color.GRAY
              : PALETTE[Math.max(0, k - 1) % PALETTE.length];
      XYSeries s = chart.addSeries(name, xs, ys);
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.CIRCLE);
      s.setMarkerColor(colour);
      s.setShowInLegend(co.members().size() > 1);
      for (Transfer t : co.transfers()) {
        double[][] ends = {point(c, t.from()), point(c, t.to())};
        XYSeries line =
            chart.addSeries(
                "%s-%s".formatted(t.from(), t.to()),
                new double[] {ends[0][0], ends[1][0]},
                new double[] {ends[0][1], ends[1][1]});
        line.setMarker(SeriesMarkers.NONE);
        line.setShowInLegend(false);
        line.setLineColor(t.internal() ? colour : java.awt.Color.LIGHT_GRAY);
        line.setLineStyle(t.internal() ? SeriesLines.SOLID : SeriesLines.DOT_DOT);
      }
    }
    XYSeries edc =
        chart.addSeries(
            Transfer.EDC, new double[] {c.area().edcX()}, new double[] {c.area().edcY()});
    edc.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    edc.setMarker(SeriesMarkers.DIAMOND);
    edc.setMarkerColor(java.awt.Color.BLACK);
    return chart;
  }

  private static double[] point(Community c, String id) {
    if (Transfer.EDC.equals(id)) {
      return new double[] {c.area().edcX(), c.area().edcY()};
    }
    Prosumer p = c.prosumer(id).orElseThrow();
    return new double[] {p.x(), p.y()};
  }

  public static CategoryChart lossChart(FormationResult r) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(960)
            .height(540)
            .title("Loss acting alone and in the coalition")
            .xAxisTitle("prosumer")
            .yAxisTitle("loss (kWh)")
            .build();
    List<String> ids = new ArrayList<>();
    List<Double> alone = new ArrayList<>();
    List<Double> in = new ArrayList<>();
    for (MemberScore m : r.members()) {
      ids.add(m.id());
      alone.add(m.standaloneLoss());
      in.add(m.coalitionLoss());
    }
    chart.addSeries("alone", ids, alone);
    chart.addSeries("in coalition", ids, in);
    return chart;
  }

  public static CategoryChart payoffChart(MiningOutcome m) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(960)
            .height(540)
            .title("Payoffs: saving and mining-reward share")
            .xAxisTitle("prosumer")
            .yAxisTitle("kWh")
            .build();
    chart.getStyler().setStacked(true);
    List<String> ids = new ArrayList<>();
    List<Double> save = new ArrayList<>();
    List<Double> reward = new ArrayList<>();
    for (Payoff p : m.payoffs()) {
      ids.add(p.id());
      save.add(p.saving());
      reward.add(p.rewardShare());
    }
    chart.addSeries("energy saving", ids, save);
    chart.addSeries("reward share", ids, reward);
    return chart;
  }
}

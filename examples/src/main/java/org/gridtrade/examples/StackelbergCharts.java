package org.gridtrade.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gridtrade.game.stackelberg.StackelbergSolution;
import org.gridtrade.game.stackelberg.TradeOffPoint;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG and SVG charts of a PETS solution: prices, load before/after, GA convergence, trade-off. */
final class StackelbergCharts {
  private StackelbergCharts() {}

  /**
   * Writes the charts into {@code dir} and returns the files written.
   *
   * @param dir an existing directory
   * @param s the solution
   * @param curve the trade-off curve, may be empty
   * @return the files written
   * @throws IOException when a file cannot be written
   */
  static List<Path> write(Path dir, StackelbergSolution s, List<TradeOffPoint> curve)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    List<Double> hours = new ArrayList<>();
    for (int h = 0; h < 24; h++) {
      hours.add((double) ((h + 8) % 24 == 0 ? 24 : h + 8));
    }

    XYChart prices =
        chart(
            "Hourly prices (clock hour; 24 = midnight, 31 = 07:00 next day)",
            "clock hour",
            "c/kWh");
    step(prices, "leader (GA)", hours, s.prices());
    step(prices, "time-of-use (Table 3.1)", hours, s.timeOfUse().prices());
    save(prices, dir.resolve("stackelberg-prices"), files);

    XYChart load = chart("EV load before and after scheduling", "clock hour", "kWh");
    step(
        load,
        "unscheduled (PAR %.2f)".formatted(s.parUnscheduled()),
        hours,
        s.unscheduled().load());
    step(load, "PETS prices (PAR %.2f)".formatted(s.par()), hours, s.outcome().load());
    step(
        load, "time-of-use (PAR %.2f)".formatted(s.timeOfUse().par()), hours, s.timeOfUse().load());
    save(load, dir.resolve("stackelberg-load"), files);

    XYChart ga = chart("GA convergence: best fitness per generation", "generation", "cents");
    List<Double> gens = new ArrayList<>();
    for (int g = 0; g < s.fitnessTrace().size(); g++) {
      gens.add((double) g);
    }
    if (!gens.isEmpty()) {
      ga.addSeries("best fitness", gens, s.fitnessTrace()).setMarker(SeriesMarkers.NONE);
      save(ga, dir.resolve("stackelberg-convergence"), files);
    }

    if (!curve.isEmpty()) {
      XYChart t =
          chart("Trade-off: profit vs PAR over the load-shaping weight", "PAR", "profit (c)");
      List<Double> par = curve.stream().map(TradeOffPoint::par).toList();
      List<Double> profit = curve.stream().map(TradeOffPoint::profit).toList();
      t.addSeries(
          "profit - w*PAR, w = " + curve.stream().map(p -> fmt(p.weight())).toList(), par, profit);
      save(t, dir.resolve("stackelberg-tradeoff"), files);
    }
    return files;
  }

  private static String fmt(double w) {
    return w == Math.rint(w) ? Long.toString((long) w) : Double.toString(w);
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart c =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title(title)
            .xAxisTitle(x)
            .yAxisTitle(y)
            .build();
    c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    return c;
  }

  private static void step(XYChart c, String name, List<Double> x, List<Double> y) {
    // A step series draws each value from its hour to the next: repeat the last value one hour on.
    List<Double> xs = new ArrayList<>(x);
    List<Double> ys = new ArrayList<>(y);
    xs.add(x.get(x.size() - 1) + 1);
    ys.add(y.get(y.size() - 1));
    XYSeries s = c.addSeries(name, xs, ys);
    s.setMarker(SeriesMarkers.NONE);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
  }

  private static void save(XYChart c, Path base, List<Path> files) throws IOException {
    BitmapEncoder.saveBitmap(c, base.toString(), BitmapEncoder.BitmapFormat.PNG);
    VectorGraphicsEncoder.saveVectorGraphic(
        c, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    files.add(Path.of(base + ".png"));
    files.add(Path.of(base + ".svg"));
  }
}

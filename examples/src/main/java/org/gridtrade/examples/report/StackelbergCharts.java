package org.gridtrade.examples.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import java.util.stream.IntStream;
import org.gridtrade.examples.demo.CommunityDay;
import org.gridtrade.game.stackelberg.StackelbergSolution;
import org.gridtrade.game.stackelberg.TradeOffPoint;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG and SVG charts of a PETS solution: prices, load before/after, GA convergence, trade-off. */
public final class StackelbergCharts {
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
  public static List<Path> write(Path dir, StackelbergSolution s, List<TradeOffPoint> curve)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    save(pricesChart(s), dir.resolve("stackelberg-prices"), files);
    save(loadChart(s), dir.resolve("stackelberg-load"), files);

    XYChart ga = chart("GA convergence: best fitness per generation", "generation", "cents");
    // A flat trace (the seeded population already held the best) would print its one value raw.
    ga.getStyler().setYAxisDecimalPattern("#,##0.00");
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

  /** The leader's and the time-of-use prices by hour, on a clock-time axis. */
  public static XYChart pricesChart(StackelbergSolution s) {
    XYChart prices = chart("Hourly prices over the day (08:00 to 08:00)", CLOCK_AXIS, "c/kWh");
    clockAxis(prices);
    step(prices, "leader (GA)", HOURS, s.prices());
    step(prices, "time-of-use (Table 3.1)", HOURS, s.timeOfUse().prices());
    return prices;
  }

  /** The EV load unscheduled, at the leader's prices and at time-of-use, on a clock-time axis. */
  public static XYChart loadChart(StackelbergSolution s) {
    XYChart load = chart("EV load before and after scheduling", CLOCK_AXIS, "kWh");
    clockAxis(load);
    step(
        load,
        "unscheduled (PAR %.2f)".formatted(s.parUnscheduled()),
        HOURS,
        s.unscheduled().load());
    step(load, "PETS prices (PAR %.2f)".formatted(s.par()), HOURS, s.outcome().load());
    step(
        load, "time-of-use (PAR %.2f)".formatted(s.timeOfUse().par()), HOURS, s.timeOfUse().load());
    return load;
  }

  /** The starts of the day's 24 hours, 08:00 to 07:00 next morning (the demo's calendar day). */
  private static final List<Date> HOURS =
      IntStream.range(0, 24).mapToObj(StackelbergCharts::hourStart).toList();

  /** Title of an hour axis labelled by {@link #clockAxis}. */
  static final String CLOCK_AXIS = "time of day (the day runs 08:00 to 08:00)";

  /** Pattern of the clock-time tick labels. */
  static final String CLOCK_PATTERN = "HH:mm";

  /**
   * The start of game hour {@code h} (0 = 08:00) on the demo's day, for a date x axis.
   *
   * @param h hours since 08:00
   * @return the instant, as a {@link Date}
   */
  static Date hourStart(int h) {
    return Date.from(CommunityDay.DAY_START.plusSeconds(3_600L * h));
  }

  /**
   * Labels a date x axis as clock times (UTC, the day's zone): 08:00, 10:00, ..., 00:00, ...,
   * 08:00.
   *
   * @param c a chart whose x values are dates
   */
  static void clockAxis(XYChart c) {
    c.getStyler()
        .setDatePattern(CLOCK_PATTERN)
        .setTimezone(TimeZone.getTimeZone("UTC"))
        .setLocale(Locale.ROOT);
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

  private static void step(XYChart c, String name, List<Date> x, List<Double> y) {
    // A step series draws each value from its hour to the next: repeat the last value one hour on.
    List<Date> xs = new ArrayList<>(x);
    List<Double> ys = new ArrayList<>(y);
    xs.add(hourStart(x.size()));
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

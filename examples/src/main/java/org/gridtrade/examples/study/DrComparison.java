package org.gridtrade.examples.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.gridtrade.auction.DemandResponseAuction;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.auction.DrFlow;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.auction.SpSelection;
import org.gridtrade.examples.report.Charts;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * The comparison of Aggarwal Fig. 4.5–4.6 (docs/demand-response.md, "Comparison with Kang et al."):
 * the proposed scheme (Alg. 7 then Alg. 8, transmission efficiency 95 %) against the scheme of
 * Aggarwal's reference [177] (Kang et al.: the same iterative double auction between vehicles,
 * without the SP selection, transmission efficiency 90 %), on the same seeded markets.
 */
public final class DrComparison {

  /** EV counts on the figures' x axis; each market has max(2, EVs / 5) SPs. */
  static final int[] EV_COUNTS = {10, 20, 30, 40, 50};

  /**
   * One compared scheme.
   *
   * @param name the label
   * @param rho its transmission efficiency
   * @param selection whether Alg. 7 selects the SPs first
   */
  record Scheme(String name, double rho, boolean selection) {}

  static final Scheme PROPOSED = new Scheme("proposed", 0.95, true);
  static final Scheme KANG = new Scheme("Kang et al. [177]", 0.90, false);

  /**
   * Averages over the markets of one size for one scheme.
   *
   * @param evs EVs per market
   * @param scheme the scheme's name
   * @param buyingPrice Σ EV payments / Σ energy the EVs receive
   * @param sellingPrice Σ SP revenues / Σ energy the SPs supply
   * @param transmitted energy the EVs receive per market, kWh
   * @param available SP capacity per market, kWh
   * @param efficiency energy received / energy supplied
   */
  public record Point(
      int evs,
      String scheme,
      double buyingPrice,
      double sellingPrice,
      double transmitted,
      double available,
      double efficiency) {}

  private DrComparison() {}

  public static List<Point> run(long seed, int markets, boolean prices) {
    DemandResponseAuction auction = DemandResponseAuction.builder().build();
    List<Point> out = new ArrayList<>();
    for (int n : EV_COUNTS) {
      int m = Math.max(2, n / 5);
      for (Scheme scheme : List.of(PROPOSED, KANG)) {
        double paid = 0;
        double received = 0;
        double revenue = 0;
        double supplied = 0;
        double available = 0;
        for (int k = 0; k < markets; k++) {
          SplittableRandom r = new SplittableRandom(seed + 1_000L * n + k);
          DrInstance base =
              prices ? DrInstance.randomWithPrices(n, m, r) : DrInstance.random(n, m, r);
          DrInstance market =
              new DrInstance(base.evs(), base.sps(), base.eta(), scheme.rho(), base.xi());
          if (scheme.selection()) {
            market = SpSelection.restrict(market);
          }
          DemandResponseResult result = auction.run(market);
          for (DemandResponseResult.EvOutcome e : result.payments().evs()) {
            paid += e.payment();
          }
          for (DemandResponseResult.SpOutcome s : result.payments().sps()) {
            revenue += s.revenue();
          }
          for (DrFlow f : result.allocation()) {
            received += f.energy();
            supplied += f.supply();
          }
          for (DrInstance.Sp sp : market.sps()) {
            available += sp.capacity();
          }
        }
        out.add(
            new Point(
                n,
                scheme.name(),
                paid / received,
                revenue / supplied,
                received / markets,
                available / markets,
                received / supplied));
      }
    }
    return List.copyOf(out);
  }

  public static String table(List<Point> points) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%nFig. 4.5-4.6: %s (Alg. 7 + Alg. 8, rho %.2f) vs %s (rho %.2f)%n",
            PROPOSED.name(),
            PROPOSED.rho(),
            KANG.name(),
            KANG.rho()));
    b.append(
        String.format(
            Locale.ROOT,
            "%4s  %-18s %10s %10s %13s %11s %10s%n",
            "EVs",
            "scheme",
            "buy /kWh",
            "sell /kWh",
            "received kWh",
            "capacity",
            "efficiency"));
    for (Point p : points) {
      b.append(
          String.format(
              Locale.ROOT,
              "%4d  %-18s %10.3f %10.3f %13.1f %11.1f %9.1f%%%n",
              p.evs(),
              p.scheme(),
              p.buyingPrice(),
              p.sellingPrice(),
              p.transmitted(),
              p.available(),
              100 * p.efficiency()));
    }
    return b.toString();
  }

  /** Writes fig-4-5-prices.png and fig-4-6-energy.png into a directory. */
  public static List<Path> draw(List<Point> points, Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> x = new ArrayList<>();
    for (int n : EV_COUNTS) {
      x.add(Integer.toString(n));
    }
    CategoryChart prices =
        new CategoryChartBuilder()
            .width(960)
            .height(540)
            .title("Average buying and selling price (Aggarwal Fig. 4.5)")
            .xAxisTitle("EVs")
            .yAxisTitle("price per kWh")
            .build();
    CategoryChart energy =
        new CategoryChartBuilder()
            .width(960)
            .height(540)
            .title("Transmitted and available energy (Aggarwal Fig. 4.6)")
            .xAxisTitle("EVs")
            .yAxisTitle("kWh per market")
            .build();
    for (Scheme s : List.of(PROPOSED, KANG)) {
      prices.addSeries(s.name() + ": buying", x, series(points, s, Point::buyingPrice));
      prices.addSeries(s.name() + ": selling", x, series(points, s, Point::sellingPrice));
      energy.addSeries(s.name() + ": transmitted", x, series(points, s, Point::transmitted));
    }
    energy.addSeries("available at SPs", x, series(points, PROPOSED, Point::available));
    Path a = dir.resolve("fig-4-5-prices.png");
    Path b = dir.resolve("fig-4-6-energy.png");
    Charts.write(prices, a);
    Charts.write(energy, b);
    return List.of(a, b);
  }

  private static List<Double> series(
      List<Point> points, Scheme s, java.util.function.ToDoubleFunction<Point> f) {
    List<Double> out = new ArrayList<>();
    for (Point p : points) {
      if (p.scheme().equals(s.name())) {
        out.add(f.applyAsDouble(p));
      }
    }
    return out;
  }
}

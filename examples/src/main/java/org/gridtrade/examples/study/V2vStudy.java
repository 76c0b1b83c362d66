package org.gridtrade.examples.study;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.gridtrade.consensus.posoc.ProofOfStateOfCharge;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.game.v2v.FederatedRound;
import org.gridtrade.game.v2v.FederatedTraining;
import org.gridtrade.game.v2v.FederatedTraining.AggregatorDraw;
import org.gridtrade.game.v2v.FederatedTraining.Variant;
import org.gridtrade.game.v2v.OptimalCausalPolicy;
import org.gridtrade.game.v2v.PerfectForesight;
import org.gridtrade.game.v2v.PpoConfig;
import org.gridtrade.game.v2v.RuleBasedPolicy;
import org.gridtrade.game.v2v.TouPrices;
import org.gridtrade.game.v2v.V2vEpisode;
import org.gridtrade.game.v2v.V2vPolicy;
import org.gridtrade.game.v2v.V2vPopulation;
import org.gridtrade.game.v2v.V2vScenario;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The computations behind {@code gridtrade v2v}: the scenario file, the fleet, the PoSOC draw of
 * the aggregator, held-out evaluation against the exact yardsticks, and the charts.
 */
public final class V2vStudy {
  private V2vStudy() {}

  /** Grid resolution of the dynamic-programming yardsticks ({@code K}, docs/v2v.md). */
  public static final int DP_STEPS = 20;

  /** Offset of the held-out days' seed, so they are never the training days. */
  static final long HELD_OUT = 0x7E57_DA75L;

  private static final byte[] DRAW_SEED =
      "GridTrade/v2v/study/period".getBytes(StandardCharsets.US_ASCII);

  /**
   * A fleet drawn from Table 4.1's population (normal or uniform) with a template's other fields.
   *
   * @param n how many EVs
   * @param uniform the uniform variant
   * @param template the shared fields
   * @param seed the seed of the draw
   * @return the EVs
   */
  public static List<V2vScenario> fleet(int n, boolean uniform, V2vScenario template, long seed) {
    V2vPopulation pop = new V2vPopulation(uniform, template);
    SplittableRandom rng = new SplittableRandom(seed);
    List<V2vScenario> evs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      evs.add(pop.sample(rng));
    }
    return evs;
  }

  /**
   * The address the PoSOC draw knows EV {@code i} by.
   *
   * @param i the EV's index
   * @return a 20-byte address derived from the index
   */
  static Address address(int i) {
    byte[] h = Hash.sha256(("GridTrade/v2v/ev/" + i).getBytes(StandardCharsets.US_ASCII)).bytes();
    return Address.ofBytes(Arrays.copyOf(h, Address.LENGTH));
  }

  /** How often the PoSOC draw found no EV with a positive score (then the top score aggregates). */
  public static final class PosocDraw implements AggregatorDraw {
    private final long seed;
    public int fallbacks;

    public PosocDraw(long seed) {
      this.seed = seed;
    }

    @Override
    public int draw(int round, List<Double> scores) {
      List<StateOfChargeSource.Candidate> cs = new ArrayList<>();
      for (int i = 0; i < scores.size(); i++) {
        cs.add(new StateOfChargeSource.Candidate(address(i), scores.get(i), 0));
      }
      ProofOfStateOfCharge posoc =
          ProofOfStateOfCharge.builder().source(StateOfChargeSource.fixed(cs, List.of())).build();
      // On chain the draw is seeded by the hash of the block before the period; off chain a hash
      // of the run's seed stands in for it (the draw mixes in the period, here the round).
      Hash periodSeed =
          Hash.sha256(DRAW_SEED, Long.toString(seed).getBytes(StandardCharsets.US_ASCII));
      List<ProofOfStateOfCharge.Draw> order = posoc.drawOrder(periodSeed, round);
      if (order.isEmpty()) {
        fallbacks++;
        return AggregatorDraw.highestScore().draw(round, scores);
      }
      Address a = order.get(0).address();
      for (int i = 0; i < scores.size(); i++) {
        if (address(i).equals(a)) {
          return i;
        }
      }
      throw new IllegalStateException("the drawn address is no EV of the fleet");
    }
  }

  /**
   * Held-out days: their own seed, never a training day.
   *
   * @param prices the tariff
   * @param days how many
   * @param seed the run's seed
   * @return the days' retail prices
   */
  public static List<double[]> heldOutDays(TouPrices prices, int days, long seed) {
    SplittableRandom rng = new SplittableRandom(seed ^ HELD_OUT);
    List<double[]> out = new ArrayList<>(days);
    for (int d = 0; d < days; d++) {
      out.add(prices.sampleDay(rng));
    }
    return out;
  }

  /** Mean return and profit of a policy over days. */
  public record Score(double meanReturn, double meanProfit) {}

  public static Score play(V2vScenario s, V2vPolicy p, List<double[]> days) {
    double r = 0;
    double m = 0;
    for (double[] day : days) {
      V2vEpisode e = V2vEpisode.play(s, p, day);
      r += e.totalReward();
      m += e.totalProfit();
    }
    return new Score(r / days.size(), m / days.size());
  }

  public static Score perfectForesight(V2vScenario s, List<double[]> days) {
    double r = 0;
    double m = 0;
    for (double[] day : days) {
      V2vEpisode e = PerfectForesight.solve(s, day, DP_STEPS);
      r += e.totalReward();
      m += e.totalProfit();
    }
    return new Score(r / days.size(), m / days.size());
  }

  /** The held-out mean return of every EV's current policy, averaged over the EVs. */
  public static double fleetReturn(
      List<V2vScenario> evs, IntFunction<V2vPolicy> policies, List<double[]> days) {
    double sum = 0;
    for (int i = 0; i < evs.size(); i++) {
      sum += play(evs.get(i), policies.apply(i), days).meanReturn();
    }
    return sum / evs.size();
  }

  /**
   * One variant's training run, evaluated on held-out days after every round.
   *
   * @param variant the variant
   * @param rounds what each round did
   * @param heldOut the fleet's mean held-out return after each round
   * @param seconds the wall time of training (evaluation excluded)
   * @param training the trained fleet
   */
  public record Run(
      Variant variant,
      List<FederatedRound> rounds,
      List<Double> heldOut,
      double seconds,
      FederatedTraining training) {

    /** The first round whose held-out return reaches {@code level}, or −1. */
    public int roundReaching(double level) {
      for (int r = 0; r < heldOut.size(); r++) {
        if (heldOut.get(r) >= level) {
          return r;
        }
      }
      return -1;
    }

    /** The seconds of training up to and including a round (rounds cost about the same). */
    public double secondsTo(int round) {
      return seconds * (round + 1) / rounds.size();
    }
  }

  /** Reports progress: at most 11 lines on standard error. */
  public static final class Progress {
    private final PrintWriter err;
    private final String what;
    private final long total;
    private int shown = -1;

    public Progress(PrintWriter err, String what, long total) {
      this.err = err;
      this.what = what;
      this.total = Math.max(1, total);
    }

    public void at(long done, String unit) {
      int percent = (int) Math.min(100, done * 100 / total);
      if (percent / 10 != shown) {
        shown = percent / 10;
        err.printf(Locale.ROOT, "%s: %,d of %,d %s (%d %%)%n", what, done, total, unit, percent);
        err.flush();
      }
    }
  }

  /**
   * One variant's training run with a server step ({@link FederatedTraining.Config#serverStep}).
   *
   * @param variant the variant
   * @param evs the fleet
   * @param ppo the PPO configuration
   * @param serverStep the server step, 1 for Eq. 4.19
   * @param stepsPerEv about how many steps each EV trains
   * @param draw the aggregator draw
   * @param days the held-out days of the curve
   * @param err where progress goes
   * @return the run
   */
  public static Run train(
      Variant variant,
      List<V2vScenario> evs,
      PpoConfig ppo,
      double serverStep,
      long stepsPerEv,
      AggregatorDraw draw,
      List<double[]> days,
      PrintWriter err) {
    long perRound = Math.max(ppo.stepsPerUpdate(), FederatedTraining.ROUND_STEPS);
    FederatedTraining t =
        new FederatedTraining(
            new FederatedTraining.Config(variant, perRound, ppo, serverStep), evs, draw);
    int rounds = (int) Math.max(1, (stepsPerEv + perRound - 1) / perRound);
    Progress progress =
        new Progress(err, "training %s".formatted(variant.name().toLowerCase(Locale.ROOT)), rounds);
    List<FederatedRound> out = new ArrayList<>();
    List<Double> heldOut = new ArrayList<>();
    long nanos = 0;
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      out.add(t.round());
      nanos += System.nanoTime() - t0;
      heldOut.add(fleetReturn(evs, t::policy, days));
      progress.at(r + 1, "rounds");
    }
    return new Run(variant, out, heldOut, nanos / 1e9, t);
  }

  public static double optimalMean(List<V2vScenario> evs) {
    double s = 0;
    for (V2vScenario ev : evs) {
      s += OptimalCausalPolicy.solve(ev, DP_STEPS).expectedReturn();
    }
    return s / evs.size();
  }

  static double ruleMean(List<V2vScenario> evs, List<double[]> days) {
    return fleetReturn(evs, i -> RuleBasedPolicy.of(evs.get(i)), days);
  }

  // Charts -----------------------------------------------------------------------------------

  public static XYChart chart(String title, String x, String y) {
    XYChart c =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title(title)
            .xAxisTitle(x)
            .yAxisTitle(y)
            .build();
    c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
    c.getStyler().setXAxisDecimalPattern("#,##0");
    return c;
  }

  public static void line(XYChart c, String name, List<Double> x, List<Double> y) {
    XYSeries s = c.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.NONE);
  }

  static void step(XYChart c, String name, List<Double> hours, List<Double> y) {
    List<Double> xs = new ArrayList<>(hours);
    List<Double> ys = new ArrayList<>(y);
    xs.add(hours.get(hours.size() - 1) + 1);
    ys.add(y.get(y.size() - 1));
    XYSeries s = c.addSeries(name, xs, ys);
    s.setMarker(SeriesMarkers.NONE);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
  }

  public static void save(XYChart c, Path dir, String name, List<Path> files) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(dir);
    String base = dir.resolve(name).toString();
    BitmapEncoder.saveBitmap(c, base, BitmapEncoder.BitmapFormat.PNG);
    VectorGraphicsEncoder.saveVectorGraphic(
        c, base, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    files.add(Path.of(base + ".png"));
    files.add(Path.of(base + ".svg"));
  }

  /** The hourly actions of policies on one day, as a step chart (Fig. 4.7). */
  public static XYChart actionsChart(
      String title, V2vScenario s, List<String> names, List<V2vEpisode> es) {
    XYChart c = chart(title, "hour of day", "kWh (+ charge, - discharge)");
    for (int k = 0; k < es.size(); k++) {
      List<Double> hours = new ArrayList<>();
      List<Double> a = new ArrayList<>();
      es.get(k)
          .steps()
          .forEach(
              st -> {
                hours.add((double) st.hour());
                a.add(st.appliedKwh());
              });
      step(c, names.get(k), hours, a);
    }
    return c;
  }

  public static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  public static List<Double> indices(int n, double scale) {
    List<Double> x = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      x.add((i + 1) * scale);
    }
    return x;
  }
}

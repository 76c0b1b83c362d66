package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.gridtrade.auction.DemandResponseAuction;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.examples.study.DrComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gridtrade dr-study}: runs the demand-response auction on many seeded random instances and
 * reports rounds to convergence and the welfare gap to the SWM optimum.
 */
@Command(
    name = "dr-study",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Runs the iterative demand-response double auction on seeded random instances in Aggarwal's"
          + " parameter ranges (EV demand 10-60 kWh, willingness 10-60, SP capacity 50-250 kWh,"
          + " c1 = 0.01, c2 = 0.015, eta = 0.8, rho = 0.9, xi = 0.001) and reports the rounds to"
          + " convergence and the welfare gap to the directly solved optimum (SWM).",
      "Instance i uses the random stream seeded with seed + i; the EV and SP counts are drawn"
          + " uniformly from --evs and --sps."
    })
public final class DrStudyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--instances",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Random instances, 1..10000000 (default: ${DEFAULT-VALUE}).")
  int instances;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seed of the first instance (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--threads",
      paramLabel = "T",
      defaultValue = "1",
      description = "Worker threads, 1..256 (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--evs",
      paramLabel = "MIN..MAX",
      defaultValue = "3..10",
      description = "EVs per instance (default: ${DEFAULT-VALUE}).")
  String evs;

  @Option(
      names = "--sps",
      paramLabel = "MIN..MAX",
      defaultValue = "2..5",
      description = "SPs per instance (default: ${DEFAULT-VALUE}).")
  String sps;

  @Option(
      names = "--update",
      paramLabel = "RULE",
      defaultValue = "SECANT",
      description = "Bid update rule: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  DemandResponseAuction.BidUpdate update;

  @Option(
      names = "--compare",
      description =
          "Also run the LITERAL update on the same instances and report it, and compare the"
              + " proposed scheme with Kang et al. (Aggarwal's reference [177]) as in Aggarwal Fig."
              + " 4.5-4.6: prints the numbers and draws both figures into --out.")
  boolean compare;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = ".",
      description = "Directory for the --compare figures (default: the current directory).")
  java.nio.file.Path outDir;

  @Option(
      names = "--max-rounds",
      paramLabel = "N",
      defaultValue = "500",
      description = "Most rounds per run (default: ${DEFAULT-VALUE}).")
  int maxRounds;

  @Option(
      names = "--prices",
      description =
          "Draw Aggarwal's minimum selling prices (SPs, 5-50 per kWh) and maximum buying prices"
              + " (EVs) as constraints of the markets.")
  boolean prices;

  @Option(
      names = "--retail-price",
      paramLabel = "PRICE",
      defaultValue = "75",
      description =
          "Grid retail price per kWh stored, the EVs' outside option, 0..1e9 (default:"
              + " ${DEFAULT-VALUE}).")
  double retailPrice;

  @Mixin JsonOutput output;

  /** Summary of one rule over all instances. */
  record Summary(
      String update,
      int instances,
      double meanRounds,
      double medianRounds,
      int maxRounds,
      int converged,
      int individuallyRational,
      int eq415IndividuallyRational,
      int weaklyBudgetBalanced,
      double meanGap,
      double maxGap,
      double millisPerInstance,
      List<Integer> unconverged,
      int worstGapInstance) {}

  /** The most unconverged instances a summary lists by index. */
  static final int MAX_LISTED = 100;

  @Override
  public Integer call() throws Exception {
    if (instances < 1 || instances > 10_000_000) {
      throw bad("--instances %d is outside 1..10000000".formatted(instances));
    }
    if (threads < 1 || threads > 256) {
      throw bad("--threads %d is outside 1..256".formatted(threads));
    }
    if (maxRounds < 1) {
      throw bad("--max-rounds %d must be >= 1".formatted(maxRounds));
    }
    if (!(retailPrice >= 0 && retailPrice <= 1e9)) {
      throw bad("--retail-price %s is outside 0..1e9".formatted(retailPrice));
    }
    int[] evRange = range("--evs", evs);
    int[] spRange = range("--sps", sps);
    List<Summary> summaries = new ArrayList<>();
    summaries.add(study(update, evRange, spRange));
    if (compare && update != DemandResponseAuction.BidUpdate.LITERAL) {
      summaries.add(study(DemandResponseAuction.BidUpdate.LITERAL, evRange, spRange));
    }
    List<DrComparison.Point> schemes =
        compare ? DrComparison.run(seed, Math.min(instances, 20), prices) : List.of();
    List<java.nio.file.Path> figures = compare ? DrComparison.draw(schemes, outDir) : List.of();
    output.print(
        () -> toJson(summaries, evRange, spRange, schemes, figures),
        () -> toText(summaries, evRange, spRange, schemes, figures));
    return 0;
  }

  private Summary study(DemandResponseAuction.BidUpdate rule, int[] evRange, int[] spRange)
      throws Exception {
    DemandResponseAuction auction =
        DemandResponseAuction.builder()
            .update(rule)
            .maxRounds(maxRounds)
            .retailPrice(retailPrice)
            .build();
    int[] rounds = new int[instances];
    double[] gaps = new double[instances];
    boolean[] converged = new boolean[instances];
    boolean[] rational = new boolean[instances];
    boolean[] sourceRational = new boolean[instances];
    boolean[] balanced = new boolean[instances];
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int k = first; k < instances; k += threads) {
                    DemandResponseResult r = auction.run(instance(k, evRange, spRange));
                    rounds[k] = r.iterations();
                    gaps[k] = r.welfareGap();
                    converged[k] = r.converged();
                    rational[k] = r.payments().individuallyRational();
                    sourceRational[k] = r.comparedPayments().individuallyRational();
                    balanced[k] = r.weaklyBudgetBalanced();
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    double millis = (System.nanoTime() - start) / 1e6;
    long sum = 0;
    int max = 0;
    int conv = 0;
    int ir = 0;
    int irSource = 0;
    int wbb = 0;
    double gapSum = 0;
    double gapMax = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < instances; k++) {
      sum += rounds[k];
      max = Math.max(max, rounds[k]);
      conv += converged[k] ? 1 : 0;
      ir += rational[k] ? 1 : 0;
      irSource += sourceRational[k] ? 1 : 0;
      wbb += balanced[k] ? 1 : 0;
      gapSum += gaps[k];
      gapMax = Math.max(gapMax, gaps[k]);
    }
    // the instances to look at again: index k is the market drawn from seed + k
    List<Integer> unconverged = new ArrayList<>();
    int worst = 0;
    for (int k = 0; k < instances; k++) {
      if (!converged[k] && unconverged.size() < MAX_LISTED) {
        unconverged.add(k);
      }
      if (gaps[k] > gaps[worst]) {
        worst = k;
      }
    }
    int[] sorted = rounds.clone();
    Arrays.sort(sorted);
    double median =
        instances % 2 == 1
            ? sorted[instances / 2]
            : 0.5 * (sorted[instances / 2 - 1] + sorted[instances / 2]);
    return new Summary(
        rule.name(),
        instances,
        (double) sum / instances,
        median,
        max,
        conv,
        ir,
        irSource,
        wbb,
        gapSum / instances,
        gapMax,
        millis / instances,
        List.copyOf(unconverged),
        worst);
  }

  private DrInstance instance(int k, int[] evRange, int[] spRange) {
    SplittableRandom r = new SplittableRandom(seed + k);
    int n = evRange[0] + r.nextInt(evRange[1] - evRange[0] + 1);
    int m = spRange[0] + r.nextInt(spRange[1] - spRange[0] + 1);
    return prices ? DrInstance.randomWithPrices(n, m, r) : DrInstance.random(n, m, r);
  }

  private int[] range(String option, String value) {
    String[] parts = value.split("\\.\\.", -1);
    try {
      int lo = Integer.parseInt(parts[0].strip());
      int hi = parts.length == 2 ? Integer.parseInt(parts[1].strip()) : lo;
      if (parts.length > 2 || lo < 1 || hi < lo || hi > 100_000) {
        throw bad(
            "%s %s must be N or MIN..MAX with 1 <= MIN <= MAX <= 100000".formatted(option, value));
      }
      return new int[] {lo, hi};
    } catch (NumberFormatException e) {
      throw bad("%s %s must be N or MIN..MAX with whole numbers".formatted(option, value));
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private ObjectNode toJson(
      List<Summary> summaries,
      int[] evRange,
      int[] spRange,
      List<DrComparison.Point> schemes,
      List<java.nio.file.Path> figures) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    root.put("command", "dr-study");
    root.put("instances", instances);
    root.put("seed", seed);
    root.put("evsMin", evRange[0]);
    root.put("evsMax", evRange[1]);
    root.put("spsMin", spRange[0]);
    root.put("spsMax", spRange[1]);
    root.put("xi", DrInstance.DEFAULT_XI);
    root.put("prices", prices);
    Summary first = summaries.get(0);
    root.put("update", first.update());
    root.put("meanRounds", first.meanRounds());
    root.put("maxRounds", first.maxRounds());
    root.put("converged", first.converged());
    root.put("welfareGapMax", first.maxGap());
    root.put("irAll", first.individuallyRational());
    root.put("eq415IrAll", first.eq415IndividuallyRational());
    root.put("retailPrice", retailPrice);
    var results = root.putArray("results");
    for (Summary s : summaries) {
      ObjectNode o = results.addObject();
      o.put("update", s.update());
      o.put("meanRounds", s.meanRounds());
      o.put("medianRounds", s.medianRounds());
      o.put("maxRounds", s.maxRounds());
      o.put("converged", s.converged());
      o.put("meanWelfareGap", s.meanGap());
      o.put("maxWelfareGap", s.maxGap());
      o.put("individuallyRational", s.individuallyRational());
      o.put("eq415IndividuallyRational", s.eq415IndividuallyRational());
      o.put("weaklyBudgetBalanced", s.weaklyBudgetBalanced());
      o.put("millisPerInstance", s.millisPerInstance());
      var listed = o.putArray("unconvergedInstances");
      s.unconverged().forEach(listed::add);
      o.put("worstGapInstance", s.worstGapInstance());
    }
    if (compare) {
      var list = root.putArray("schemes");
      for (DrComparison.Point p : schemes) {
        list.addPOJO(p);
      }
      var files = root.putArray("figures");
      figures.forEach(f -> files.add(f.toString()));
    }
    return root;
  }

  private String toText(
      List<Summary> summaries,
      int[] evRange,
      int[] spRange,
      List<DrComparison.Point> schemes,
      List<java.nio.file.Path> figures) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "dr-study: %d instances, seed %d, %d..%d EVs x %d..%d SPs, xi = %s%s%n",
            instances,
            seed,
            evRange[0],
            evRange[1],
            spRange[0],
            spRange[1],
            DrInstance.DEFAULT_XI,
            prices ? ", with minimum and maximum prices" : ""));
    for (Summary s : summaries) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-11s rounds mean %.3f median %.1f max %d; converged %d/%d;"
                  + " welfare gap mean %.2e max %.2e; every participant IR %d (Eq. 4.15: %d),"
                  + " Eq. 4.15 WBB before settlement %d; %.3f ms/instance%n",
              s.update(),
              s.meanRounds(),
              s.medianRounds(),
              s.maxRounds(),
              s.converged(),
              s.instances(),
              s.meanGap(),
              s.maxGap(),
              s.individuallyRational(),
              s.eq415IndividuallyRational(),
              s.weaklyBudgetBalanced(),
              s.millisPerInstance()));
      if (!s.unconverged().isEmpty()) {
        sb.append(
            String.format(
                Locale.ROOT,
                "%-11s unconverged instances%s: %s%n",
                "",
                s.instances() - s.converged() > MAX_LISTED ? " (the first " + MAX_LISTED + ")" : "",
                s.unconverged().stream().map(String::valueOf).collect(Collectors.joining(", "))));
      }
      sb.append(
          String.format(
              Locale.ROOT, "%-11s largest welfare gap at instance %d%n", "", s.worstGapInstance()));
    }
    if (compare) {
      sb.append(DrComparison.table(schemes));
      figures.forEach(f -> sb.append("wrote ").append(f).append(System.lineSeparator()));
    }
    return sb.toString();
  }
}

package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gridtrade.examples.report.StackelbergCharts;
import org.gridtrade.game.stackelberg.Ev;
import org.gridtrade.game.stackelberg.EvGenerator;
import org.gridtrade.game.stackelberg.GenerationCost;
import org.gridtrade.game.stackelberg.LeaderConfig;
import org.gridtrade.game.stackelberg.LeaderElection;
import org.gridtrade.game.stackelberg.Outcome;
import org.gridtrade.game.stackelberg.PriceBounds;
import org.gridtrade.game.stackelberg.Schedule;
import org.gridtrade.game.stackelberg.StackelbergGame;
import org.gridtrade.game.stackelberg.StackelbergProblem;
import org.gridtrade.game.stackelberg.StackelbergSolution;
import org.gridtrade.game.stackelberg.TradeOffPoint;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gridtrade stackelberg}: the PETS Stackelberg game for one day. */
@Command(
    name = "stackelberg",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Solves the PETS Stackelberg game (Aggarwal Ch. 3) for one 08:00-to-08:00 day: the leader"
          + " SP (elected by a second-price reverse auction when the scenario has bids) sets 24"
          + " hourly prices by a genetic algorithm; every EV answers with its cheapest schedule.",
      "Prints prices, load before/after scheduling, PAR, the leader's profit, the upper bound on"
          + " any leader's profit and the gap, and the time-of-use baseline."
    })
public final class StackelbergCommand implements Callable<Integer> {
  static final int MAX_EVS = 100_000;

  @Spec CommandSpec spec;

  static final class Source {
    @Option(
        names = "--scenario",
        paramLabel = "FILE",
        description = "Scenario JSON (see examples/scenarios/stackelberg-*.json).")
    Path scenario;

    @Option(
        names = "--random-evs",
        paramLabel = "N",
        description = "Generate N EVs with the seeded generator and Aggarwal's cost model.")
    Integer randomEvs;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description =
          "Seed of the EV generator and the GA (default: the scenario's \"seed\", else 1).")
  Long seed;

  @Option(
      names = "--config",
      paramLabel = "NAME",
      defaultValue = "default",
      description =
          "GA configuration: 'default' (seeded population + local search) or 'thesis' (Aggarwal's"
              + " GA as published) (default: ${DEFAULT-VALUE}).")
  String config;

  @Option(
      names = "--weight",
      paramLabel = "W",
      defaultValue = "0",
      description =
          "Load-shaping weight w: the leader maximises profit - w*PAR, cents per unit of PAR"
              + " (default: ${DEFAULT-VALUE}).")
  double weight;

  @Option(
      names = "--trade-off",
      paramLabel = "W",
      split = ",",
      description = "Also solve for each of these weights and print the profit-vs-PAR curve.")
  List<Double> tradeOff;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Write charts (PNG and SVG): prices, load before/after, GA convergence, trade-off.")
  Path out;

  @Mixin JsonOutput output;

  @Override
  public Integer call() throws IOException {
    StackelbergProblem problem;
    long gaSeed;
    LeaderElection election = null;
    try {
      if (source.scenario != null) {
        StackelbergScenario s = StackelbergScenario.read(source.scenario);
        problem = StackelbergProblem.of(s.evs, s.cost, s.bounds);
        if (!s.bids.isEmpty()) {
          election = StackelbergGame.electLeader(s.bids, s.bounds);
          if (election.leader().isEmpty()) {
            throw bad("no leader elected: " + election.noTradeReason());
          }
          problem = problem.withElection(election);
        }
        gaSeed = seed != null ? seed : s.seed;
      } else {
        int n = source.randomEvs;
        if (n < 1 || n > MAX_EVS) {
          throw bad("--random-evs %d is outside 1..%d".formatted(n, MAX_EVS));
        }
        gaSeed = seed != null ? seed : 1;
        problem =
            StackelbergProblem.of(
                EvGenerator.random(n, gaSeed),
                GenerationCost.thesisDefaults(),
                PriceBounds.thesisDefaults());
      }
    } catch (IllegalArgumentException e) {
      throw bad(
          source.scenario == null
              ? e.getMessage()
              : "--scenario %s: %s".formatted(source.scenario, e.getMessage()));
    }
    LeaderConfig base =
        switch (config) {
          case "default" -> LeaderConfig.defaults();
          case "thesis" -> LeaderConfig.thesisDefaults();
          default -> throw bad("--config %s must be 'default' or 'thesis'".formatted(config));
        };
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      throw bad("--weight %s must be finite and >= 0".formatted(weight));
    }
    LeaderConfig cfg = base.withRandomSeed(gaSeed).withLoadShapingWeight(weight);
    long t0 = System.nanoTime();
    StackelbergSolution sol = StackelbergGame.solve(problem, cfg);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    List<TradeOffPoint> curve =
        tradeOff == null ? List.of() : StackelbergGame.tradeOff(problem, cfg, tradeOff);
    List<Path> charts = List.of();
    if (out != null) {
      try {
        charts = StackelbergCharts.write(out, sol, curve);
      } catch (IOException e) {
        throw bad("--out %s cannot be used: %s".formatted(out, e));
      }
    }
    print(problem, sol, election, curve, ms, charts);
    return 0;
  }

  /** Prints the result and the charts written, as JSON or text. */
  private void print(
      StackelbergProblem problem,
      StackelbergSolution sol,
      LeaderElection election,
      List<TradeOffPoint> curve,
      long ms,
      List<Path> charts)
      throws IOException {
    output.print(
        () -> {
          ObjectNode root = toJson(problem, sol, election, curve, ms);
          ArrayNode files = root.putArray("charts");
          charts.forEach(c -> files.add(c.toString()));
          return root;
        },
        () -> {
          StringBuilder text = new StringBuilder(toText(problem, sol, election, curve, ms));
          charts.forEach(
              c -> text.append("chart         ").append(c).append(System.lineSeparator()));
          return text.toString();
        });
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  static ObjectNode toJson(
      StackelbergProblem p,
      StackelbergSolution s,
      LeaderElection election,
      List<TradeOffPoint> curve,
      long ms) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    root.put("command", "stackelberg");
    root.put("evs", p.evs().size());
    root.put("totalEnergy", p.totalEnergy());
    root.put("pMin", p.bounds().pMin());
    root.put("pMax", p.bounds().pMax());
    root.put("priceCap", p.priceCap());
    if (election != null) {
      ObjectNode l = root.putObject("leader");
      l.put("id", election.leader().orElseThrow());
      l.put("payment", election.payment().getAsDouble());
    }
    array(root.putArray("prices"), s.prices());
    array(root.putArray("load"), s.outcome().load());
    root.put("profit", s.profit());
    root.put("feasible", s.outcome().feasible());
    root.put("revenue", s.outcome().revenue());
    root.put("generationCost", s.outcome().generationCost());
    root.put("upperBound", s.upperBound());
    root.put("relativeGap", s.relativeGap());
    root.put("minimumCost", s.minimumCost());
    root.put("costRatio", s.costRatio());
    root.put("par", s.par());
    root.put("parUnscheduled", s.parUnscheduled());
    root.put("parReduction", s.parReduction());
    array(root.putArray("loadUnscheduled"), s.unscheduled().load());
    root.put("profitUnscheduled", s.unscheduled().profit());
    ObjectNode tou = root.putObject("timeOfUse");
    array(tou.putArray("prices"), s.timeOfUse().prices());
    array(tou.putArray("load"), s.timeOfUse().load());
    tou.put("profit", s.timeOfUse().profit());
    tou.put("par", s.timeOfUse().par());
    root.put("loadShapingWeight", s.config().loadShapingWeight());
    root.put("generations", s.generations());
    root.put("convergenceGeneration", s.convergenceGeneration());
    root.put("evaluations", s.evaluations());
    array(root.putArray("fitnessTrace"), s.fitnessTrace());
    root.put("seed", s.config().randomSeed());
    ArrayNode schedules = root.putArray("schedules");
    for (Schedule sch : s.outcome().schedules()) {
      ObjectNode o = schedules.addObject();
      o.put("id", sch.evId());
      array(o.putArray("energy"), sch.energy());
      o.put("bill", sch.bill());
    }
    if (!curve.isEmpty()) {
      ArrayNode c = root.putArray("tradeOff");
      for (TradeOffPoint t : curve) {
        ObjectNode o = c.addObject();
        o.put("weight", t.weight());
        o.put("profit", t.profit());
        o.put("par", t.par());
        o.put("parReduction", t.parReduction());
        o.put("relativeGap", t.relativeGap());
      }
    }
    root.put("elapsedMs", ms);
    return root;
  }

  private static void array(ArrayNode a, List<Double> values) {
    values.forEach(a::add);
  }

  static String toText(
      StackelbergProblem p,
      StackelbergSolution s,
      LeaderElection election,
      List<TradeOffPoint> curve,
      long ms) {
    StringBuilder b = new StringBuilder();
    b.append(
        f(
            "PETS Stackelberg game: %d EVs, %.2f kWh, prices %.2f..%.2f c/kWh, cap %.2f, w = %s%n",
            p.evs().size(),
            p.totalEnergy(),
            p.bounds().pMin(),
            p.bounds().pMax(),
            p.priceCap(),
            s.config().loadShapingWeight()));
    if (election != null) {
      b.append(
          f(
              "leader %s (second-price reverse auction, paid %.2f)%n",
              election.leader().orElseThrow(), election.payment().getAsDouble()));
    }
    b.append(
        f(
            "%n%-13s %8s %12s %12s %8s %12s%n",
            "hour", "price", "load", "unscheduled", "ToU", "ToU load"));
    Outcome o = s.outcome();
    for (int h = 0; h < Ev.HOURS; h++) {
      int clock = (h + 8) % 24;
      b.append(
          f(
              "%02d:00-%02d:00   %8.2f %12.2f %12.2f %8.2f %12.2f%n",
              clock,
              (clock + 1) % 24,
              o.prices().get(h),
              o.load().get(h),
              s.unscheduled().load().get(h),
              s.timeOfUse().prices().get(h),
              s.timeOfUse().load().get(h)));
    }
    b.append(
        f(
            "%nPAR           %.4f scheduled, %.4f unscheduled (%.1f %% lower), %.4f time-of-use%n",
            s.par(), s.parUnscheduled(), 100 * s.parReduction(), s.timeOfUse().par()));
    b.append(
        f(
            "profit        %.2f c (revenue %.2f - generation cost %.2f)%n",
            s.profit(), o.revenue(), o.generationCost()));
    b.append(
        f(
            "upper bound   %.2f c (cap x energy - minimum cost %.4f); gap %.4f %%%n",
            s.upperBound(), s.minimumCost(), 100 * s.relativeGap()));
    b.append(f("cost ratio    %.4f (generation cost / minimum cost)%n", s.costRatio()));
    long over = 0;
    for (int h = 0; h < Ev.HOURS; h++) {
      if (o.load().get(h) > p.cost().capacity().get(h) * (1 + 1e-12)) {
        over++;
      }
    }
    b.append(
        over == 0
            ? f("capacity      respected in every hour%n")
            : f(
                "capacity      EXCEEDED in %d hours: no price vector found keeps the load within"
                    + " capacity (the penalty fitness kept the fewest violations)%n",
                over));
    b.append(
        f(
            "baselines     profit %.2f c unscheduled at the cap, %.2f c time-of-use%n",
            s.unscheduled().profit(), s.timeOfUse().profit()));
    b.append(
        f(
            "GA            %d generations (best found in generation %d), %d evaluations, seed %d,"
                + " %d ms%n",
            s.generations(),
            s.convergenceGeneration(),
            s.evaluations(),
            s.config().randomSeed(),
            ms));
    if (!curve.isEmpty()) {
      b.append(f("%n%-10s %14s %8s %14s %10s%n", "w", "profit", "PAR", "PAR reduction", "gap"));
      for (TradeOffPoint t : curve) {
        b.append(
            f(
                "%-10s %14.2f %8.4f %13.1f%% %9.4f%%%n",
                t.weight(), t.profit(), t.par(), 100 * t.parReduction(), 100 * t.relativeGap()));
      }
    }
    return b.toString();
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}

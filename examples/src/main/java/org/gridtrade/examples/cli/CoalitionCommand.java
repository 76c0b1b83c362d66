package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gridtrade.coalition.Area;
import org.gridtrade.coalition.Coalition;
import org.gridtrade.coalition.CoalitionFormation;
import org.gridtrade.coalition.Community;
import org.gridtrade.coalition.FormationResult;
import org.gridtrade.coalition.Iteration;
import org.gridtrade.coalition.LineLossModel;
import org.gridtrade.coalition.MemberScore;
import org.gridtrade.coalition.MiningOutcome;
import org.gridtrade.coalition.MiningRound;
import org.gridtrade.coalition.NonCooperativeBaseline;
import org.gridtrade.coalition.Payoff;
import org.gridtrade.coalition.ProfileGenerator;
import org.gridtrade.coalition.Prosumer;
import org.gridtrade.coalition.Transfer;
import org.gridtrade.examples.report.Charts;
import org.gridtrade.examples.report.CoalitionCharts;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gridtrade coalition}: forms coalitions among prosumers (Moniruzzaman Ch. 3;
 * docs/coalition.md), draws the miner, shares the reward and prints the trace like Moniruzzaman
 * Table 3.2; or, with {@code --results}, reproduces Moniruzzaman's results table over seeded random
 * communities.
 */
@Command(
    name = "coalition",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Forms coalitions of prosumers that cut line losses by trading inside them (merge and"
          + " split under the Pareto order), draws the mining coalition by proof score, and pays"
          + " the mining reward by Shapley value. Prints the trace like Moniruzzaman's Table 3.2.",
      "Scenario fields: {\"area\": 20, \"edc\": {\"x\": 10, \"y\": 10}, \"lossMin\": 0.018,"
          + " \"lossMax\": 0.056, \"delta\": 0.1, \"price\": 10, \"seed\": 1, \"prosumers\":"
          + " [{\"id\", \"production\", \"consumption\", \"x\", \"y\"}]} (all but prosumers"
          + " optional; the defaults are Moniruzzaman's).",
      "--results averages seeded random communities for each size and distribution: share of"
          + " energy traded inside coalitions, loss saved versus acting alone, and versus a"
          + " non-cooperative bilateral baseline (each seller in random order sells to its"
          + " cheapest buyer while both ends gain; no coalitions, no re-routing)."
    })
public final class CoalitionCommand implements Callable<Integer> {
  static final int MAX_PROSUMERS = Community.MAX_PROSUMERS;

  /** Largest community whose per-iteration trace is printed unless {@code --trace} is given. */
  static final int TRACE_LIMIT = 50;

  @Spec CommandSpec spec;

  static final class Source {
    @Option(
        names = "--scenario",
        paramLabel = "FILE",
        required = true,
        description = "JSON scenario file (fields above).")
    Path scenario;

    @Option(
        names = "--random",
        paramLabel = "N",
        required = true,
        description = "A random community of N prosumers, 1.." + MAX_PROSUMERS + ".")
    Integer random;

    @Option(
        names = "--results",
        required = true,
        description = "Print the results table over --sizes × distributions × --runs seeds.")
    boolean results;
  }

  @ArgGroup(multiplicity = "1")
  Source source;

  @Option(
      names = "--distribution",
      paramLabel = "D",
      defaultValue = "normal",
      description = "Profile distribution of --random: normal, uniform or lognormal (default).")
  String distribution;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seed of --random and of the miner draw (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--sizes",
      paramLabel = "N,...",
      split = ",",
      defaultValue = "10,20,30,40,50",
      description = "Community sizes for --results (default: ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(
      names = "--runs",
      paramLabel = "R",
      defaultValue = "20",
      description = "Seeded runs per cell for --results, 1..1000 (default: ${DEFAULT-VALUE}).")
  int runs;

  @Mixin JsonOutput output;

  @Option(
      names = "--trace",
      negatable = true,
      description =
          "Print every iteration's partition and scores (--no-trace: only their count). Default:"
              + " on for up to "
              + TRACE_LIMIT
              + " prosumers, off above (the trace grows with iterations x prosumers).")
  Boolean trace;

  @Option(
      names = "--map",
      paramLabel = "FILE",
      description =
          "Also write a map (.png or .svg): prosumers coloured by coalition, transfer lines, EDC.")
  Path map;

  @Option(
      names = "--loss-chart",
      paramLabel = "FILE",
      description =
          "Also write each prosumer's loss alone and in its coalition (Moniruzzaman Fig. 3.6).")
  Path lossChart;

  @Option(
      names = "--payoff-chart",
      paramLabel = "FILE",
      description = "Also write each prosumer's saving and reward share (Moniruzzaman Fig. 3.7).")
  Path payoffChart;

  private double delta = 0.1;
  private double price = 10;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (source.results) {
      out.print(results());
      out.flush();
      return 0;
    }
    for (Path p : new Path[] {map, lossChart, payoffChart}) {
      if (p != null) {
        try {
          Charts.isSvg(p);
        } catch (IllegalArgumentException e) {
          throw bad("chart %s: %s".formatted(p, e.getMessage()));
        }
      }
    }
    Community community = community();
    FormationResult r = CoalitionFormation.builder().build().form(community);
    MiningOutcome mining = new MiningRound(delta, price).settle(community, r, seed);
    NonCooperativeBaseline.Result base = NonCooperativeBaseline.run(community, seed);
    if (map != null) {
      Charts.write(CoalitionCharts.mapChart(community, r), map);
    }
    if (lossChart != null) {
      Charts.write(CoalitionCharts.lossChart(r), lossChart);
    }
    if (payoffChart != null) {
      Charts.write(CoalitionCharts.payoffChart(mining), payoffChart);
    }
    boolean withTrace = trace != null ? trace : community.prosumers().size() <= TRACE_LIMIT;
    output.print(
        () -> {
          ObjectNode root = toJson(community, r, mining, base);
          if (!withTrace) {
            root.remove("iterations");
          }
          return root;
        },
        () -> {
          String text = toText(community, r, mining, base);
          return withTrace ? text : withoutTrace(text, r.iterations().size());
        });
    return r.converged() ? 0 : GridTradeCommand.EXIT_NOT_CONVERGED;
  }

  private ProfileGenerator.Distribution distribution() {
    try {
      return ProfileGenerator.Distribution.valueOf(distribution.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw bad("--distribution '%s' must be normal, uniform or lognormal".formatted(distribution));
    }
  }

  private Community community() {
    if (source.scenario != null) {
      try {
        return fromScenario(ScenarioJson.read(source.scenario));
      } catch (IllegalArgumentException e) {
        throw bad("--scenario %s: %s".formatted(source.scenario, e.getMessage()));
      }
    }
    int n = source.random;
    if (n < 1 || n > MAX_PROSUMERS) {
      throw bad("--random %d is outside 1..%d".formatted(n, MAX_PROSUMERS));
    }
    Area area = Area.square(20);
    return Community.of(
        area, ProfileGenerator.thesisDefaults().generate(n, distribution(), area, seed));
  }

  /**
   * Builds a community from a scenario object and reads delta, price and seed into this command.
   *
   * @param root the scenario
   * @return the community
   * @throws IllegalArgumentException naming the field when the scenario is invalid
   */
  Community fromScenario(JsonNode root) {
    double side = ScenarioJson.number(root, "", "area", 20);
    double ex = side / 2;
    double ey = side / 2;
    if (ScenarioJson.has(root, "edc")) {
      JsonNode edc = root.get("edc");
      if (!edc.isObject()) {
        throw new IllegalArgumentException("field 'edc' must be an object {\"x\", \"y\"}");
      }
      ex = ScenarioJson.number(edc, "edc", "x");
      ey = ScenarioJson.number(edc, "edc", "y");
    }
    Area area = new Area(side, side, ex, ey);
    double lossMin = ScenarioJson.number(root, "", "lossMin", 0.018);
    double lossMax = ScenarioJson.number(root, "", "lossMax", 0.056);
    LineLossModel model = LineLossModel.linear(lossMin, lossMax, area.diagonal());
    delta = ScenarioJson.number(root, "", "delta", 0.1);
    price = ScenarioJson.number(root, "", "price", 10);
    new MiningRound(delta, price); // validates both, naming the field
    if (ScenarioJson.has(root, "seed")) {
      seed = ScenarioJson.integer(root, "", "seed", Long.MIN_VALUE, Long.MAX_VALUE);
    }
    List<Prosumer> ps =
        ScenarioJson.objects(
            root,
            "",
            "prosumers",
            MAX_PROSUMERS,
            (p, at) ->
                new Prosumer(
                    ScenarioJson.text(p, at, "id"),
                    ScenarioJson.number(p, at, "production"),
                    ScenarioJson.number(p, at, "consumption"),
                    ScenarioJson.number(p, at, "x"),
                    ScenarioJson.number(p, at, "y")));
    return Community.of(area, model, ps);
  }

  private static String f(double v) {
    return ScenarioJson.fmt(v, 2);
  }

  private static String pct(double v) {
    return ScenarioJson.fmt(100 * v, 1) + " %";
  }

  /**
   * The text report with the iteration table (from its header to the first blank line) replaced by
   * one line saying how many iterations there were and how to see them.
   */
  static String withoutTrace(String text, int iterations) {
    int start = text.indexOf("Itr  Partition");
    int end = text.indexOf("\n\n", start);
    if (start < 0 || end < 0) {
      return text;
    }
    return text.substring(0, start)
        + "Trace: %d iterations, not shown for more than %d prosumers (--trace shows them)"
            .formatted(iterations, TRACE_LIMIT)
        + text.substring(end);
  }

  static String toText(
      Community c, FormationResult r, MiningOutcome m, NonCooperativeBaseline.Result base) {
    StringBuilder sb = new StringBuilder();
    List<Prosumer> ps = c.prosumers();
    boolean wide = ps.size() <= 20;
    sb.append("Itr  Partition | Coalition proof scores");
    if (wide) {
      sb.append(" |");
      for (Prosumer p : ps) {
        sb.append(' ').append(p.id());
      }
    }
    sb.append('\n');
    for (Iteration it : r.iterations()) {
      sb.append(it.number()).append("  ").append(it.partition()).append(" | [");
      List<String> cs = new ArrayList<>();
      for (double v : it.coalitionScores()) {
        cs.add(f(v));
      }
      sb.append(String.join(", ", cs)).append(']');
      if (wide) {
        sb.append(" |");
        for (double v : it.prosumerScores()) {
          sb.append(' ').append(f(v));
        }
      }
      sb.append("   (").append(it.step()).append(")\n");
    }
    sb.append('\n');
    sb.append(
        "Stable partition: %d coalitions, %d merges, %d splits, converged %s; %d prosumer(s) could gain by moving alone (Def. 3 read strictly)%n"
            .formatted(
                r.coalitions().size(),
                r.merges(),
                r.splits(),
                r.converged(),
                r.profitableDeviations()));
    sb.append(
        "Energy inside coalitions %s kWh, with the EDC %s kWh: internal share %s%n"
            .formatted(f(r.internalEnergy()), f(r.edcEnergy()), pct(r.internalShare())));
    sb.append(
        "Loss alone %s kWh, in coalitions %s kWh: saving %s (non-cooperative baseline %s)%n"
            .formatted(
                ScenarioJson.fmt(r.standaloneLoss(), 3),
                ScenarioJson.fmt(r.coalitionLoss(), 3),
                pct(r.lossSaving()),
                pct(base.lossSaving())));
    Coalition win = r.coalitions().get(m.winner());
    sb.append(
        "Winner (Eq. 3.16): coalition %d %s, proof score %s; miner %s; reward M_r %s kWh%n"
            .formatted(
                m.winner() + 1,
                win.memberIds(),
                f(win.proofScore()),
                m.miner(),
                ScenarioJson.fmt(m.reward(), 4)));
    sb.append("\nTransfers (kWh, loss kWh):\n");
    for (Coalition k : r.coalitions()) {
      for (Transfer t : k.transfers()) {
        sb.append(
            "  %s -> %s  %s  (%s)%n"
                .formatted(t.from(), t.to(), f(t.energy()), ScenarioJson.fmt(t.loss(), 4)));
      }
    }
    sb.append("\nPayoffs (saving kWh, reward share kWh, utility cents, net of fee cents):\n");
    for (Payoff p : m.payoffs()) {
      sb.append(
          "  %-6s %8s %8s %8s %8s%n"
              .formatted(
                  p.id(),
                  ScenarioJson.fmt(p.saving(), 4),
                  ScenarioJson.fmt(p.rewardShare(), 4),
                  ScenarioJson.fmt(p.utility(), 3),
                  ScenarioJson.fmt(p.net(), 3)));
    }
    return sb.toString();
  }

  static ObjectNode toJson(
      Community c, FormationResult r, MiningOutcome m, NonCooperativeBaseline.Result base) {
    ObjectMapper om = new ObjectMapper();
    ObjectNode root = om.createObjectNode();
    ArrayNode part = root.putArray("partition");
    for (Coalition k : r.coalitions()) {
      ArrayNode a = part.addArray();
      k.memberIds().forEach(a::add);
    }
    ObjectNode ps = root.putObject("proofScores");
    ArrayNode cs = ps.putArray("coalitions");
    r.coalitions().forEach(k -> cs.add(k.proofScore()));
    ObjectNode pp = ps.putObject("prosumers");
    for (MemberScore s : r.members()) {
      pp.put(s.id(), s.proofScore());
    }
    ObjectNode w = root.putObject("winner");
    w.put("index", m.winner());
    ArrayNode wm = w.putArray("members");
    r.coalitions().get(m.winner()).memberIds().forEach(wm::add);
    w.put("miner", m.miner());
    w.put("reward", m.reward());
    ArrayNode ts = root.putArray("transfers");
    for (Coalition k : r.coalitions()) {
      for (Transfer t : k.transfers()) {
        ObjectNode o = ts.addObject();
        o.put("from", t.from());
        o.put("to", t.to());
        o.put("energy", t.energy());
        o.put("loss", t.loss());
      }
    }
    root.put("internalShare", r.internalShare());
    root.put("lossSaving", r.lossSaving());
    root.put("baselineLossSaving", base.lossSaving());
    ObjectNode pay = root.putObject("payoffs");
    for (Payoff p : m.payoffs()) {
      ObjectNode o = pay.putObject(p.id());
      o.put("saving", p.saving());
      o.put("rewardShare", p.rewardShare());
      o.put("utility", p.utility());
      o.put("fee", p.fee());
      o.put("net", p.net());
    }
    root.put("iterationCount", r.iterations().size());
    ArrayNode its = root.putArray("iterations");
    for (Iteration it : r.iterations()) {
      ObjectNode o = its.addObject();
      o.put("number", it.number());
      o.put("step", it.step());
      ArrayNode ip = o.putArray("partition");
      for (List<String> k : it.partition()) {
        ArrayNode a = ip.addArray();
        k.forEach(a::add);
      }
      ArrayNode sc = o.putArray("coalitionScores");
      it.coalitionScores().forEach(sc::add);
      ArrayNode pr = o.putArray("prosumerScores");
      it.prosumerScores().forEach(pr::add);
    }
    root.put("converged", r.converged());
    root.put("profitableDeviations", r.profitableDeviations());
    return root;
  }

  private String results() {
    if (runs < 1 || runs > 1000) {
      throw bad("--runs %d is outside 1..1000".formatted(runs));
    }
    for (int n : sizes) {
      if (n < 2 || n > MAX_PROSUMERS) {
        throw bad("--sizes: %d is outside 2..%d".formatted(n, MAX_PROSUMERS));
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append(
        "%-10s %6s %10s %10s %10s %10s %10s %10s %10s %9s%n"
            .formatted(
                "dist",
                "n",
                "internal",
                "saving",
                "baseline",
                "gain(pp)",
                "optimum",
                "coalitions",
                "ms/run",
                "dev"));
    CoalitionFormation formation = CoalitionFormation.builder().build();
    Area area = Area.square(20);
    for (ProfileGenerator.Distribution d : ProfileGenerator.Distribution.values()) {
      for (int n : sizes) {
        double share = 0;
        double save = 0;
        double bsave = 0;
        double opt = 0;
        double coals = 0;
        double dev = 0;
        long nanos = 0;
        for (int k = 0; k < runs; k++) {
          long s = seed + 1000L * k;
          Community c =
              Community.of(area, ProfileGenerator.thesisDefaults().generate(n, d, area, s));
          long t0 = System.nanoTime();
          FormationResult r = formation.form(c);
          nanos += System.nanoTime() - t0;
          share += r.internalShare();
          save += r.lossSaving();
          bsave += NonCooperativeBaseline.run(c, s).lossSaving();
          double alone = r.standaloneLoss();
          List<String> all = c.prosumers().stream().map(Prosumer::id).toList();
          opt += alone == 0 ? 0 : formation.evaluate(c, all).saving() / alone;
          coals += r.coalitions().stream().filter(x -> x.members().size() > 1).count();
          dev += r.profitableDeviations() / (double) n;
        }
        sb.append(
            "%-10s %6d %10s %10s %10s %10s %10s %9s %10s %9s%n"
                .formatted(
                    d.name().toLowerCase(Locale.ROOT),
                    n,
                    pct(share / runs),
                    pct(save / runs),
                    pct(bsave / runs),
                    ScenarioJson.fmt(100 * (save - bsave) / runs, 1),
                    pct(opt / runs),
                    ScenarioJson.fmt(coals / runs, 1),
                    ScenarioJson.fmt(nanos / 1e6 / runs, 1),
                    pct(dev / runs)));
      }
    }
    sb.append(
        "internal = energy traded inside coalitions / all traded energy; saving = loss saved vs"
            + " acting alone; baseline = the same for the non-cooperative bilateral market;"
            + " gain = saving − baseline in percentage points; optimum = saving of the"
            + " loss-minimising transfers of the grand coalition (no partition saves more);"
            + " coalitions = coalitions of 2+"
            + " members; dev = prosumers that could gain by moving alone (Def. 3 strictly).\n");
    return sb.toString();
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}

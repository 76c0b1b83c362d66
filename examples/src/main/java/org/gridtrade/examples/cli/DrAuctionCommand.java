package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.gridtrade.auction.DemandResponseAuction;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.auction.DrFlow;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.auction.SpSelection;
import org.gridtrade.examples.report.Charts;
import org.gridtrade.examples.report.DrCharts;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gridtrade dr-auction}: runs the iterative demand-response double auction (Aggarwal Alg. 8;
 * docs/demand-response.md) on a scenario file or a seeded random market, and compares it with the
 * social-welfare optimum.
 */
@Command(
    name = "dr-auction",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Runs the iterative double auction for demand response: charging EVs bid for energy,"
          + " discharging SPs bid their costs, the auctioneer allocates until every bid changes"
          + " by less than xi. Reports the rounds, the allocation, the payments and the gap to"
          + " the social-welfare optimum solved directly.",
      "Scenario fields: {\"evs\": [{\"id\", \"soc\", \"eMin\", \"eMax\", \"sigma\"}],"
          + " \"sps\": [{\"id\", \"capacity\", \"c1\", \"c2\"}], \"eta\": 0.8, \"rho\": 0.9,"
          + " \"xi\": 0.001} (c1, c2, eta, rho and xi are optional; the defaults are Aggarwal's)."
          + " Optional prices per kWh an SP supplies: an EV's \"maxPrice\", an SP's \"minPrice\""
          + " (default: no limit)."
    })
public final class DrAuctionCommand implements Callable<Integer> {
  static final int MAX_EVS = 2_000;
  static final int MAX_SPS = 200;

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
        description =
            "A random market of N EVs, 1.." + MAX_EVS + ", in Aggarwal's parameter ranges.")
    Integer random;
  }

  @ArgGroup(multiplicity = "1")
  Source source;

  @Option(
      names = "--sps",
      paramLabel = "M",
      description =
          "SPs in a --random market, 1.." + MAX_SPS + " (default: N/5 rounded up, at least 2).")
  Integer sps;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seed of a --random market (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--update",
      paramLabel = "RULE",
      defaultValue = "secant",
      description =
          "Bid update: 'secant' (default: bids only; the auctioneer allocates at the optimum of a"
              + " secant model of the reported bids), 'newton' (the literal bid at a"
              + " Newton-predicted allocation; EVs also report the slope of their marginal"
              + " value), 'accelerated' (Anderson acceleration on bids only) or 'literal' (the"
              + " plain fixed-point update).")
  String update;

  @Option(
      names = "--max-rounds",
      paramLabel = "R",
      defaultValue = "500",
      description = "Most rounds before giving up, 1..100000 (default: ${DEFAULT-VALUE}).")
  int maxRounds;

  @Option(
      names = "--time-limit",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "Most seconds for the auction and the direct optimum together, 0.1..3600; a run that"
              + " hits it prints its last round and exits with status 3 (default: ${DEFAULT-VALUE}).")
  double timeLimit;

  @Option(
      names = "--chart",
      paramLabel = "FILE",
      description =
          "Also write the convergence chart (welfare and bids per round) as .png or .svg.")
  Path chart;

  @Option(
      names = "--prices",
      description = "Give a --random market Aggarwal's minimum selling and maximum buying prices.")
  boolean prices;

  @Option(
      names = "--retail-price",
      paramLabel = "PRICE",
      defaultValue = "75",
      description =
          "Grid retail price per kWh stored, the EVs' outside option (buying eMin from the grid),"
              + " 0..1e9 (default: ${DEFAULT-VALUE}).")
  double retailPrice;

  @Option(
      names = "--payment-rule",
      paramLabel = "RULE",
      defaultValue = "ir",
      description =
          "Payments: 'ir' (default: individually rational against the outside option and weakly"
              + " budget balanced) or 'eq415' (Aggarwal Eq. 4.15); the other is reported beside it.")
  String paymentRule;

  @Mixin JsonOutput output;

  @Override
  public Integer call() throws IOException {
    DemandResponseAuction.PaymentRule payments =
        switch (paymentRule.toLowerCase(Locale.ROOT)) {
          case "ir" -> DemandResponseAuction.PaymentRule.INDIVIDUALLY_RATIONAL;
          case "eq415" -> DemandResponseAuction.PaymentRule.EQ_4_15;
          default ->
              throw bad("--payment-rule '%s' must be 'ir' or 'eq415'".formatted(paymentRule));
        };
    if (!(retailPrice >= 0 && retailPrice <= 1e9)) {
      throw bad("--retail-price %s is outside 0..1e9".formatted(retailPrice));
    }
    DemandResponseAuction.BidUpdate rule =
        switch (update.toLowerCase(Locale.ROOT)) {
          case "secant" -> DemandResponseAuction.BidUpdate.SECANT;
          case "newton" -> DemandResponseAuction.BidUpdate.NEWTON;
          case "accelerated" -> DemandResponseAuction.BidUpdate.ACCELERATED;
          case "literal" -> DemandResponseAuction.BidUpdate.LITERAL;
          default ->
              throw bad(
                  "--update '%s' must be 'secant', 'newton', 'accelerated' or 'literal'"
                      .formatted(update));
        };
    if (maxRounds < 1 || maxRounds > 100_000) {
      throw bad("--max-rounds %d is outside 1..100000".formatted(maxRounds));
    }
    if (!(timeLimit >= 0.1 && timeLimit <= 3600)) {
      throw bad("--time-limit %s is outside 0.1..3600 seconds".formatted(timeLimit));
    }
    if (chart != null) {
      try {
        Charts.isSvg(chart);
      } catch (IllegalArgumentException e) {
        throw bad("--chart: " + e.getMessage());
      }
    }
    DrInstance instance;
    try {
      // Alg. 7 first: every EV trades only with the SPs whose ask is at most its bid
      instance = SpSelection.restrict(instance());
    } catch (IllegalArgumentException e) {
      throw bad("after the SP selection (Alg. 7): " + e.getMessage());
    }
    DemandResponseResult result =
        DemandResponseAuction.builder()
            .update(rule)
            .paymentRule(payments)
            .retailPrice(retailPrice)
            .maxRounds(maxRounds)
            .timeLimit(Duration.ofMillis(Math.round(timeLimit * 1000)))
            .build()
            .run(instance);
    if (chart != null) {
      Charts.write(DrCharts.chart(result), chart);
    }
    output.print(() -> toJson(instance, result), () -> toText(instance, result));
    return result.converged() && result.optimumConverged()
        ? 0
        : GridTradeCommand.EXIT_NOT_CONVERGED;
  }

  private DrInstance instance() {
    if (source.scenario != null) {
      if (sps != null) {
        throw bad("--sps applies to --random only; the scenario lists its SPs");
      }
      if (prices) {
        throw bad("--prices applies to --random only; the scenario states its prices");
      }
      try {
        return fromScenario(ScenarioJson.read(source.scenario));
      } catch (IllegalArgumentException e) {
        throw bad("--scenario %s: %s".formatted(source.scenario, e.getMessage()));
      }
    }
    int n = source.random;
    if (n < 1 || n > MAX_EVS) {
      throw bad("--random %d is outside 1..%d".formatted(n, MAX_EVS));
    }
    int m = sps != null ? sps : Math.max(2, (n + 4) / 5);
    if (m < 1 || m > MAX_SPS) {
      throw bad("--sps %d is outside 1..%d".formatted(m, MAX_SPS));
    }
    return prices
        ? DrInstance.randomWithPrices(n, m, new SplittableRandom(seed))
        : DrInstance.random(n, m, new SplittableRandom(seed));
  }

  /**
   * Builds an instance from a scenario object.
   *
   * @param root the scenario
   * @return the instance
   * @throws IllegalArgumentException naming the field when the scenario is invalid
   */
  static DrInstance fromScenario(JsonNode root) {
    List<DrInstance.Ev> evs =
        ScenarioJson.objects(
            root,
            "",
            "evs",
            MAX_EVS,
            (e, at) ->
                new DrInstance.Ev(
                    ScenarioJson.text(e, at, "id"),
                    ScenarioJson.number(e, at, "soc"),
                    ScenarioJson.number(e, at, "eMin"),
                    ScenarioJson.number(e, at, "eMax"),
                    ScenarioJson.number(e, at, "sigma"),
                    ScenarioJson.number(e, at, "maxPrice", Double.POSITIVE_INFINITY)));
    List<DrInstance.Sp> sps =
        ScenarioJson.objects(
            root,
            "",
            "sps",
            MAX_SPS,
            (s, at) ->
                new DrInstance.Sp(
                    ScenarioJson.text(s, at, "id"),
                    ScenarioJson.number(s, at, "capacity"),
                    ScenarioJson.number(s, at, "c1", DrInstance.DEFAULT_C1),
                    ScenarioJson.number(s, at, "c2", DrInstance.DEFAULT_C2),
                    ScenarioJson.number(s, at, "minPrice", 0)));
    return new DrInstance(
        evs,
        sps,
        ScenarioJson.number(root, "", "eta", DrInstance.DEFAULT_ETA),
        ScenarioJson.number(root, "", "rho", DrInstance.DEFAULT_RHO),
        ScenarioJson.number(root, "", "xi", DrInstance.DEFAULT_XI));
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  static ObjectNode toJson(DrInstance instance, DemandResponseResult r) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    root.put("command", "dr-auction");
    root.put("sps", instance.sps().size());
    root.put("eta", instance.eta());
    root.put("rho", instance.rho());
    root.put("xi", instance.xi());
    root.put("excludedLinks", instance.excludedLinks().size());
    root.put("rounds", r.iterations());
    root.put("iterations", r.iterations());
    root.put("converged", r.converged());
    root.put("optimumConverged", r.optimumConverged());
    root.put("welfare", r.welfare());
    root.put("optimalWelfare", r.optimalWelfare());
    root.put("welfareGap", r.welfareGap());
    root.put("individuallyRational", r.individuallyRational());
    root.put("weaklyBudgetBalanced", r.weaklyBudgetBalanced());
    root.put("settlement", r.settlement().name());
    root.put("paymentRule", r.payments().rule().name());
    ArrayNode evList = root.putArray("evs");
    for (DemandResponseResult.EvOutcome e : r.payments().evs()) {
      ObjectNode o = evList.addObject();
      o.put("id", e.id());
      o.put("energy", e.energy());
      o.put("utility", e.utility());
      o.put("payment", e.payment());
      o.put("outsideOption", e.outsideOption());
      o.put("individuallyRational", e.individuallyRational());
    }
    ArrayNode spList = root.putArray("spOutcomes");
    for (DemandResponseResult.SpOutcome o : r.payments().sps()) {
      ObjectNode j = spList.addObject();
      j.put("id", o.id());
      j.put("supply", o.supply());
      j.put("cost", o.cost());
      j.put("revenue", o.revenue());
      j.put("outsideOption", o.outsideOption());
      j.put("individuallyRational", o.individuallyRational());
    }
    ObjectNode compared = root.putObject("comparedPayments");
    compared.put("rule", r.comparedPayments().rule().name());
    compared.put("individuallyRational", r.comparedPayments().individuallyRational());
    compared.put("irViolations", r.comparedPayments().irViolations());
    compared.put("weaklyBudgetBalanced", r.comparedPayments().weaklyBudgetBalanced());
    ArrayNode comparedEvs = compared.putArray("evs");
    for (DemandResponseResult.EvOutcome e : r.comparedPayments().evs()) {
      ObjectNode o = comparedEvs.addObject();
      o.put("id", e.id());
      o.put("payment", e.payment());
      o.put("individuallyRational", e.individuallyRational());
    }
    ArrayNode allocation = root.putArray("allocation");
    for (DrFlow f : r.allocation()) {
      ObjectNode a = allocation.addObject();
      a.put("ev", f.evId());
      a.put("sp", f.spId());
      a.put("energy", f.energy());
      a.put("supply", f.supply());
    }
    ObjectNode payments = root.putObject("payments");
    ArrayNode evs = payments.putArray("evs");
    for (int i = 0; i < r.evPayments().size(); i++) {
      ObjectNode p = evs.addObject();
      p.put("id", r.evPayments().get(i).id());
      p.put("bid", r.evPayments().get(i).amount());
      p.put("amount", r.settledEvPayments().get(i).amount());
    }
    ArrayNode sps = payments.putArray("sps");
    for (DemandResponseResult.Payment p : r.spRevenues()) {
      ObjectNode o = sps.addObject();
      o.put("id", p.id());
      o.put("amount", p.amount());
    }
    ArrayNode trace = root.putArray("trace");
    for (DemandResponseResult.Round round : r.trace()) {
      ObjectNode t = trace.addObject();
      t.put("round", round.round());
      t.put("welfare", round.welfare());
      t.put("maxRelativeChange", round.maxRelativeChange());
    }
    ArrayNode bids = root.putArray("finalBids");
    for (DemandResponseResult.Bid b : r.trace().get(r.trace().size() - 1).bids()) {
      ObjectNode o = bids.addObject();
      o.put("ev", b.evId());
      o.put("sp", b.spId());
      o.put("evBid", b.evBid());
      o.put("spBid", b.spBid());
    }
    return root;
  }

  static String toText(DrInstance instance, DemandResponseResult r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Demand-response double auction: %d EVs, %d SPs, eta %s, rho %s, xi %s%n%n",
            instance.evs().size(),
            instance.sps().size(),
            instance.eta(),
            instance.rho(),
            instance.xi()));
    line(
        b,
        "rounds",
        "%d, %s",
        r.iterations(),
        r.converged() ? "converged" : "NOT converged (round or time limit reached)");
    if (!r.optimumConverged()) {
      line(b, "optimum", "NOT converged (time limit reached): the gap is to its last iterate");
    }
    line(
        b,
        "welfare",
        "%s (optimum %s, gap %s %%)",
        ScenarioJson.fmt(r.welfare(), 4),
        ScenarioJson.fmt(r.optimalWelfare(), 4),
        ScenarioJson.fmt(100 * r.welfareGap(), 5));
    line(
        b,
        "payments",
        "%s: individually rational (outside option: eMin from the grid) %s, weakly budget"
            + " balanced %s, surplus %s",
        r.payments().rule(),
        r.payments().individuallyRational(),
        r.payments().weaklyBudgetBalanced(),
        ScenarioJson.fmt(r.payments().budgetSurplus(), 4));
    line(
        b,
        "compared",
        "%s: %d participants not individually rational; WBB before settlement %s (settlement %s)",
        r.comparedPayments().rule(),
        r.comparedPayments().irViolations(),
        r.weaklyBudgetBalanced(),
        r.settlement());
    b.append(String.format(Locale.ROOT, "%nwelfare by round%n"));
    int rounds = r.trace().size();
    for (DemandResponseResult.Round round : r.trace()) {
      if (rounds > 30 && round.round() > 10 && round.round() <= rounds - 10) {
        if (round.round() == 11) {
          b.append(String.format(Locale.ROOT, "  ... %d rounds ...%n", rounds - 20));
        }
        continue;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "  %4d  %14s  max bid change %s%n",
              round.round(),
              ScenarioJson.fmt(round.welfare(), 4),
              ScenarioJson.fmt(round.maxRelativeChange(), 6)));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "%nEV         stores kWh      utility         pays  outside option  IR   pays (%s)%n",
            r.comparedPayments().rule()));
    for (int i = 0; i < instance.evs().size(); i++) {
      if (i == 20 && instance.evs().size() > 25) {
        b.append(String.format(Locale.ROOT, "... %d more EVs%n", instance.evs().size() - 20));
        break;
      }
      DemandResponseResult.EvOutcome e = r.payments().evs().get(i);
      b.append(
          String.format(
              Locale.ROOT,
              "%-10s %10s %12s %12s %15s  %-4s %s%n",
              e.id(),
              ScenarioJson.fmt(e.energy(), 3),
              ScenarioJson.fmt(e.utility(), 3),
              ScenarioJson.fmt(e.payment(), 3),
              ScenarioJson.fmt(e.outsideOption(), 3),
              e.individuallyRational() ? "yes" : "NO",
              ScenarioJson.fmt(r.comparedPayments().evs().get(i).payment(), 3)));
    }
    b.append(String.format(Locale.ROOT, "%nSP         supplies kWh   is paid%n"));
    double[] supply = new double[instance.sps().size()];
    List<String> spIds = new ArrayList<>();
    Map<String, Integer> spIndex = new HashMap<>();
    for (DrInstance.Sp sp : instance.sps()) {
      spIndex.put(sp.id(), spIds.size());
      spIds.add(sp.id());
    }
    for (DrFlow f : r.allocation()) {
      supply[spIndex.get(f.spId())] += f.supply();
    }
    for (int j = 0; j < instance.sps().size(); j++) {
      if (j == 20 && instance.sps().size() > 25) {
        b.append(String.format(Locale.ROOT, "... %d more SPs%n", instance.sps().size() - 20));
        break;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "%-10s %12s %9s%n",
              spIds.get(j),
              ScenarioJson.fmt(supply[j], 3),
              ScenarioJson.fmt(r.payments().sps().get(j).revenue(), 3)));
    }
    return b.toString();
  }

  private static void line(StringBuilder b, String label, String format, Object... args) {
    b.append(
        String.format(Locale.ROOT, "%-11s %s%n", label, String.format(Locale.ROOT, format, args)));
  }
}

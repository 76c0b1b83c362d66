package org.gridtrade.examples.cli;

import static org.gridtrade.examples.study.V2vStudy.f;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import org.gridtrade.examples.study.V2vComparison;
import org.gridtrade.examples.study.V2vHotspotStudy;
import org.gridtrade.examples.study.V2vStudy;
import org.gridtrade.game.v2v.FederatedRound;
import org.gridtrade.game.v2v.FederatedTraining;
import org.gridtrade.game.v2v.FederatedTraining.AggregatorDraw;
import org.gridtrade.game.v2v.FederatedTraining.Variant;
import org.gridtrade.game.v2v.OptimalCausalPolicy;
import org.gridtrade.game.v2v.PerfectForesight;
import org.gridtrade.game.v2v.PpoConfig;
import org.gridtrade.game.v2v.PpoLearner;
import org.gridtrade.game.v2v.RuleBasedPolicy;
import org.gridtrade.game.v2v.TouPrices;
import org.gridtrade.game.v2v.V2vEpisode;
import org.gridtrade.game.v2v.V2vHotspot;
import org.gridtrade.game.v2v.V2vMode;
import org.gridtrade.game.v2v.V2vPolicy;
import org.gridtrade.game.v2v.V2vScenario;
import org.gridtrade.game.v2v.V2vStep;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gridtrade v2v}: V2V energy trading with (federated) reinforcement learning, Moniruzzaman
 * Ch. 4 (docs/v2v.md).
 */
@Command(
    name = "v2v",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    description =
        "V2V energy trading with federated PPO (Moniruzzaman Ch. 4): train a fleet, evaluate one"
            + " EV against the exact yardsticks, or run the chapter's study.",
    subcommands = {
      V2vCommand.Train.class,
      V2vCommand.Evaluate.class,
      V2vCommand.Study.class,
      V2vCommand.Compare.class,
      V2vCommand.Hotspot.class
    })
public final class V2vCommand implements Callable<Integer> {
  static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw GridTradeCommand.subcommandRequired(spec);
  }

  /** Options every subcommand shares. */
  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--scenario",
        paramLabel = "FILE",
        description =
            "One EV's scenario JSON (docs/scenarios.md); for a fleet, the fields every EV shares."
                + " Default: arrival 07:00, departure 18:00, SOC 0.5, 42 kWh, 7 kWh/h.")
    Path scenario;

    @Option(
        names = "--seed",
        paramLabel = "S",
        defaultValue = "1",
        description = "Seed of everything random (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "Write charts (PNG and SVG) into DIR.")
    Path out;

    @Mixin JsonOutput output;

    ParameterException bad(String message) {
      return new ParameterException(spec.commandLine(), message);
    }

    V2vScenario scenario() {
      if (scenario == null) {
        return V2vScenario.defaults();
      }
      try {
        return readScenario(scenario);
      } catch (IllegalArgumentException e) {
        throw bad("--scenario %s: %s".formatted(scenario, e.getMessage()));
      }
    }

    void range(String option, long v, long lo, long hi) {
      if (v < lo || v > hi) {
        throw bad("%s %d is outside %d..%d".formatted(option, v, lo, hi));
      }
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    void print(ObjectNode root, String text, List<Path> charts) throws IOException {
      output.print(
          () -> {
            ArrayNode files = root.putArray("charts");
            charts.forEach(c -> files.add(c.toString()));
            return root;
          },
          () -> {
            StringBuilder b = new StringBuilder(text);
            charts.forEach(
                c -> b.append("chart         ").append(c).append(System.lineSeparator()));
            return b.toString();
          });
    }
  }

  /** Options of the commands that train a fleet. */
  abstract static class FleetBase extends Base {
    @Option(
        names = "--evs",
        paramLabel = "N",
        defaultValue = "10",
        description = "EVs in the fleet, drawn from Table 4.1 (default: ${DEFAULT-VALUE}).")
    int evs;

    @Option(
        names = "--uniform",
        description = "Draw the fleet uniformly over Table 4.1's ranges (Fig. 4.10's UD data).")
    boolean uniform;

    @Option(
        names = "--steps",
        paramLabel = "S",
        defaultValue = "100000",
        description =
            "Environment steps each EV trains (whole rounds of 2,048 steps, four PPO updates"
                + " each; default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(
        names = "--eval-days",
        paramLabel = "D",
        defaultValue = "100",
        description =
            "Held-out days every EV plays after each round for the learning curve (default:"
                + " ${DEFAULT-VALUE}).")
    int evalDays;

    void checkFleet() {
      range("--evs", evs, 1, 1000);
      range("--steps", steps, 1, 100_000_000);
      range("--eval-days", evalDays, 1, 100_000);
    }

    /**
     * The fleet the options draw from Table 4.1 around the scenario's shared fields, with the
     * learning curve's held-out days.
     */
    Fleet fleet() {
      V2vScenario template = scenario();
      return new Fleet(
          template,
          V2vStudy.fleet(evs, uniform, template, seed),
          V2vStudy.heldOutDays(template.prices(), evalDays, seed));
    }
  }

  /**
   * A command's fleet.
   *
   * @param template the scenario every EV shares
   * @param evs the EVs
   * @param curveDays the held-out days of the learning curve
   */
  record Fleet(V2vScenario template, List<V2vScenario> evs, List<double[]> curveDays) {
    /** Other held-out days of the template's prices, drawn from {@code seed}. */
    List<double[]> heldOutDays(int count, long seed) {
      return V2vStudy.heldOutDays(template.prices(), count, seed);
    }
  }

  /** Options of the commands that train a fleet by {@code FederatedTraining}. */
  abstract static class FederatedBase extends FleetBase {
    @Option(
        names = "--server-step",
        paramLabel = "S",
        defaultValue = "1",
        description =
            "The server's step in (0, 10]: the global model moves S times the way from the round's"
                + " start to the mean of the local models; 1 is Eq. 4.19, the mean itself (default:"
                + " ${DEFAULT-VALUE}).")
    double serverStep;

    @Override
    void checkFleet() {
      super.checkFleet();
      if (!(serverStep > 0 && serverStep <= 10)) {
        throw bad("--server-step %s must be in (0, 10]".formatted(serverStep));
      }
    }
  }

  /** {@code gridtrade v2v train}. */
  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      versionProvider = GridTradeCommand.Version.class,
      sortOptions = false,
      description = {
        "Trains a fleet of EVs drawn from Table 4.1 with federated PPO (Moniruzzaman Alg. 4) or a"
            + " baseline, with a progress bar on standard error.",
        "Each round every EV trains four PPO updates (2,048 steps) on its own window, plays the"
            + " round's day (its proof score, Eq. 4.17, comes from those actions), the aggregator"
            + " drawn by Proof of State of Charge (Eq. 4.18) averages the weights (Eq. 4.19) and"
            + " every EV continues from the global model, whose SHA-256 is printed as the chain"
            + " records it."
      })
  static final class Train extends FederatedBase {
    @Option(
        names = "--variant",
        paramLabel = "V",
        defaultValue = "federated",
        description =
            "federated (Alg. 4), independent (baseline 1) or unit-delta (baseline 2: no price"
                + " factor in the reward) (default: ${DEFAULT-VALUE}).")
    String variant;

    @Option(
        names = "--draw",
        paramLabel = "D",
        defaultValue = "posoc",
        description =
            "The aggregator draw: posoc (weighted by the proof scores, Eq. 4.18) or highest"
                + " (default: ${DEFAULT-VALUE}).")
    String draw;

    @Option(
        names = "--save-model",
        paramLabel = "FILE",
        description =
            "Write the final global model to FILE (federated variants): its configuration,"
                + " weights and the SHA-256 the last round reports; 'v2v evaluate --model' reads"
                + " it.")
    Path saveModel;

    @Override
    public Integer call() throws IOException {
      checkFleet();
      Variant v =
          switch (variant) {
            case "federated" -> Variant.FEDERATED;
            case "independent" -> Variant.INDEPENDENT;
            case "unit-delta" -> Variant.FEDERATED_UNIT_DELTA;
            default ->
                throw bad(
                    "--variant %s must be federated, independent or unit-delta".formatted(variant));
          };
      V2vStudy.PosocDraw posoc = new V2vStudy.PosocDraw(seed);
      AggregatorDraw d =
          switch (draw) {
            case "posoc" -> posoc;
            case "highest" -> AggregatorDraw.highestScore();
            default -> throw bad("--draw %s must be posoc or highest".formatted(draw));
          };
      if (saveModel != null && !v.federates()) {
        throw bad(
            "--save-model needs a federated variant: independent learners have no global model");
      }
      Fleet drawn = fleet();
      List<V2vScenario> fleet = drawn.evs();
      List<double[]> days = drawn.curveDays();
      double optimal = V2vStudy.optimalMean(fleet);
      V2vStudy.Run run =
          V2vStudy.train(v, fleet, PpoConfig.fleet(seed), serverStep, steps, d, days, err());
      ObjectNode root = JSON.createObjectNode();
      root.put("command", "v2v train");
      root.put("serverStep", serverStep);
      root.put("variant", variant);
      root.put("draw", draw);
      root.put("evs", evs);
      root.put("seed", seed);
      root.put("optimalCausalReturn", optimal);
      FederatedRound last = run.rounds().get(run.rounds().size() - 1);
      root.put("stepsPerEv", last.stepsPerEv());
      root.put("heldOutMeanReturn", run.heldOut().get(run.heldOut().size() - 1));
      root.put("ratioToOptimal", run.heldOut().get(run.heldOut().size() - 1) / optimal);
      root.put("trainingSeconds", run.seconds());
      root.put("drawFallbacks", posoc.fallbacks);
      last.globalModelHash().ifPresent(h -> root.put("globalModelHash", h));
      if (saveModel != null) {
        run.training().writeModel(0, saveModel);
        root.put("savedModel", saveModel.toString());
      }
      ArrayNode rounds = root.putArray("rounds");
      StringBuilder b = new StringBuilder();
      b.append(
          f(
              "V2V %s training: %d EVs (Table 4.1, %s), seed %d, aggregator draw %s%n",
              variant, evs, uniform ? "uniform" : "normal", seed, draw));
      b.append(
          f(
              "%5s %9s %10s %10s %10s %5s  %s%n",
              "round", "steps/EV", "training", "day", "held-out", "mLAG", "global model SHA-256"));
      for (int r = 0; r < run.rounds().size(); r++) {
        FederatedRound fr = run.rounds().get(r);
        ObjectNode o = rounds.addObject();
        o.put("round", fr.round());
        o.put("stepsPerEv", fr.stepsPerEv());
        o.put("meanTrainingReturn", fr.meanTrainingReturn());
        o.put("meanDayReturn", fr.meanDayReturn());
        o.put("heldOutMeanReturn", run.heldOut().get(r));
        ArrayNode sc = o.putArray("proofScores");
        fr.dailyScores().forEach(sc::add);
        fr.aggregator().ifPresent(a -> o.put("aggregator", a));
        fr.globalModelHash().ifPresent(h -> o.put("globalModelHash", h));
        b.append(
            f(
                "%5d %9d %10.2f %10.2f %10.2f %5s  %s%n",
                fr.round(),
                fr.stepsPerEv(),
                fr.meanTrainingReturn(),
                fr.meanDayReturn(),
                run.heldOut().get(r),
                fr.aggregator().isPresent() ? "EV" + fr.aggregator().getAsInt() : "-",
                fr.globalModelHash().orElse("-")));
      }
      b.append(
          f(
              "held-out mean return %.2f of the optimal causal %.2f (%.1f %%), %.1f s of"
                  + " training%n",
              run.heldOut().get(run.heldOut().size() - 1),
              optimal,
              100 * run.heldOut().get(run.heldOut().size() - 1) / optimal,
              run.seconds()));
      List<Path> charts = new ArrayList<>();
      if (out != null) {
        XYChart c = V2vStudy.chart("Learning curve (" + variant + ")", "steps per EV", "cents");
        List<Double> x = run.rounds().stream().map(fr -> (double) fr.stepsPerEv()).toList();
        V2vStudy.line(
            c,
            "training return",
            x,
            run.rounds().stream().map(FederatedRound::meanTrainingReturn).toList());
        V2vStudy.line(c, "held-out return", x, run.heldOut());
        V2vStudy.save(c, out, "v2v-train-curve", charts);
      }
      print(root, b.toString(), charts);
      return 0;
    }
  }

  /** {@code gridtrade v2v evaluate}. */
  @Command(
      name = "evaluate",
      mixinStandardHelpOptions = true,
      versionProvider = GridTradeCommand.Version.class,
      sortOptions = false,
      description = {
        "Trains one EV's PPO policy (or reads one with --model) and evaluates it on held-out"
            + " days against the optimal causal policy (dynamic programming), the perfect-foresight"
            + " optimum of each day and the rule-based policy. Returns are Eq. 4.14 rewards in"
            + " cents."
      })
  static final class Evaluate extends Base {
    @Option(
        names = "--steps",
        paramLabel = "S",
        defaultValue = "300000",
        description = "Environment steps of training (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(
        names = "--days",
        paramLabel = "D",
        defaultValue = "500",
        description = "Held-out days to evaluate on (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(
        names = "--model",
        paramLabel = "FILE",
        description =
            "Evaluate the model in FILE (written by --save-model) instead of training one;"
                + " --steps is then ignored.")
    Path model;

    @Option(
        names = "--save-model",
        paramLabel = "FILE",
        description =
            "Write the trained model to FILE: its configuration, weights and SHA-256 (the hash the"
                + " chain records for a global model).")
    Path saveModel;

    @Override
    public Integer call() throws IOException {
      range("--steps", steps, 0, 100_000_000);
      range("--days", days, 1, 100_000);
      V2vScenario s = scenario();
      PpoLearner learner;
      List<Double> curve = new ArrayList<>();
      long t0 = System.nanoTime();
      if (model != null) {
        try {
          learner = PpoLearner.readModel(model);
        } catch (IllegalArgumentException e) {
          throw bad("--model: " + e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
          throw bad("--model %s: no such file".formatted(model));
        }
      } else {
        PpoConfig cfg = PpoConfig.defaults(seed);
        learner = new PpoLearner(cfg);
        V2vStudy.Progress progress = new V2vStudy.Progress(err(), "training", steps);
        while (learner.stepsTrained() < steps) {
          curve.addAll(learner.train(s, cfg.stepsPerUpdate()).meanReturns());
          progress.at(Math.min(steps, learner.stepsTrained()), "steps");
        }
      }
      double seconds = model != null ? 0 : (System.nanoTime() - t0) / 1e9;
      if (saveModel != null) {
        learner.writeModel(saveModel);
      }
      List<double[]> heldOut = V2vStudy.heldOutDays(s.prices(), days, seed);
      V2vPolicy policy = learner.policy(s);
      OptimalCausalPolicy best = OptimalCausalPolicy.solve(s, V2vStudy.DP_STEPS);
      V2vStudy.Score learned = V2vStudy.play(s, policy, heldOut);
      V2vStudy.Score optimalPlayed = V2vStudy.play(s, best, heldOut);
      V2vStudy.Score rule = V2vStudy.play(s, RuleBasedPolicy.of(s), heldOut);
      V2vStudy.Score perfect = V2vStudy.perfectForesight(s, heldOut);
      double optimal = best.expectedReturn();
      ObjectNode root = JSON.createObjectNode();
      root.put("command", "v2v evaluate");
      root.put("learnedMeanReturn", learned.meanReturn());
      root.put("optimalCausalReturn", optimal);
      root.put("optimalCausalMeanReturn", optimalPlayed.meanReturn());
      root.put("perfectForesightMeanReturn", perfect.meanReturn());
      root.put("ruleBasedMeanReturn", rule.meanReturn());
      root.put("ratioToOptimal", learned.meanReturn() / optimal);
      root.put("ratioToPerfectForesight", learned.meanReturn() / perfect.meanReturn());
      root.put("learnedMeanProfit", learned.meanProfit());
      root.put("optimalCausalMeanProfit", optimalPlayed.meanProfit());
      root.put("ruleBasedMeanProfit", rule.meanProfit());
      root.put("days", days);
      root.put("episodesTrained", learner.episodesTrained());
      root.put("stepsTrained", learner.stepsTrained());
      root.put("trainingSeconds", seconds);
      root.put("seed", seed);
      root.put("modelHash", learner.modelHash());
      if (model != null) {
        root.put("model", model.toString());
      }
      if (saveModel != null) {
        root.put("savedModel", saveModel.toString());
      }
      String text =
          f(
                  "V2V evaluate: one EV %02d:00-%02d:00, SOC %.2f, %.0f kWh, %.1f kWh/h, seed %d%n",
                  s.arrivalHour(),
                  s.departureHour(),
                  s.initialSoc(),
                  s.capacityKwh(),
                  s.rateKwhPerHour(),
                  seed)
              + (model != null
                  ? f(
                      "model         %s: %,d steps (%,d days) trained, SHA-256 %s%n",
                      model, learner.stepsTrained(), learner.episodesTrained(), learner.modelHash())
                  : f(
                      "trained       %,d steps (%,d days) in %.1f s%n",
                      learner.stepsTrained(), learner.episodesTrained(), seconds))
              + (saveModel == null
                  ? ""
                  : f("saved model   %s (SHA-256 %s)%n", saveModel, learner.modelHash()))
              + f("%-22s %12s %12s%n", "held-out days: " + days, "mean return", "mean profit")
              + f("%-22s %12.2f %12.2f%n", "PPO", learned.meanReturn(), learned.meanProfit())
              + f(
                  "%-22s %12.2f %12.2f   (expected %.2f)%n",
                  "optimal causal (DP)",
                  optimalPlayed.meanReturn(),
                  optimalPlayed.meanProfit(),
                  optimal)
              + f(
                  "%-22s %12.2f %12.2f%n",
                  "perfect foresight", perfect.meanReturn(), perfect.meanProfit())
              + f("%-22s %12.2f %12.2f%n", "rule-based", rule.meanReturn(), rule.meanProfit())
              + f(
                  "PPO reaches %.1f %% of the optimal causal return, %.1f %% of perfect"
                      + " foresight%n",
                  100 * learned.meanReturn() / optimal,
                  100 * learned.meanReturn() / perfect.meanReturn());
      List<Path> charts = new ArrayList<>();
      if (out != null) {
        if (!curve.isEmpty()) {
          XYChart c = V2vStudy.chart("PPO learning curve", "update", "mean training return (c)");
          V2vStudy.line(c, "PPO", V2vStudy.indices(curve.size(), 1), curve);
          V2vStudy.save(c, out, "v2v-evaluate-curve", charts);
        }
        double[] day = heldOut.get(0);
        V2vStudy.save(
            V2vStudy.actionsChart(
                "One held-out day: hourly actions",
                s,
                List.of("PPO", "optimal causal", "perfect foresight", "rule-based"),
                List.of(
                    V2vEpisode.play(s, policy, day),
                    V2vEpisode.play(s, best, day),
                    PerfectForesight.solve(s, day, V2vStudy.DP_STEPS),
                    V2vEpisode.play(s, RuleBasedPolicy.of(s), day))),
            out,
            "v2v-evaluate-day",
            charts);
      }
      print(root, text, charts);
      return 0;
    }
  }

  /** {@code gridtrade v2v compare}: Fig. 4.10. */
  @Command(
      name = "compare",
      mixinStandardHelpOptions = true,
      versionProvider = GridTradeCommand.Version.class,
      sortOptions = false,
      description = {
        "Fig. 4.10: PPO2, A2C and SAC on Table 4.1's normal (ND) and uniform (UD) data. Each"
            + " algorithm trains one learner per data set on EVs drawn from it (a fresh EV and day"
            + " every episode, no federation) for the same number of steps; after each stage its"
            + " policy plays held-out days of a fleet drawn from the same data, reported as the"
            + " mean return and its fraction of the optimal causal return. SAC takes one gradient"
            + " step per environment step and is by far the slowest per step."
      })
  static final class Compare extends Base {
    @Option(
        names = "--steps",
        paramLabel = "S",
        defaultValue = "200000",
        description = "Environment steps each learner trains (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(
        names = "--points",
        paramLabel = "K",
        defaultValue = "10",
        description = "Evaluation points along the training (default: ${DEFAULT-VALUE}).")
    int points;

    @Option(
        names = "--evs",
        paramLabel = "N",
        defaultValue = "10",
        description = "EVs of the evaluation fleet of each data set (default: ${DEFAULT-VALUE}).")
    int evs;

    @Option(
        names = "--eval-days",
        paramLabel = "D",
        defaultValue = "100",
        description =
            "Held-out days each EV of the fleet plays at every point (default: ${DEFAULT-VALUE}).")
    int evalDays;

    @Override
    public Integer call() throws IOException {
      range("--steps", steps, 1, 100_000_000);
      range("--points", points, 1, 1_000);
      range("--evs", evs, 1, 1_000);
      range("--eval-days", evalDays, 1, 100_000);
      V2vScenario template = scenario();
      List<V2vComparison.Curve> curves =
          V2vComparison.run(template, steps, points, evs, evalDays, seed, err());
      ObjectNode root = JSON.createObjectNode();
      root.put("command", "v2v compare");
      root.put("steps", steps);
      root.put("evs", evs);
      root.put("evalDays", evalDays);
      root.put("seed", seed);
      ArrayNode runs = root.putArray("runs");
      StringBuilder text = new StringBuilder();
      text.append(
          f(
              "Fig. 4.10: PPO2, A2C and SAC, %,d steps per learner, a fleet of %d EVs per data set"
                  + " on %d held-out days, seed %d%n",
              steps, evs, evalDays, seed));
      text.append(
          f(
              "%-10s %-8s %12s %12s %10s %9s%n",
              "algorithm", "data", "mean return", "optimal", "fraction", "seconds"));
      for (V2vComparison.Curve c : curves) {
        ObjectNode o = runs.addObject();
        o.put("algorithm", c.algorithm().label());
        o.put("data", c.data());
        o.put("optimalCausalReturn", c.optimalCausal());
        o.put("finalMeanReturn", c.meanReturn().get(c.meanReturn().size() - 1));
        o.put("finalRatioToOptimal", c.finalRatio());
        o.put("seconds", c.seconds());
        ArrayNode curve = o.putArray("curve");
        for (int k = 0; k < c.steps().size(); k++) {
          ObjectNode pt = curve.addObject();
          pt.put("steps", c.steps().get(k));
          pt.put("meanReturn", c.meanReturn().get(k));
          pt.put("ratioToOptimal", c.meanReturn().get(k) / c.optimalCausal());
        }
        text.append(
            f(
                "%-10s %-8s %12.2f %12.2f %9.1f%% %9.1f%n",
                c.algorithm().label(),
                c.data(),
                c.meanReturn().get(c.meanReturn().size() - 1),
                c.optimalCausal(),
                100 * c.finalRatio(),
                c.seconds()));
      }
      List<Path> charts = new ArrayList<>();
      if (out != null) {
        XYChart chart =
            V2vStudy.chart(
                "PPO2, A2C and SAC on normal and uniform data (Fig. 4.10)",
                "environment steps",
                "held-out return / optimal causal");
        for (V2vComparison.Curve c : curves) {
          List<Double> x = c.steps().stream().map(Long::doubleValue).toList();
          List<Double> y = c.meanReturn().stream().map(r -> r / c.optimalCausal()).toList();
          V2vStudy.line(chart, c.algorithm().label() + " " + c.data(), x, y);
        }
        V2vStudy.save(chart, out, "v2v-compare", charts);
      }
      print(root, text.toString(), charts);
      return 0;
    }
  }

  /** {@code gridtrade v2v hotspot}: learning against the cleared hotspot. */
  @Command(
      name = "hotspot",
      mixinStandardHelpOptions = true,
      versionProvider = GridTradeCommand.Version.class,
      sortOptions = false,
      description = {
        "Learning at the hotspot whose V2V trades are cleared each hour among the parked EVs by"
            + " lib-auction's double auction, the grid taking the rest: the fleet trains together"
            + " there (independent learners, then federated), beside independent learners trained"
            + " under the fixed price rule. All are played under clearing on held-out days and"
            + " reported against the joint perfect-foresight bound (the fleet's best plan for each"
            + " day, which no policy can pass) and the rule-based policy."
      })
  static final class Hotspot extends FleetBase {
    @Option(
        names = "--days",
        paramLabel = "D",
        defaultValue = "200",
        description = "Held-out days of the final comparison (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws IOException {
      checkFleet();
      range("--days", days, 1, 100_000);
      Fleet drawn = fleet();
      List<V2vScenario> fleet = drawn.evs();
      List<double[]> curveDays = drawn.curveDays();
      List<double[]> finalDays = drawn.heldOutDays(days, seed + 1);
      PpoConfig ppo = PpoConfig.defaults(seed);
      List<V2vHotspotStudy.Run> runs =
          List.of(
              V2vHotspotStudy.cleared(false, fleet, ppo, steps, curveDays, err()),
              V2vHotspotStudy.cleared(true, fleet, ppo, steps, curveDays, err()),
              V2vHotspotStudy.rule(fleet, ppo, steps, curveDays, err()));
      double curveBound = V2vHotspot.meanJointBound(fleet, curveDays);
      double bound = V2vHotspot.meanJointBound(fleet, finalDays);
      ObjectNode root = JSON.createObjectNode();
      root.put("command", "v2v hotspot");
      root.put("evs", evs);
      root.put("uniform", uniform);
      root.put("steps", steps);
      root.put("seed", seed);
      root.put("days", days);
      root.put("jointBound", bound);
      root.put("curveJointBound", curveBound);
      StringBuilder b = new StringBuilder();
      b.append(
          f(
              "V2V at the cleared hotspot: %d EVs (Table 4.1, %s), %,d steps per EV, seed %d%n",
              evs, uniform ? "uniform" : "normal", steps, seed));
      b.append(
          f(
              "Joint perfect-foresight bound (the fleet's best plan for each day, cleared): %.2f"
                  + " cents per EV and day on %d held-out days%n%n",
              bound, days));
      b.append(
          f(
              "%-26s %20s %9s %8s %16s %8s%n",
              "policy", "return (profit)", "of bound", "matched", "95 %: days/EV", "train s"));
      ArrayNode rows = root.putArray("runs");
      List<String> names = new ArrayList<>();
      List<IntFunction<V2vPolicy>> policies = new ArrayList<>();
      for (V2vHotspotStudy.Run run : runs) {
        names.add(run.name());
        policies.add(run.policies());
      }
      names.add("rule-based");
      policies.add(i -> RuleBasedPolicy.of(fleet.get(i)));
      for (int k = 0; k < names.size(); k++) {
        V2vHotspot.Summary sum = V2vHotspot.evaluate(fleet, policies.get(k), finalDays);
        ObjectNode o = rows.addObject();
        o.put("policy", names.get(k));
        o.put("meanReturn", sum.meanReturn());
        o.put("meanProfit", sum.meanProfit());
        o.put("matchedShare", sum.matchedShare());
        if (bound > 0) {
          o.put("ratioToBound", sum.meanReturn() / bound);
        } else {
          o.putNull("ratioToBound");
        }
        String reach = "";
        String secs = "";
        if (k < runs.size()) {
          V2vHotspotStudy.Run run = runs.get(k);
          long d95 = curveBound > 0 ? run.daysReaching(0.95 * curveBound) : -1;
          if (d95 < 0) {
            o.putNull("daysPerEvTo95");
            reach = "not reached";
          } else {
            o.put("daysPerEvTo95", d95);
            reach = f("%,d", d95);
          }
          o.put("trainingSeconds", run.seconds());
          secs = f("%.1f", run.seconds());
          ArrayNode curve = o.putArray("curve");
          for (int r = 0; r < run.curve().size(); r++) {
            ObjectNode pt = curve.addObject();
            pt.put("daysPerEv", run.daysPerEv().get(r));
            pt.put("meanReturn", run.curve().get(r));
          }
        }
        b.append(
            f(
                "%-26s %20s %9s %7.1f%% %16s %8s%n",
                names.get(k),
                f("%.2f (%.2f)", sum.meanReturn(), sum.meanProfit()),
                bound > 0 ? f("%.1f%%", 100 * sum.meanReturn() / bound) : "-",
                100 * sum.matchedShare(),
                reach,
                secs));
      }
      List<Path> charts = new ArrayList<>();
      if (out != null) {
        XYChart chart =
            V2vStudy.chart(
                "Learning at the cleared hotspot",
                "training days per EV",
                "held-out return under clearing, cents per EV and day");
        for (V2vHotspotStudy.Run run : runs) {
          V2vStudy.line(
              chart,
              run.name(),
              run.daysPerEv().stream().map(Long::doubleValue).toList(),
              run.curve());
        }
        double last =
            runs.stream()
                .mapToLong(r -> r.daysPerEv().get(r.daysPerEv().size() - 1))
                .max()
                .orElse(1);
        List<Double> x = List.of(0.0, last);
        V2vStudy.line(chart, "joint perfect-foresight bound", x, List.of(curveBound, curveBound));
        double rb =
            V2vHotspot.evaluate(fleet, i -> RuleBasedPolicy.of(fleet.get(i)), curveDays)
                .meanReturn();
        V2vStudy.line(chart, "rule-based", x, List.of(rb, rb));
        V2vStudy.save(chart, out, "v2v-hotspot", charts);
      }
      print(root, b.toString(), charts);
      return 0;
    }
  }

  /** {@code gridtrade v2v study}. */
  @Command(
      name = "study",
      mixinStandardHelpOptions = true,
      versionProvider = GridTradeCommand.Version.class,
      sortOptions = false,
      description = {
        "The chapter's study: trains the fleet with federated PPO (Alg. 4, PoSOC-drawn"
            + " aggregator), baseline 1 (independent learners) and baseline 2 (delta = 1), one"
            + " after the other, and reports Fig. 4.6 (learning curve, episodes and time to the"
            + " plateau), Fig. 4.7 (one EV's hourly actions and profit), Fig. 4.8 (the fleet and"
            + " the mLAG drawn), Fig. 4.9 (the effect of price on five EVs' trades) and Fig."
            + " 4.11-4.12 (the proposed method against the baselines)"
            + " on held-out days, as fractions of the optimal causal return."
      })
  static final class Study extends FederatedBase {
    /** The factors Fig. 4.9's day has its retail prices scaled by. */
    static final double[] PRICE_SCALES = {0.8, 0.9, 1.0, 1.1, 1.2};

    @Option(
        names = "--days",
        paramLabel = "D",
        defaultValue = "200",
        description = "Held-out days of the final comparison (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(
        names = "--personalise",
        paramLabel = "STEPS",
        defaultValue = "61440",
        description =
            "After the comparison, every EV of the federated fleet trains STEPS more on its own,"
                + " from the global model, without averaging (federated averaging with local"
                + " adaptation), evaluated every 5 rounds of 2,048 steps; 0 skips it (default:"
                + " ${DEFAULT-VALUE}, 30 rounds).")
    long personalise;

    @Override
    public Integer call() throws IOException {
      checkFleet();
      range("--days", days, 1, 100_000);
      if (personalise < 0 || personalise > 100_000_000) {
        throw bad("--personalise %d must be 0 (skip) or in 1..100000000".formatted(personalise));
      }
      Fleet drawn = fleet();
      List<V2vScenario> fleet = drawn.evs();
      List<double[]> curveDays = drawn.curveDays();
      List<double[]> finalDays = drawn.heldOutDays(days, seed + 1);
      PpoConfig ppo = PpoConfig.fleet(seed);
      V2vStudy.PosocDraw posoc = new V2vStudy.PosocDraw(seed);
      List<V2vStudy.Run> runs = new ArrayList<>();
      for (Variant v : Variant.values()) {
        runs.add(
            V2vStudy.train(
                v,
                fleet,
                ppo,
                v.federates() ? serverStep : 1,
                steps,
                v == Variant.FEDERATED ? posoc : AggregatorDraw.highestScore(),
                curveDays,
                err()));
      }
      double[] optimal = new double[evs];
      double optimalSum = 0;
      for (int i = 0; i < evs; i++) {
        optimal[i] = OptimalCausalPolicy.solve(fleet.get(i), V2vStudy.DP_STEPS).expectedReturn();
        optimalSum += optimal[i];
      }
      final double optimalMean = optimalSum / evs;
      double meanSlots = fleet.stream().mapToInt(V2vScenario::slots).average().orElse(1);
      ObjectNode root = JSON.createObjectNode();
      root.put("command", "v2v study");
      root.put("serverStep", serverStep);
      root.put("evs", evs);
      root.put("uniform", uniform);
      root.put(
          "stepsPerEv", runs.get(0).rounds().get(runs.get(0).rounds().size() - 1).stepsPerEv());
      root.put("seed", seed);
      root.put("optimalCausalReturn", optimalMean);
      StringBuilder b = new StringBuilder();
      b.append(
          f(
              "V2V study (Moniruzzaman Ch. 4): %d EVs (Table 4.1, %s), %,d steps per EV, seed %d%n",
              evs, uniform ? "uniform" : "normal", steps, seed));

      // Fig. 4.6 and 4.11: convergence.
      b.append(
          f(
              "%nLearning curves (held-out mean over the EVs, %d days; optimal causal %.2f)%n",
              evalDays, optimalMean));
      b.append(
          f(
              "%-26s %10s %10s %18s %18s %9s%n",
              "variant", "final", "of opt.", "90 %: days/EV (s)", "95 %: days/EV (s)", "train s"));
      ArrayNode conv = root.putArray("convergence");
      for (V2vStudy.Run run : runs) {
        double fin = run.heldOut().get(run.heldOut().size() - 1);
        ObjectNode o = conv.addObject();
        o.put("variant", run.variant().name());
        o.put("finalHeldOutReturn", fin);
        o.put("ratioToOptimal", fin / optimalMean);
        o.put("trainingSeconds", run.seconds());
        StringBuilder cells = new StringBuilder();
        for (double level : new double[] {0.9, 0.95}) {
          int r = run.roundReaching(level * optimalMean);
          String key = level == 0.9 ? "90" : "95";
          if (r < 0) {
            o.putNull("episodesTo" + key);
            cells.append(f(" %18s", "not reached"));
          } else {
            long ep = Math.round(run.rounds().get(r).stepsPerEv() / meanSlots);
            o.put("episodesTo" + key, ep);
            o.put("secondsTo" + key, run.secondsTo(r));
            cells.append(f(" %18s", f("%,d (%.0f)", ep, run.secondsTo(r))));
          }
        }
        ArrayNode curve = o.putArray("heldOutCurve");
        run.heldOut().forEach(curve::add);
        ArrayNode training = o.putArray("trainingCurve");
        run.rounds().forEach(fr -> training.add(fr.meanTrainingReturn()));
        b.append(
            f(
                "%-26s %10.2f %9.1f%%%s %9.1f%n",
                label(run.variant()), fin, 100 * fin / optimalMean, cells, run.seconds()));
      }

      // Fig. 4.11-4.12: per EV on the final held-out days.
      b.append(
          f(
              "%nPer EV on %d held-out days: mean return (mean profit), cents%n"
                  + "%-4s %-11s %6s %16s %16s %16s %16s %9s %9s%n",
              days,
              "EV",
              "window",
              "SOC0",
              "FRL (Alg. 4)",
              "baseline 1",
              "baseline 2",
              "rule-based",
              "opt. DP",
              "perfect"));
      ArrayNode perEv = root.putArray("perEv");
      double[][] ret = new double[4][evs];
      double[][] prof = new double[4][evs];
      double pfMean = 0;
      for (int i = 0; i < evs; i++) {
        V2vScenario s = fleet.get(i);
        V2vStudy.Score[] sc = new V2vStudy.Score[4];
        for (int k = 0; k < 3; k++) {
          sc[k] = V2vStudy.play(s, runs.get(k).training().policy(i), finalDays);
        }
        sc[3] = V2vStudy.play(s, RuleBasedPolicy.of(s), finalDays);
        V2vStudy.Score pf = V2vStudy.perfectForesight(s, finalDays);
        pfMean += pf.meanReturn() / evs;
        ObjectNode o = perEv.addObject();
        o.put("ev", i);
        o.put("arrivalHour", s.arrivalHour());
        o.put("departureHour", s.departureHour());
        o.put("initialSoc", s.initialSoc());
        String[] keys = {"federated", "baseline1", "baseline2", "ruleBased"};
        StringBuilder cells = new StringBuilder();
        for (int k = 0; k < 4; k++) {
          ret[k][i] = sc[k].meanReturn();
          prof[k][i] = sc[k].meanProfit();
          o.put(keys[k] + "MeanReturn", sc[k].meanReturn());
          o.put(keys[k] + "MeanProfit", sc[k].meanProfit());
          cells.append(f(" %16s", f("%.1f (%.1f)", sc[k].meanReturn(), sc[k].meanProfit())));
        }
        o.put("optimalCausalReturn", optimal[i]);
        o.put("perfectForesightMeanReturn", pf.meanReturn());
        b.append(
            f(
                "%-4s %-11s %6.2f%s %9.1f %9.1f%n",
                "EV" + i,
                f("%02d-%02d", s.arrivalHour(), s.departureHour()),
                s.initialSoc(),
                cells,
                optimal[i],
                pf.meanReturn()));
      }
      String[] names = {"FRL (Alg. 4)", "baseline 1", "baseline 2", "rule-based"};
      ObjectNode means = root.putObject("means");
      b.append(f("%-23s", "mean"));
      for (int k = 0; k < 4; k++) {
        double r = mean(ret[k]);
        double p = mean(prof[k]);
        means.put(new String[] {"federated", "baseline1", "baseline2", "ruleBased"}[k], r);
        b.append(f(" %16s", f("%.1f (%.1f)", r, p)));
      }
      b.append(f(" %9.1f %9.1f%n", optimalMean, pfMean));
      means.put("optimalCausal", optimalMean);
      means.put("perfectForesight", pfMean);
      for (int k = 0; k < 4; k++) {
        b.append(
            f(
                "%-14s return %.1f %% of optimal causal, %.1f %% of perfect foresight%s%n",
                names[k],
                100 * mean(ret[k]) / optimalMean,
                100 * mean(ret[k]) / pfMean,
                k == 0
                    ? ""
                    : f(
                        "; FRL's profit %+.1f %% against it",
                        100 * (mean(prof[0]) - mean(prof[k])) / Math.abs(mean(prof[k])))));
      }

      // The hotspot's V2V trades cleared each hour by lib-auction's double auction instead of the
      // fixed price rule: the same actions, the grid taking what finds no counterparty.
      b.append(
          f(
              "%nThe hotspot cleared each hour by lib-auction's uniform-price double auction"
                  + " (k = %.2f), the grid backing up the rest: mean return (mean profit), share of"
                  + " the offered V2V energy matched%n",
              drawn.template().prices().v2vShare()));
      ObjectNode hotspot = root.putObject("hotspot");
      String[] hotKeys = {"federated", "baseline1", "baseline2", "ruleBased"};
      for (int k = 0; k < 4; k++) {
        IntFunction<V2vPolicy> pol =
            k < 3 ? runs.get(k).training()::policy : i -> RuleBasedPolicy.of(fleet.get(i));
        V2vHotspot.Summary hs = V2vHotspot.evaluate(fleet, pol, finalDays);
        ObjectNode o = hotspot.putObject(hotKeys[k]);
        o.put("meanReturn", hs.meanReturn());
        o.put("meanProfit", hs.meanProfit());
        o.put("matchedShare", hs.matchedShare());
        o.put("ratioToOptimal", hs.meanReturn() / optimalMean);
        b.append(
            f(
                "%-14s %6.1f (%5.1f), %.1f %% matched; with the fixed rule %6.1f (%5.1f)%n",
                names[k],
                hs.meanReturn(),
                hs.meanProfit(),
                100 * hs.matchedShare(),
                mean(ret[k]),
                mean(prof[k])));
      }

      // Fig. 4.7 and 4.8: the fleet on one held-out day, with the mLAG drawn from its scores.
      double[] day = finalDays.get(0);
      FederatedTraining frl = runs.get(0).training();
      List<Double> scores = new ArrayList<>();
      List<V2vEpisode> episodes = new ArrayList<>();
      for (int i = 0; i < evs; i++) {
        V2vEpisode e = V2vEpisode.play(fleet.get(i), frl.policy(i), day);
        episodes.add(e);
        scores.add(FederatedTraining.dailyScore(fleet.get(i), e));
      }
      int mlag = posoc.draw(frl.rounds(), scores);
      int top = AggregatorDraw.highestScore().draw(frl.rounds(), scores);
      root.put("mlag", mlag);
      root.put("highestScoreEv", top);
      root.put("drawFallbacks", posoc.fallbacks);
      b.append(
          f(
              "%nOne held-out day (Fig. 4.8): FRL actions in kWh per hour (+ charge, - sell),"
                  + " profit and proof score%n"));
      StringBuilder head = new StringBuilder(f("%-4s", "EV"));
      for (int h = 4; h < 23; h++) {
        head.append(f(" %5s", f("%02d", h)));
      }
      b.append(head).append(f(" %8s %7s%n", "profit", "PS"));
      ArrayNode fleetDay = root.putArray("day");
      for (int i = 0; i < evs; i++) {
        double[] a = new double[24];
        boolean[] parked = new boolean[24];
        for (V2vStep st : episodes.get(i).steps()) {
          a[st.hour()] = st.appliedKwh();
          parked[st.hour()] = true;
        }
        StringBuilder row = new StringBuilder(f("%-4s", "EV" + i));
        ObjectNode o = fleetDay.addObject();
        ArrayNode acts = o.putArray("actions");
        for (V2vStep st : episodes.get(i).steps()) {
          acts.add(st.appliedKwh());
        }
        o.put("arrivalHour", fleet.get(i).arrivalHour());
        o.put("profit", episodes.get(i).totalProfit());
        o.put("proofScore", scores.get(i));
        for (int h = 4; h < 23; h++) {
          row.append(parked[h] ? f(" %5.1f", a[h]) : f(" %5s", "."));
        }
        b.append(row)
            .append(
                f(
                    " %8.1f %7.2f%s%n",
                    episodes.get(i).totalProfit(),
                    scores.get(i),
                    i == mlag ? "  <- mLAG (PoSOC draw)" : i == top ? "  (highest score)" : ""));
      }

      // Fig. 4.7: EV 0 hour by hour, and the V2V price against the grid's.
      V2vScenario s0 = fleet.get(0);
      b.append(
          f(
              "%nEV0 on that day (Fig. 4.7): %-6s %7s %7s %7s %6s %7s %9s%n",
              "hour", "retail", "V2V", "kWh", "SOC", "profit", "vs grid"));
      ArrayNode ev0 = root.putArray("ev0Day");
      for (V2vStep st : episodes.get(0).steps()) {
        double retail = day[st.hour()];
        double v2v = s0.prices().v2vPrice(retail);
        double feedIn = s0.prices().feedInPrice();
        double vsGrid =
            st.appliedKwh() > 0
                ? (retail - v2v) / retail
                : st.appliedKwh() < 0 ? (v2v - feedIn) / feedIn : 0;
        ObjectNode o = ev0.addObject();
        o.put("hour", st.hour());
        o.put("retailPrice", retail);
        o.put("v2vPrice", v2v);
        o.put("kwh", st.appliedKwh());
        o.put("socAfter", st.socAfter());
        o.put("profit", st.profit());
        o.put("gainVsGrid", vsGrid);
        b.append(
            f(
                "%28s %02d:00 %7.2f %7.2f %7.2f %6.3f %7.2f %8.1f%%%n",
                "",
                st.hour(),
                retail,
                v2v,
                st.appliedKwh(),
                st.socAfter(),
                st.profit(),
                100 * vsGrid));
      }
      // Fig. 4.9: the effect of price on the first five EVs' actions: the same held-out day with
      // its retail prices scaled (the V2V price follows the retail price by its rule).
      int shown = Math.min(5, evs);
      b.append(
          f(
              "%nThe effect of price (Fig. 4.9): the same day, retail prices scaled by %s;"
                  + " FRL's net sale (sold - bought, kWh) and profit%n",
              Arrays.toString(PRICE_SCALES)));
      StringBuilder scaleHead = new StringBuilder(f("%-4s", "EV"));
      for (double m : PRICE_SCALES) {
        scaleHead.append(f(" %13s", f("x%.1f", m)));
      }
      b.append(scaleHead).append(System.lineSeparator());
      ArrayNode effect = root.putArray("priceEffect");
      List<List<Double>> netSold = new ArrayList<>();
      for (int i = 0; i < shown; i++) {
        StringBuilder row = new StringBuilder(f("%-4s", "EV" + i));
        List<Double> nets = new ArrayList<>();
        for (double m : PRICE_SCALES) {
          double[] scaled = day.clone();
          for (int h = 0; h < scaled.length; h++) {
            scaled[h] *= m;
          }
          V2vEpisode e = V2vEpisode.play(fleet.get(i), frl.policy(i), scaled);
          double bought = 0;
          double sold = 0;
          for (V2vStep st : e.steps()) {
            bought += Math.max(0, st.appliedKwh());
            sold += Math.max(0, -st.appliedKwh());
          }
          List<V2vStep> steps = e.steps();
          ObjectNode o = effect.addObject();
          o.put("ev", i);
          o.put("priceScale", m);
          o.put("boughtKwh", bought);
          o.put("soldKwh", sold);
          o.put("profit", e.totalProfit());
          o.put("arrivalSoc", fleet.get(i).initialSoc());
          o.put("departureSoc", steps.get(steps.size() - 1).socAfter());
          o.put("capacityKwh", fleet.get(i).capacityKwh());
          nets.add(sold - bought);
          row.append(f(" %6.1f %6.1f", sold - bought, e.totalProfit()));
        }
        netSold.add(nets);
        b.append(row).append(System.lineSeparator());
      }
      b.append(f("%4s %s%n", "", "(each cell: net sale in kWh, then profit in cents)"));
      List<Path> charts = new ArrayList<>();
      if (out != null) {
        XYChart pe =
            V2vStudy.chart(
                "The effect of price on the EVs' trades (Fig. 4.9)",
                "retail prices scaled by",
                "net sale, kWh (sold - bought)");
        pe.getStyler().setXAxisDecimalPattern("0.0");
        List<Double> scales = Arrays.stream(PRICE_SCALES).boxed().toList();
        for (int i = 0; i < shown; i++) {
          V2vStudy.line(pe, "EV" + i, scales, netSold.get(i));
        }
        V2vStudy.save(pe, out, "v2v-study-price-effect", charts);
        XYChart c =
            V2vStudy.chart(
                "Learning curves: held-out return as a fraction of the optimal causal",
                "days (episodes) per EV",
                "fraction of optimal causal");
        for (V2vStudy.Run run : runs) {
          V2vStudy.line(
              c,
              label(run.variant()),
              run.rounds().stream().map(fr -> fr.stepsPerEv() / meanSlots).toList(),
              run.heldOut().stream().map(x -> x / optimalMean).toList());
        }
        V2vStudy.save(c, out, "v2v-study-convergence", charts);
        XYChart t =
            V2vStudy.chart(
                "Average training return per round (Fig. 4.6)", "days (episodes) per EV", "cents");
        for (V2vStudy.Run run : runs) {
          V2vStudy.line(
              t,
              label(run.variant()),
              run.rounds().stream().map(fr -> fr.stepsPerEv() / meanSlots).toList(),
              run.rounds().stream().map(FederatedRound::meanTrainingReturn).toList());
        }
        V2vStudy.save(t, out, "v2v-study-training", charts);
        V2vStudy.save(
            V2vStudy.actionsChart(
                "EV0 on a held-out day (Fig. 4.7)",
                s0,
                List.of("FRL", "optimal causal", "rule-based"),
                List.of(
                    episodes.get(0),
                    V2vEpisode.play(s0, OptimalCausalPolicy.solve(s0, V2vStudy.DP_STEPS), day),
                    V2vEpisode.play(s0, RuleBasedPolicy.of(s0), day))),
            out,
            "v2v-study-ev0",
            charts);
        List<String> evNames = new ArrayList<>();
        for (int i = 0; i < evs; i++) {
          evNames.add("EV" + i + (i == mlag ? " (mLAG)" : ""));
        }
        V2vStudy.save(
            V2vStudy.actionsChart("The fleet on a held-out day (Fig. 4.8)", s0, evNames, episodes),
            out,
            "v2v-study-fleet",
            charts);
      }
      if (personalise > 0) {
        List<FederatedRound> frlRounds = runs.get(0).rounds();
        personalise(
            frl,
            frlRounds.get(frlRounds.size() - 1).stepsPerEv(),
            fleet,
            curveDays,
            finalDays,
            optimalMean,
            meanSlots,
            root,
            b);
      }
      print(root, b.toString(), charts);
      return 0;
    }

    /**
     * Federated averaging with local adaptation: the FRL fleet's EVs train on alone from the global
     * model ({@code base} steps per EV so far), evaluated on the curve's days every 5 updates and
     * at the end on the final days.
     */
    private void personalise(
        FederatedTraining frl,
        long base,
        List<V2vScenario> fleet,
        List<double[]> curveDays,
        List<double[]> finalDays,
        double optimalMean,
        double meanSlots,
        ObjectNode root,
        StringBuilder b) {
      long update = frl.config().stepsPerRound();
      long updates = Math.max(1, (personalise + update - 1) / update);
      ObjectNode o = root.putObject("personalised");
      ArrayNode curve = o.putArray("heldOutCurve");
      double seconds = 0;
      long reached95 = -1;
      double reached95Seconds = 0;
      V2vStudy.Progress progress = new V2vStudy.Progress(err(), "personalising", updates);
      for (long u = 1; u <= updates; u++) {
        long t0 = System.nanoTime();
        frl.personalise(update);
        seconds += (System.nanoTime() - t0) / 1e9;
        if (u % 5 == 0 || u == updates) {
          double r = V2vStudy.fleetReturn(fleet, frl::policy, curveDays) / optimalMean;
          ObjectNode p = curve.addObject();
          p.put("rounds", u);
          p.put("ratioToOptimal", r);
          if (reached95 < 0 && r >= 0.95) {
            reached95 = u;
            reached95Seconds = seconds;
          }
        }
        progress.at(u, "rounds");
      }
      double fin = V2vStudy.fleetReturn(fleet, frl::policy, finalDays);
      o.put("stepsPerEv", updates * update);
      o.put("finalHeldOutReturn", fin);
      o.put("ratioToOptimal", fin / optimalMean);
      o.put("trainingSeconds", seconds);
      if (reached95 < 0) {
        o.putNull("roundsTo95");
      } else {
        o.put("roundsTo95", reached95);
        o.put("episodesTo95", Math.round((base + reached95 * update) / meanSlots));
        o.put("secondsTo95", reached95Seconds);
      }
      b.append(
          f(
              "%nFederated averaging with local adaptation: after the federated rounds every EV"
                  + " trains %,d more steps alone from the global model%n"
                  + "  held-out return %.2f = %.1f %% of optimal causal (the global model: above);"
                  + " %s; %.1f s of training%n",
              updates * update,
              fin,
              100 * fin / optimalMean,
              reached95 < 0
                  ? "95 % not reached on the curve's days"
                  : f(
                      "95 %% on the curve's days after %d rounds (%,d days/EV in all, %.0f s"
                          + " of it alone)",
                      reached95,
                      Math.round((base + reached95 * update) / meanSlots),
                      reached95Seconds),
              seconds));
    }

    private static double mean(double[] xs) {
      double s = 0;
      for (double x : xs) {
        s += x;
      }
      return s / xs.length;
    }

    private static String label(Variant v) {
      return switch (v) {
        case FEDERATED -> "FRL (Alg. 4, PoSOC mLAG)";
        case INDEPENDENT -> "baseline 1 (independent)";
        case FEDERATED_UNIT_DELTA -> "baseline 2 (delta = 1)";
      };
    }
  }

  /**
   * Reads one EV's scenario; every field is optional and defaults to {@link
   * V2vScenario#defaults()}.
   *
   * @param file the JSON file
   * @return the scenario
   * @throws IllegalArgumentException naming the field, the value and the rule
   */
  private static V2vScenario readScenario(Path file) {
    JsonNode root = ScenarioJson.read(file);
    V2vScenario d = V2vScenario.defaults();
    TouPrices p = d.prices();
    JsonNode pr = root.get("prices");
    if (pr != null && !pr.isNull()) {
      if (!pr.isObject()) {
        throw new IllegalArgumentException(
            "field 'prices' is %s; it must be an object".formatted(ScenarioJson.abbreviate(pr)));
      }
      p =
          new TouPrices(
              ScenarioJson.number(pr, "prices", "offPeakMean", p.offPeakMean()),
              ScenarioJson.number(pr, "prices", "offPeakSd", p.offPeakSd()),
              ScenarioJson.number(pr, "prices", "midPeakMean", p.midPeakMean()),
              ScenarioJson.number(pr, "prices", "midPeakSd", p.midPeakSd()),
              ScenarioJson.number(pr, "prices", "onPeakMean", p.onPeakMean()),
              ScenarioJson.number(pr, "prices", "onPeakSd", p.onPeakSd()),
              ScenarioJson.number(pr, "prices", "feedInPrice", p.feedInPrice()),
              ScenarioJson.number(pr, "prices", "v2vShare", p.v2vShare()));
    }
    String mode = ScenarioJson.text(root, "", "mode", "direct");
    V2vMode m =
        switch (mode) {
          case "direct" -> V2vMode.DIRECT;
          case "assisted" -> V2vMode.ASSISTED;
          default ->
              throw new IllegalArgumentException(
                  "field 'mode' is \"%s\"; it must be \"direct\" or \"assisted\""
                      .formatted(ScenarioJson.abbreviate(root.get("mode")).replace("\"", "")));
        };
    return new V2vScenario(
        (int) optInt(root, "arrivalHour", d.arrivalHour(), 0, 23),
        (int) optInt(root, "departureHour", d.departureHour(), 1, 24),
        ScenarioJson.number(root, "", "initialSoc", d.initialSoc()),
        ScenarioJson.number(root, "", "capacityKwh", d.capacityKwh()),
        ScenarioJson.number(root, "", "rateKwhPerHour", d.rateKwhPerHour()),
        ScenarioJson.number(root, "", "socMin", d.socMin()),
        ScenarioJson.number(root, "", "socMax", d.socMax()),
        ScenarioJson.number(root, "", "eta", d.eta()),
        m,
        ScenarioJson.number(root, "", "assistedCost", d.assistedCost()),
        p);
  }

  private static long optInt(JsonNode root, String field, long fallback, long min, long max) {
    return ScenarioJson.has(root, field)
        ? ScenarioJson.integer(root, "", field, min, max)
        : fallback;
  }
}

package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.gridtrade.consensus.FederatedAveraging;
import org.gridtrade.consensus.StateOfChargeScores;
import org.gridtrade.examples.study.V2vStudy;
import org.gridtrade.game.v2v.FederatedRound;
import org.gridtrade.game.v2v.FederatedTraining;
import org.gridtrade.game.v2v.FederatedTraining.AggregatorDraw;
import org.gridtrade.game.v2v.FederatedTraining.Config;
import org.gridtrade.game.v2v.FederatedTraining.Variant;
import org.gridtrade.game.v2v.OptimalCausalPolicy;
import org.gridtrade.game.v2v.PpoConfig;
import org.gridtrade.game.v2v.PpoLearner;
import org.gridtrade.game.v2v.RuleBasedPolicy;
import org.gridtrade.game.v2v.V2vEpisode;
import org.gridtrade.game.v2v.V2vHotspot;
import org.gridtrade.game.v2v.V2vScenario;
import org.gridtrade.game.v2v.V2vStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class V2vCommandTest {

  private static PpoConfig small(long seed) {
    PpoConfig d = PpoConfig.defaults(seed);
    return new PpoConfig(
        2, 32, 1e-3, 256, 4, 64, 1, 0.95, 0.2, 0, 0.5, 0.5, -0.5, d.rewardScale(), seed);
  }

  @Test
  void evaluate_defaultEv_printsTheYardsticksAndTheRatio() {
    Cli r = Cli.run("v2v", "evaluate", "--steps", "4096", "--days", "30", "--json", "--seed", "3");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    double optimal =
        OptimalCausalPolicy.solve(V2vScenario.defaults(), V2vStudy.DP_STEPS).expectedReturn();
    assertThat(j.get("optimalCausalReturn").asDouble()).isCloseTo(optimal, within(1e-9));
    double learned = j.get("learnedMeanReturn").asDouble();
    assertThat(j.get("ratioToOptimal").asDouble()).isCloseTo(learned / optimal, within(1e-12));
    // Per day the perfect-foresight DP bounds every causal grid policy, the causal DP included.
    assertThat(j.get("perfectForesightMeanReturn").asDouble())
        .isGreaterThanOrEqualTo(j.get("optimalCausalMeanReturn").asDouble())
        .isGreaterThan(j.get("ruleBasedMeanReturn").asDouble());
    assertThat(j.get("days").asInt()).isEqualTo(30);
    assertThat(j.get("stepsTrained").asLong()).isGreaterThanOrEqualTo(4096);
    assertThat(j.get("episodesTrained").asLong()).isEqualTo(j.get("stepsTrained").asLong() / 11);
    assertThat(r.err()).contains("training: ");
  }

  /**
   * Fig. 4.10's comparison: the three algorithms on both data sets, each curve evaluated against
   * the optimal causal return of a fleet this test draws and solves itself; the same seed repeats
   * every number; a learner's return never passes the yardstick by more than the sampling noise.
   */
  @Test
  void compare_ppoA2cAndSacOnBothDataSets_againstTheOptimalCausalReturn() {
    String[] args = {
      "v2v",
      "compare",
      "--steps",
      "1500",
      "--points",
      "2",
      "--evs",
      "2",
      "--eval-days",
      "10",
      "--seed",
      "4",
      "--json"
    };
    Cli a = Cli.run(args);
    assertThat(a.exitCode()).as(a.err()).isZero();
    JsonNode runs = a.json().get("runs");
    assertThat(runs).hasSize(6);
    List<String> seen = new ArrayList<>();
    for (JsonNode run : runs) {
      seen.add(run.get("algorithm").asText() + "/" + run.get("data").asText());
      boolean uniform = run.get("data").asText().equals("uniform");
      org.gridtrade.game.v2v.V2vPopulation pop =
          new org.gridtrade.game.v2v.V2vPopulation(uniform, V2vScenario.defaults());
      SplittableRandom rng = new SplittableRandom(4 + 1);
      double optimal = 0;
      for (int i = 0; i < 2; i++) {
        optimal +=
            OptimalCausalPolicy.solve(pop.sample(rng), V2vStudy.DP_STEPS).expectedReturn() / 2;
      }
      assertThat(run.get("optimalCausalReturn").asDouble()).isCloseTo(optimal, within(1e-9));
      JsonNode curve = run.get("curve");
      assertThat(curve).hasSize(2);
      assertThat(curve.get(1).get("steps").asLong()).isGreaterThanOrEqualTo(1500);
      for (JsonNode pt : curve) {
        assertThat(pt.get("ratioToOptimal").asDouble())
            .isCloseTo(pt.get("meanReturn").asDouble() / optimal, within(1e-9))
            .isLessThan(1.1);
      }
    }
    assertThat(seen)
        .containsExactly(
            "ppo/normal", "ppo/uniform", "a2c/normal", "a2c/uniform", "sac/normal", "sac/uniform");
    Cli b = Cli.run(args);
    for (int k = 0; k < 6; k++) {
      assertThat(b.json().get("runs").get(k).get("curve"))
          .isEqualTo(a.json().get("runs").get(k).get("curve"));
    }
    assertThat(Cli.run("v2v", "compare", "--points", "0").errorLine())
        .contains("--points 0 is outside 1..1000");
  }

  /**
   * Learning at the cleared hotspot: three trained fleets and the rule-based policy, each played
   * under clearing, never above the joint perfect-foresight bound (recomputed here for the fleet
   * and days the command draws); the same seed repeats every return.
   */
  @Test
  void hotspot_trainedFleetsAndRuleBased_neverPassTheJointBound() {
    String[] args = {
      "v2v",
      "hotspot",
      "--evs",
      "2",
      "--steps",
      "2048",
      "--eval-days",
      "5",
      "--days",
      "10",
      "--seed",
      "4",
      "--json"
    };
    Cli a = Cli.run(args);
    assertThat(a.exitCode()).as(a.err()).isZero();
    JsonNode root = a.json();
    List<V2vScenario> fleet = V2vStudy.fleet(2, false, V2vScenario.defaults(), 4);
    List<double[]> days = V2vStudy.heldOutDays(V2vScenario.defaults().prices(), 10, 4 + 1);
    double bound = V2vHotspot.meanJointBound(fleet, days);
    assertThat(root.get("jointBound").asDouble()).isCloseTo(bound, within(1e-9));
    JsonNode runs = root.get("runs");
    List<String> names = new ArrayList<>();
    for (JsonNode run : runs) {
      names.add(run.get("policy").asText());
      double ret = run.get("meanReturn").asDouble();
      assertThat(ret).isLessThanOrEqualTo(bound + 1e-6);
      if (bound > 0) {
        assertThat(run.get("ratioToBound").asDouble()).isCloseTo(ret / bound, within(1e-9));
      } else {
        assertThat(run.get("ratioToBound").isNull()).isTrue(); // no fraction of a loss
      }
      assertThat(run.get("matchedShare").asDouble()).isBetween(0.0, 1.0);
    }
    assertThat(names)
        .containsExactly(
            "independent PPO, cleared",
            "federated PPO, cleared",
            "independent PPO, rule",
            "rule-based");
    assertThat(runs.get(3).get("meanReturn").asDouble())
        .isCloseTo(
            V2vHotspot.evaluate(fleet, i -> RuleBasedPolicy.of(fleet.get(i)), days).meanReturn(),
            within(1e-9));
    assertThat(runs.get(0).get("curve")).hasSize(1);
    Cli b = Cli.run(args);
    for (int k = 0; k < 4; k++) {
      assertThat(b.json().get("runs").get(k).get("meanReturn"))
          .isEqualTo(runs.get(k).get("meanReturn"));
    }
    assertThat(Cli.run("v2v", "hotspot", "--days", "0").errorLine())
        .contains("--days 0 is outside 1..100000");
  }

  @Test
  void evaluate_savedModel_readBackEvaluatesTheSame_damagedOneRefused(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("ev.model");
    Cli trained =
        Cli.run(
            "v2v",
            "evaluate",
            "--steps",
            "2048",
            "--days",
            "20",
            "--seed",
            "4",
            "--save-model",
            file.toString(),
            "--json");
    assertThat(trained.exitCode()).as(trained.err()).isZero();
    assertThat(file).isNotEmptyFile();

    Cli read =
        Cli.run(
            "v2v", "evaluate", "--model", file.toString(), "--days", "20", "--seed", "4", "--json");
    assertThat(read.exitCode()).as(read.err()).isZero();
    JsonNode a = trained.json();
    JsonNode b = read.json();
    assertThat(b.get("modelHash").asText())
        .isEqualTo(a.get("modelHash").asText())
        .isEqualTo(Files.readAllLines(file).get(Files.readAllLines(file).size() - 1).substring(7));
    assertThat(b.get("learnedMeanReturn").asDouble())
        .isEqualTo(a.get("learnedMeanReturn").asDouble());
    assertThat(b.get("episodesTrained").asLong()).isEqualTo(a.get("episodesTrained").asLong());
    assertThat(read.err()).doesNotContain("training: ");

    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(lines.size() - 1, "sha256=" + "0".repeat(64));
    Files.write(file, lines);
    Cli damaged = Cli.run("v2v", "evaluate", "--model", file.toString());
    assertThat(damaged.exitCode()).isEqualTo(2);
    assertThat(damaged.errorLine())
        .contains("--model: model file " + file)
        .contains("does not match the parameters");

    Cli missing = Cli.run("v2v", "evaluate", "--model", dir.resolve("none.model").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.errorLine()).contains("none.model: no such file");
  }

  @Test
  void train_saveModel_writesTheGlobalModelWhoseHashTheLastRoundReports(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("global.model");
    Cli r =
        Cli.run(
            "v2v",
            "train",
            "--evs",
            "2",
            "--steps",
            "2048",
            "--eval-days",
            "3",
            "--seed",
            "6",
            "--save-model",
            file.toString(),
            "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    String hash = r.json().get("globalModelHash").asText();
    assertThat(hash).hasSize(64);
    assertThat(PpoLearner.readModel(file).modelHash()).isEqualTo(hash);

    Cli independent =
        Cli.run("v2v", "train", "--variant", "independent", "--save-model", file.toString());
    assertThat(independent.exitCode()).isEqualTo(2);
    assertThat(independent.errorLine()).contains("--save-model needs a federated variant");
  }

  @Test
  void evaluate_scenarioFile_usesItsWindowAndWritesCharts(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("ev.json");
    Files.writeString(
        f, "{\"arrivalHour\": 9, \"departureHour\": 15, \"initialSoc\": 0.6, \"eta\": 50}");
    Path out = dir.resolve("charts");
    Cli r =
        Cli.run(
            "v2v",
            "evaluate",
            "--scenario",
            f.toString(),
            "--steps",
            "600",
            "--days",
            "5",
            "--out",
            out.toString(),
            "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("episodesTrained").asLong()).isEqualTo(j.get("stepsTrained").asLong() / 6);
    V2vScenario s = V2vScenario.defaults().withDay(9, 15, 0.6);
    V2vScenario withEta =
        new V2vScenario(9, 15, 0.6, 42, 7, 0.2, 0.8, 50, s.mode(), s.assistedCost(), s.prices());
    assertThat(j.get("optimalCausalReturn").asDouble())
        .isCloseTo(
            OptimalCausalPolicy.solve(withEta, V2vStudy.DP_STEPS).expectedReturn(), within(1e-9));
    assertThat(out.resolve("v2v-evaluate-day.png")).isNotEmptyFile();
    assertThat(out.resolve("v2v-evaluate-curve.svg")).isNotEmptyFile();
  }

  @Test
  void badInput_exits2WithOneLineNamingFieldValueAndRule(@TempDir Path dir) throws IOException {
    Path early = dir.resolve("early.json");
    Files.writeString(early, "{\"arrivalHour\": 7, \"departureHour\": 5}");
    Cli a = Cli.run("v2v", "evaluate", "--scenario", early.toString(), "--steps", "0");
    assertThat(a.exitCode()).isEqualTo(2);
    assertThat(a.errorLine()).contains("departureHour 5 must be in arrivalHour + 1 = 8..24");

    Path mode = dir.resolve("mode.json");
    Files.writeString(mode, "{\"mode\": \"turbo\"}");
    Cli b = Cli.run("v2v", "evaluate", "--scenario", mode.toString());
    assertThat(b.exitCode()).isEqualTo(2);
    assertThat(b.errorLine()).contains("field 'mode' is").contains("turbo").contains("direct");

    Path soc = dir.resolve("soc.json");
    Files.writeString(soc, "{\"prices\": {\"v2vShare\": 2}}");
    Cli c = Cli.run("v2v", "evaluate", "--scenario", soc.toString());
    assertThat(c.exitCode()).isEqualTo(2);
    assertThat(c.errorLine()).contains("v2vShare 2.0 must be in [0, 1]");

    Cli d = Cli.run("v2v", "train", "--evs", "0");
    assertThat(d.exitCode()).isEqualTo(2);
    assertThat(d.errorLine()).contains("--evs 0 is outside 1..1000");

    Cli e = Cli.run("v2v", "train", "--variant", "greedy");
    assertThat(e.exitCode()).isEqualTo(2);
    assertThat(e.errorLine()).contains("--variant greedy must be");

    Cli s = Cli.run("v2v", "study", "--server-step", "0");
    assertThat(s.exitCode()).isEqualTo(2);
    assertThat(s.errorLine()).contains("--server-step 0.0 must be in (0, 10]");

    Cli g = Cli.run("v2v", "evaluate", "--days", "0");
    assertThat(g.exitCode()).isEqualTo(2);
    assertThat(g.errorLine()).contains("--days 0 is outside 1..100000");

    Cli h = Cli.run("v2v");
    assertThat(h.exitCode()).isEqualTo(2);
    assertThat(h.errorLine()).contains("train").contains("evaluate").contains("study");
  }

  @Test
  void train_smallFleet_posocDrawsAPositiveScoreAndSameSeedSameHashes() {
    String[] args = {
      "v2v", "train", "--evs", "3", "--steps", "4096", "--eval-days", "5", "--seed", "4", "--json"
    };
    Cli r = Cli.run(args);

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    JsonNode rounds = j.get("rounds");
    assertThat(rounds.size()).isEqualTo(2);
    for (JsonNode round : rounds) {
      assertThat(round.get("proofScores").size()).isEqualTo(3);
      assertThat(round.get("globalModelHash").asText()).hasSize(64);
      if (j.get("drawFallbacks").asInt() == 0) {
        int a = round.get("aggregator").asInt();
        assertThat(round.get("proofScores").get(a).asDouble()).isPositive();
      }
    }
    assertThat(r.err()).contains("training federated: 2 of 2 rounds (100 %)");
    JsonNode again = Cli.run(args).json();
    assertThat(again.get("rounds")).isEqualTo(rounds);
  }

  @Test
  void federatedRound_globalModelAndHash_areWhatTheConsensusModuleComputes() {
    SplittableRandom rng = new SplittableRandom(12);
    List<V2vScenario> evs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      evs.add(V2vStudy.fleet(1, false, V2vScenario.defaults(), rng.nextLong()).get(0));
    }
    FederatedTraining independent =
        new FederatedTraining(
            Config.of(Variant.INDEPENDENT, small(5)), evs, AggregatorDraw.highestScore());
    FederatedTraining federated =
        new FederatedTraining(
            Config.of(Variant.FEDERATED, small(5)), evs, new V2vStudy.PosocDraw(5));
    independent.round();
    FederatedRound r = federated.round();
    List<double[]> local = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      local.add(independent.model(i)); // the same local training, kept apart
    }
    double[] chain = FederatedAveraging.average(local);
    assertThat(federated.globalModel().orElseThrow()).containsExactly(chain);
    assertThat(r.globalModelHash()).contains(FederatedAveraging.modelHash(chain).toHex());
  }

  @Test
  void dailyScore_ofALearnedDay_equalsTheConsensusModulesScore() {
    V2vScenario s = V2vScenario.defaults().withDay(8, 17, 0.55);
    FederatedTraining t =
        new FederatedTraining(
            Config.of(Variant.FEDERATED, small(6)), List.of(s), AggregatorDraw.highestScore());
    t.run(2);
    double[] day = s.prices().sampleDay(new SplittableRandom(8));
    V2vEpisode e = V2vEpisode.play(s, t.policy(0), day);
    double[] charged = new double[24];
    double[] discharged = new double[24];
    double[] soc = new double[24];
    for (V2vStep st : e.steps()) {
      charged[st.hour()] = Math.max(0, st.appliedKwh());
      discharged[st.hour()] = Math.max(0, -st.appliedKwh());
      soc[st.hour()] = st.socAfter();
    }
    StateOfChargeScores.TimeOfUsePrices tou =
        new StateOfChargeScores.TimeOfUsePrices(6.8, 10, 12.9);
    double expected =
        StateOfChargeScores.dailyScore(
            new StateOfChargeScores.EvDay(charged, discharged, soc, 0.8, 16), tou);
    assertThat(FederatedTraining.dailyScore(s, e)).isCloseTo(expected, within(1e-12));
  }

  @Test
  void study_tinyRun_reportsEveryVariantEveryEvAndTheMlag(@TempDir Path dir) {
    Cli r =
        Cli.run(
            "v2v",
            "study",
            "--evs",
            "2",
            "--steps",
            "2048",
            "--eval-days",
            "5",
            "--days",
            "5",
            "--seed",
            "7",
            "--personalise",
            "4096",
            "--out",
            dir.toString(),
            "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("convergence").size()).isEqualTo(3);
    // Local adaptation after the federated rounds: 2 more updates per EV, evaluated at the end,
    // and the EVs' own models now score differently from the global model on the same days.
    JsonNode p = j.get("personalised");
    assertThat(p.get("stepsPerEv").asLong()).isEqualTo(4096);
    assertThat(p.get("heldOutCurve")).hasSize(1);
    assertThat(p.get("ratioToOptimal").asDouble())
        .isCloseTo(
            p.get("finalHeldOutReturn").asDouble() / j.get("optimalCausalReturn").asDouble(),
            within(1e-12));
    assertThat(p.get("finalHeldOutReturn").asDouble())
        .isNotEqualTo(j.get("means").get("federated").asDouble());
    // The hotspot cleared by the double auction: every policy, a matched share in [0, 1].
    for (String k : new String[] {"federated", "baseline1", "baseline2", "ruleBased"}) {
      JsonNode h = j.get("hotspot").get(k);
      assertThat(h.get("matchedShare").asDouble()).as(k).isBetween(0.0, 1.0);
      assertThat(h.get("meanReturn").asDouble()).as(k).isFinite();
    }
    assertThat(j.get("perEv").size()).isEqualTo(2);
    assertThat(j.get("mlag").asInt()).isBetween(0, 1);
    assertThat(j.get("day").get(0).get("actions").size())
        .isEqualTo(
            j.get("perEv").get(0).get("departureHour").asInt()
                - j.get("perEv").get(0).get("arrivalHour").asInt());
    for (JsonNode ev : j.get("perEv")) {
      assertThat(ev.get("perfectForesightMeanReturn").asDouble())
          .isGreaterThan(ev.get("ruleBasedMeanReturn").asDouble());
    }
    assertThat(dir.resolve("v2v-study-convergence.png")).isNotEmptyFile();
    assertThat(dir.resolve("v2v-study-fleet.svg")).isNotEmptyFile();

    // Fig. 4.9: both EVs at every price scale; each entry's energy balances its SOC change, and
    // at scale 1 it is the Fig. 4.8 day itself (same profit, same trades).
    JsonNode effect = j.get("priceEffect");
    assertThat(effect.size()).isEqualTo(2 * V2vCommand.Study.PRICE_SCALES.length);
    for (JsonNode e : effect) {
      double net = e.get("boughtKwh").asDouble() - e.get("soldKwh").asDouble();
      double socChange = e.get("departureSoc").asDouble() - e.get("arrivalSoc").asDouble();
      assertThat(net).isCloseTo(socChange * e.get("capacityKwh").asDouble(), within(1e-9));
      if (e.get("priceScale").asDouble() == 1.0) {
        JsonNode dayOf = j.get("day").get(e.get("ev").asInt());
        assertThat(e.get("profit").asDouble())
            .isCloseTo(dayOf.get("profit").asDouble(), within(1e-9));
        double bought = 0;
        double sold = 0;
        for (JsonNode a : dayOf.get("actions")) {
          bought += Math.max(0, a.asDouble());
          sold += Math.max(0, -a.asDouble());
        }
        assertThat(e.get("boughtKwh").asDouble()).isCloseTo(bought, within(1e-9));
        assertThat(e.get("soldKwh").asDouble()).isCloseTo(sold, within(1e-9));
      }
    }
    assertThat(dir.resolve("v2v-study-price-effect.png")).isNotEmptyFile();
  }
}

package org.gridtrade.game.v2v;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.gridtrade.game.v2v.FederatedTraining.AggregatorDraw;
import org.gridtrade.game.v2v.FederatedTraining.Config;
import org.gridtrade.game.v2v.FederatedTraining.Variant;
import org.junit.jupiter.api.Test;

class FederatedTrainingTest {

  private static PpoConfig small(long seed, int stepsPerUpdate) {
    PpoConfig d = PpoConfig.defaults(seed);
    return new PpoConfig(
        2,
        32,
        1e-3,
        stepsPerUpdate,
        d.epochs(),
        d.minibatchSize(),
        d.gamma(),
        d.gaeLambda(),
        d.clipRange(),
        d.entropyCoef(),
        d.valueCoef(),
        d.maxGradNorm(),
        d.initialLogStd(),
        d.rewardScale(),
        seed);
  }

  /** {@code n} EVs drawn from Table 4.1's normal population. */
  static List<V2vScenario> fleet(int n, long seed) {
    V2vPopulation pop = V2vPopulation.normal(V2vScenario.defaults());
    SplittableRandom rng = new SplittableRandom(seed);
    List<V2vScenario> evs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      evs.add(pop.sample(rng));
    }
    return evs;
  }

  private static double heldOut(FederatedTraining t, long seed, int days) {
    SplittableRandom rng = new SplittableRandom(seed);
    double sum = 0;
    for (int d = 0; d < days; d++) {
      double[] day = TouPrices.table41().sampleDay(rng);
      for (int i = 0; i < t.evs().size(); i++) {
        sum += V2vEpisode.play(t.evs().get(i), t.policy(i), day).totalReward();
      }
    }
    return sum / (days * t.evs().size());
  }

  @Test
  void round_federated_globalModelIsTheElementWiseMeanOfTheRealLocalModels() {
    List<V2vScenario> evs = fleet(3, 5);
    // The same seeds train the same local models in round 0; the independent fleet keeps them.
    FederatedTraining independent =
        new FederatedTraining(
            Config.of(Variant.INDEPENDENT, small(11, 256)), evs, AggregatorDraw.highestScore());
    FederatedTraining federated =
        new FederatedTraining(
            Config.of(Variant.FEDERATED, small(11, 256)), evs, AggregatorDraw.highestScore());
    FederatedRound ri = independent.round();
    FederatedRound rf = federated.round();
    assertThat(rf.dailyScores()).isEqualTo(ri.dailyScores());
    List<double[]> local = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      local.add(independent.model(i));
    }
    assertThat(local.get(0)).isNotEqualTo(local.get(1)); // they really learned apart
    double[] global = federated.globalModel().orElseThrow();
    for (int j = 0; j < global.length; j++) {
      BigDecimal exact = BigDecimal.ZERO;
      for (double[] w : local) {
        exact = exact.add(new BigDecimal(w[j]));
      }
      double mean = exact.divide(BigDecimal.valueOf(3), MathContext.DECIMAL128).doubleValue();
      assertThat(global[j]).isCloseTo(mean, within(1e-15 * Math.max(1, Math.abs(mean))));
    }
    for (int i = 0; i < 3; i++) {
      assertThat(federated.model(i)).containsExactly(global); // broadcast to every EV
    }
    assertThat(rf.globalModelHash()).contains(FederatedTraining.modelHash(global));
    assertThat(ri.globalModelHash()).isEmpty();
    assertThat(ri.aggregator()).isEmpty();
    assertThat(independent.globalModel()).isEmpty();
  }

  @Test
  void personalise_trainsEachEvFromTheGlobalModel_withoutAveraging_reproducibly() {
    List<V2vScenario> evs = fleet(3, 9);
    double[][] first = null;
    for (int run = 0; run < 2; run++) {
      FederatedTraining t =
          new FederatedTraining(
              Config.of(Variant.FEDERATED, small(13, 256)), evs, AggregatorDraw.highestScore());
      List<FederatedRound> rounds = t.run(2);
      double[] global = t.globalModel().orElseThrow();
      List<PpoTraining> curves = t.personalise(512);
      assertThat(curves).hasSize(3);
      assertThat(t.globalModel().orElseThrow()).containsExactly(global);
      assertThat(t.rounds()).isEqualTo(2);
      assertThat(rounds.get(1).globalModelHash()).contains(FederatedTraining.modelHash(global));
      double[][] models = new double[3][];
      for (int i = 0; i < 3; i++) {
        models[i] = t.model(i);
        assertThat(models[i]).hasSameSizeAs(global).isNotEqualTo(global);
        assertThat(curves.get(i).meanReturns()).isNotEmpty();
        for (int j = 0; j < i; j++) {
          assertThat(models[i]).as("EV %d and %d trained apart", i, j).isNotEqualTo(models[j]);
        }
      }
      if (first == null) {
        first = models;
      } else {
        for (int i = 0; i < 3; i++) {
          assertThat(models[i]).as("same seed, same bits").containsExactly(first[i]);
        }
      }
      assertThatThrownBy(() -> t.personalise(0))
          .hasMessageContaining("stepsPerEv 0 must be in 1..100000000");
    }
  }

  @Test
  void average_anyOrder_sameBitsAndRefusesBadInput() {
    SplittableRandom rng = new SplittableRandom(3);
    List<double[]> models = new ArrayList<>();
    for (int n = 0; n < 7; n++) {
      double[] w = new double[50];
      for (int j = 0; j < w.length; j++) {
        w[j] = rng.nextGaussian() * Math.pow(10, rng.nextInt(-8, 8));
      }
      models.add(w);
    }
    double[] a = FederatedTraining.average(models);
    List<double[]> shuffled = new ArrayList<>(models);
    Collections.shuffle(shuffled, new java.util.Random(9));
    assertThat(FederatedTraining.average(shuffled)).containsExactly(a);
    assertThatThrownBy(() -> FederatedTraining.average(List.of()))
        .hasMessageContaining("localModels is empty");
    assertThatThrownBy(() -> FederatedTraining.average(List.of(new double[2], new double[3])))
        .hasMessageContaining("localModels[1] has 3 weights, localModels[0] has 2");
    assertThatThrownBy(
            () -> FederatedTraining.average(List.of(new double[] {1, Double.POSITIVE_INFINITY})))
        .hasMessageContaining("localModels[0][1] = Infinity must be finite");
  }

  @Test
  void modelHash_handEncodedBytes_sameDigest() throws Exception {
    // "GridTrade/posoc/model/v1", then n = 2 as 4 bytes, then 1.0 and -2.5 as IEEE-754 bits.
    byte[] tail = HexFormat.of().parseHex("00000002" + "3ff0000000000000" + "c004000000000000");
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update("GridTrade/posoc/model/v1".getBytes(StandardCharsets.US_ASCII));
    String expected = HexFormat.of().formatHex(md.digest(tail));
    assertThat(FederatedTraining.modelHash(new double[] {1.0, -2.5})).isEqualTo(expected);
    assertThat(FederatedTraining.modelHash(new double[] {-0.0}))
        .isEqualTo(FederatedTraining.modelHash(new double[] {0.0}));
    assertThat(FederatedTraining.modelHash(new double[] {1.0, Math.nextUp(-2.5)}))
        .isNotEqualTo(expected);
    assertThatThrownBy(() -> FederatedTraining.modelHash(new double[] {Double.NaN}))
        .hasMessageContaining("model[0] = NaN must be finite");
  }

  @Test
  void dailyScore_handComputedDay_matchesEq417() {
    V2vScenario s = V2vScenario.defaults(); // 07:00–18:00, SOC 0.5, 42 kWh
    // Sell 7 kWh at 07:00 (on-peak), buy 7 kWh at 12:00 (mid-peak), idle otherwise.
    V2vPolicy p = st -> st.hour() == 7 ? -7 : st.hour() == 12 ? 7 : 0;
    double[] day = s.prices().sampleDay(new SplittableRandom(4));
    V2vEpisode e = V2vEpisode.play(s, p, day);
    double deltaOn = (12.9 - 6.8) / 6.8;
    double deltaMid = (10 - 6.8) / 6.8;
    double expected = deltaOn * 7 - deltaMid * 7 + (0.8 - 0.5);
    assertThat(FederatedTraining.dailyScore(s, e)).isCloseTo(expected, within(1e-12));
  }

  @Test
  void run_sameSeed_reproducesBitForBit() {
    List<V2vScenario> evs = fleet(3, 6);
    for (Variant v : Variant.values()) {
      FederatedTraining a =
          new FederatedTraining(Config.of(v, small(31, 128)), evs, AggregatorDraw.highestScore());
      FederatedTraining b =
          new FederatedTraining(Config.of(v, small(31, 128)), evs, AggregatorDraw.highestScore());
      FederatedTraining c =
          new FederatedTraining(Config.of(v, small(32, 128)), evs, AggregatorDraw.highestScore());
      List<FederatedRound> ra = a.run(3);
      assertThat(b.run(3)).isEqualTo(ra);
      assertThat(c.run(3)).isNotEqualTo(ra);
      for (int i = 0; i < 3; i++) {
        assertThat(a.model(i)).containsExactly(b.model(i));
      }
      assertThat(ra.get(2).round()).isEqualTo(2);
      assertThat(ra.get(2).stepsPerEv()).isGreaterThanOrEqualTo(3 * 128);
    }
  }

  @Test
  void round_unitDelta_learnsFromAnotherRewardThanTheProposedMethod() {
    List<V2vScenario> evs = fleet(2, 7);
    FederatedRound f =
        new FederatedTraining(
                Config.of(Variant.FEDERATED, small(41, 256)), evs, AggregatorDraw.highestScore())
            .round();
    FederatedRound u =
        new FederatedTraining(
                Config.of(Variant.FEDERATED_UNIT_DELTA, small(41, 256)),
                evs,
                AggregatorDraw.highestScore())
            .round();
    // Round 0 plays the same actions in both (same seeds, same noise) but rewards them differently:
    // with δ ≡ 1 every kWh bought off-peak costs its V2V price, with the real δ it is free. The day
    // is played with the real reward in both, after the two differently rewarded updates.
    assertThat(u.trainingReturns()).isNotEqualTo(f.trainingReturns());
    assertThat(u.dayReturns()).isNotEqualTo(f.dayReturns());
  }

  @Test
  void round_draw_receivesTheScoresAndItsAnswerIsRecorded() {
    List<V2vScenario> evs = fleet(4, 8);
    List<List<Double>> seen = new ArrayList<>();
    AggregatorDraw last =
        (round, scores) -> {
          seen.add(scores);
          return scores.size() - 1;
        };
    FederatedTraining t =
        new FederatedTraining(Config.of(Variant.FEDERATED, small(51, 128)), evs, last);
    FederatedRound r = t.round();
    assertThat(seen).containsExactly(r.dailyScores());
    assertThat(r.aggregator()).hasValue(3);
    assertThat(AggregatorDraw.highestScore().draw(0, List.of(1.0, 3.0, -2.0, 3.0))).isEqualTo(1);
    FederatedTraining bad =
        new FederatedTraining(
            Config.of(Variant.FEDERATED, small(51, 128)), evs, (round, scores) -> 4);
    assertThatThrownBy(bad::round).hasMessageContaining("aggregator 4, must be in 0..3");
  }

  @Test
  void fleetConfig_aRoundIsFourUpdatesOf512Steps_asOneLearnerAloneTrainsThem() {
    V2vScenario ev = fleet(1, 9).get(0);
    Config c = Config.fleet(Variant.INDEPENDENT, 7);
    assertThat(c.stepsPerRound()).isEqualTo(FederatedTraining.ROUND_STEPS).isEqualTo(2048);
    assertThat(c.ppo().stepsPerUpdate()).isEqualTo(512);
    assertThat(c.serverStep()).isEqualTo(1.0);
    FederatedTraining t = new FederatedTraining(c, List.of(ev), AggregatorDraw.highestScore());
    FederatedRound r = t.round();

    // The oracle: the same learner trained alone for a round's steps, outside any fleet.
    PpoLearner alone = new PpoLearner(PpoConfig.fleet(7));
    PpoTraining run = alone.train(ev, 2048);
    assertThat(run.meanReturns()).hasSize(4); // four updates of at least 512 steps each
    assertThat(r.stepsPerEv()).isEqualTo(run.steps()).isBetween(2048L, 2048L + 4 * 24);
    assertThat(t.model(0)).containsExactly(alone.parameters());
  }

  @Test
  void serverStep_movesTheGlobalModelThatFarFromTheRoundsStartTowardsTheMean() {
    List<V2vScenario> evs = fleet(3, 5);
    PpoConfig ppo = small(11, 256);
    // Round 0 trains the same local models whatever the step: its start is EV 0's initial
    // weights, the mean is the step-1 fleet's global model.
    double[] start = new PpoLearner(ppo).parameters();
    FederatedTraining plain =
        new FederatedTraining(
            Config.of(Variant.FEDERATED, ppo), evs, AggregatorDraw.highestScore());
    FederatedTraining stepped =
        new FederatedTraining(
            Config.of(Variant.FEDERATED, ppo).withServerStep(2.5),
            evs,
            AggregatorDraw.highestScore());
    FederatedRound r = stepped.round();
    plain.round();
    double[] mean = plain.globalModel().orElseThrow();
    double[] global = stepped.globalModel().orElseThrow();
    for (int j = 0; j < global.length; j++) {
      double expected = start[j] + 2.5 * (mean[j] - start[j]);
      assertThat(global[j]).isCloseTo(expected, within(1e-12 * Math.max(1, Math.abs(expected))));
    }
    assertThat(global).isNotEqualTo(mean);
    assertThat(stepped.model(1)).containsExactly(global);
    assertThat(r.globalModelHash()).contains(FederatedTraining.modelHash(global));
    // Round 1 starts from the stepped global model, not from the mean.
    double[] before = global;
    stepped.round();
    assertThat(stepped.globalModel().orElseThrow()).isNotEqualTo(before);
    assertThat(Config.of(Variant.FEDERATED, ppo).serverStep()).isEqualTo(1.0);
    assertThatThrownBy(() -> Config.of(Variant.FEDERATED, ppo).withServerStep(0))
        .hasMessageContaining("serverStep 0.0 must be in (0, 10]");
    assertThatThrownBy(() -> Config.of(Variant.FEDERATED, ppo).withServerStep(Double.NaN))
        .hasMessageContaining("serverStep NaN must be in (0, 10]");
  }

  @Test
  void constructor_badInput_rejectedNamingFieldValueAndRule() {
    assertThatThrownBy(() -> new Config(Variant.FEDERATED, 0, small(1, 128)))
        .hasMessageContaining("stepsPerRound 0 must be in 1..100000000");
    assertThatThrownBy(
            () ->
                new FederatedTraining(
                    Config.of(Variant.FEDERATED, small(1, 128)),
                    List.of(),
                    AggregatorDraw.highestScore()))
        .hasMessageContaining("evs 0 must be in 1..1000");
    V2vScenario d = V2vScenario.defaults();
    TouPrices other = new TouPrices(6.8, 2.6, 10, 1.5, 12.9, 2, 3.0, 0.5);
    V2vScenario e = new V2vScenario(7, 18, 0.5, 42, 7, 0.2, 0.8, 100, V2vMode.DIRECT, 0, other);
    assertThatThrownBy(
            () ->
                new FederatedTraining(
                    Config.of(Variant.FEDERATED, small(1, 128)),
                    List.of(d, e),
                    AggregatorDraw.highestScore()))
        .hasMessageContaining("evs[1].prices must equal evs[0].prices");
  }

  @Test
  void run_smallFederatedFleet_improvesOverTheUntrainedPolicy() {
    List<V2vScenario> evs = fleet(4, 9);
    FederatedTraining t =
        new FederatedTraining(
            Config.of(Variant.FEDERATED, small(61, 1024)), evs, AggregatorDraw.highestScore());
    double untrained = heldOut(t, 99, 100);
    t.run(8);
    double trained = heldOut(t, 99, 100);
    assertThat(trained).isGreaterThan(untrained + 20);
  }
}

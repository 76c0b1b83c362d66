package org.gridtrade.game.v2v;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PpoLearnerTest {

  static PpoConfig small(long seed) {
    PpoConfig d = PpoConfig.defaults(seed);
    return new PpoConfig(
        2,
        32,
        1e-3,
        1024,
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

  private static double meanReturn(V2vScenario s, V2vPolicy p, long seed, int days) {
    SplittableRandom rng = new SplittableRandom(seed);
    double sum = 0;
    for (int d = 0; d < days; d++) {
      sum += V2vEpisode.play(s, p, s.prices().sampleDay(rng)).totalReward();
    }
    return sum / days;
  }

  @Test
  void train_defaultScenario_beatsDoingNothingAndTheRuleOnHeldOutDays() {
    V2vScenario s = V2vScenario.defaults();
    PpoLearner learner = new PpoLearner(small(21));
    double untrained = meanReturn(s, learner.policy(s), 777, 300);
    PpoTraining run = learner.train(s, 30_000);
    assertThat(run.steps()).isGreaterThanOrEqualTo(30_000);
    assertThat(run.episodes()).isEqualTo(run.steps() / 11); // 11 slots a day, whole days
    double learned = meanReturn(s, learner.policy(s), 777, 300);
    double nothing = meanReturn(s, st -> 0, 777, 300);
    double rule = meanReturn(s, RuleBasedPolicy.of(s), 777, 300);
    double optimal = OptimalCausalPolicy.solve(s, 10).expectedReturn();
    assertThat(nothing).isEqualTo(-9, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(learned).isGreaterThan(untrained).isGreaterThan(nothing).isGreaterThan(rule);
    assertThat(learned).isLessThan(optimal + 3); // no causal policy beats the DP (3: sampling)
  }

  @Test
  void train_sameSeed_sameParametersBitForBit() {
    V2vScenario s = V2vScenario.defaults();
    PpoLearner a = new PpoLearner(small(22));
    PpoLearner b = new PpoLearner(small(22));
    PpoLearner c = new PpoLearner(small(23));
    a.train(s, 2000);
    b.train(s, 2000);
    c.train(s, 2000);
    assertThat(a.parameters()).containsExactly(b.parameters());
    assertThat(a.parameters()).isNotEqualTo(c.parameters());
    V2vPopulation pop = V2vPopulation.uniform(s);
    PpoTraining ra = a.train(pop, 2000);
    PpoTraining rb = b.train(pop, 2000);
    assertThat(ra).isEqualTo(rb);
    assertThat(a.parameters()).containsExactly(b.parameters());
  }

  @Test
  void setParameters_elementWiseMean_isWhatTheLearnerThenHolds() {
    PpoLearner a = new PpoLearner(small(24));
    PpoLearner b = new PpoLearner(small(25));
    double[] pa = a.parameters();
    double[] pb = b.parameters();
    assertThat(pa).hasSize(a.parameterCount()).isNotEqualTo(pb);
    double[] mean = new double[pa.length];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (pa[i] + pb[i]) / 2;
    }
    a.setParameters(mean);
    assertThat(a.parameters()).containsExactly(mean);
    mean[0] = 42; // the learner copied the vector
    assertThat(a.parameters()[0]).isNotEqualTo(42);
    // The policy of the averaged parameters acts as an average network would: deterministic.
    V2vScenario s = V2vScenario.defaults();
    V2vState st = new V2vState(8, 10, 0.5, 0.9, 8, 3.4, 12.6, 0);
    assertThat(a.policy(s).action(st)).isEqualTo(a.policy(s).action(st));
  }

  @Test
  void setParameters_wrongLengthOrNaN_rejectedAndNothingChanges() {
    PpoLearner a = new PpoLearner(small(26));
    double[] before = a.parameters();
    assertThatThrownBy(() -> a.setParameters(new double[3]))
        .hasMessageContaining("parameters length 3 must be " + a.parameterCount());
    double[] bad = before.clone();
    bad[7] = Double.NaN;
    assertThatThrownBy(() -> a.setParameters(bad)).hasMessageContaining("parameters[7] NaN");
    assertThat(a.parameters()).containsExactly(before);
    assertThatThrownBy(() -> a.train(V2vScenario.defaults(), -1))
        .hasMessageContaining("steps -1 must be >= 0");
  }

  @Test
  void config_badField_rejectedNamingFieldValueAndRule() {
    assertThatThrownBy(
            () -> new PpoConfig(0, 64, 3e-4, 2048, 10, 64, 1, 0.95, 0.2, 0, 0.5, 0.5, -0.5, 1, 1))
        .hasMessageContaining("hiddenLayers 0 must be in 1..8");
    assertThatThrownBy(
            () -> new PpoConfig(2, 64, 3e-4, 2048, 10, 64, 1, 0.95, 1.0, 0, 0.5, 0.5, -0.5, 1, 1))
        .hasMessageContaining("clipRange 1.0 must be in (0, 1)");
    assertThatThrownBy(
            () ->
                new PpoConfig(
                    2, 64, Double.NaN, 2048, 10, 64, 1, 0.95, 0.2, 0, 0.5, 0.5, -0.5, 1, 1))
        .hasMessageContaining("learningRate NaN must be in (0.0, 1.0]");
  }
}

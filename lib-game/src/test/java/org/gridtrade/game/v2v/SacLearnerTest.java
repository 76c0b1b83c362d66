package org.gridtrade.game.v2v;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SacLearnerTest {

  private static SacConfig small(long seed) {
    return new SacConfig(2, 16, 1e-3, 32, 5_000, 200, 1, 0.01, 0.1, 0.02, seed);
  }

  private static double meanReturn(V2vScenario s, V2vPolicy p, int days) {
    SplittableRandom rng = new SplittableRandom(777);
    double sum = 0;
    for (int d = 0; d < days; d++) {
      sum += V2vEpisode.play(s, p, s.prices().sampleDay(rng)).totalReward();
    }
    return sum / days;
  }

  @Test
  void policy_isASnapshot_andTheSameSeedActsTheSame() {
    V2vScenario s = V2vScenario.defaults();
    SacLearner a = new SacLearner(small(5));
    SacLearner b = new SacLearner(small(5));
    PpoTraining run = a.train(s, 1_000);
    b.train(s, 1_000);
    assertThat(run.steps()).isGreaterThanOrEqualTo(1_000);
    assertThat(run.episodes()).isEqualTo(run.steps() / 11); // 11 slots a day, whole days
    assertThat(run.meanReturns()).hasSize((int) run.episodes());
    V2vPolicy before = a.policy(s);
    double first = meanReturn(s, before, 20);
    assertThat(meanReturn(s, b.policy(s), 20)).isEqualTo(first);
    a.train(s, 500);
    assertThat(meanReturn(s, before, 20)).as("the snapshot did not move").isEqualTo(first);
    assertThat(a.stepsTrained()).isGreaterThanOrEqualTo(1_500);
    assertThat(a.alpha()).isPositive();
  }

  @Test
  void config_badField_rejectedNamingFieldValueAndRule() {
    assertThatThrownBy(() -> new SacConfig(2, 16, 1e-3, 64, 32, 0, 1, 0.01, 0.1, 0.02, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SacConfig: bufferSize 32 must be in 64..10000000");
    assertThatThrownBy(() -> new SacConfig(2, 16, 1e-3, 64, 100, 0, 1, 0, 0.1, 0.02, 1))
        .hasMessage("SacConfig: tau 0.0 must be in (0.0, 1.0]");
    assertThatThrownBy(() -> new SacLearner(small(1)).train(V2vScenario.defaults(), -1))
        .hasMessage("steps -1 must be >= 0");
  }
}

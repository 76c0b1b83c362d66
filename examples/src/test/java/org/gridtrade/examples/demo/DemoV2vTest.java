package org.gridtrade.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.gridtrade.game.stackelberg.Ev;
import org.gridtrade.game.stackelberg.EvGenerator;
import org.gridtrade.game.v2v.V2vEpisode;
import org.gridtrade.game.v2v.V2vScenario;
import org.gridtrade.game.v2v.V2vStep;
import org.junit.jupiter.api.Test;

class DemoV2vTest {

  @Test
  void windows_mapToOneCalendarDayAtTheHotspot() {
    SplittableRandom r = new SplittableRandom(1);
    V2vScenario day = DemoV2v.scenario(new Ev("a", 2, 9, 10, 0, 5), r);
    assertThat(day.arrivalHour()).isEqualTo(10); // game hour 2 is 10:00
    assertThat(day.departureHour()).isEqualTo(18); // leaves after game hour 9 (17:00)
    V2vScenario night = DemoV2v.scenario(new Ev("b", 16, 20, 10, 0, 5), r);
    assertThat(night.arrivalHour()).isZero(); // 00:00, the next calendar day's morning
    assertThat(night.departureHour()).isEqualTo(5);
    V2vScenario crossing = DemoV2v.scenario(new Ev("c", 12, 18, 10, 0, 5), r);
    assertThat(crossing.arrivalHour()).isEqualTo(20);
    assertThat(crossing.departureHour()).isEqualTo(24); // the episode ends at midnight
    assertThat(crossing.initialSoc()).isBetween(0.2, 0.8);
  }

  @Test
  void fleet_learns_tradesV2v_andEachScoreIsEq417OfItsDay() {
    List<Ev> evs = EvGenerator.random(4, 5);
    DemoV2v.Day d = DemoV2v.run(evs, 5);
    assertThat(d.rounds()).hasSize(DemoV2v.ROUNDS);
    double first = mean(d.rounds().get(0).trainingReturns());
    double last = mean(d.rounds().get(DemoV2v.ROUNDS - 1).trainingReturns());
    assertThat(last).as("mean training return, last round vs first").isGreaterThan(first);
    // Eq. 4.17, written out: Σ δ_t (D_t − C_t) + (SOC_max − SOC_dep) on the departing slot.
    for (int i = 0; i < evs.size(); i++) {
      V2vScenario s = d.scenarios().get(i);
      V2vEpisode e = d.episodes().get(i);
      double score = 0;
      for (V2vStep step : e.steps()) {
        double discharged = Math.max(0, -step.appliedKwh());
        double charged = Math.max(0, step.appliedKwh());
        score += s.prices().delta(step.hour()) * (discharged - charged);
      }
      score += s.socMax() - e.steps().get(e.steps().size() - 1).socAfter();
      assertThat(d.scores().get(i)).isCloseTo(score, within(1e-9));
      assertThat(e.steps()).hasSize(s.departureHour() - s.arrivalHour());
    }
    // After a federated round every EV holds the global model.
    for (double[] w : d.localModels()) {
      assertThat(w).containsExactly(d.localModels().get(0));
    }
    assertThat(d.globalModelHash()).matches("[0-9a-f]{64}");
    assertThat(DemoV2v.run(evs, 5).globalModelHash()).isEqualTo(d.globalModelHash());
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }
}

package org.gridtrade.game.v2v;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class V2vPopulationTest {

  @Test
  void touBand_coversTheDayWithTable41Hours() {
    Map<TouBand, Integer> hours = new EnumMap<>(TouBand.class);
    for (int h = 0; h < 24; h++) {
      hours.merge(TouBand.of(h), 1, Integer::sum);
    }
    assertThat(hours).containsEntry(TouBand.OFF_PEAK, 12);
    assertThat(hours).containsEntry(TouBand.MID_PEAK, 6);
    assertThat(hours).containsEntry(TouBand.ON_PEAK, 6);
    assertThat(TouBand.of(6)).isEqualTo(TouBand.OFF_PEAK);
    assertThat(TouBand.of(7)).isEqualTo(TouBand.ON_PEAK);
    assertThat(TouBand.of(11)).isEqualTo(TouBand.MID_PEAK);
    assertThat(TouBand.of(17)).isEqualTo(TouBand.ON_PEAK);
    assertThat(TouBand.of(19)).isEqualTo(TouBand.OFF_PEAK);
    assertThatThrownBy(() -> TouBand.of(24)).hasMessageContaining("hour 24 must be in 0..23");
  }

  @Test
  void sampleDay_manyDays_bandMomentsMatchTable41() {
    TouPrices t = TouPrices.table41();
    SplittableRandom rng = new SplittableRandom(41);
    int days = 20_000;
    double[] sum = new double[3];
    double[] sq = new double[3];
    int[] n = new int[3];
    for (int d = 0; d < days; d++) {
      double[] p = t.sampleDay(rng);
      for (int h = 0; h < 24; h++) {
        int b = TouBand.of(h).ordinal();
        sum[b] += p[h];
        sq[b] += p[h] * p[h];
        n[b]++;
      }
    }
    double[] mean = {6.8, 10, 12.9};
    double[] sd = {2.6, 1.5, 2};
    for (int b = 0; b < 3; b++) {
      double m = sum[b] / n[b];
      double s = Math.sqrt(sq[b] / n[b] - m * m);
      // Five standard errors of the mean; the sd within 2 %.
      assertThat(m).isCloseTo(mean[b], within(5 * sd[b] / Math.sqrt(n[b])));
      assertThat(s).isCloseTo(sd[b], within(0.02 * sd[b]));
    }
    assertThat(t.delta(3)).isZero();
    assertThat(t.delta(12)).isCloseTo((10 - 6.8) / 6.8, within(1e-12));
    assertThat(t.delta(8)).isCloseTo((12.9 - 6.8) / 6.8, within(1e-12));
  }

  @Test
  void sample_sameSeed_sameEvs() {
    V2vPopulation pop = V2vPopulation.normal(V2vScenario.defaults());
    SplittableRandom a = new SplittableRandom(5);
    SplittableRandom b = new SplittableRandom(5);
    for (int i = 0; i < 50; i++) {
      assertThat(pop.sample(a)).isEqualTo(pop.sample(b));
    }
  }

  @Test
  void sample_normalAndUniform_withinTable41RangesWithTheRightCentres() {
    for (boolean uniform : new boolean[] {false, true}) {
      V2vPopulation pop = new V2vPopulation(uniform, V2vScenario.defaults());
      SplittableRandom rng = new SplittableRandom(uniform ? 2 : 1);
      int n = 20_000;
      double arrivals = 0;
      double socs = 0;
      int atTen = 0;
      for (int i = 0; i < n; i++) {
        V2vScenario s = pop.sample(rng);
        assertThat(s.arrivalHour()).isBetween(4, 10);
        assertThat(s.departureHour()).isBetween(s.arrivalHour() + 1, 22);
        assertThat(s.initialSoc()).isBetween(0.4, 0.9);
        assertThat(s.capacityKwh()).isEqualTo(42);
        arrivals += s.arrivalHour();
        socs += s.initialSoc();
        atTen += s.arrivalHour() == 10 ? 1 : 0;
      }
      // Both are centred on 7 h; the normal SOC on 0.5 (clipped at 0.4 below), the uniform on 0.65.
      assertThat(arrivals / n).isCloseTo(7, within(0.05));
      assertThat(socs / n).isCloseTo(uniform ? 0.65 : 0.5 + 0.1 * 0.0833, within(0.01));
      // Rounding [9.5, 10] to 10: 1/12 of a uniform draw, 0.6 % (P(N > 9.5)) of a normal one.
      assertThat((double) atTen / n).isCloseTo(uniform ? 1 / 12.0 : 0.0062, within(0.006));
    }
  }
}

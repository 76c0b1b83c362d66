package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import org.gridtrade.consensus.StateOfChargeScores.EvDay;
import org.gridtrade.consensus.StateOfChargeScores.TimeOfUse;
import org.gridtrade.consensus.StateOfChargeScores.TimeOfUsePrices;
import org.junit.jupiter.api.Test;

class StateOfChargeScoresTest {
  /** λ_off = 5, λ_mid = 7.5, λ_on = 10: δ_mid = 0.5, δ_on = 1 (Eq. 4.3–4.4). */
  private static final TimeOfUsePrices PRICES = new TimeOfUsePrices(5, 7.5, 10);

  private static double[] zeros() {
    return new double[24];
  }

  private static double[] filled(double v) {
    double[] a = new double[24];
    java.util.Arrays.fill(a, v);
    return a;
  }

  @Test
  void delta_isTheRelativePriceIncreaseOverOffPeak() {
    assertThat(PRICES.delta(TimeOfUse.OFF_PEAK)).isZero();
    assertThat(PRICES.delta(TimeOfUse.MID_PEAK)).isEqualTo(0.5);
    assertThat(PRICES.delta(TimeOfUse.ON_PEAK)).isEqualTo(1.0);
    // Moniruzzaman's mean prices 6.8 / 10 / 12.9: δ_mid = 3.2/6.8, δ_on = 6.1/6.8.
    TimeOfUsePrices ontario = new TimeOfUsePrices(6.8, 10, 12.9);
    assertThat(ontario.delta(TimeOfUse.MID_PEAK)).isCloseTo(0.470588, within(1e-6));
    assertThat(ontario.delta(TimeOfUse.ON_PEAK)).isCloseTo(0.897059, within(1e-6));
  }

  @Test
  void ontarioPeriods_everyHourOfTheDay() {
    String table = "OOOOOOONNNNMMMMMMNNOOOOO"; // hour 0 .. 23; O off, M mid, N on
    for (int h = 0; h < 24; h++) {
      TimeOfUse expected =
          switch (table.charAt(h)) {
            case 'O' -> TimeOfUse.OFF_PEAK;
            case 'M' -> TimeOfUse.MID_PEAK;
            default -> TimeOfUse.ON_PEAK;
          };
      assertThat(TimeOfUse.of(h)).as("hour %d", h).isEqualTo(expected);
    }
    assertThat(PRICES.deltaAt(7)).isEqualTo(1.0);
    assertThat(PRICES.deltaAt(11)).isEqualTo(0.5);
    assertThat(PRICES.deltaAt(19)).isZero();
  }

  @Test
  void hourlyScore_eq41_byHand() {
    // Departing: (0.8 − 0.5) + 1 · (4 − 0) = 4.3; not departing: only δ(D − C).
    assertThat(StateOfChargeScores.hourlyScore(true, 0.8, 0.5, 1, 4, 0))
        .isCloseTo(4.3, within(1e-12));
    assertThat(StateOfChargeScores.hourlyScore(false, 0.8, 0.5, 1, 4, 0)).isEqualTo(4.0);
    assertThat(StateOfChargeScores.hourlyScore(false, 0.8, 0.5, 0.5, 0, 3)).isEqualTo(-1.5);
    assertThat(StateOfChargeScores.hourlyScore(false, 0.8, 0.5, 0, 10, 0)).isZero();
  }

  @Test
  void dailyScore_eq417_byHand_andNegativeWhenChargingAtPeak() {
    double[] charged = zeros();
    double[] discharged = zeros();
    double[] soc = filled(0.6);
    charged[2] = 10; // off-peak: δ = 0, scores 0
    charged[12] = 2; // mid-peak: 0.5 · (0 − 2) = −1
    discharged[18] = 4; // on-peak, departure hour: (0.8 − 0.5) + 1 · 4 = 4.3
    soc[18] = 0.5;
    EvDay day = new EvDay(charged, discharged, soc, 0.8, 18);
    assertThat(StateOfChargeScores.hourlyScore(day, 2, PRICES)).isZero();
    assertThat(StateOfChargeScores.hourlyScore(day, 12, PRICES)).isEqualTo(-1);
    assertThat(StateOfChargeScores.hourlyScore(day, 18, PRICES)).isCloseTo(4.3, within(1e-12));
    assertThat(StateOfChargeScores.hourlyScore(day, 5, PRICES)).isZero();
    assertThat(StateOfChargeScores.dailyScore(day, PRICES)).isCloseTo(3.3, within(1e-12));

    // Charging 6 kWh at 08:00 (on-peak) and departing full: 6 · −1 + (0.8 − 0.8) = −6.
    double[] peakCharge = zeros();
    peakCharge[8] = 6;
    EvDay greedy = new EvDay(peakCharge, zeros(), filled(0.8), 0.8, 17);
    assertThat(StateOfChargeScores.dailyScore(greedy, PRICES)).isEqualTo(-6);
  }

  @Test
  void property_swappingChargeAndDischarge_negatesTheTradeTerm() {
    // Independent of the summation: PS(day) + PS(day with C and D swapped) = 2 (SOC_max − SOC_dep).
    qt().withFixedSeed(17L)
        .withExamples(300)
        .forAll(longs().all(), integers().between(0, 23))
        .checkAssert(
            (seed, dep) -> {
              Random r = new Random(seed);
              double[] c = new double[24];
              double[] d = new double[24];
              double[] soc = new double[24];
              for (int h = 0; h < 24; h++) {
                c[h] = r.nextDouble() * 11;
                d[h] = r.nextDouble() * 11;
                soc[h] = 0.2 + 0.6 * r.nextDouble();
              }
              TimeOfUsePrices prices =
                  new TimeOfUsePrices(
                      1 + 10 * r.nextDouble(), 1 + 10 * r.nextDouble(), 1 + 10 * r.nextDouble());
              double a = StateOfChargeScores.dailyScore(new EvDay(c, d, soc, 0.8, dep), prices);
              double b = StateOfChargeScores.dailyScore(new EvDay(d, c, soc, 0.8, dep), prices);
              assertThat(a + b).isCloseTo(2 * (0.8 - soc[dep]), within(1e-9));
              // Brute force over the three periods' hour counts: Σ δ(h)(D−C) grouped by period.
              double byPeriod = 0.8 - soc[dep];
              for (TimeOfUse period : TimeOfUse.values()) {
                double net = 0;
                for (int h = 0; h < 24; h++) {
                  if (TimeOfUse.of(h) == period) {
                    net += d[h] - c[h];
                  }
                }
                byPeriod += prices.delta(period) * net;
              }
              assertThat(a).isCloseTo(byPeriod, within(1e-9));
            });
  }

  @Test
  void evDay_copiesItsArrays() {
    double[] c = zeros();
    EvDay day = new EvDay(c, zeros(), filled(0.5), 0.8, 10);
    c[0] = 99;
    assertThat(day.chargedKWh()[0]).isZero();
    day.soc()[3] = 0.9;
    assertThat(day.soc()[3]).isEqualTo(0.5);
    assertThat(day).isEqualTo(new EvDay(zeros(), zeros(), filled(0.5), 0.8, 10));
    assertThat(day.hashCode())
        .isEqualTo(new EvDay(zeros(), zeros(), filled(0.5), 0.8, 10).hashCode());
    assertThat(day.toString()).contains("departureHour=10");
  }

  @Test
  void badInput_isRefused_namingFieldValueAndRule() {
    assertThatThrownBy(() -> new TimeOfUsePrices(0, 1, 1))
        .hasMessageContaining("offPeak price 0.0 must be finite and > 0");
    assertThatThrownBy(() -> new TimeOfUsePrices(1, Double.NaN, 1))
        .hasMessageContaining("midPeak price NaN");
    assertThatThrownBy(() -> new TimeOfUsePrices(1, 1, Double.POSITIVE_INFINITY))
        .hasMessageContaining("onPeak price Infinity");
    assertThatThrownBy(() -> TimeOfUse.of(24)).hasMessageContaining("hour 24 must be 0 to 23");
    assertThatThrownBy(() -> TimeOfUse.of(-1)).hasMessageContaining("hour -1");
    assertThatThrownBy(() -> new EvDay(new double[23], zeros(), filled(0.5), 0.8, 3))
        .hasMessageContaining("chargedKWh has 23 values, must have 24");
    double[] neg = zeros();
    neg[5] = -1;
    assertThatThrownBy(() -> new EvDay(zeros(), neg, filled(0.5), 0.8, 3))
        .hasMessageContaining("dischargedKWh[5] = -1.0 must be finite and >= 0");
    double[] inf = zeros();
    inf[1] = Double.POSITIVE_INFINITY;
    assertThatThrownBy(() -> new EvDay(inf, zeros(), filled(0.5), 0.8, 3))
        .hasMessageContaining("chargedKWh[1] = Infinity");
    double[] soc = filled(0.5);
    soc[7] = 1.2;
    assertThatThrownBy(() -> new EvDay(zeros(), zeros(), soc, 0.8, 3))
        .hasMessageContaining("soc[7] = 1.2 must be in [0, 1]");
    assertThatThrownBy(() -> new EvDay(zeros(), zeros(), filled(0.5), 1.5, 3))
        .hasMessageContaining("socMax 1.5 must be in [0, 1]");
    assertThatThrownBy(() -> new EvDay(zeros(), zeros(), filled(0.5), Double.NaN, 3))
        .hasMessageContaining("socMax NaN");
    assertThatThrownBy(() -> new EvDay(zeros(), zeros(), filled(0.5), 0.8, 24))
        .hasMessageContaining("departureHour 24 must be 0 to 23");
    assertThatThrownBy(() -> new EvDay(null, zeros(), filled(0.5), 0.8, 2))
        .hasMessageContaining("chargedKWh");
    assertThatThrownBy(() -> StateOfChargeScores.hourlyScore(false, 0.8, 0.5, Double.NaN, 1, 1))
        .hasMessageContaining("delta NaN must be finite");
    EvDay ok = new EvDay(zeros(), zeros(), filled(0.5), 0.8, 2);
    assertThatThrownBy(() -> StateOfChargeScores.hourlyScore(ok, 30, PRICES))
        .hasMessageContaining("hour 30");
  }
}

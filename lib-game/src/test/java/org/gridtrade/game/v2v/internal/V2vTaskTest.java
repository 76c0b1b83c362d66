package org.gridtrade.game.v2v.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.gridtrade.game.v2v.TouPrices;
import org.gridtrade.game.v2v.V2vEnvironment;
import org.gridtrade.game.v2v.V2vMode;
import org.gridtrade.game.v2v.V2vScenario;
import org.junit.jupiter.api.Test;

class V2vTaskTest {

  /** A flat day: every drawn price is irrelevant to the look-ahead, which uses band means. */
  private static double[] day(double price) {
    double[] d = new double[24];
    java.util.Arrays.fill(d, price);
    return d;
  }

  @Test
  void lookAhead_defaultEvAtArrival_bandWorthsThenZero() {
    V2vScenario s = V2vScenario.defaults(); // 07:00-18:00, Table 4.1, direct
    double[] x = new double[V2vTask.FEATURES];
    V2vTask.features(new V2vEnvironment(s).reset(day(50)), s, x);

    // By hand from Table 4.1: off-peak 6.8, mid-peak 10, on-peak 12.9 c/kWh, feed-in 3.4, V2V
    // price = (retail + feed-in) / 2, delta = (band mean - 6.8) / 6.8, Omega = 0.
    double onPeak = (12.9 - 6.8) / 6.8 * ((12.9 + 3.4) / 2) / 5; // 1.4622...
    double midPeak = (10 - 6.8) / 6.8 * ((10 + 3.4) / 2) / 5; // 0.6305...
    double[] expected = new double[23];
    for (int j = 0; j < 23; j++) {
      int hour = 8 + j;
      if (hour >= 18) {
        expected[j] = 0; // gone
      } else if (hour <= 10 || hour == 17) {
        expected[j] = onPeak;
      } else {
        expected[j] = midPeak;
      }
    }
    assertThat(V2vTask.FEATURES).isEqualTo(10 + 23);
    for (int j = 0; j < 23; j++) {
      assertThat(x[10 + j]).as("hour %d", 8 + j).isCloseTo(expected[j], within(1e-12));
    }
    assertThat(onPeak).isCloseTo(1.4622, within(1e-4));
    // The first ten inputs are the state: the hour and the hours to departure among them.
    assertThat(x[6]).isCloseTo(11 / 12.0, within(1e-12));
    assertThat(x[7]).isCloseTo(7 / 12.0 - 1, within(1e-12));
  }

  @Test
  void lookAhead_wholeDayWithAssistedCost_everyLaterHourOfTheDay() {
    V2vScenario s =
        new V2vScenario(0, 24, 0.5, 42, 7, 0.2, 0.8, 100, V2vMode.ASSISTED, 2, TouPrices.table41());
    double[] x = new double[V2vTask.FEATURES];
    V2vTask.features(new V2vEnvironment(s).reset(day(8)), s, x);
    for (int hour = 1; hour <= 23; hour++) {
      double band;
      double delta;
      if (hour >= 11 && hour < 17) {
        band = 10;
        delta = (10 - 6.8) / 6.8;
      } else if ((hour >= 7 && hour < 11) || hour == 17 || hour == 18) {
        band = 12.9;
        delta = (12.9 - 6.8) / 6.8;
      } else {
        band = 6.8;
        delta = 0; // off-peak: Eq. 4.14 makes the energy free, and the EV is still there
      }
      double worth = delta * ((band + 3.4) / 2 + 2) / 5;
      assertThat(x[10 + hour - 1]).as("hour %d", hour).isCloseTo(worth, within(1e-12));
    }
  }
}

package org.gridtrade.game.v2v;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class V2vEnvironmentTest {

  private static final Offset<Double> EPS = within(1e-9);

  /** A day of constant price 10 except the three hours the hand-computed episode uses. */
  private static double[] day() {
    double[] p = new double[24];
    Arrays.fill(p, 10);
    p[16] = 10;
    p[17] = 14;
    p[18] = 12;
    return p;
  }

  private static V2vScenario afternoon(double soc) {
    return V2vScenario.defaults().withDay(16, 19, soc);
  }

  @Test
  void step_handComputedEpisode_matchesEquations414To416() {
    V2vEnvironment env = new V2vEnvironment(afternoon(0.5));
    V2vState s0 = env.reset(day());
    assertThat(s0.hour()).isEqualTo(16);
    assertThat(s0.hoursToDeparture()).isEqualTo(3);
    assertThat(s0.delta()).isCloseTo(3.2 / 6.8, EPS);
    assertThat(s0.v2vPrice()).isCloseTo(6.7, EPS);
    assertThat(s0.feedInPrice()).isCloseTo(3.4, EPS);

    // 16:00, mid-peak, price 10: ask +10, the charger gives 7.
    V2vStep a = env.step(10);
    assertThat(a.appliedKwh()).isCloseTo(7, EPS);
    assertThat(a.socAfter()).isCloseTo(0.5 + 7 / 42.0, EPS);
    assertThat(a.reward()).isCloseTo(-(3.2 / 6.8) * 7 * 6.7, EPS);
    assertThat(a.profit()).isCloseTo(7 * (10 - 6.7), EPS);
    assertThat(a.done()).isFalse();

    // 17:00, on-peak, price 14 (V2V 8.7): sell 3 kWh.
    V2vStep b = env.step(-3);
    assertThat(b.appliedKwh()).isCloseTo(-3, EPS);
    assertThat(b.reward()).isCloseTo((6.1 / 6.8) * 3 * 8.7, EPS);
    assertThat(b.profit()).isCloseTo(3 * (8.7 - 3.4), EPS);
    assertThat(b.departurePenalty()).isZero();

    // 18:00, on-peak, price 12 (V2V 7.7), departing: ask +20, the charger gives 7; SOC stays < 0.8.
    V2vStep c = env.step(20);
    double soc = 0.5 + 7 / 42.0 - 3 / 42.0 + 7 / 42.0;
    assertThat(c.appliedKwh()).isCloseTo(7, EPS);
    assertThat(c.socAfter()).isCloseTo(soc, EPS);
    assertThat(c.tradeReward()).isCloseTo(-(6.1 / 6.8) * 7 * 7.7, EPS);
    assertThat(c.departurePenalty()).isCloseTo(-100 * (soc - 0.8) * (soc - 0.8), EPS);
    assertThat(c.reward()).isCloseTo(c.tradeReward() + c.departurePenalty(), EPS);
    assertThat(c.done()).isTrue();
    assertThat(env.done()).isTrue();
    assertThatThrownBy(() -> env.step(0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void step_chargeBeyondSocMax_clippedToTheLimit() {
    V2vEnvironment env = new V2vEnvironment(afternoon(0.75));
    env.reset(day());
    V2vStep s = env.step(7);
    assertThat(s.appliedKwh()).isCloseTo(0.05 * 42, EPS);
    assertThat(s.socAfter()).isCloseTo(0.8, EPS);
  }

  @Test
  void step_dischargeBelowSocMin_clippedToTheLimit() {
    V2vEnvironment env = new V2vEnvironment(afternoon(0.25));
    env.reset(day());
    V2vStep s = env.step(-7);
    assertThat(s.appliedKwh()).isCloseTo(-0.05 * 42, EPS);
    assertThat(s.socAfter()).isCloseTo(0.2, EPS);
    assertThat(env.step(-7).appliedKwh()).isCloseTo(0, EPS);
  }

  @Test
  void step_arrivalAboveSocMax_mayOnlyDischargeOrStay() {
    V2vScenario s = afternoon(0.9);
    assertThat(s.maxAction(0.9)).isZero();
    assertThat(s.minAction(0.9)).isEqualTo(-7);
    V2vEnvironment env = new V2vEnvironment(s);
    env.reset(day());
    assertThat(env.step(5).appliedKwh()).isZero();
    assertThat(env.soc()).isEqualTo(0.9);
  }

  @Test
  void play_doingNothing_paysOnlyTheDeparturePenalty() {
    V2vEpisode e = V2vEpisode.play(V2vScenario.defaults(), st -> 0, day());
    assertThat(e.steps()).hasSize(11);
    assertThat(e.totalReward()).isCloseTo(-100 * 0.3 * 0.3, EPS);
    assertThat(e.totalProfit()).isZero();
    assertThat(e.steps().get(10).departurePenalty()).isCloseTo(-9, EPS);
  }

  @Test
  void step_offPeak_rewardIsZeroButProfitIsNot() {
    V2vEnvironment env = new V2vEnvironment(V2vScenario.defaults().withDay(20, 22, 0.5));
    double[] p = day();
    p[20] = 5;
    env.reset(p);
    V2vStep s = env.step(4);
    assertThat(s.reward()).isZero();
    assertThat(s.profit()).isCloseTo(4 * (5 - (5 + 3.4) / 2), EPS);
  }

  @Test
  void step_assistedMode_addsOmegaToThePrice() {
    V2vScenario d = V2vScenario.defaults();
    V2vScenario s =
        new V2vScenario(
            17, 18, 0.5, 42, 7, 0.2, 0.8, 0, V2vMode.ASSISTED, 2.5, TouPrices.table41());
    V2vEnvironment env = new V2vEnvironment(s);
    env.reset(day());
    V2vStep st = env.step(-2);
    assertThat(st.reward()).isCloseTo((6.1 / 6.8) * 2 * (8.7 + 2.5), EPS);
    assertThat(
            new V2vScenario(17, 18, 0.5, 42, 7, 0.2, 0.8, 0, V2vMode.DIRECT, 2.5, d.prices())
                .omega())
        .isZero();
  }

  @Test
  void step_anyActions_keepSocAndEnergyWithinLimits() {
    qt().withFixedSeed(17)
        .withExamples(300)
        .forAll(
            integers().between(0, 23),
            doubles().between(0, 1),
            doubles().between(-50, 50),
            integers().between(0, 1_000_000))
        .checkAssert(
            (arrival, soc0, scale, seed) -> {
              V2vScenario s = V2vScenario.defaults().withDay(arrival, 24, soc0);
              SplittableRandom rng = new SplittableRandom(seed);
              V2vEnvironment env = new V2vEnvironment(s);
              double[] prices = s.prices().sampleDay(rng);
              env.reset(prices);
              double lo = Math.min(0.2, soc0);
              double hi = Math.max(0.8, soc0);
              while (!env.done()) {
                double before = env.soc();
                V2vStep st = env.step(scale * (2 * rng.nextDouble() - 1));
                assertThat(Math.abs(st.appliedKwh())).isLessThanOrEqualTo(7 + 1e-12);
                assertThat(st.socAfter()).isBetween(lo - 1e-12, hi + 1e-12);
                assertThat(st.socAfter() - before).isCloseTo(st.appliedKwh() / 42, within(1e-12));
                // With the midpoint V2V price both sides earn half the retail/feed-in spread.
                double halfSpread = 0.5 * (prices[st.hour()] - 3.4);
                assertThat(st.profit())
                    .isCloseTo(Math.abs(st.appliedKwh()) * halfSpread, within(1e-9));
              }
            });
  }

  @Test
  void reset_wrongPrices_rejectedNamingTheField() {
    V2vEnvironment env = new V2vEnvironment(V2vScenario.defaults());
    assertThatThrownBy(() -> env.reset(new double[23]))
        .hasMessageContaining("retailPrices length 23")
        .hasMessageContaining("24");
    double[] p = day();
    p[5] = Double.NaN;
    assertThatThrownBy(() -> env.reset(p)).hasMessageContaining("retailPrices[5] NaN");
    assertThat(env.done()).isTrue();
    env.reset(day());
    assertThatThrownBy(() -> env.step(Double.POSITIVE_INFINITY))
        .hasMessageContaining("requestedKwh Infinity must be finite");
    assertThat(env.state().hour()).isEqualTo(7);
  }

  @Test
  void scenario_badFields_rejectedNamingFieldValueAndRule() {
    TouPrices t = TouPrices.table41();
    assertThatThrownBy(() -> new V2vScenario(7, 7, 0.5, 42, 7, 0.2, 0.8, 100, V2vMode.DIRECT, 0, t))
        .hasMessageContaining("departureHour 7 must be in arrivalHour + 1 = 8..24");
    assertThatThrownBy(
            () -> new V2vScenario(7, 18, 1.5, 42, 7, 0.2, 0.8, 100, V2vMode.DIRECT, 0, t))
        .hasMessageContaining("initialSoc 1.5 must be in [0, 1]");
    assertThatThrownBy(() -> new V2vScenario(7, 18, 0.5, 0, 7, 0.2, 0.8, 100, V2vMode.DIRECT, 0, t))
        .hasMessageContaining("capacityKwh 0.0 must be in (0,");
    assertThatThrownBy(
            () -> new V2vScenario(7, 18, 0.5, 42, 7, 0.8, 0.2, 100, V2vMode.DIRECT, 0, t))
        .hasMessageContaining("socMin 0.8 must be below socMax 0.2");
    assertThatThrownBy(() -> new V2vScenario(7, 18, 0.5, 42, 7, 0.2, 0.8, -1, V2vMode.DIRECT, 0, t))
        .hasMessageContaining("eta -1.0 must be in [0,");
    assertThatThrownBy(() -> new TouPrices(0, 1, 1, 1, 1, 1, 1, 0.5))
        .hasMessageContaining("offPeakMean 0.0 must be in (0,");
    assertThatThrownBy(() -> new TouPrices(1, -1, 1, 1, 1, 1, 1, 0.5))
        .hasMessageContaining("offPeakSd -1.0 must be in [0,");
    assertThatThrownBy(() -> new TouPrices(1, 1, 1, 1, 1, 1, 1, 2))
        .hasMessageContaining("v2vShare 2.0 must be in [0, 1]");
  }
}

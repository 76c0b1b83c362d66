package org.gridtrade.coalition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelValidationTest {
  private static final Area AREA = Area.square(20);

  @Test
  void prosumer_rejectsNaNNegativeAndBlank_namingFieldAndValue() {
    assertThatThrownBy(() -> new Prosumer("P1", Double.NaN, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("P1")
        .hasMessageContaining("production NaN");
    assertThatThrownBy(() -> new Prosumer("P2", 1, -3, 1, 1))
        .hasMessageContaining("consumption -3.0")
        .hasMessageContaining("must be in [0, 1.0E9]");
    assertThatThrownBy(() -> new Prosumer("P3", 1, 1, Double.POSITIVE_INFINITY, 1))
        .hasMessageContaining("x Infinity");
    assertThatThrownBy(() -> new Prosumer(" ", 1, 1, 1, 1)).hasMessageContaining("blank");
    assertThatThrownBy(() -> new Prosumer("EDC", 1, 1, 1, 1)).hasMessageContaining("reserved");
  }

  @Test
  void community_rejectsDuplicatesOutsideAndEmpty() {
    assertThatThrownBy(
            () ->
                Community.of(
                    AREA, List.of(new Prosumer("A", 1, 0, 1, 1), new Prosumer("A", 0, 1, 2, 2))))
        .hasMessageContaining("'A' is a duplicate")
        .hasMessageContaining("prosumers[1]");
    assertThatThrownBy(() -> Community.of(AREA, List.of(new Prosumer("A", 1, 0, 21, 1))))
        .hasMessageContaining("A at (21.0, 1.0) lies outside the area");
    assertThatThrownBy(() -> Community.of(AREA, List.of())).hasMessageContaining("empty");
  }

  @Test
  void area_and_lossModel_validate() {
    assertThatThrownBy(() -> new Area(20, 20, 25, 10)).hasMessageContaining("EDC at (25.0, 10.0)");
    assertThatThrownBy(() -> new Area(0, 20, 0, 0)).hasMessageContaining("width 0.0");
    assertThatThrownBy(() -> LineLossModel.linear(0.06, 0.05, 10))
        .hasMessageContaining("lossMax 0.05");
    assertThatThrownBy(() -> LineLossModel.linear(0.01, 0.05, Double.NaN))
        .hasMessageContaining("maxDistance NaN");
  }

  @Test
  void faultyUserLossModel_isReported_notUsed() {
    LineLossModel bad = d -> d > 5 ? 1.5 : 0.02;
    assertThatThrownBy(
            () ->
                Community.of(
                    AREA,
                    bad,
                    List.of(new Prosumer("A", 1, 0, 1, 1), new Prosumer("B", 0, 1, 19, 19))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("returned rate 1.5");
    LineLossModel throwing =
        d -> {
          throw new IllegalStateException("boom");
        };
    assertThatThrownBy(() -> Community.of(AREA, throwing, List.of(new Prosumer("A", 1, 0, 1, 1))))
        .hasMessageContaining("failed at distance")
        .hasMessageContaining("boom");
  }

  @Test
  void thesisLossModel_spans1_8To5_6PercentOverTheDiagonal() {
    LineLossModel m = LineLossModel.thesisDefault(AREA);
    assertThat(m.lossRate(0)).isCloseTo(0.018, within(1e-15));
    assertThat(m.lossRate(AREA.diagonal())).isCloseTo(0.056, within(1e-15));
    assertThat(m.lossRate(AREA.diagonal() / 2)).isCloseTo(0.037, within(1e-15));
  }

  @Test
  void singletonScore_isEq3_4() {
    Community c =
        Community.of(AREA, List.of(new Prosumer("S", 8, 3, 0, 0), new Prosumer("B", 1, 4, 20, 20)));
    double lam = c.lossModel().lossRate(Math.hypot(10, 10));
    assertThat(c.singletonProofScore("S")).isCloseTo(5 - 5 * lam, within(1e-12));
    assertThat(c.singletonProofScore("B")).isZero();
    assertThat(c.standaloneLoss("B")).isCloseTo(3 * lam, within(1e-12));
    assertThatThrownBy(() -> c.standaloneLoss("X")).hasMessageContaining("no prosumer with id 'X'");
  }

  @Test
  void evaluate_rejectsEmptyAndRepeatedMembers() {
    Community c = Communities.random(1, 4);
    CoalitionFormation f = CoalitionFormation.builder().build();
    assertThatThrownBy(() -> f.evaluate(c, List.of())).hasMessageContaining("empty");
    assertThatThrownBy(() -> f.evaluate(c, List.of("P1", "P1"))).hasMessageContaining("twice");
    assertThatThrownBy(() -> CoalitionFormation.builder().tolerance(-1))
        .hasMessageContaining("tolerance -1.0");
  }

  @Test
  void valuesWhoseArithmeticWouldOverflow_rejectedNamingFieldValueAndRange() {
    assertThatThrownBy(() -> new Prosumer("P1", 1e300, 1, 1, 1))
        .hasMessageContaining("production 1.0E300 must be in [0, 1.0E9]");
    assertThatThrownBy(() -> Area.square(1e300))
        .hasMessageContaining("area width 1.0E300 must be in [0.001, 10000.0]");
    assertThatThrownBy(() -> Area.square(1e-300)).hasMessageContaining("area width 1.0E-300");
    assertThatThrownBy(() -> new MiningRound(0.1, 1e300))
        .hasMessageContaining("price 1.0E300 must be in [0, 1000000.0]");
    assertThatThrownBy(() -> Shapley.exact(2, s -> s.cardinality() == 2 ? 1e300 : 0))
        .hasMessageContaining("1.0E300; it must be in [-1.0E100, 1.0E100]");
    // the limits themselves are accepted
    new Prosumer("P1", Prosumer.MAX_ENERGY, 0, 1, 1);
    Area.square(Area.MAX_SIDE);
    new MiningRound(0.1, MiningRound.MAX_PRICE);
    assertThat(Shapley.exact(2, s -> s.cardinality() == 2 ? Shapley.MAX_WORTH : 0).value(0))
        .isEqualTo(Shapley.MAX_WORTH / 2);
  }
}

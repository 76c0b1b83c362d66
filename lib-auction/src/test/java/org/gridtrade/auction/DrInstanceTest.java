package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DrInstanceTest {

  private static final DrInstance.Sp SP = new DrInstance.Sp("s", 100, 0.01, 0.015);

  @Test
  void ev_badValues_rejectedNamingFieldAndValue() {
    assertThatThrownBy(() -> new DrInstance.Ev("a", Double.NaN, 1, 2, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("soc NaN");
    assertThatThrownBy(() -> new DrInstance.Ev("a", 0.5, -1, 2, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("eMin -1.0");
    assertThatThrownBy(() -> new DrInstance.Ev("a", 0.5, 3, 2, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("eMin 3.0 must be <= eMax 2.0");
    assertThatThrownBy(() -> new DrInstance.Ev("a", 0.5, 1, 2, Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sigma Infinity");
    assertThatThrownBy(() -> new DrInstance.Ev(" ", 0.5, 1, 2, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sp_badValues_rejected() {
    assertThatThrownBy(() -> new DrInstance.Sp("s", -5, 0.01, 0.015))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity -5.0");
    assertThatThrownBy(() -> new DrInstance.Sp("s", 5, Double.NaN, 0.015))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("c1 NaN");
  }

  @Test
  void ev_valuesOutsideTheArithmeticRange_rejectedNamingFieldValueAndRange() {
    assertThatThrownBy(() -> new DrInstance.Ev("a", 1e-300, 1, 2, 1))
        .hasMessageContaining("soc 1.0E-300 must be in [0.001, 1]");
    assertThatThrownBy(() -> new DrInstance.Ev("a", 0.5, 1, 2, 1e300))
        .hasMessageContaining("sigma 1.0E300 must be in (0, 10000.0]");
    assertThatThrownBy(() -> new DrInstance.Ev("a", 0.5, 1, 1e300, 1))
        .hasMessageContaining("eMax 1.0E300 must be in (0, 1000000.0]");
    // the bounds themselves are accepted
    new DrInstance.Ev("a", DrInstance.MIN_SOC, 0, DrInstance.MAX_ENERGY, DrInstance.MAX_SIGMA);
  }

  @Test
  void sp_valuesOutsideTheArithmeticRange_rejectedNamingFieldValueAndRange() {
    assertThatThrownBy(() -> new DrInstance.Sp("s", 1e300, 0.01, 0.015))
        .hasMessageContaining("capacity 1.0E300 must be in (0, 1000000.0]");
    assertThatThrownBy(() -> new DrInstance.Sp("s", 5, 1e-300, 0.015))
        .hasMessageContaining("c1 1.0E-300 must be in [1.0E-4, 10000.0]");
    assertThatThrownBy(() -> new DrInstance.Sp("s", 5, 0.01, 1e300))
        .hasMessageContaining("c2 1.0E300 must be in [0, 10000.0]");
    new DrInstance.Sp("s", DrInstance.MAX_ENERGY, DrInstance.MIN_C1, DrInstance.MAX_COST_FACTOR);
  }

  @Test
  void instance_infeasible_rejected() {
    DrInstance.Ev ev = new DrInstance.Ev("a", 0.5, 80, 90, 10);
    assertThatThrownBy(() -> new DrInstance(List.of(ev), List.of(SP), 0.8, 0.9, 0.001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("infeasible");
    DrInstance.Ev ok = new DrInstance.Ev("a", 0.5, 10, 20, 10);
    assertThatThrownBy(() -> new DrInstance(List.of(ok, ok), List.of(SP), 0.8, 0.9, 0.001))
        .hasMessageContaining("not unique");
    assertThatThrownBy(() -> new DrInstance(List.of(ok), List.of(SP), 1.5, 0.9, 0.001))
        .hasMessageContaining("eta 1.5");
    assertThatThrownBy(() -> new DrInstance(List.of(), List.of(SP), 0.8, 0.9, 0.001))
        .hasMessageContaining("evs");
  }

  @Test
  void random_isDeterministicAndFeasible() {
    DrInstance a = DrInstance.random(30, 2, new SplittableRandom(9));
    DrInstance b = DrInstance.random(30, 2, new SplittableRandom(9));
    assertThat(a).isEqualTo(b);
    double need = a.evs().stream().mapToDouble(DrInstance.Ev::eMin).sum();
    double cap = a.sps().stream().mapToDouble(DrInstance.Sp::capacity).sum();
    assertThat(need).isLessThanOrEqualTo(0.9 * a.eta() * a.rho() * cap * (1 + 1e-12));
    assertThat(a.evs().get(0).willingness()).isBetween(10.0, 60.0);
  }
}

package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void kWhToWh_roundsHalfEven() {
    assertThat(Units.kWhToWh(1.5)).isEqualTo(1500);
    assertThat(Units.kWhToWh(0.0005)).isEqualTo(0); // half to even: 0.5 Wh -> 0
    assertThat(Units.kWhToWh(0.0015)).isEqualTo(2); // 1.5 Wh -> 2
    assertThat(Units.kWhToWh(0.0025)).isEqualTo(2); // 2.5 Wh -> 2
    assertThat(Units.kWhToWh(-0.0035)).isEqualTo(-4);
  }

  @Test
  void coinsToMicro_roundsHalfEven() {
    assertThat(Units.coinsToMicro(12.34)).isEqualTo(12_340_000);
    assertThat(Units.coinsToMicro(0.0000005)).isEqualTo(0);
    assertThat(Units.coinsToMicro(0.0000015)).isEqualTo(2);
  }

  @Test
  void paymentMicro_isExactAndHalfEven() {
    assertThat(Units.paymentMicro(1, 500)).isEqualTo(0); // 0.5 -> 0
    assertThat(Units.paymentMicro(3, 500)).isEqualTo(2); // 1.5 -> 2
    assertThat(Units.paymentMicro(2_500, 12_000_000)).isEqualTo(30_000_000);
    // Beyond long range in the intermediate product, still exact.
    assertThat(Units.paymentMicro(Long.MAX_VALUE / 1000, 1000)).isEqualTo(Long.MAX_VALUE / 1000);
    assertThatThrownBy(() -> Units.paymentMicro(Long.MAX_VALUE, Long.MAX_VALUE))
        .isInstanceOf(ArithmeticException.class);
  }

  @Test
  void badInput_namesFieldAndValue() {
    assertThatThrownBy(() -> Units.kWhToWh(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kWh NaN");
    assertThatThrownBy(() -> Units.paymentMicro(-1, 5)).hasMessageContaining("energyWh -1 < 0");
    assertThatThrownBy(() -> Units.coinsToMicro(1e300)).hasMessageContaining("coins");
  }
}

package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.function.DoubleToLongFunction;
import java.util.function.LongToDoubleFunction;
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

  @Test
  void theCoin_isOneHundredCents_andACentIsTenThousandMicroCoins() {
    assertThat(Units.coinsToMicro(1)).isEqualTo(Units.centsToMicro(100));
    assertThat(Units.centsToMicro(1)).isEqualTo(10_000);
    assertThat(Units.MICRO_PER_CENT * Units.CENTS_PER_COIN).isEqualTo(Units.MICRO_PER_COIN);
    // 10.67 c/kWh for 2.5 kWh is 26.675 cents.
    long payment = Units.paymentMicro(Units.kWhToWh(2.5), Units.centsPerKWhToMicroPerKWh(10.67));
    assertThat(Units.microToCents(payment)).isEqualTo(26.675);
  }

  @Test
  void toLedger_matchesExactDecimalArithmetic_roundingHalfEven() {
    check("kWh", Units::kWhToWh, 3);
    check("cents", Units::centsToMicro, 4);
    check("centsPerKWh", Units::centsPerKWhToMicroPerKWh, 4);
    check("coins", Units::coinsToMicro, 6);
  }

  /**
   * Oracle: a random decimal d = unscaled × 10^-scale with at most 15 significant digits (so the
   * nearest double prints back as d), multiplied by 10^decimals and rounded half-even by BigDecimal
   * from the decimal string; ties are drawn on purpose (unscaled ending in 5 beyond the unit).
   * Results beyond a {@code long} must be rejected naming the field.
   */
  private static void check(String field, DoubleToLongFunction f, int decimals) {
    qt().withFixedSeed(20_261_206L + decimals)
        .withExamples(2_000)
        .forAll(
            longs().between(-999_999_999_999_999L, 999_999_999_999_999L),
            integers().between(0, 12),
            integers().between(0, 3))
        .checkAssert(
            (raw, scale, shape) -> {
              long unscaled = shape == 0 ? raw - raw % 10 + 5 * Long.signum(raw) : raw;
              BigDecimal d = BigDecimal.valueOf(unscaled, scale);
              String text = d.toPlainString();
              BigDecimal exact = new BigDecimal(text).movePointRight(decimals);
              BigInteger expected = exact.setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
              double value = Double.parseDouble(text);
              if (expected.bitLength() > 63) {
                assertThatThrownBy(() -> f.applyAsLong(value))
                    .as("%s %s", field, text)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(field + " ")
                    .hasMessageContaining("out of range");
                return;
              }
              assertThat(f.applyAsLong(value))
                  .as("%s %s", field, text)
                  .isEqualTo(expected.longValueExact());
            });
  }

  @Test
  void fromLedger_isTheNearestDouble_andRoundTrips() {
    checkBack(Units::whToKWh, Units::kWhToWh, 3);
    checkBack(Units::microToCents, Units::centsToMicro, 4);
    checkBack(Units::microPerKWhToCentsPerKWh, Units::centsPerKWhToMicroPerKWh, 4);
    checkBack(Units::microToCoins, Units::coinsToMicro, 6);
  }

  private static void checkBack(LongToDoubleFunction back, DoubleToLongFunction to, int decimals) {
    long limit = 1L << 50;
    qt().withFixedSeed(1_206L + decimals)
        .withExamples(2_000)
        .forAll(longs().between(-limit, limit))
        .checkAssert(
            v -> {
              double d = back.applyAsDouble(v);
              BigDecimal exact = BigDecimal.valueOf(v, decimals);
              // Nearest double: no double between d and the exact quotient's neighbours is closer.
              BigDecimal err = new BigDecimal(d).subtract(exact).abs();
              assertThat(err)
                  .isLessThanOrEqualTo(new BigDecimal(Math.ulp(d)).divide(BigDecimal.valueOf(2)));
              assertThat(to.applyAsLong(d)).isEqualTo(v);
            });
  }

  @Test
  void outOfRangeOrNotFinite_isRejectedNamingTheField() {
    assertThatThrownBy(() -> Units.centsToMicro(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cents Infinity is not finite");
    assertThatThrownBy(() -> Units.centsPerKWhToMicroPerKWh(1e16))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("centsPerKWh 1.0E16 is out of range");
    assertThatThrownBy(() -> Units.kWhToWh(-1e17))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kWh -1.0E17 is out of range");
    // The largest cents that still fit: (2^63 - 1) / 10^4, below which no exception is thrown.
    assertThat(Units.centsToMicro(9.2e14)).isEqualTo(9_200_000_000_000_000_000L);
  }
}

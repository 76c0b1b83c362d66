package org.gridtrade.consensus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.Payload;
import org.junit.jupiter.api.Test;

class InstalledCapacityRuleTest {

  @Test
  void defaultTolerance_is15Percent_boundaryAuthorised_oneWattMoreRevoked() {
    InstalledCapacityRule rule = InstalledCapacityRule.defaults();
    assertThat(rule.tolerancePercent()).isEqualTo(15);
    assertThat(rule.check("p1", 10_000, 11_500).authorised()).isTrue();
    CapacityVerdict v = rule.check("p1", 10_000, 11_501);
    assertThat(v).isInstanceOf(CapacityVerdict.Revoked.class);
    assertThat(((CapacityVerdict.Revoked) v).reason())
        .contains("11501 W", "10000 W", "15 %", "no longer authorised");
    assertThat(((CapacityVerdict.Revoked) v).limitW()).isEqualTo(11_500);
    assertThat(new InstalledCapacityRule(10).check("p1", 10_000, 11_001).authorised()).isFalse();
    assertThat(new InstalledCapacityRule(10).check("p1", 10_000, 0).authorised()).isTrue();
  }

  @Test
  void badInput_rejectedNamingTheValueAndRule() {
    assertThatThrownBy(() -> new InstalledCapacityRule(9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tolerancePercent 9 not in 10..15");
    assertThatThrownBy(() -> new InstalledCapacityRule(16))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tolerancePercent 16");
    InstalledCapacityRule rule = InstalledCapacityRule.defaults();
    assertThatThrownBy(() -> rule.check("p", 0, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("declaredCapacityW 0 not in 1..");
    assertThatThrownBy(() -> rule.check("p", 5, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("peakGenerationW -1 not in 0..");
    assertThatThrownBy(() -> rule.check(" ", 5, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prosumerId is blank");
    assertThatThrownBy(() -> InstalledCapacityRule.peakExportW(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("readings is empty");
  }

  @Test
  void property_verdict_matchesExactDecimalRatio() {
    qt().withFixedSeed(1515L)
        .withExamples(2000)
        .forAll(
            integers().between(10, 15),
            longs().between(1, InstalledCapacityRule.MAX_WATTS),
            integers().between(0, 400),
            longs().between(-3, 3))
        .checkAssert(
            (tol, declared, pctOfDeclared, jitter) -> {
              // Peaks cluster around the limit so both verdicts and the boundary are exercised.
              BigDecimal d = BigDecimal.valueOf(declared);
              long peak =
                  d.multiply(BigDecimal.valueOf(pctOfDeclared))
                      .divide(BigDecimal.valueOf(200), 0, RoundingMode.FLOOR)
                      .longValue();
              if (pctOfDeclared % 7 == 0) {
                peak =
                    d.multiply(BigDecimal.valueOf(100 + tol))
                            .divide(BigDecimal.valueOf(100), 0, RoundingMode.FLOOR)
                            .longValue()
                        + jitter;
              }
              peak = Math.max(0, Math.min(InstalledCapacityRule.MAX_WATTS, peak));
              BigDecimal ratio = BigDecimal.valueOf(peak).divide(d, 30, RoundingMode.HALF_EVEN);
              BigDecimal allowed = BigDecimal.ONE.add(BigDecimal.valueOf(tol).movePointLeft(2));
              boolean expected = ratio.compareTo(allowed) <= 0;
              // The 30-digit quotient can round up onto the limit only when peak is just above it.
              if (ratio.compareTo(allowed) == 0) {
                expected = BigDecimal.valueOf(peak).compareTo(d.multiply(allowed)) <= 0;
              }
              assertThat(new InstalledCapacityRule(tol).check("p", declared, peak).authorised())
                  .as("tol %d declared %d peak %d", tol, declared, peak)
                  .isEqualTo(expected);
            });
  }

  @Test
  void peakExport_isTheHighestAverageIntervalPower() {
    Random rnd = new Random(12);
    for (int trial = 0; trial < 200; trial++) {
      List<Payload.MeterReading> rs = new ArrayList<>();
      BigDecimal best = BigDecimal.ZERO;
      for (int i = 0, n = 1 + rnd.nextInt(10); i < n; i++) {
        int seconds = 1 + rnd.nextInt(86_400);
        long wh = rnd.nextInt(2_000_000);
        rs.add(new Payload.MeterReading("m", 1000L * i, seconds, 0, wh));
        BigDecimal w =
            BigDecimal.valueOf(wh)
                .multiply(BigDecimal.valueOf(3600))
                .divide(BigDecimal.valueOf(seconds), 0, RoundingMode.FLOOR);
        best = best.max(w);
      }
      assertThat(InstalledCapacityRule.peakExportW(rs)).isEqualTo(best.longValueExact());
    }
  }
}

package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class SocialWelfareSolverTest {

  @Test
  void property_kktConditions_holdFromReportedMultipliers() {
    qt().withFixedSeed(11)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rng = new SplittableRandom(seed);
              DrInstance in = DrInstance.random(1 + rng.nextInt(6), 1 + rng.nextInt(4), rng);
              SocialWelfareSolution sol = SocialWelfareSolver.solve(in);
              assertThat(sol.kktResidual()).isLessThan(1e-9);
              assertKkt(in, sol);
            });
  }

  @Test
  void property_oneEvTwoSps_matchesNestedGoldenSearch() {
    qt().withFixedSeed(12)
        .withExamples(150)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              DrInstance in = DrInstance.random(1, 2, new SplittableRandom(seed));
              double k = in.eta() * in.rho();
              DrInstance.Ev ev = in.evs().get(0);
              double lo = ev.eMin() / k;
              double hi = ev.eMax() / k;
              double s1 = in.sps().get(0).capacity();
              double s2 = in.sps().get(1).capacity();
              double best =
                  golden(
                      Math.max(0, lo - s2),
                      Math.min(s1, hi),
                      x1 ->
                          golden(
                              Math.max(0, lo - x1),
                              Math.min(s2, hi - x1),
                              x2 -> welfare(in, new double[][] {{x1, x2}})));
              assertAgrees(in, best);
            });
  }

  @Test
  void property_twoEvsOneSp_matchesNestedGoldenSearch() {
    qt().withFixedSeed(13)
        .withExamples(150)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              DrInstance in = DrInstance.random(2, 1, new SplittableRandom(seed));
              double k = in.eta() * in.rho();
              double lo1 = in.evs().get(0).eMin() / k;
              double hi1 = in.evs().get(0).eMax() / k;
              double lo2 = in.evs().get(1).eMin() / k;
              double hi2 = in.evs().get(1).eMax() / k;
              double s = in.sps().get(0).capacity();
              double best =
                  golden(
                      lo1,
                      Math.min(hi1, s - lo2),
                      x1 ->
                          golden(
                              lo2,
                              Math.min(hi2, s - x1),
                              x2 -> welfare(in, new double[][] {{x1}, {x2}})));
              assertAgrees(in, best);
            });
  }

  @Test
  void solve_largeInstance_kktResidualSmall() {
    DrInstance in = DrInstance.random(40, 8, new SplittableRandom(5));
    assertThat(SocialWelfareSolver.solve(in).kktResidual()).isLessThan(1e-9);
  }

  private static void assertAgrees(DrInstance in, double oracle) {
    double w = SocialWelfareSolver.solve(in).welfare();
    double tol = 1e-9 * Math.max(1, Math.abs(oracle));
    assertThat(w).isGreaterThanOrEqualTo(oracle - tol);
    assertThat(w).isLessThanOrEqualTo(oracle + tol);
  }

  /** KKT checked from the published allocation and multipliers, not from the solver's residual. */
  private static void assertKkt(DrInstance in, SocialWelfareSolution sol) {
    int n = in.evs().size();
    int m = in.sps().size();
    double k = in.eta() * in.rho();
    List<DrFlow> a = sol.allocation();
    double priceScale = sol.evPrices().stream().mapToDouble(Math::abs).max().orElse(1);
    for (int i = 0; i < n; i++) {
      DrInstance.Ev ev = in.evs().get(i);
      double t = 0;
      for (int j = 0; j < m; j++) {
        DrFlow f = a.get(i * m + j);
        assertThat(f.energy())
            .isEqualTo(in.rho() * f.supply(), org.assertj.core.data.Offset.offset(1e-12));
        t += f.supply();
      }
      double e = k * t;
      double tolE = 1e-9 * ev.eMax();
      assertThat(e).isBetween(ev.eMin() - tolE, ev.eMax() + tolE);
      double mu = ev.willingness() * k / (e - ev.eMin() + 1);
      double ui = sol.evPrices().get(i);
      double tolP = 1e-8 * priceScale;
      if (ui > mu + tolP) {
        assertThat(e).isCloseTo(ev.eMin(), org.assertj.core.data.Offset.offset(tolE));
      } else if (ui < mu - tolP) {
        assertThat(e).isCloseTo(ev.eMax(), org.assertj.core.data.Offset.offset(tolE));
      }
      for (int j = 0; j < m; j++) {
        DrInstance.Sp sp = in.sps().get(j);
        double x = a.get(i * m + j).supply();
        double reduced = ui - sol.spShadowPrices().get(j) - (2 * sp.c1() * x + sp.c2());
        if (x > 1e-9) {
          assertThat(Math.abs(reduced)).isLessThan(tolP);
        } else {
          assertThat(reduced).isLessThan(tolP);
        }
      }
    }
    for (int j = 0; j < m; j++) {
      double col = 0;
      for (int i = 0; i < n; i++) {
        col += a.get(i * m + j).supply();
      }
      double cap = in.sps().get(j).capacity();
      double alpha = sol.spShadowPrices().get(j);
      assertThat(alpha).isGreaterThanOrEqualTo(0);
      assertThat(col).isLessThanOrEqualTo(cap * (1 + 1e-12));
      if (alpha > 1e-8 * priceScale) {
        assertThat(col).isCloseTo(cap, org.assertj.core.data.Offset.offset(1e-9 * cap));
      }
    }
  }

  static double welfare(DrInstance in, double[][] x) {
    double k = in.eta() * in.rho();
    double w = 0;
    for (int i = 0; i < x.length; i++) {
      DrInstance.Ev ev = in.evs().get(i);
      double t = 0;
      for (int j = 0; j < x[i].length; j++) {
        DrInstance.Sp sp = in.sps().get(j);
        t += x[i][j];
        w -= sp.c1() * x[i][j] * x[i][j] + sp.c2() * x[i][j];
      }
      w += ev.willingness() * Math.log(k * t - ev.eMin() + 1);
    }
    return w;
  }

  /** Golden-section maximum of a concave function on [a, b]; returns the maximum value. */
  static double golden(double a, double b, DoubleUnaryOperator f) {
    if (b <= a) {
      return f.applyAsDouble(Math.max(a, b));
    }
    double g = (Math.sqrt(5) - 1) / 2;
    double c = b - g * (b - a);
    double d = a + g * (b - a);
    double fc = f.applyAsDouble(c);
    double fd = f.applyAsDouble(d);
    for (int it = 0; it < 90; it++) {
      if (fc < fd) {
        a = c;
        c = d;
        fc = fd;
        d = a + g * (b - a);
        fd = f.applyAsDouble(d);
      } else {
        b = d;
        d = c;
        fd = fc;
        c = b - g * (b - a);
        fc = f.applyAsDouble(c);
      }
    }
    return Math.max(Math.max(fc, fd), Math.max(f.applyAsDouble(a), f.applyAsDouble(b)));
  }
}

package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DemandResponseAuctionTest {

  @Test
  void property_accelerated_convergesWithinTenthPercentOfOptimum() {
    DemandResponseAuction auction =
        DemandResponseAuction.builder().update(DemandResponseAuction.BidUpdate.ACCELERATED).build();
    qt().withFixedSeed(21)
        .withExamples(60)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rng = new SplittableRandom(seed);
              DrInstance in = DrInstance.random(1 + rng.nextInt(4), 1 + rng.nextInt(3), rng);
              DemandResponseResult r = auction.run(in);
              assertThat(r.converged()).isTrue();
              assertThat(r.welfareGap()).isLessThan(1e-3).isGreaterThan(-1e-9);
              assertThat(r.trace()).hasSize(r.iterations());
              assertThat(r.iterations()).isLessThan(200);
              assertThat(r.allocation()).hasSize(in.evs().size() * in.sps().size());
              double ev =
                  r.settledEvPayments().stream()
                      .mapToDouble(DemandResponseResult.Payment::amount)
                      .sum();
              double sp =
                  r.spRevenues().stream().mapToDouble(DemandResponseResult.Payment::amount).sum();
              assertThat(ev).isGreaterThanOrEqualTo(sp * (1 - 1e-12));
              assertThat(r.settlement())
                  .isEqualTo(
                      r.weaklyBudgetBalanced()
                          ? DemandResponseResult.Settlement.NONE
                          : DemandResponseResult.Settlement.DEFICIT_CHARGED_TO_EVS);
            });
  }

  @Test
  void property_newton_twoHundredInstances_convergeWithinTenthPercent() {
    DemandResponseAuction auction =
        DemandResponseAuction.builder().update(DemandResponseAuction.BidUpdate.NEWTON).build();
    qt().withFixedSeed(22)
        .withExamples(200)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rng = new SplittableRandom(seed);
              DrInstance in = DrInstance.random(3 + rng.nextInt(8), 2 + rng.nextInt(4), rng);
              DemandResponseResult r = auction.run(in);
              assertThat(r.converged()).isTrue();
              // oracle: the direct SWM solver, a different algorithm from the auction's rounds
              assertThat(r.welfareGap()).isLessThan(1e-3).isGreaterThan(-1e-9);
              assertThat(r.iterations()).isLessThanOrEqualTo(30);
            });
  }

  @Test
  void property_default_convergesToIndependentlySolvedOptimum_upToTenEvsByFiveSps() {
    DemandResponseAuction auction = DemandResponseAuction.builder().build();
    qt().withFixedSeed(23)
        .withExamples(50)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rng = new SplittableRandom(seed);
              DrInstance in = DrInstance.random(1 + rng.nextInt(10), 1 + rng.nextInt(5), rng);
              DemandResponseResult r = auction.run(in);
              SwmOracle.Bounds opt = SwmOracle.solve(in);
              double scale = Math.max(1, Math.abs(opt.upper()));
              // the oracle brackets the optimum tightly, or it proves nothing
              assertThat(opt.upper() - opt.lower()).isLessThan(1e-6 * scale);
              assertThat(r.converged()).isTrue();
              double[][] s = supply(in, r);
              assertFeasible(in, s);
              double w = SwmOracle.welfare(in, s);
              // no feasible allocation beats the optimum; the auction is within 0.1 % of it
              assertThat(w).isLessThanOrEqualTo(opt.upper() + 1e-6 * scale);
              assertThat(w).isGreaterThanOrEqualTo(opt.lower() - 1e-3 * scale);
            });
  }

  @Test
  void property_default_meanRoundsOnAggarwalMarkets_atMostEleven() {
    DemandResponseAuction auction = DemandResponseAuction.builder().build();
    int markets = 300;
    long rounds = 0;
    for (int q = 0; q < markets; q++) {
      SplittableRandom rng = new SplittableRandom(1000 + q);
      DrInstance in = DrInstance.random(3 + rng.nextInt(8), 2 + rng.nextInt(4), rng);
      DemandResponseResult r = auction.run(in);
      assertThat(r.converged()).as("market %d", q).isTrue();
      assertThat(r.welfareGap()).as("market %d", q).isLessThan(1e-3);
      rounds += r.iterations();
    }
    assertThat((double) rounds / markets).isLessThanOrEqualTo(11);
  }

  @Test
  void defaultRule_isTheBidsOnlySecantRule() {
    DrInstance in = DrInstance.random(4, 3, new SplittableRandom(8));
    DemandResponseResult byDefault = DemandResponseAuction.builder().build().run(in);
    DemandResponseResult secant =
        DemandResponseAuction.builder()
            .update(DemandResponseAuction.BidUpdate.SECANT)
            .build()
            .run(in);
    assertThat(byDefault.trace()).isEqualTo(secant.trace());
  }

  static double[][] supply(DrInstance in, DemandResponseResult r) {
    int m = in.sps().size();
    double[][] s = new double[in.evs().size()][m];
    int q = 0;
    for (DrFlow f : r.allocation()) {
      s[q / m][q % m] = f.supply();
      q++;
    }
    return s;
  }

  static void assertFeasible(DrInstance in, double[][] s) {
    double k = in.eta() * in.rho();
    double[] column = new double[in.sps().size()];
    for (int i = 0; i < s.length; i++) {
      double t = 0;
      for (int j = 0; j < s[i].length; j++) {
        assertThat(s[i][j]).isGreaterThanOrEqualTo(0);
        t += s[i][j];
        column[j] += s[i][j];
      }
      DrInstance.Ev ev = in.evs().get(i);
      assertThat(k * t).isBetween(ev.eMin() * (1 - 1e-9), ev.eMax() * (1 + 1e-9));
    }
    for (int j = 0; j < column.length; j++) {
      assertThat(column[j]).isLessThanOrEqualTo(in.sps().get(j).capacity() * (1 + 1e-9));
    }
  }

  @Test
  void literal_update_reachesSameFixedPoint() {
    DrInstance in = DrInstance.random(3, 2, new SplittableRandom(3));
    DemandResponseResult literal =
        DemandResponseAuction.builder()
            .update(DemandResponseAuction.BidUpdate.LITERAL)
            .build()
            .run(in);
    DemandResponseResult fast = DemandResponseAuction.builder().build().run(in);
    assertThat(fast.welfareGap()).isLessThan(1e-3);
    if (literal.converged()) {
      assertThat(literal.welfareGap()).isLessThan(1e-3);
    }
  }
}

package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DemandResponseAuctionTest {

  @Test
  void property_accelerated_convergesWithinTenthPercentOfOptimum() {
    DemandResponseAuction auction = DemandResponseAuction.builder().build();
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
    DemandResponseAuction auction = DemandResponseAuction.builder().build();
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

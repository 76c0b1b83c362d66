package org.gridtrade.game.stackelberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {

  @Test
  void property_lowestBidLeads_capIsMinOfPmaxAndSecondBid() {
    qt().withFixedSeed(406)
        .withExamples(500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rng = new SplittableRandom(seed);
              PriceBounds b = PriceBounds.thesisDefaults();
              List<SpBid> bids = new ArrayList<>();
              int n = rng.nextInt(6);
              for (int i = 0; i < n; i++) {
                bids.add(new SpBid("SP" + i, 6 + rng.nextInt(20) / 2.0));
              }
              LeaderElection e = StackelbergGame.electLeader(bids, b);
              // Oracle: scan in submission order, strict < keeps the earlier of equal bids.
              SpBid best = null;
              for (SpBid s : bids) {
                if (s.price() <= b.pMax() && (best == null || s.price() < best.price())) {
                  best = s;
                }
              }
              if (best == null) {
                assertThat(e.leader()).isEmpty();
                assertThat(e.priceCap()).isEmpty();
                assertThat(e.noTradeReason()).containsAnyOf("reserve", "no asks");
                return;
              }
              double second = b.pMax();
              boolean skipped = false;
              for (SpBid s : bids) {
                if (s == best && !skipped) {
                  skipped = true;
                } else if (s.price() <= b.pMax()) {
                  second = Math.min(second, s.price());
                }
              }
              if (second < b.pMin()) {
                assertThat(e.leader()).isEmpty();
                assertThat(e.priceCap()).isEmpty();
                assertThat(e.noTradeReason()).contains("below pMin");
                return;
              }
              assertThat(e.leader()).contains(best.id());
              assertThat(e.payment().getAsDouble()).isEqualTo(second);
              assertThat(e.payment().getAsDouble()).isGreaterThanOrEqualTo(best.price());
              assertThat(e.priceCap()).hasValue(Math.min(b.pMax(), second));
              assertThat(e.noTradeReason()).isEmpty();
            });
  }

  @Test
  void election_capFeedsTheProblem() {
    LeaderElection e =
        StackelbergGame.electLeader(
            List.of(new SpBid("A", 11), new SpBid("B", 9), new SpBid("C", 12.5)),
            PriceBounds.thesisDefaults());
    assertThat(e.leader()).contains("B");
    assertThat(e.priceCap()).hasValue(11.0);
    StackelbergProblem p =
        StackelbergProblem.of(
                List.of(new Ev("EV1", 0, 5, 10, 0, 5)),
                GenerationCost.thesisDefaults(),
                PriceBounds.thesisDefaults())
            .withElection(e);
    StackelbergSolution s = StackelbergGame.solve(p, StackelbergGameTest.SMALL);
    assertThat(s.prices()).allSatisfy(v -> assertThat(v).isBetween(8.0, 11.0));
    assertThat(s.upperBound()).isLessThanOrEqualTo(11.0 * 10);
  }

  @Test
  void noTradeElection_hasAnEmptyPriceCapNotNaN_andCannotCapAProblem() {
    // Every bid above the reserve pMax: nobody is elected.
    LeaderElection e =
        StackelbergGame.electLeader(
            List.of(new SpBid("A", 20), new SpBid("B", 21)), PriceBounds.thesisDefaults());
    assertThat(e.leader()).isEmpty();
    assertThat(e.priceCap()).isEmpty();
    StackelbergProblem p =
        StackelbergProblem.of(
            List.of(new Ev("EV1", 0, 5, 10, 0, 5)),
            GenerationCost.thesisDefaults(),
            PriceBounds.thesisDefaults());
    assertThatThrownBy(() -> p.withElection(e))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no leader was elected");
  }

  @Test
  void emptyFleet_isRejectedNamingEvs_insteadOfPricingAParOfOne() {
    assertThatThrownBy(
            () ->
                StackelbergProblem.of(
                    List.of(), GenerationCost.thesisDefaults(), PriceBounds.thesisDefaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("evs is empty");
    assertThatThrownBy(
            () ->
                StackelbergProblem.of(
                    EvGenerator.random(0, 1),
                    GenerationCost.thesisDefaults(),
                    PriceBounds.thesisDefaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("evs is empty");
  }
}

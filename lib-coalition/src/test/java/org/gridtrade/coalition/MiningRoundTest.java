package org.gridtrade.coalition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MiningRoundTest {

  /** Eq. 3.16: selection frequency ∝ proof score (chi-square, 4 degrees of freedom). */
  @Test
  void drawWinner_frequenciesFollowTheWeights_chiSquare() {
    List<Double> w = List.of(1.0, 2.0, 3.0, 0.0, 4.0, 10.0);
    int draws = 20_000;
    int[] hits = new int[w.size()];
    for (int t = 0; t < draws; t++) {
      hits[MiningRound.drawWinner(w, Set.of(), 1_000_003L * t + 17).getAsInt()]++;
    }
    assertThat(hits[3]).isZero();
    double total = 20;
    double chi = 0;
    for (int k = 0; k < w.size(); k++) {
      if (w.get(k) > 0) {
        double e = draws * w.get(k) / total;
        chi += (hits[k] - e) * (hits[k] - e) / e;
      }
    }
    assertThat(chi).isLessThan(18.47); // p = 0.001 for 4 degrees of freedom
  }

  @Test
  void drawWinner_excludedNeverWins_allZeroIsUniform_allExcludedIsEmpty() {
    for (long s = 0; s < 200; s++) {
      assertThat(MiningRound.drawWinner(List.of(5.0, 1.0), Set.of(0), s).getAsInt()).isEqualTo(1);
    }
    int[] hits = new int[3];
    for (long s = 0; s < 3000; s++) {
      hits[MiningRound.drawWinner(List.of(0.0, 0.0, 0.0), Set.of(), s).getAsInt()]++;
    }
    for (int h : hits) {
      assertThat(h).isBetween(850, 1150);
    }
    assertThat(MiningRound.drawWinner(List.of(1.0), Set.of(0), 1)).isEmpty();
    assertThatThrownBy(() -> MiningRound.drawWinner(List.of(-1.0), Set.of(), 1))
        .hasMessageContaining("weights[0] -1.0");
  }

  @Test
  void settle_rewardIsDeltaTimesSavings_sharedByShapley_feesBalance() {
    Community c = Communities.random(5, 14);
    FormationResult r = CoalitionFormation.builder().build().form(c);
    MiningRound round = new MiningRound(0.1, 10);
    MiningOutcome o = round.settle(c, r, 42);
    double savings = r.members().stream().mapToDouble(MemberScore::saving).sum();
    assertThat(o.reward()).isCloseTo(0.1 * savings, within(1e-12));
    Coalition win = r.coalitions().get(o.winner());
    double shared =
        o.payoffs().stream()
            .filter(p -> win.memberIds().contains(p.id()))
            .mapToDouble(Payoff::rewardShare)
            .sum();
    assertThat(shared).isCloseTo(o.reward(), within(1e-9));
    assertThat(
            o.payoffs().stream()
                .filter(p -> !win.memberIds().contains(p.id()))
                .mapToDouble(Payoff::rewardShare)
                .sum())
        .isZero();
    // Lemma 2: the fees fund the reward exactly.
    assertThat(o.payoffs().stream().mapToDouble(Payoff::fee).sum())
        .isCloseTo(o.reward(), within(1e-9));
    for (Payoff p : o.payoffs()) {
      assertThat(p.utility()).isCloseTo(10 * (p.rewardShare() + p.saving()), within(1e-9));
    }
    // Shapley shares: efficient in the saving game of the winner.
    assertThat(o.shapley().values().stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(win.saving(), within(1e-9));
    assertThat(win.memberIds()).contains(o.miner());
  }

  @Test
  void penalize_removesTheCoalition_slashesTheMiner_andRedraws() {
    Community c = Communities.random(8, 20);
    FormationResult r = CoalitionFormation.builder().build().form(c);
    MiningRound round = new MiningRound(0.1, 10);
    MiningOutcome first = round.settle(c, r, 1);
    MiningOutcome second = round.penalize(c, r, first, 2).orElseThrow();
    assertThat(second.winner()).isNotEqualTo(first.winner());
    assertThat(second.excluded()).containsExactly(first.winner());
    assertThat(second.slashed()).containsExactly(first.miner());
    assertThat(
            second.payoffs().stream()
                .filter(p -> p.id().equals(first.miner()))
                .findFirst()
                .orElseThrow()
                .rewardShare())
        .isZero();
    MiningOutcome o = first;
    int left = r.coalitions().size() - 1;
    for (int k = 0; k < left; k++) {
      o = round.penalize(c, r, o, 10 + k).orElseThrow();
    }
    assertThat(round.penalize(c, r, o, 99)).isEmpty();
  }

  @Test
  void parameters_validate() {
    assertThatThrownBy(() -> new MiningRound(0, 10)).hasMessageContaining("delta 0.0");
    assertThatThrownBy(() -> new MiningRound(0.1, Double.NaN)).hasMessageContaining("price NaN");
  }
}

package org.gridtrade.coalition;

import java.util.List;
import java.util.Set;

/**
 * The result of a mining round: which coalition won the draw, who signs, the reward and every
 * prosumer's payoff.
 *
 * @param winner index of the winning coalition in {@link FormationResult#coalitions()}
 * @param miner the member of the winning coalition with the highest proof score, who signs the
 *     block (Moniruzzaman Eq. 3.16; docs/consensus.md, "Proof of Energy Generation")
 * @param reward the mining reward {@code M_r = δ · Σ E_Si^save} over all prosumers (Eq. 3.23), kWh
 * @param shapley the Shapley values of the winner's members in the game whose worth is a
 *     sub-coalition's saving (Eq. 3.3), in the winner's member order
 * @param payoffs every prosumer's payoff, in coalition order
 * @param excluded coalitions removed from the draw by the penalty rule (Eq. 3.24)
 * @param slashed ids of miners that were penalised (their stake and reward withheld)
 */
public record MiningOutcome(
    int winner,
    String miner,
    double reward,
    ShapleyResult shapley,
    List<Payoff> payoffs,
    Set<Integer> excluded,
    List<String> slashed) {

  /** Copies the collections. */
  public MiningOutcome {
    payoffs = List.copyOf(payoffs);
    excluded = Set.copyOf(excluded);
    slashed = List.copyOf(slashed);
  }
}

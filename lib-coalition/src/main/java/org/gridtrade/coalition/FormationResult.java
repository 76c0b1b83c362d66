package org.gridtrade.coalition;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of {@link CoalitionFormation#form}: the final partition with its transfers, the trace
 * of every step, and the evidence a user needs to trust it.
 *
 * @param coalitions the final partition (singletons included), ordered by first member
 * @param iterations the trace, one row per step (Moniruzzaman Table 3.2)
 * @param converged true when a round without merge or split was reached; false when the operation
 *     cap stopped the run
 * @param merges accepted merges (initial pairings not counted)
 * @param splits accepted splits (always 0 with an exact solver; see {@link CoalitionFormation})
 * @param profitableDeviations prosumers that would raise their own proof score by moving alone to
 *     another coalition (Def. 3 read strictly), or -1 when not computed
 * @param lpSolves number of coalition LPs solved to the end (cache misses; merge checks stopped
 *     early because a member was proven to lose are not counted)
 */
public record FormationResult(
    List<Coalition> coalitions,
    List<Iteration> iterations,
    boolean converged,
    int merges,
    int splits,
    int profitableDeviations,
    long lpSolves) {

  /** Copies the lists. */
  public FormationResult {
    coalitions = List.copyOf(coalitions);
    iterations = List.copyOf(iterations);
  }

  /**
   * Every member score, in coalition order.
   *
   * @return the scores
   */
  public List<MemberScore> members() {
    return coalitions.stream().flatMap(c -> c.members().stream()).toList();
  }

  /**
   * The coalition a prosumer belongs to.
   *
   * @param id the prosumer's id
   * @return the coalition, or empty for an unknown id
   */
  public Optional<Coalition> coalitionOf(String id) {
    return coalitions.stream().filter(c -> c.memberIds().contains(id)).findFirst();
  }

  /**
   * Energy traded between prosumers inside coalitions, kWh.
   *
   * @return the internal energy
   */
  public double internalEnergy() {
    return coalitions.stream().mapToDouble(Coalition::internalEnergy).sum();
  }

  /**
   * Energy traded with the EDC, kWh.
   *
   * @return the EDC energy
   */
  public double edcEnergy() {
    return coalitions.stream().mapToDouble(Coalition::edcEnergy).sum();
  }

  /**
   * Share of all traded energy that is traded inside coalitions: {@code internal / (internal +
   * EDC)} (Moniruzzaman Fig. 3.9a: ≈ 47 %). 0 when nothing is traded.
   *
   * @return a fraction in [0, 1]
   */
  public double internalShare() {
    double in = internalEnergy();
    double all = in + edcEnergy();
    return all == 0 ? 0 : in / all;
  }

  /**
   * Total loss with everyone acting alone, kWh.
   *
   * @return the loss
   */
  public double standaloneLoss() {
    return coalitions.stream().mapToDouble(Coalition::standaloneLoss).sum();
  }

  /**
   * Total loss in the final partition, kWh.
   *
   * @return the loss
   */
  public double coalitionLoss() {
    return coalitions.stream().mapToDouble(Coalition::totalLoss).sum();
  }

  /**
   * Loss saved versus acting alone, as a fraction of the standalone loss (Moniruzzaman Fig. 3.9b:
   * 22.5 % at 10 prosumers to 38 % at 50). 0 when nothing is lost alone.
   *
   * @return a fraction
   */
  public double lossSaving() {
    double alone = standaloneLoss();
    return alone == 0 ? 0 : (alone - coalitionLoss()) / alone;
  }
}

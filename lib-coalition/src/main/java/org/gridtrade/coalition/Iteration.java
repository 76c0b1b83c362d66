package org.gridtrade.coalition;

import java.util.List;

/**
 * One row of the formation trace, like Moniruzzaman Table 3.2.
 *
 * @param number 1 for the singletons, 2 for the initial pairing, then one per merge-and-split
 *     round; the last row repeats the partition when the run converged
 * @param step what this step did
 * @param partition the coalitions as lists of ids, ordered by their first member
 * @param coalitionScores the coalition proof scores, aligned with {@code partition}
 * @param prosumerScores every prosumer's proof score, in community order
 */
public record Iteration(
    int number,
    String step,
    List<List<String>> partition,
    List<Double> coalitionScores,
    List<Double> prosumerScores) {

  /** Copies the lists. */
  public Iteration {
    partition = partition.stream().map(List::copyOf).toList();
    coalitionScores = List.copyOf(coalitionScores);
    prosumerScores = List.copyOf(prosumerScores);
  }
}

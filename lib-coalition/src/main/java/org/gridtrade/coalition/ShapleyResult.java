package org.gridtrade.coalition;

import java.util.List;

/**
 * Shapley values of a game, with their precision.
 *
 * @param values each player's Shapley value, in player order
 * @param standardErrors each value's standard error (0 for exact values)
 * @param permutations the permutations sampled, or 0 for the exact computation
 * @param seed the sampling seed (0 for the exact computation)
 */
public record ShapleyResult(
    List<Double> values, List<Double> standardErrors, long permutations, long seed) {

  /**
   * Copies the lists.
   *
   * @throws IllegalArgumentException if the lists differ in length
   */
  public ShapleyResult {
    values = List.copyOf(values);
    standardErrors = List.copyOf(standardErrors);
    if (values.size() != standardErrors.size()) {
      throw new IllegalArgumentException(
          "values (%d) and standardErrors (%d) must have the same length"
              .formatted(values.size(), standardErrors.size()));
    }
  }

  /**
   * Whether the values are exact.
   *
   * @return true when computed from every coalition
   */
  public boolean exact() {
    return permutations == 0;
  }

  /**
   * One player's value.
   *
   * @param player the player's index
   * @return the value
   */
  public double value(int player) {
    return values.get(player);
  }
}

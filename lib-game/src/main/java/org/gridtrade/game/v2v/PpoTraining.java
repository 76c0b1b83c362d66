package org.gridtrade.game.v2v;

import java.util.List;

/**
 * What a training run did.
 *
 * @param steps environment steps collected in this run
 * @param episodes episodes (days) collected in this run
 * @param meanReturns the mean episode return (Eq. 4.14, unscaled, cents) of each update's rollout,
 *     the learning curve
 */
public record PpoTraining(long steps, long episodes, List<Double> meanReturns) {

  /**
   * Copies the curve.
   *
   * @throws NullPointerException when the curve is null
   */
  public PpoTraining {
    meanReturns = List.copyOf(meanReturns);
  }
}

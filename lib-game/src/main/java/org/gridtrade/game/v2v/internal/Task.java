package org.gridtrade.game.v2v.internal;

import java.util.random.RandomGenerator;

/** An episodic task with a continuous scalar action, as PPO sees it. */
public interface Task {

  /**
   * Size of the observation vector.
   *
   * @return the size
   */
  int observationSize();

  /**
   * Starts an episode.
   *
   * @param rng the source of the episode's randomness
   * @param obs out: the first observation
   */
  void reset(RandomGenerator rng, double[] obs);

  /**
   * Applies the policy's raw action.
   *
   * @param action the raw (unbounded) action sampled from the policy
   * @param obs out: the next observation (unused after the last step)
   * @return the reward
   */
  double step(double action, double[] obs);

  /**
   * Whether the episode is over.
   *
   * @return true after the last step
   */
  boolean done();
}

package org.gridtrade.game.v2v;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One day played by a policy: its slots, its return (sum of rewards) and its money profit.
 *
 * @param steps the slots in order
 * @param totalReward the return, {@code Σ R_t}
 * @param totalProfit the money profit of V2V over the grid, cents
 */
public record V2vEpisode(List<V2vStep> steps, double totalReward, double totalProfit) {

  /**
   * Copies the steps.
   *
   * @throws NullPointerException when steps is null
   */
  public V2vEpisode {
    steps = List.copyOf(steps);
  }

  /**
   * Plays a policy through one day.
   *
   * @param scenario the EV's day
   * @param policy the policy
   * @param retailPrices the day's 24 retail prices
   * @return the episode
   */
  public static V2vEpisode play(V2vScenario scenario, V2vPolicy policy, double[] retailPrices) {
    Objects.requireNonNull(policy, "policy");
    V2vEnvironment env = new V2vEnvironment(scenario);
    env.reset(retailPrices);
    List<V2vStep> steps = new ArrayList<>(scenario.slots());
    double reward = 0;
    double profit = 0;
    while (!env.done()) {
      V2vStep s = env.step(policy.action(env.state()));
      steps.add(s);
      reward += s.reward();
      profit += s.profit();
    }
    return new V2vEpisode(steps, reward, profit);
  }
}

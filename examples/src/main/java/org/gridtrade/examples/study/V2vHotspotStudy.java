package org.gridtrade.examples.study;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;
import org.gridtrade.game.v2v.FederatedTraining;
import org.gridtrade.game.v2v.FederatedTraining.AggregatorDraw;
import org.gridtrade.game.v2v.FederatedTraining.Variant;
import org.gridtrade.game.v2v.HotspotTraining;
import org.gridtrade.game.v2v.PpoConfig;
import org.gridtrade.game.v2v.V2vHotspot;
import org.gridtrade.game.v2v.V2vPolicy;
import org.gridtrade.game.v2v.V2vScenario;

/**
 * Learning at the cleared hotspot: fleets trained together where each hour's V2V trades are cleared
 * by the double auction ({@link HotspotTraining}, independent or federated), beside learners
 * trained under the fixed price rule, all judged under clearing on held-out days.
 */
public final class V2vHotspotStudy {
  private V2vHotspotStudy() {}

  /**
   * One fleet's training, evaluated at the cleared hotspot after every round.
   *
   * @param name what was trained, for tables and charts
   * @param daysPerEv days each EV had trained after each round (under the rule, the fleet's mean:
   *     each EV trains an update's steps in whole days of its own window)
   * @param curve the fleet's mean held-out return under clearing after each round
   * @param seconds the wall time of training (evaluation excluded)
   * @param policies each EV's trained policy
   */
  public record Run(
      String name,
      List<Long> daysPerEv,
      List<Double> curve,
      double seconds,
      IntFunction<V2vPolicy> policies) {

    /**
     * The days per EV of the first round whose held-out return reaches a level.
     *
     * @param level the return to reach
     * @return the days, or −1 when no round reached it
     */
    public long daysReaching(double level) {
      for (int r = 0; r < curve.size(); r++) {
        if (curve.get(r) >= level) {
          return daysPerEv.get(r);
        }
      }
      return -1;
    }
  }

  /**
   * Rounds of about one PPO update each for a number of steps per EV.
   *
   * @param ppo the PPO configuration
   * @param stepsPerEv the steps
   * @return at least 1
   */
  static int rounds(PpoConfig ppo, long stepsPerEv) {
    return (int) Math.max(1, (stepsPerEv + ppo.stepsPerUpdate() - 1) / ppo.stepsPerUpdate());
  }

  /**
   * Trains a fleet together at the cleared hotspot.
   *
   * @param federated whether the models are averaged after every round
   * @param evs the fleet
   * @param ppo the PPO configuration
   * @param stepsPerEv about how many steps each EV trains
   * @param days the held-out days of the curve
   * @param err where progress goes
   * @return the run
   */
  public static Run cleared(
      boolean federated,
      List<V2vScenario> evs,
      PpoConfig ppo,
      long stepsPerEv,
      List<double[]> days,
      PrintWriter err) {
    HotspotTraining t = new HotspotTraining(HotspotTraining.Config.of(federated, ppo, evs), evs);
    String name = federated ? "federated PPO, cleared" : "independent PPO, cleared";
    return run(
        name, rounds(ppo, stepsPerEv), r -> t.round().daysPerEv(), t::policy, evs, days, err);
  }

  /**
   * Runs the rounds of a training, timing them and evaluating the fleet under clearing after each.
   *
   * @param round runs round {@code r} (0 first) and answers the days per EV trained after it
   */
  private static Run run(
      String name,
      int rounds,
      IntToLongFunction round,
      IntFunction<V2vPolicy> policies,
      List<V2vScenario> evs,
      List<double[]> days,
      PrintWriter err) {
    V2vStudy.Progress progress = new V2vStudy.Progress(err, "training " + name, rounds);
    List<Long> daysPerEv = new ArrayList<>();
    List<Double> curve = new ArrayList<>();
    long nanos = 0;
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      long trained = round.applyAsLong(r);
      nanos += System.nanoTime() - t0;
      daysPerEv.add(trained);
      curve.add(V2vHotspot.evaluate(evs, policies, days).meanReturn());
      progress.at(r + 1, "rounds");
    }
    return new Run(name, daysPerEv, curve, nanos / 1e9, policies);
  }

  /**
   * Trains independent learners under the fixed price rule (the study's baseline 1), each on its
   * own, and evaluates them at the cleared hotspot.
   *
   * @param evs the fleet
   * @param ppo the PPO configuration
   * @param stepsPerEv about how many steps each EV trains
   * @param days the held-out days of the curve
   * @param err where progress goes
   * @return the run
   */
  public static Run rule(
      List<V2vScenario> evs, PpoConfig ppo, long stepsPerEv, List<double[]> days, PrintWriter err) {
    FederatedTraining t =
        new FederatedTraining(
            FederatedTraining.Config.of(Variant.INDEPENDENT, ppo),
            evs,
            AggregatorDraw.highestScore());
    // every EV trains one update's steps a round, in whole days of its own window
    double slots = evs.stream().mapToInt(V2vScenario::slots).average().orElse(1);
    return run(
        "independent PPO, rule",
        rounds(ppo, stepsPerEv),
        r -> {
          t.round();
          return Math.round((r + 1) * ppo.stepsPerUpdate() / slots);
        },
        t::policy,
        evs,
        days,
        err);
  }
}

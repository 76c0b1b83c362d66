package org.gridtrade.examples.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.gridtrade.examples.study.V2vStudy;
import org.gridtrade.game.stackelberg.Ev;
import org.gridtrade.game.v2v.FederatedRound;
import org.gridtrade.game.v2v.FederatedTraining;
import org.gridtrade.game.v2v.TouPrices;
import org.gridtrade.game.v2v.V2vEpisode;
import org.gridtrade.game.v2v.V2vMode;
import org.gridtrade.game.v2v.V2vScenario;
import org.gridtrade.game.v2v.V2vStep;

/**
 * The community day's EVs at the V2V hotspot (Moniruzzaman Ch. 4), for Proof of State of Charge:
 * each EV parks there over its charging window, the fleet learns its charge and discharge policies
 * by federated PPO (Alg. 4, the aggregator of each round drawn by PoSOC from the round's proof
 * scores), and then every EV plays its trained policy through the day's time-of-use prices. Its
 * actions give its proof score (Eq. 4.17), its V2V profit is its {@code R_i} of Eq. 4.20, and the
 * trained networks are the local models whose federated mean the chain records (Eq. 4.19).
 */
final class DemoV2v {
  /** Federated rounds of training, four PPO updates of each EV per round. */
  static final int ROUNDS = 8;

  /** Battery, charger and SOC limits of Table 4.1. */
  static final double BATTERY_KWH = 42;

  static final double RATE_KWH = 7;
  static final double SOC_MIN = 0.2;
  static final double SOC_MAX = 0.8;

  /** Range-anxiety weight η of Eq. 4.14 (SPEC §6). */
  static final double ETA = 100;

  /**
   * The fleet's training and its day.
   *
   * @param ids the EVs' names, in the day's EV order
   * @param scenarios each EV's hotspot day, in that order
   * @param rounds the federated rounds
   * @param seconds wall time of training
   * @param retailPrices the day's 24 time-of-use prices, c/kWh
   * @param episodes each EV's day with its trained policy
   * @param scores each EV's proof score of that day (Eq. 4.17)
   * @param localModels each EV's trained network weights
   * @param globalModelHash the hash of the federated mean of the local models, as the chain records
   *     it
   */
  record Day(
      List<String> ids,
      List<V2vScenario> scenarios,
      List<FederatedRound> rounds,
      double seconds,
      double[] retailPrices,
      List<V2vEpisode> episodes,
      List<Double> scores,
      List<double[]> localModels,
      String globalModelHash) {
    Day {
      ids = List.copyOf(ids);
      scenarios = List.copyOf(scenarios);
      rounds = List.copyOf(rounds);
      retailPrices = retailPrices.clone();
      episodes = List.copyOf(episodes);
      scores = List.copyOf(scores);
      localModels = localModels.stream().map(double[]::clone).toList();
      Objects.requireNonNull(globalModelHash, "globalModelHash");
    }

    /** How many EVs sold energy V2V in some hour of the day. */
    int discharging() {
      int n = 0;
      for (V2vEpisode e : episodes) {
        n += e.steps().stream().anyMatch(s -> s.appliedKwh() < -1e-9) ? 1 : 0;
      }
      return n;
    }

    /** kWh sold (negative actions) or bought (positive) over the fleet's day. */
    double kwh(boolean sold) {
      double t = 0;
      for (V2vEpisode e : episodes) {
        for (V2vStep s : e.steps()) {
          if (sold ? s.appliedKwh() < 0 : s.appliedKwh() > 0) {
            t += Math.abs(s.appliedKwh());
          }
        }
      }
      return t;
    }
  }

  private DemoV2v() {}

  /**
   * An EV's day at the hotspot: it arrives at the clock hour its charging window opens and leaves
   * when it ends (game hour h is clock hour 8 + h; a window past midnight is moved to the morning
   * and one that crosses midnight ends there, since an episode is one calendar day), with an
   * arrival SOC drawn from N(0.5, 0.1²) in [0.2, 0.8].
   */
  static V2vScenario scenario(Ev ev, SplittableRandom random) {
    int arrival = 8 + ev.start();
    int departure = 8 + ev.end() + 1;
    if (arrival >= 24) {
      arrival -= 24;
      departure -= 24;
    }
    departure = Math.min(24, Math.max(arrival + 1, departure));
    double soc = Math.max(SOC_MIN, Math.min(SOC_MAX, 0.5 + 0.1 * random.nextGaussian()));
    return new V2vScenario(
        arrival,
        departure,
        soc,
        BATTERY_KWH,
        RATE_KWH,
        SOC_MIN,
        SOC_MAX,
        ETA,
        V2vMode.DIRECT,
        0,
        TouPrices.table41());
  }

  /**
   * Trains the fleet and plays the day.
   *
   * @param evs the day's EVs
   * @param seed the demo's seed
   * @return the training and the day
   */
  static Day run(List<Ev> evs, long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x5632_5632L);
    List<V2vScenario> scenarios = new ArrayList<>();
    for (Ev ev : evs) {
      scenarios.add(scenario(ev, random));
    }
    FederatedTraining training =
        new FederatedTraining(
            FederatedTraining.Config.fleet(FederatedTraining.Variant.FEDERATED, seed),
            scenarios,
            new V2vStudy.PosocDraw(seed));
    long t0 = System.nanoTime();
    List<FederatedRound> rounds = training.run(ROUNDS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[] prices = TouPrices.table41().sampleDay(random);
    List<V2vEpisode> episodes = new ArrayList<>();
    List<Double> scores = new ArrayList<>();
    List<double[]> models = new ArrayList<>();
    for (int i = 0; i < scenarios.size(); i++) {
      V2vEpisode e = V2vEpisode.play(scenarios.get(i), training.policy(i), prices);
      episodes.add(e);
      scores.add(FederatedTraining.dailyScore(scenarios.get(i), e));
      models.add(training.model(i));
    }
    String hash = FederatedTraining.modelHash(FederatedTraining.average(models));
    return new Day(
        evs.stream().map(Ev::id).toList(),
        scenarios,
        rounds,
        seconds,
        prices,
        episodes,
        scores,
        models,
        hash);
  }
}

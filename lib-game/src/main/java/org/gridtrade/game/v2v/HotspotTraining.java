package org.gridtrade.game.v2v;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import org.gridtrade.game.v2v.internal.Ppo;
import org.gridtrade.game.v2v.internal.V2vTask;

/**
 * A fleet of PPO learners trained together at the hotspot whose V2V trades are cleared each hour by
 * lib-auction's double auction ({@link V2vHotspot}): a multi-agent problem, since what an EV earns
 * for a kWh depends on what the other parked EVs do in the same hour.
 *
 * <p>Every day of a round all EVs are parked over their own windows on the same day of prices; each
 * hour every parked EV samples its action from its own policy (it sees the state of {@link
 * V2vEnvironment}, with the rule's V2V price as the price it expects), the environment clips it,
 * the hour is cleared among them, and each EV's reward is its cleared reward (Eq. 4.14 with the
 * cleared split) plus its departure penalty. After the round's days every EV trains one PPO update
 * on its own steps (independent learners, each treating the others as part of its environment);
 * when the fleet federates, the local models are then averaged (Eq. 4.19) and every EV continues
 * from the mean.
 *
 * <p>Seeded: EV {@code i} uses seed {@code ppo.seed + i} for its action noise and minibatches, all
 * start from EV 0's initial weights, and the days' prices come from their own generator, so the
 * same configuration and fleet give the same weights bit for bit. Not thread-safe.
 */
public final class HotspotTraining {

  /**
   * How to train the fleet at the cleared hotspot.
   *
   * @param federated whether the local models are averaged after every round
   * @param daysPerRound days all EVs play between updates, 1..100,000
   * @param ppo each EV's PPO configuration (a round's days decide the update's size; {@code
   *     stepsPerUpdate} only sizes the rounds of {@link #of})
   */
  public record Config(boolean federated, int daysPerRound, PpoConfig ppo) {

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException naming the field, its value and the rule
     */
    public Config {
      Objects.requireNonNull(ppo, "ppo");
      if (daysPerRound < 1 || daysPerRound > 100_000) {
        throw new IllegalArgumentException(
            "HotspotTraining.Config: daysPerRound %d must be in 1..100000".formatted(daysPerRound));
      }
    }

    /**
     * Rounds of about one PPO update's steps for the fleet's mean window: {@code
     * ceil(stepsPerUpdate / mean slots)} days.
     *
     * @param federated whether to average after every round
     * @param ppo the PPO configuration
     * @param evs the fleet
     * @return the configuration
     * @throws IllegalArgumentException when the fleet is empty
     */
    public static Config of(boolean federated, PpoConfig ppo, List<V2vScenario> evs) {
      Objects.requireNonNull(ppo, "ppo");
      if (evs.isEmpty()) {
        throw new IllegalArgumentException("HotspotTraining.Config: evs must not be empty");
      }
      double slots = evs.stream().mapToInt(V2vScenario::slots).average().orElse(1);
      int days = (int) Math.min(100_000, Math.max(1, Math.ceil(ppo.stepsPerUpdate() / slots)));
      return new Config(federated, days, ppo);
    }
  }

  private final Config config;
  private final List<V2vScenario> evs;
  private final List<PpoLearner> learners;
  private final V2vHotspot.Hour hour;
  private final SplittableRandom days;
  private int round;
  private long daysPerEv;

  /**
   * A fleet ready for its first round.
   *
   * @param config how to train
   * @param evs the EVs' scenarios, 1..1,000, all with the same tariff (one hotspot)
   * @throws IllegalArgumentException when there are no EVs, too many, or their tariffs differ
   */
  public HotspotTraining(Config config, List<V2vScenario> evs) {
    this.config = Objects.requireNonNull(config, "config");
    this.evs = List.copyOf(evs);
    if (this.evs.isEmpty() || this.evs.size() > 1000) {
      throw new IllegalArgumentException(
          "HotspotTraining: evs %d must be in 1..1000".formatted(this.evs.size()));
    }
    this.hour = new V2vHotspot.Hour(this.evs);
    this.learners = FederatedTraining.learners(config.ppo(), this.evs.size());
    this.days = FederatedTraining.days(config.ppo());
  }

  /**
   * The configuration.
   *
   * @return how the fleet trains
   */
  public Config config() {
    return config;
  }

  /**
   * The EVs.
   *
   * @return their scenarios, by index
   */
  public List<V2vScenario> evs() {
    return evs;
  }

  /**
   * Runs one round: the round's days at the cleared hotspot, one PPO update per EV, and the average
   * when the fleet federates.
   *
   * @return what it did
   */
  public HotspotRound round() {
    int n = evs.size();
    List<Ppo.Rollout> rollouts = new ArrayList<>(n);
    V2vEnvironment[] env = new V2vEnvironment[n];
    for (int i = 0; i < n; i++) {
      rollouts.add(learners.get(i).ppo().rollout(V2vTask.FEATURES));
      env[i] = new V2vEnvironment(evs.get(i));
    }
    double scale = config.ppo().rewardScale();
    double[] obs = new double[V2vTask.FEATURES];
    double[] applied = new double[n];
    double[] penalty = new double[n];
    boolean[] departing = new boolean[n];
    double sumReturn = 0;
    double sumProfit = 0;
    double offered = 0;
    double matched = 0;
    for (int d = 0; d < config.daysPerRound(); d++) {
      double[] prices = evs.get(0).prices().sampleDay(days);
      for (V2vEnvironment e : env) {
        e.reset(prices);
      }
      for (int h = 0; h < 24; h++) {
        for (int i = 0; i < n; i++) {
          applied[i] = 0;
          penalty[i] = 0;
          departing[i] = false;
          V2vScenario s = evs.get(i);
          if (h < s.arrivalHour() || env[i].done()) {
            continue;
          }
          V2vTask.features(env[i].state(), s, obs);
          double u = learners.get(i).ppo().act(rollouts.get(i), obs);
          V2vStep st = env[i].step(V2vTask.energy(u, s, env[i].soc()));
          applied[i] = st.appliedKwh();
          penalty[i] = st.departurePenalty();
          departing[i] = st.done();
        }
        hour.clear(h, prices[h], applied);
        for (int i = 0; i < n; i++) {
          V2vScenario s = evs.get(i);
          if (h < s.arrivalHour() || h >= s.departureHour()) {
            continue;
          }
          double r = hour.reward[i] + penalty[i];
          learners.get(i).ppo().reward(rollouts.get(i), scale * r, departing[i]);
          sumReturn += r;
          sumProfit += hour.profit[i];
          offered += Math.abs(applied[i]);
          matched += hour.matched[i];
        }
      }
    }
    for (int i = 0; i < n; i++) {
      Ppo ppo = learners.get(i).ppo();
      ppo.finish(rollouts.get(i), config.daysPerRound());
      ppo.update(rollouts.get(i));
    }
    daysPerEv += config.daysPerRound();
    Optional<String> hash = Optional.empty();
    if (config.federated()) {
      hash = Optional.of(FederatedTraining.modelHash(FederatedTraining.federate(learners)));
    }
    double evDays = (double) n * config.daysPerRound();
    return new HotspotRound(
        round++,
        daysPerEv,
        sumReturn / evDays,
        sumProfit / evDays,
        offered == 0 ? 0 : matched / offered,
        hash);
  }

  /**
   * Runs rounds.
   *
   * @param rounds how many, 0 or more
   * @return what each did
   * @throws IllegalArgumentException when rounds is negative
   */
  public List<HotspotRound> run(int rounds) {
    if (rounds < 0) {
      throw new IllegalArgumentException("rounds %d must be >= 0".formatted(rounds));
    }
    List<HotspotRound> out = new ArrayList<>(rounds);
    for (int r = 0; r < rounds; r++) {
      out.add(round());
    }
    return out;
  }

  /**
   * Rounds run so far.
   *
   * @return the count
   */
  public int rounds() {
    return round;
  }

  /**
   * An EV's model.
   *
   * @param ev the EV's index
   * @return a copy of its parameters
   * @throws IndexOutOfBoundsException when there is no such EV
   */
  public double[] model(int ev) {
    return learners.get(ev).parameters();
  }

  /**
   * An EV's learned policy (the mean action, no exploration), a snapshot of its model now.
   *
   * @param ev the EV's index
   * @return the policy for its scenario
   * @throws IndexOutOfBoundsException when there is no such EV
   */
  public V2vPolicy policy(int ev) {
    return learners.get(ev).policy(evs.get(ev));
  }
}

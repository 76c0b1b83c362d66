package org.gridtrade.game.v2v.internal;

import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.gridtrade.game.v2v.TouBand;
import org.gridtrade.game.v2v.TouPrices;
import org.gridtrade.game.v2v.V2vEnvironment;
import org.gridtrade.game.v2v.V2vScenario;
import org.gridtrade.game.v2v.V2vState;
import org.gridtrade.game.v2v.V2vStep;

/**
 * The V2V environment as a PPO task: each episode draws a scenario (fixed or from a population) and
 * a day of prices; the raw action {@code u} is clamped to [−1, 1] and mapped onto the feasible
 * interval ({@code u ≥ 0}: {@code u · maxAction}, else {@code −u · minAction}), so that ±1 mean "as
 * much as allowed"; rewards are multiplied by a scale.
 */
public final class V2vTask implements Task {

  /** Hours after the current one whose expected worth {@link #features} spells out. */
  public static final int LOOKAHEAD = 23;

  /** Inputs before the look-ahead. */
  private static final int BASE_FEATURES = 10;

  /** Size of {@link #features}. */
  public static final int FEATURES = BASE_FEATURES + LOOKAHEAD;

  private final Function<RandomGenerator, V2vScenario> scenarios;
  private final double rewardScale;
  private final boolean unitDelta;
  private V2vEnvironment env;
  private double lastReturn;
  private double episodeReturn;

  /**
   * A task.
   *
   * @param scenarios draws each episode's scenario
   * @param rewardScale factor applied to rewards
   */
  public V2vTask(Function<RandomGenerator, V2vScenario> scenarios, double rewardScale) {
    this(scenarios, rewardScale, false);
  }

  /**
   * A task, optionally rewarding trades with {@code δ ≡ 1} (no price factor: {@code R_t = −A_t ·
   * (p_v2v,t + Ω_t)} plus the departure penalty), the reward of Moniruzzaman's baseline 2.
   *
   * @param scenarios draws each episode's scenario
   * @param rewardScale factor applied to rewards
   * @param unitDelta whether to learn from the reward with {@code δ ≡ 1}
   */
  public V2vTask(
      Function<RandomGenerator, V2vScenario> scenarios, double rewardScale, boolean unitDelta) {
    this.scenarios = scenarios;
    this.rewardScale = rewardScale;
    this.unitDelta = unitDelta;
  }

  /**
   * The network's input for a state: {@code δ}, SOC, the three prices and {@code Ω} (Eq. 4.10;
   * prices / 10 cents), the hours to departure / 12, the clock hour / 12 − 1, and the feasible
   * interval's ends / rate; then, for each of the next {@link #LOOKAHEAD} hours, what a kWh is
   * expected to be worth in that hour's reward, {@code δ_h · (p_v2v(mean price of h's band) + Ω)} /
   * 5 cents, if the EV is still parked then, else 0 (the hours to departure say which).
   *
   * <p>The look-ahead adds no information (it is a function of the hour, the hours to departure and
   * the tariff, which every EV knows in advance; no hour's drawn price is in it), but it spells out
   * the rest of the EV's stay in a form one network can share across EVs with different windows:
   * with the first ten inputs alone, one federated model of ten EVs levelled off near 89 % of the
   * optimal causal return; with the look-ahead it passes 95 %.
   *
   * @param s the state
   * @param scenario the scenario (for the feasible interval and the tariff)
   * @param out the features, length {@link #FEATURES}
   */
  public static void features(V2vState s, V2vScenario scenario, double[] out) {
    double rate = scenario.rateKwhPerHour();
    out[0] = s.delta();
    out[1] = 2 * s.soc() - 1;
    out[2] = s.v2vPrice() / 10 - 1;
    out[3] = s.feedInPrice() / 10;
    out[4] = s.retailPrice() / 10 - 1;
    out[5] = s.omega() / 10;
    out[6] = s.hoursToDeparture() / 12.0;
    out[7] = s.hour() / 12.0 - 1;
    out[8] = scenario.maxAction(s.soc()) / rate;
    out[9] = scenario.minAction(s.soc()) / rate;
    TouPrices tariff = scenario.prices();
    for (int j = 1; j <= LOOKAHEAD; j++) {
      double worth = 0;
      if (j < s.hoursToDeparture()) {
        int h = s.hour() + j;
        double v2v = tariff.v2vPrice(tariff.mean(TouBand.of(h)));
        worth = tariff.delta(h) * (v2v + scenario.omega()) / 5;
      }
      out[BASE_FEATURES + j - 1] = worth;
    }
  }

  /**
   * The energy requested for a raw action.
   *
   * @param u the raw action
   * @param scenario the scenario
   * @param soc the SOC
   * @return kWh inside the feasible interval
   */
  public static double energy(double u, V2vScenario scenario, double soc) {
    double c = Math.max(-1, Math.min(1, u));
    return c >= 0 ? c * scenario.maxAction(soc) : -c * scenario.minAction(soc);
  }

  @Override
  public int observationSize() {
    return FEATURES;
  }

  @Override
  public void reset(RandomGenerator rng, double[] obs) {
    V2vScenario s = scenarios.apply(rng);
    env = new V2vEnvironment(s);
    features(env.reset(s.prices().sampleDay(rng)), s, obs);
    episodeReturn = 0;
  }

  @Override
  public double step(double action, double[] obs) {
    V2vScenario s = env.scenario();
    double price = unitDelta ? env.state().v2vPrice() + s.omega() : 0;
    V2vStep st = env.step(energy(action, s, env.soc()));
    double reward = unitDelta ? -st.appliedKwh() * price + st.departurePenalty() : st.reward();
    episodeReturn += reward;
    if (env.done()) {
      lastReturn = episodeReturn;
    } else {
      features(env.state(), s, obs);
    }
    return rewardScale * reward;
  }

  @Override
  public boolean done() {
    return env == null || env.done();
  }

  /**
   * The unscaled return of the last finished episode.
   *
   * @return cents
   */
  public double lastReturn() {
    return lastReturn;
  }
}

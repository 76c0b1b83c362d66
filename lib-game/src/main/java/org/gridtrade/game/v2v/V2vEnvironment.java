package org.gridtrade.game.v2v;

import java.util.Objects;

/**
 * One EV's V2V trading day as a Markov decision process (Moniruzzaman Eq. 4.10–4.16; docs/v2v.md).
 *
 * <p>{@link #reset} starts a day with its 24 hourly retail prices (normally from {@link
 * TouPrices#sampleDay}); each {@link #step} takes the energy to trade in the current slot, clips it
 * to the feasible interval {@code [minAction(SOC), maxAction(SOC)]} of {@link V2vScenario} (the
 * clip belongs to the environment, not to the policy), moves the SOC by {@code A/capacity} and
 * returns the reward {@code R_t = −δ_t · A_t · (p_v2v,t + Ω_t)}, with the range-anxiety penalty
 * {@code −η · (SOC_dep − SOC_max)²} added on the departing slot (the chapter writes {@code + η RA};
 * its text calls range anxiety a cost, so the sign is taken as a typo). The money profit of V2V
 * over the grid is reported beside the reward, because {@code δ_off = 0} makes off-peak energy free
 * in the reward.
 *
 * <p>Not thread-safe; cheap to create, one per thread.
 */
public final class V2vEnvironment {

  private final V2vScenario scenario;
  private final double[] retail = new double[24];
  private int hour;
  private double soc;
  private boolean started;

  /**
   * An environment for a scenario; call {@link #reset} before stepping.
   *
   * @param scenario the EV's day
   */
  public V2vEnvironment(V2vScenario scenario) {
    this.scenario = Objects.requireNonNull(scenario, "scenario");
  }

  /**
   * The scenario.
   *
   * @return the scenario this environment runs
   */
  public V2vScenario scenario() {
    return scenario;
  }

  /**
   * Starts a day at the arrival hour and initial SOC.
   *
   * @param retailPrices the day's 24 hourly retail prices {@code p_Gsell}, hour 0 first, each
   *     finite and at most {@link TouPrices#MAX_PRICE} in magnitude; copied
   * @return the first state
   * @throws IllegalArgumentException when the array does not have 24 such prices; the environment
   *     is then unchanged
   */
  public V2vState reset(double[] retailPrices) {
    Objects.requireNonNull(retailPrices, "retailPrices");
    if (retailPrices.length != 24) {
      throw new IllegalArgumentException(
          "retailPrices length %d must be 24 (one price per clock hour)"
              .formatted(retailPrices.length));
    }
    for (int h = 0; h < 24; h++) {
      if (!(Math.abs(retailPrices[h]) <= TouPrices.MAX_PRICE)) {
        throw new IllegalArgumentException(
            "retailPrices[%d] %s must be finite, at most %s in magnitude"
                .formatted(h, retailPrices[h], TouPrices.MAX_PRICE));
      }
    }
    System.arraycopy(retailPrices, 0, retail, 0, 24);
    hour = scenario.arrivalHour();
    soc = scenario.initialSoc();
    started = true;
    return state();
  }

  /**
   * Whether the day is over (or not started).
   *
   * @return true before the first reset and after the departing slot
   */
  public boolean done() {
    return !started || hour >= scenario.departureHour();
  }

  /**
   * The current state.
   *
   * @return the state of the current slot
   * @throws IllegalStateException when {@link #done()}
   */
  public V2vState state() {
    if (done()) {
      throw new IllegalStateException("the day is over (or was never reset): call reset first");
    }
    double p = retail[hour];
    TouPrices prices = scenario.prices();
    return new V2vState(
        hour,
        scenario.departureHour() - hour,
        soc,
        prices.delta(hour),
        prices.v2vPrice(p),
        prices.feedInPrice(),
        p,
        scenario.omega());
  }

  /**
   * The current SOC.
   *
   * @return the SOC now (after the last step)
   */
  public double soc() {
    return soc;
  }

  /**
   * Trades in the current slot and moves to the next.
   *
   * @param requestedKwh energy to trade, kWh, positive = charge; finite; clipped to the feasible
   *     interval
   * @return the slot's outcome
   * @throws IllegalArgumentException when the request is not finite (nothing changes)
   * @throws IllegalStateException when {@link #done()}
   */
  public V2vStep step(double requestedKwh) {
    if (!Double.isFinite(requestedKwh)) {
      throw new IllegalArgumentException("requestedKwh %s must be finite".formatted(requestedKwh));
    }
    V2vState s = state();
    double a = Math.max(scenario.minAction(soc), Math.min(scenario.maxAction(soc), requestedKwh));
    double next = soc + a / scenario.capacityKwh();
    boolean departing = hour + 1 == scenario.departureHour();
    double trade = -s.delta() * a * (s.v2vPrice() + s.omega());
    double penalty = departing ? -scenario.eta() * sq(next - scenario.socMax()) : 0;
    double profit =
        a > 0 ? a * (s.retailPrice() - s.v2vPrice()) : -a * (s.v2vPrice() - s.feedInPrice());
    V2vStep out =
        new V2vStep(
            hour, requestedKwh, a, next, trade + penalty, trade, penalty, profit, departing);
    soc = next;
    hour++;
    return out;
  }

  private static double sq(double x) {
    return x * x;
  }
}

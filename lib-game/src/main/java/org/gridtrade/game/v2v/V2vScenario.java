package org.gridtrade.game.v2v;

import java.util.Objects;

/**
 * One EV's day at the hotspot (Moniruzzaman §4.3, Table 4.1): when it parks, its battery, its
 * charger, its comfort and the tariff.
 *
 * <p>The episode has one slot per hour from {@code arrivalHour} to {@code departureHour − 1}; the
 * EV leaves at {@code departureHour:00} (24 = midnight). An action is energy in kWh, positive =
 * charge (buy), negative = discharge (sell), limited by the charger rate and the SOC limits (Eq.
 * 4.12–4.13; {@link #minAction} and {@link #maxAction}).
 *
 * @param arrivalHour clock hour of arrival, 0..23
 * @param departureHour clock hour of departure, {@code arrivalHour + 1}..24
 * @param initialSoc SOC on arrival, in [0, 1]
 * @param capacityKwh battery capacity, kWh, in (0, {@link #MAX_KWH}]
 * @param rateKwhPerHour charger rate in each direction, kWh per hour, in (0, {@link #MAX_KWH}]
 * @param socMin least recommended SOC, in [0, socMax)
 * @param socMax greatest recommended SOC, in (socMin, 1]
 * @param eta range-anxiety weight {@code η} of Eq. 4.14, cents per SOC fraction squared, in [0,
 *     {@link #MAX_ETA}]
 * @param mode direct or assisted V2V (Eq. 4.16)
 * @param assistedCost the service cost of assisted V2V, cents/kWh, in [0, {@link
 *     TouPrices#MAX_PRICE}]; used only in {@link V2vMode#ASSISTED} mode
 * @param prices the tariff
 */
public record V2vScenario(
    int arrivalHour,
    int departureHour,
    double initialSoc,
    double capacityKwh,
    double rateKwhPerHour,
    double socMin,
    double socMax,
    double eta,
    V2vMode mode,
    double assistedCost,
    TouPrices prices) {

  /** The largest capacity or charger rate accepted, kWh. */
  public static final double MAX_KWH = 1e6;

  /** The largest range-anxiety weight accepted. */
  public static final double MAX_ETA = 1e9;

  /**
   * Validates the scenario.
   *
   * @throws IllegalArgumentException naming the field, its value and the rule
   */
  public V2vScenario {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(prices, "prices");
    if (arrivalHour < 0 || arrivalHour > 23) {
      throw new IllegalArgumentException(
          "V2vScenario: arrivalHour %d must be in 0..23".formatted(arrivalHour));
    }
    if (departureHour <= arrivalHour || departureHour > 24) {
      throw new IllegalArgumentException(
          "V2vScenario: departureHour %d must be in arrivalHour + 1 = %d..24"
              .formatted(departureHour, arrivalHour + 1));
    }
    requireFraction("initialSoc", initialSoc);
    requireKwh("capacityKwh", capacityKwh);
    requireKwh("rateKwhPerHour", rateKwhPerHour);
    requireFraction("socMin", socMin);
    requireFraction("socMax", socMax);
    if (!(socMin < socMax)) {
      throw new IllegalArgumentException(
          "V2vScenario: socMin %s must be below socMax %s".formatted(socMin, socMax));
    }
    if (!(eta >= 0 && eta <= MAX_ETA)) {
      throw new IllegalArgumentException(
          "V2vScenario: eta %s must be in [0, %s]".formatted(eta, MAX_ETA));
    }
    if (!(assistedCost >= 0 && assistedCost <= TouPrices.MAX_PRICE)) {
      throw new IllegalArgumentException(
          "V2vScenario: assistedCost %s must be in [0, %s]"
              .formatted(assistedCost, TouPrices.MAX_PRICE));
    }
  }

  /**
   * The default single EV: arrival 07:00, departure 18:00, SOC 0.5, 42 kWh, 7 kWh per hour, SOC
   * limits 0.2–0.8, {@code η = 100}, direct V2V, {@link TouPrices#table41()}.
   *
   * @return the default scenario
   */
  public static V2vScenario defaults() {
    return new V2vScenario(
        7, 18, 0.5, 42, 7, 0.2, 0.8, 100, V2vMode.DIRECT, 0, TouPrices.table41());
  }

  private static void requireFraction(String field, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(
          "V2vScenario: %s %s must be in [0, 1]".formatted(field, v));
    }
  }

  private static void requireKwh(String field, double v) {
    if (!(v > 0 && v <= MAX_KWH)) {
      throw new IllegalArgumentException(
          "V2vScenario: %s %s must be in (0, %s]".formatted(field, v, MAX_KWH));
    }
  }

  /**
   * Number of hourly slots in the episode.
   *
   * @return {@code departureHour − arrivalHour}
   */
  public int slots() {
    return departureHour - arrivalHour;
  }

  /**
   * The service cost {@code Ω} of Eq. 4.16.
   *
   * @return 0 for direct V2V, {@code assistedCost} for assisted V2V
   */
  public double omega() {
    return mode == V2vMode.DIRECT ? 0 : assistedCost;
  }

  /**
   * The lower end of the feasible action interval at a SOC (Eq. 4.12–4.13): {@code max(−rate,
   * min(0, (socMin − soc) · capacity))}. An action never takes the SOC below {@code socMin}, and a
   * SOC already below it may stay (it is never forced to charge).
   *
   * @param soc the current SOC
   * @return the most energy that may be discharged, as a negative kWh (or 0)
   */
  public double minAction(double soc) {
    return Math.max(-rateKwhPerHour, Math.min(0, (socMin - soc) * capacityKwh));
  }

  /**
   * The upper end of the feasible action interval at a SOC (Eq. 4.12–4.13): {@code min(rate, max(0,
   * (socMax − soc) · capacity))}. An action never takes the SOC above {@code socMax}, and a SOC
   * already above it (Table 4.1 draws arrivals up to 0.9) may stay.
   *
   * @param soc the current SOC
   * @return the most energy that may be charged, kWh (or 0)
   */
  public double maxAction(double soc) {
    return Math.min(rateKwhPerHour, Math.max(0, (socMax - soc) * capacityKwh));
  }

  /**
   * A copy with another arrival, departure and initial SOC (the fields a population draws).
   *
   * @param arrival clock hour of arrival
   * @param departure clock hour of departure
   * @param soc SOC on arrival
   * @return the new scenario
   * @throws IllegalArgumentException as the constructor
   */
  public V2vScenario withDay(int arrival, int departure, double soc) {
    return new V2vScenario(
        arrival,
        departure,
        soc,
        capacityKwh,
        rateKwhPerHour,
        socMin,
        socMax,
        eta,
        mode,
        assistedCost,
        prices);
  }
}

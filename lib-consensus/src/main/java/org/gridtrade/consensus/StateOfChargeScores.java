package org.gridtrade.consensus;

import java.util.Arrays;
import java.util.Objects;

/**
 * The proof scores of Proof of State of Charge (Moniruzzaman Ch. 4; docs/consensus.md, "Proof of
 * State of Charge"): pure functions of an EV's day and the time-of-use prices.
 *
 * <ul>
 *   <li>Time-of-use factor δ (Eq. 4.3–4.4): {@code δ_off = 0}, {@code δ_mid = (λ_mid −
 *       λ_off)/λ_off}, {@code δ_on = (λ_on − λ_off)/λ_off}; the period of an hour is Ontario's
 *       (Table 4.1, {@link TimeOfUse#of}).
 *   <li>Hourly score (Eq. 4.1): {@code PS = (SOC_max − SOC) + δ(D − C)} in the EV's departure hour,
 *       {@code δ(D − C)} in every other hour ({@code D} discharged, {@code C} charged kWh).
 *   <li>Daily score (Eq. 4.17): the sum of the 24 hourly scores. It can be negative (an EV that
 *       charges at peak hours); only EVs with a positive daily score are drawn (Eq. 4.18).
 * </ul>
 *
 * <p>Eq. 4.17 as printed writes {@code (SOC_max^h − SOC^h)} inside the sum for every hour; we sum
 * Eq. 4.1 over the hours instead, so the kept-empty battery term counts once, in the departure
 * hour. SOC is a fraction of the battery (0 to 1) and energy is kWh, mixed as in Moniruzzaman's
 * equations.
 *
 * <pre>{@code
 * TimeOfUsePrices prices = new TimeOfUsePrices(6.8, 10.0, 12.9);
 * EvDay day = new EvDay(chargedKWh, dischargedKWh, socByHour, 0.8, 18);
 * double ps = StateOfChargeScores.dailyScore(day, prices);
 * }</pre>
 */
public final class StateOfChargeScores {
  /** Hours in the day of a daily score (Eq. 4.17's {@code H}). */
  public static final int HOURS = 24;

  private StateOfChargeScores() {}

  /**
   * Ontario time-of-use periods (Moniruzzaman Table 4.1, on-peak read as 07:00–11:00; see
   * docs/consensus.md, "Proof of State of Charge").
   */
  public enum TimeOfUse {
    /** 19:00–07:00. */
    OFF_PEAK,
    /** 11:00–17:00. */
    MID_PEAK,
    /** 07:00–11:00 and 17:00–19:00. */
    ON_PEAK;

    /**
     * The period of the hour that starts at {@code hour}:00.
     *
     * @param hour 0 to 23
     * @return its period
     * @throws IllegalArgumentException if {@code hour} is not 0 to 23
     */
    public static TimeOfUse of(int hour) {
      checkHour("hour", hour);
      if (hour < 7 || hour >= 19) {
        return OFF_PEAK;
      }
      if (hour >= 11 && hour < 17) {
        return MID_PEAK;
      }
      return ON_PEAK;
    }
  }

  /**
   * Time-of-use prices per kWh ({@code λ_off}, {@code λ_mid}, {@code λ_on}), in any one currency
   * unit (the δ factors are ratios). Eq. 4.2 expects {@code λ_on > λ_mid > λ_off}; prices sampled
   * as in Moniruzzaman Table 4.1 need not keep that order, so it is not required, and a δ may then
   * be negative.
   *
   * @param offPeak {@code λ_off}, finite and more than 0 (δ divides by it)
   * @param midPeak {@code λ_mid}, finite and more than 0
   * @param onPeak {@code λ_on}, finite and more than 0
   */
  public record TimeOfUsePrices(double offPeak, double midPeak, double onPeak) {
    public TimeOfUsePrices {
      positivePrice("offPeak", offPeak);
      positivePrice("midPeak", midPeak);
      positivePrice("onPeak", onPeak);
    }

    /**
     * δ of a period (Eq. 4.3–4.4): 0 off-peak, {@code (λ − λ_off)/λ_off} otherwise.
     *
     * @param period the period
     * @return δ
     */
    public double delta(TimeOfUse period) {
      return switch (Objects.requireNonNull(period, "period")) {
        case OFF_PEAK -> 0;
        case MID_PEAK -> (midPeak - offPeak) / offPeak;
        case ON_PEAK -> (onPeak - offPeak) / offPeak;
      };
    }

    /**
     * δ of the hour that starts at {@code hour}:00.
     *
     * @param hour 0 to 23
     * @return δ of {@link TimeOfUse#of(int) its period}
     * @throws IllegalArgumentException if {@code hour} is not 0 to 23
     */
    public double deltaAt(int hour) {
      return delta(TimeOfUse.of(hour));
    }

    private static void positivePrice(String field, double v) {
      if (!Double.isFinite(v) || v <= 0) {
        throw new IllegalArgumentException(
            "%s price %s must be finite and > 0".formatted(field, v));
      }
    }
  }

  /**
   * One EV's day, hour by hour (index {@code h} is the hour from {@code h}:00). The arrays are
   * copied in and out.
   *
   * @param chargedKWh energy charged in each hour ({@code C}), 24 values, finite and 0 or more
   * @param dischargedKWh energy discharged in each hour ({@code D}), 24 values, finite and 0 or
   *     more
   * @param soc state of charge in each hour ({@code SOC}, fraction of the battery), 24 values in
   *     [0, 1]
   * @param socMax the EV's upper SOC limit ({@code SOC_max}), in [0, 1]; an hour's SOC may exceed
   *     it (an EV arriving fuller), which makes the departure term negative
   * @param departureHour the hour the EV departs in, 0 to 23
   */
  public record EvDay(
      double[] chargedKWh, double[] dischargedKWh, double[] soc, double socMax, int departureHour) {
    public EvDay {
      chargedKWh = hourly("chargedKWh", chargedKWh, Double.MAX_VALUE, "finite and >= 0");
      dischargedKWh = hourly("dischargedKWh", dischargedKWh, Double.MAX_VALUE, "finite and >= 0");
      soc = hourly("soc", soc, 1, "in [0, 1]");
      if (!(socMax >= 0 && socMax <= 1)) {
        throw new IllegalArgumentException("socMax %s must be in [0, 1]".formatted(socMax));
      }
      checkHour("departureHour", departureHour);
    }

    /**
     * Energy charged per hour.
     *
     * @return a copy of the 24 values
     */
    @Override
    public double[] chargedKWh() {
      return chargedKWh.clone();
    }

    /**
     * Energy discharged per hour.
     *
     * @return a copy of the 24 values
     */
    @Override
    public double[] dischargedKWh() {
      return dischargedKWh.clone();
    }

    /**
     * State of charge per hour.
     *
     * @return a copy of the 24 values
     */
    @Override
    public double[] soc() {
      return soc.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof EvDay d
          && Arrays.equals(chargedKWh, d.chargedKWh)
          && Arrays.equals(dischargedKWh, d.dischargedKWh)
          && Arrays.equals(soc, d.soc)
          && Double.compare(socMax, d.socMax) == 0
          && departureHour == d.departureHour;
    }

    @Override
    public int hashCode() {
      return Objects.hash(
          Arrays.hashCode(chargedKWh),
          Arrays.hashCode(dischargedKWh),
          Arrays.hashCode(soc),
          socMax,
          departureHour);
    }

    @Override
    public String toString() {
      return "EvDay[chargedKWh=%s, dischargedKWh=%s, soc=%s, socMax=%s, departureHour=%d]"
          .formatted(
              Arrays.toString(chargedKWh),
              Arrays.toString(dischargedKWh),
              Arrays.toString(soc),
              socMax,
              departureHour);
    }

    private static double[] hourly(String field, double[] values, double max, String rule) {
      Objects.requireNonNull(values, field);
      if (values.length != HOURS) {
        throw new IllegalArgumentException(
            "%s has %d values, must have %d (one per hour)".formatted(field, values.length, HOURS));
      }
      for (int h = 0; h < HOURS; h++) {
        double v = values[h];
        if (!(v >= 0 && v <= max)) {
          throw new IllegalArgumentException("%s[%d] = %s must be %s".formatted(field, h, v, rule));
        }
      }
      return values.clone();
    }
  }

  /**
   * The hourly proof score of Eq. 4.1 from its terms.
   *
   * @param departing whether the EV departs in this hour
   * @param socMax {@code SOC_max}
   * @param soc {@code SOC} in this hour
   * @param delta δ of this hour
   * @param dischargedKWh {@code D}
   * @param chargedKWh {@code C}
   * @return {@code (SOC_max − SOC) + δ(D − C)} if departing, else {@code δ(D − C)}
   * @throws IllegalArgumentException if any value is not finite
   */
  public static double hourlyScore(
      boolean departing,
      double socMax,
      double soc,
      double delta,
      double dischargedKWh,
      double chargedKWh) {
    finite("socMax", socMax);
    finite("soc", soc);
    finite("delta", delta);
    finite("dischargedKWh", dischargedKWh);
    finite("chargedKWh", chargedKWh);
    double trade = delta * (dischargedKWh - chargedKWh);
    return departing ? (socMax - soc) + trade : trade;
  }

  /**
   * The proof score of one hour of an EV's day (Eq. 4.1), with δ of that hour's time-of-use period.
   *
   * @param day the EV's day
   * @param hour 0 to 23
   * @param prices the time-of-use prices
   * @return {@code PS_i} for the hour
   * @throws IllegalArgumentException if {@code hour} is not 0 to 23
   */
  public static double hourlyScore(EvDay day, int hour, TimeOfUsePrices prices) {
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(prices, "prices");
    checkHour("hour", hour);
    return hourlyScore(
        hour == day.departureHour,
        day.socMax,
        day.soc[hour],
        prices.deltaAt(hour),
        day.dischargedKWh[hour],
        day.chargedKWh[hour]);
  }

  /**
   * The cumulative daily proof score {@code PS^H} (Eq. 4.17): the sum of the 24 {@link
   * #hourlyScore(EvDay, int, TimeOfUsePrices) hourly scores}, hour 0 first.
   *
   * @param day the EV's day
   * @param prices the time-of-use prices
   * @return the score; may be negative, in which case the EV is not drawn
   */
  public static double dailyScore(EvDay day, TimeOfUsePrices prices) {
    double sum = 0;
    for (int h = 0; h < HOURS; h++) {
      sum += hourlyScore(day, h, prices);
    }
    return sum;
  }

  private static void finite(String field, double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("%s %s must be finite".formatted(field, v));
    }
  }

  private static void checkHour(String field, int hour) {
    if (hour < 0 || hour >= HOURS) {
      throw new IllegalArgumentException("%s %d must be 0 to 23".formatted(field, hour));
    }
  }
}

package org.gridtrade.game.v2v;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The prices an EV sees (Moniruzzaman Table 4.1 and Eq. 4.3–4.4), in cents/kWh.
 *
 * <p>The grid's selling (retail) price {@code p_Gsell,t} of hour {@code t} is drawn independently
 * for every hour from its {@link TouBand}'s normal distribution (untruncated: the off-peak band can
 * very rarely give a negative price, and the reward does not depend on it because {@code δ_off =
 * 0}). The grid's buying (feed-in) price {@code p_Gbuy} is a constant, and the V2V price is {@code
 * p_v2v,t = v2vShare · p_Gsell,t + (1 − v2vShare) · p_Gbuy} (by default the midpoint), so that
 * {@code p_Gsell > p_v2v > p_Gbuy} whenever the retail price exceeds the feed-in price. The price
 * factor {@code δ} of Eq. 4.3–4.4 uses the band means: {@code δ_off = 0}, {@code δ_mid = (mid −
 * off)/off}, {@code δ_on = (on − off)/off}.
 *
 * @param offPeakMean mean off-peak retail price, finite and positive (it divides in {@code δ})
 * @param offPeakSd standard deviation of the off-peak price, finite, 0 or more
 * @param midPeakMean mean mid-peak retail price, finite
 * @param midPeakSd standard deviation of the mid-peak price, finite, 0 or more
 * @param onPeakMean mean on-peak retail price, finite
 * @param onPeakSd standard deviation of the on-peak price, finite, 0 or more
 * @param feedInPrice the grid's constant buying price {@code p_Gbuy}, finite
 * @param v2vShare weight of the retail price in the V2V price, in [0, 1]
 */
public record TouPrices(
    double offPeakMean,
    double offPeakSd,
    double midPeakMean,
    double midPeakSd,
    double onPeakMean,
    double onPeakSd,
    double feedInPrice,
    double v2vShare) {

  /** The largest magnitude accepted for a price or a standard deviation, cents/kWh. */
  public static final double MAX_PRICE = 1e6;

  /**
   * Validates the prices.
   *
   * @throws IllegalArgumentException naming the field, its value and the rule
   */
  public TouPrices {
    requirePositive("offPeakMean", offPeakMean);
    requireSd("offPeakSd", offPeakSd);
    requireFinite("midPeakMean", midPeakMean);
    requireSd("midPeakSd", midPeakSd);
    requireFinite("onPeakMean", onPeakMean);
    requireSd("onPeakSd", onPeakSd);
    requireFinite("feedInPrice", feedInPrice);
    if (!(v2vShare >= 0 && v2vShare <= 1)) {
      throw new IllegalArgumentException(
          "TouPrices: v2vShare %s must be in [0, 1]".formatted(v2vShare));
    }
  }

  /**
   * Moniruzzaman Table 4.1: off-peak {@code N(6.8, 2.6²)}, mid-peak {@code N(10, 1.5²)}, on-peak
   * {@code N(12.9, 2²)}; feed-in {@code 0.5 × 6.8 = 3.4} (the chapter gives none); V2V price the
   * midpoint of retail and feed-in.
   *
   * @return the default tariff
   */
  public static TouPrices table41() {
    return new TouPrices(6.8, 2.6, 10, 1.5, 12.9, 2, 0.5 * 6.8, 0.5);
  }

  private static void requireFinite(String field, double v) {
    if (!(Math.abs(v) <= MAX_PRICE)) {
      throw new IllegalArgumentException(
          "TouPrices: %s %s must be finite, at most %s in magnitude"
              .formatted(field, v, MAX_PRICE));
    }
  }

  private static void requireSd(String field, double v) {
    if (!(v >= 0 && v <= MAX_PRICE)) {
      throw new IllegalArgumentException(
          "TouPrices: %s %s must be in [0, %s]".formatted(field, v, MAX_PRICE));
    }
  }

  private static void requirePositive(String field, double v) {
    if (!(v > 0 && v <= MAX_PRICE)) {
      throw new IllegalArgumentException(
          "TouPrices: %s %s must be in (0, %s]".formatted(field, v, MAX_PRICE));
    }
  }

  /**
   * Mean retail price of a band.
   *
   * @param band the band
   * @return its mean, cents/kWh
   */
  public double mean(TouBand band) {
    return switch (Objects.requireNonNull(band, "band")) {
      case OFF_PEAK -> offPeakMean;
      case MID_PEAK -> midPeakMean;
      case ON_PEAK -> onPeakMean;
    };
  }

  /**
   * Standard deviation of a band's retail price.
   *
   * @param band the band
   * @return its standard deviation, cents/kWh
   */
  public double sd(TouBand band) {
    return switch (Objects.requireNonNull(band, "band")) {
      case OFF_PEAK -> offPeakSd;
      case MID_PEAK -> midPeakSd;
      case ON_PEAK -> onPeakSd;
    };
  }

  /**
   * The price factor {@code δ} of an hour (Moniruzzaman Eq. 4.3–4.4), from the band means.
   *
   * @param hour clock hour, 0..23
   * @return 0 off-peak, {@code (mean − offPeakMean)/offPeakMean} otherwise
   */
  public double delta(int hour) {
    TouBand band = TouBand.of(hour);
    return band == TouBand.OFF_PEAK ? 0 : (mean(band) - offPeakMean) / offPeakMean;
  }

  /**
   * The V2V price for a retail price.
   *
   * @param retailPrice the hour's {@code p_Gsell}
   * @return {@code v2vShare · retailPrice + (1 − v2vShare) · feedInPrice}
   */
  public double v2vPrice(double retailPrice) {
    return v2vShare * retailPrice + (1 - v2vShare) * feedInPrice;
  }

  /**
   * Draws one day's 24 hourly retail prices, hour 0 first, each from its band's distribution.
   *
   * @param rng the source of randomness; 24 Gaussian draws are taken from it, hour 0 first
   * @return a new array of 24 prices, cents/kWh
   */
  public double[] sampleDay(RandomGenerator rng) {
    Objects.requireNonNull(rng, "rng");
    double[] day = new double[24];
    for (int h = 0; h < 24; h++) {
      TouBand band = TouBand.of(h);
      day[h] = mean(band) + sd(band) * rng.nextGaussian();
    }
    return day;
  }
}

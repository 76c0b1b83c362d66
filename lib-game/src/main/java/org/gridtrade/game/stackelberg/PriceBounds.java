package org.gridtrade.game.stackelberg;

/**
 * The leader's price range {@code [pMin, pMax]} in cents/kWh (Aggarwal Eq. 3.8 C1), on a grid of
 * {@link #RESOLUTION} cents.
 *
 * @param pMin lowest price, in [0, {@link #MAX_PRICE}]
 * @param pMax highest price, in [pMin, {@link #MAX_PRICE}]
 */
public record PriceBounds(double pMin, double pMax) {

  /** Price resolution in cents/kWh (two decimals, Aggarwal §3.3.2). */
  public static final double RESOLUTION = 0.01;

  /**
   * The highest price any part of the game accepts, cents/kWh: with energies bounded by {@link
   * Ev#MAX_ENERGY} it keeps bills, revenues and profits finite.
   */
  public static final double MAX_PRICE = 1e6;

  /**
   * Validates the bounds.
   *
   * @throws IllegalArgumentException when a bound is outside [0, {@link #MAX_PRICE}], or pMin &gt;
   *     pMax
   */
  public PriceBounds {
    if (!(pMin >= 0 && pMin <= MAX_PRICE)) {
      throw new IllegalArgumentException("pMin %s must be in [0, %s]".formatted(pMin, MAX_PRICE));
    }
    if (!(pMax >= 0 && pMax <= MAX_PRICE)) {
      throw new IllegalArgumentException("pMax %s must be in [0, %s]".formatted(pMax, MAX_PRICE));
    }
    if (pMin > pMax) {
      throw new IllegalArgumentException("pMin %s > pMax %s".formatted(pMin, pMax));
    }
  }

  /**
   * The price bounds of Aggarwal's thesis, 8 to 14 cents/kWh.
   *
   * @return {@code [8, 14]}
   */
  public static PriceBounds thesisDefaults() {
    return new PriceBounds(8, 14);
  }
}

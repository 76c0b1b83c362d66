package org.gridtrade.game.stackelberg;

/**
 * The leader's price range {@code [pMin, pMax]} in cents/kWh (Aggarwal Eq. 3.8 C1), on a grid of
 * {@link #RESOLUTION} cents.
 *
 * @param pMin lowest price, finite and 0 or more
 * @param pMax highest price, finite and at least pMin
 */
public record PriceBounds(double pMin, double pMax) {

  /** Price resolution in cents/kWh (two decimals, Aggarwal §3.3.2). */
  public static final double RESOLUTION = 0.01;

  /**
   * Validates the bounds.
   *
   * @throws IllegalArgumentException when a bound is negative or not finite, or pMin &gt; pMax
   */
  public PriceBounds {
    if (!Double.isFinite(pMin) || pMin < 0) {
      throw new IllegalArgumentException("pMin %s must be finite and >= 0".formatted(pMin));
    }
    if (!Double.isFinite(pMax) || pMax < 0) {
      throw new IllegalArgumentException("pMax %s must be finite and >= 0".formatted(pMax));
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

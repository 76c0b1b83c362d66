package org.gridtrade.coalition;

/**
 * The linear line-loss model of docs/coalition.md, "The model": {@code λ(d) = lossMin + (lossMax −
 * lossMin) · d / maxDistance}. Distances beyond {@code maxDistance} extrapolate the line (capped
 * below 1).
 *
 * @param lossMin the rate at distance 0, in {@code [0, lossMax]}
 * @param lossMax the rate at {@code maxDistance}, in {@code [lossMin, 1)}
 * @param maxDistance the reference distance in km, finite and more than 0
 */
public record LinearLineLoss(double lossMin, double lossMax, double maxDistance)
    implements LineLossModel {

  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException naming the field and value when a rate or the distance is out
   *     of range
   */
  public LinearLineLoss {
    if (!(lossMin >= 0 && lossMin < 1)) {
      throw new IllegalArgumentException("lossMin %s must be in [0, 1)".formatted(lossMin));
    }
    if (!(lossMax >= lossMin && lossMax < 1)) {
      throw new IllegalArgumentException(
          "lossMax %s must be in [lossMin %s, 1)".formatted(lossMax, lossMin));
    }
    if (!Double.isFinite(maxDistance) || maxDistance <= 0) {
      throw new IllegalArgumentException(
          "maxDistance %s must be finite and > 0".formatted(maxDistance));
    }
  }

  @Override
  public double lossRate(double distanceKm) {
    double r = lossMin + (lossMax - lossMin) * distanceKm / maxDistance;
    return Math.min(r, Math.nextDown(1.0));
  }
}

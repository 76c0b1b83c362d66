package org.gridtrade.coalition;

/**
 * The fraction of energy lost when energy is transferred over a distance.
 *
 * <p>Transferring {@code E} kWh over {@code d} km loses {@code E · lossRate(d)} kWh
 * (docs/coalition.md, "The model"). Implementations must be pure (same distance, same rate) and
 * return a finite rate in {@code [0, 1)}; {@link Community} checks every rate it asks for and
 * rejects a model that breaks this.
 *
 * <p>Moniruzzaman Eq. 3.1–3.2 allocate losses by power flow on a bus model; Moniruzzaman's
 * experiments, and this SDK's default, use a rate that grows linearly with distance ({@link
 * #linear}).
 */
@FunctionalInterface
public interface LineLossModel {

  /**
   * The loss rate for a transfer over a distance.
   *
   * @param distanceKm the distance in km, finite and 0 or more
   * @return the lost fraction of the transferred energy, in {@code [0, 1)}
   */
  double lossRate(double distanceKm);

  /**
   * The default model (docs/coalition.md, "The model"): {@code λ(d) = λmin + (λmax − λmin) · d /
   * dmax}.
   *
   * @param lossMin the rate at distance 0 (Moniruzzaman: 0.018)
   * @param lossMax the rate at {@code maxDistance} (Moniruzzaman: 0.056)
   * @param maxDistance the distance in km at which the rate reaches {@code lossMax}, usually the
   *     area's diagonal
   * @return the model
   * @throws IllegalArgumentException if the rates are not {@code 0 <= lossMin <= lossMax < 1} or
   *     the distance is not finite and positive
   */
  static LineLossModel linear(double lossMin, double lossMax, double maxDistance) {
    return new LinearLineLoss(lossMin, lossMax, maxDistance);
  }

  /**
   * Moniruzzaman's model for an area: 1.8 % to 5.6 % over the area's diagonal.
   *
   * @param area the area
   * @return the model
   */
  static LineLossModel thesisDefault(Area area) {
    return new LinearLineLoss(0.018, 0.056, area.diagonal());
  }
}

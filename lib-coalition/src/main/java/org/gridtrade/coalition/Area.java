package org.gridtrade.coalition;

/**
 * The rectangular service area {@code [0, width] × [0, height]} (km) and the location of the
 * electricity distribution centre (EDC) inside it.
 *
 * @param width east–west extent in km, in [{@link #MIN_SIDE}, {@link #MAX_SIDE}]
 * @param height north–south extent in km, in [{@link #MIN_SIDE}, {@link #MAX_SIDE}]
 * @param edcX east coordinate of the EDC in km, inside the area
 * @param edcY north coordinate of the EDC in km, inside the area
 */
public record Area(double width, double height, double edcX, double edcY) {

  /** The smallest side, km: one metre. */
  public static final double MIN_SIDE = 1e-3;

  /** The largest side, km: a continent; keeps distances and their squares finite. */
  public static final double MAX_SIDE = 1e4;

  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException naming the field and value when a size is outside [{@link
   *     #MIN_SIDE}, {@link #MAX_SIDE}] or the EDC lies outside the area
   */
  public Area {
    if (!(width >= MIN_SIDE && width <= MAX_SIDE)) {
      throw new IllegalArgumentException(
          "area width %s must be in [%s, %s]".formatted(width, MIN_SIDE, MAX_SIDE));
    }
    if (!(height >= MIN_SIDE && height <= MAX_SIDE)) {
      throw new IllegalArgumentException(
          "area height %s must be in [%s, %s]".formatted(height, MIN_SIDE, MAX_SIDE));
    }
    if (!(edcX >= 0 && edcX <= width && edcY >= 0 && edcY <= height)) {
      throw new IllegalArgumentException(
          ("EDC at (%s, %s) must lie inside the area [0, %s] × [0, %s] (x in [0, width], y in"
                  + " [0, height])")
              .formatted(edcX, edcY, width, height));
    }
  }

  /**
   * A square area with the EDC at its centre, as in Moniruzzaman's 20 km × 20 km simulation.
   *
   * @param side the side in km, finite and more than 0
   * @return the area
   */
  public static Area square(double side) {
    return new Area(side, side, side / 2, side / 2);
  }

  /**
   * Whether a point lies in the area (boundary included).
   *
   * @param x east coordinate in km
   * @param y north coordinate in km
   * @return true when inside
   */
  public boolean contains(double x, double y) {
    return x >= 0 && x <= width && y >= 0 && y <= height;
  }

  /**
   * The area's diagonal, the longest distance between two of its points.
   *
   * @return the diagonal in km
   */
  public double diagonal() {
    return Math.hypot(width, height);
  }
}

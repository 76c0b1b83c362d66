package org.gridtrade.game.v2v;

/**
 * The Ontario time-of-use bands of Moniruzzaman Table 4.1: off-peak 19:00–07:00, mid-peak
 * 11:00–17:00, on-peak 07:00–11:00 and 17:00–19:00 (the table's "1am–11am" for on-peak is a typo:
 * the three bands must cover the day once).
 */
public enum TouBand {
  /** 19:00–07:00. */
  OFF_PEAK,
  /** 11:00–17:00. */
  MID_PEAK,
  /** 07:00–11:00 and 17:00–19:00. */
  ON_PEAK;

  /**
   * The band of a clock hour.
   *
   * @param hour clock hour, 0..23 (the slot {@code hour:00–hour+1:00})
   * @return its band
   * @throws IllegalArgumentException when hour is outside 0..23
   */
  public static TouBand of(int hour) {
    if (hour < 0 || hour > 23) {
      throw new IllegalArgumentException("hour %d must be in 0..23".formatted(hour));
    }
    if (hour >= 11 && hour < 17) {
      return MID_PEAK;
    }
    if ((hour >= 7 && hour < 11) || hour == 17 || hour == 18) {
      return ON_PEAK;
    }
    return OFF_PEAK;
  }
}

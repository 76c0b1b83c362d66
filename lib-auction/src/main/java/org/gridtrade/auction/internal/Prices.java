package org.gridtrade.auction.internal;

import java.math.BigDecimal;
import java.util.Locale;

/** Formats prices and quantities for human-readable reasons, independent of the default locale. */
public final class Prices {
  private Prices() {}

  /**
   * Formats a value with two decimals when that is exact (e.g. {@code 9.50}), otherwise with all
   * the digits needed to identify the double (e.g. {@code 9.505}).
   *
   * @param v the value
   * @return the text
   */
  public static String format(double v) {
    String two = String.format(Locale.ROOT, "%.2f", v);
    if (Double.parseDouble(two) == v || !Double.isFinite(v)) {
      return two;
    }
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }
}

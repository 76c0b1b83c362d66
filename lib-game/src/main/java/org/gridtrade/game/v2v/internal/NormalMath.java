package org.gridtrade.game.v2v.internal;

/** The standard normal density and distribution function, to double precision. */
public final class NormalMath {

  private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

  private NormalMath() {}

  /**
   * The standard normal density.
   *
   * @param z the point
   * @return {@code exp(−z²/2)/√(2π)}, 0 at ±∞
   */
  public static double pdf(double z) {
    return Double.isInfinite(z) ? 0 : INV_SQRT_2PI * Math.exp(-0.5 * z * z);
  }

  /**
   * The standard normal distribution function, to about 1e-15 absolute error (1e-14 relative in the
   * tails): for {@code |z| ≤ 3} the series {@code Φ(z) = 1/2 + φ(z) · Σ_{n≥0}
   * z^{2n+1}/(1·3·5···(2n+1))} (terms of one sign); beyond, the tail {@code Φ(−x) = φ(x) / (x +
   * 1/(x + 2/(x + 3/(x + …))))} (Laplace's continued fraction).
   *
   * @param z the point, may be infinite
   * @return {@code Φ(z)}
   */
  public static double cdf(double z) {
    if (z < -TAIL_CF) {
      return tail(-z);
    }
    if (z > TAIL_CF) {
      return 1 - tail(z);
    }
    if (z == 0) {
      return 0.5;
    }
    double z2 = z * z;
    double term = z;
    double sum = z;
    for (int n = 1; n < 1000; n++) {
      term *= z2 / (2 * n + 1);
      sum += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(sum)) {
        break;
      }
    }
    return 0.5 + pdf(z) * sum;
  }

  /** Where the series hands over to the continued fraction. */
  private static final double TAIL_CF = 3;

  /** {@code Φ(−x)} for {@code x ≥ 3}, by the continued fraction evaluated from the back. */
  private static double tail(double x) {
    if (x > 40) {
      return 0;
    }
    double f = x;
    for (int n = 300; n >= 1; n--) {
      f = x + n / f;
    }
    return pdf(x) / f;
  }

  /**
   * The exact expectation of the upper envelope of lines under a normal distribution: {@code
   * E[max_i (c_i + m_i · P)]}, {@code P ~ N(mean, sd²)}. The envelope is a convex piecewise-linear
   * function; each piece's integral is {@code (c + m·mean)(Φ(b) − Φ(a)) + m·sd·(φ(a) − φ(b))} in
   * standard units.
   *
   * @param c intercepts
   * @param m slopes
   * @param n number of lines used (a prefix of c and m), 1 or more
   * @param mean the mean
   * @param sd the standard deviation, 0 or more
   * @param order scratch, length at least n
   * @return the expectation
   */
  public static double expectedMax(
      double[] c, double[] m, int n, double mean, double sd, int[] order) {
    if (sd == 0) {
      double best = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        best = Math.max(best, c[i] + m[i] * mean);
      }
      return best;
    }
    // Sort by slope ascending, equal slopes by intercept descending (insertion sort: n is small).
    for (int i = 0; i < n; i++) {
      int v = i;
      int j = i - 1;
      while (j >= 0 && before(c, m, v, order[j])) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = v;
    }
    // Upper envelope (convex hull trick); the hull reuses the front of 'order'.
    int size = 0;
    for (int i = 0; i < n; i++) {
      int v = order[i];
      if (size > 0 && m[order[size - 1]] == m[v]) {
        continue; // same slope, lower intercept
      }
      while (size >= 2
          && cross(c, m, order[size - 2], v) <= cross(c, m, order[size - 2], order[size - 1])) {
        size--;
      }
      order[size++] = v;
    }
    double total = 0;
    double lo = Double.NEGATIVE_INFINITY;
    double cdfLo = 0;
    double pdfLo = 0;
    for (int i = 0; i < size; i++) {
      int v = order[i];
      double hi =
          i + 1 < size ? (cross(c, m, v, order[i + 1]) - mean) / sd : Double.POSITIVE_INFINITY;
      double cdfHi = cdf(hi);
      double pdfHi = pdf(hi);
      total += (c[v] + m[v] * mean) * (cdfHi - cdfLo) + m[v] * sd * (pdfLo - pdfHi);
      lo = hi;
      cdfLo = cdfHi;
      pdfLo = pdfHi;
    }
    assert lo == Double.POSITIVE_INFINITY;
    return total;
  }

  private static boolean before(double[] c, double[] m, int a, int b) {
    return m[a] < m[b] || (m[a] == m[b] && c[a] > c[b]);
  }

  /** The price at which line b overtakes line a (slope of b greater). */
  private static double cross(double[] c, double[] m, int a, int b) {
    return (c[a] - c[b]) / (m[b] - m[a]);
  }
}

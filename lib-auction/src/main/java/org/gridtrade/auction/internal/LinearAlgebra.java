package org.gridtrade.auction.internal;

/** Small dense linear algebra for the Anderson least-squares step. */
final class LinearAlgebra {

  private LinearAlgebra() {}

  /**
   * Solves {@code a · x = rhs} for a small symmetric positive definite {@code a} by Gaussian
   * elimination with partial pivoting.
   *
   * @return x, or null if singular
   */
  static double[] solveSymmetric(double[][] a, double[] rhs) {
    int h = rhs.length;
    double[][] m = new double[h][h + 1];
    for (int r = 0; r < h; r++) {
      System.arraycopy(a[r], 0, m[r], 0, h);
      m[r][h] = rhs[r];
    }
    for (int c = 0; c < h; c++) {
      int piv = c;
      for (int r = c + 1; r < h; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) {
          piv = r;
        }
      }
      if (!(Math.abs(m[piv][c]) > 0)) {
        return null;
      }
      double[] tmp = m[c];
      m[c] = m[piv];
      m[piv] = tmp;
      for (int r = c + 1; r < h; r++) {
        double f = m[r][c] / m[c][c];
        for (int q = c; q <= h; q++) {
          m[r][q] -= f * m[c][q];
        }
      }
    }
    double[] x = new double[h];
    for (int r = h - 1; r >= 0; r--) {
      double s = m[r][h];
      for (int q = r + 1; q < h; q++) {
        s -= m[r][q] * x[q];
      }
      x[r] = s / m[r][r];
    }
    return x;
  }
}

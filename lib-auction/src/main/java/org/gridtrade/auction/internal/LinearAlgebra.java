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

  /**
   * Solves {@code a · x = rhs} for a symmetric positive definite {@code a} by Cholesky
   * factorisation; {@code a} is overwritten.
   *
   * @return x, or null if {@code a} is not positive definite
   */
  static double[] solveCholesky(double[][] a, double[] rhs) {
    return factorCholesky(a) ? solveFactored(a, rhs) : null;
  }

  /**
   * Overwrites the lower triangle of a symmetric positive definite {@code a} with its Cholesky
   * factor L ({@code a = L Lᵀ}); the upper triangle is left alone.
   *
   * @return false if {@code a} is not positive definite (then {@code a} is partly overwritten)
   */
  static boolean factorCholesky(double[][] a) {
    int h = a.length;
    for (int c = 0; c < h; c++) {
      double[] ac = a[c];
      double d = ac[c];
      for (int q = 0; q < c; q++) {
        d -= ac[q] * ac[q];
      }
      if (!(d > 0)) {
        return false;
      }
      d = Math.sqrt(d);
      ac[c] = d;
      for (int r = c + 1; r < h; r++) {
        double[] ar = a[r];
        double s = ar[c];
        for (int q = 0; q < c; q++) {
          s -= ar[q] * ac[q];
        }
        ar[c] = s / d;
      }
    }
    return true;
  }

  /**
   * Solves {@code L Lᵀ x = rhs} with the factor {@link #factorCholesky} left in {@code l}.
   *
   * @return x
   */
  static double[] solveFactored(double[][] l, double[] rhs) {
    int h = rhs.length;
    double[] y = new double[h];
    for (int r = 0; r < h; r++) {
      double s = rhs[r];
      double[] lr = l[r];
      for (int q = 0; q < r; q++) {
        s -= lr[q] * y[q];
      }
      y[r] = s / lr[r];
    }
    for (int r = h - 1; r >= 0; r--) {
      double s = y[r];
      for (int q = r + 1; q < h; q++) {
        s -= l[q][r] * y[q];
      }
      y[r] = s / l[r][r];
    }
    return y;
  }
}

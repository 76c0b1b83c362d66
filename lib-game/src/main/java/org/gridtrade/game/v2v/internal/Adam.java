package org.gridtrade.game.v2v.internal;

/**
 * The Adam optimiser (Kingma and Ba, 2015) over a flat parameter vector, with the global gradient
 * norm clipped first; minimises.
 */
public final class Adam {

  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;

  private final double[] m;
  private final double[] v;
  private long t;

  /**
   * An optimiser for vectors of a given length.
   *
   * @param size the number of parameters
   */
  public Adam(int size) {
    m = new double[size];
    v = new double[size];
  }

  /**
   * One step: {@code params −= lr · m̂ / (√v̂ + ε)}, after scaling the gradient so that its norm is
   * at most {@code maxNorm}.
   *
   * @param params the parameters, updated in place
   * @param grad the gradient of the loss (scaled in place when clipped)
   * @param lr the learning rate
   * @param maxNorm the largest gradient norm; {@code Double.POSITIVE_INFINITY} for none
   */
  public void step(double[] params, double[] grad, double lr, double maxNorm) {
    double norm = 0;
    for (double g : grad) {
      norm += g * g;
    }
    norm = Math.sqrt(norm);
    if (norm > maxNorm) {
      double s = maxNorm / norm;
      for (int i = 0; i < grad.length; i++) {
        grad[i] *= s;
      }
    }
    t++;
    double c1 = 1 - Math.pow(BETA1, t);
    double c2 = 1 - Math.pow(BETA2, t);
    for (int i = 0; i < params.length; i++) {
      m[i] = BETA1 * m[i] + (1 - BETA1) * grad[i];
      v[i] = BETA2 * v[i] + (1 - BETA2) * grad[i] * grad[i];
      params[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPS);
    }
  }
}

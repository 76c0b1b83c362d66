package org.gridtrade.game.v2v.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MlpTest {

  /** The loss {@code Σ_o w_o · out_o} at some parameters. */
  private static double loss(Mlp net, double[] params, int offset, double[] x, double[] w) {
    double[] out = net.forward(params, offset, x);
    double s = 0;
    for (int o = 0; o < out.length; o++) {
      s += w[o] * out[o];
    }
    return s;
  }

  @Test
  void backward_randomNetworks_matchesCentralFiniteDifferences() {
    qt().withFixedSeed(71)
        .withExamples(40)
        .forAll(
            integers().between(1, 5),
            integers().between(0, 2),
            integers().between(1, 3),
            integers().between(0, 1_000_000))
        .checkAssert(
            (in, hiddenLayers, outs, seed) -> {
              int[] sizes = new int[hiddenLayers + 2];
              sizes[0] = in;
              for (int l = 1; l <= hiddenLayers; l++) {
                sizes[l] = 3 + l;
              }
              sizes[hiddenLayers + 1] = outs;
              Mlp net = new Mlp(sizes);
              SplittableRandom rng = new SplittableRandom(seed);
              int offset = 3; // the network need not start the vector
              double[] params = new double[offset + net.parameterCount() + 2];
              for (int i = 0; i < params.length; i++) {
                params[i] = rng.nextDouble(-1, 1);
              }
              double[] x = new double[in];
              for (int i = 0; i < in; i++) {
                x[i] = rng.nextDouble(-2, 2);
              }
              double[] w = new double[outs];
              for (int o = 0; o < outs; o++) {
                w[o] = rng.nextDouble(-1, 1);
              }
              double[] grad = new double[params.length];
              grad[0] = 5; // backward adds; it must not clear what is already there
              net.forward(params, offset, x);
              net.backward(params, offset, w, grad);
              assertThat(grad[0]).isEqualTo(5);
              assertThat(grad[params.length - 1]).isZero();
              double h = 1e-6;
              for (int i = offset; i < offset + net.parameterCount(); i++) {
                double keep = params[i];
                params[i] = keep + h;
                double up = loss(net, params, offset, x, w);
                params[i] = keep - h;
                double down = loss(net, params, offset, x, w);
                params[i] = keep;
                double fd = (up - down) / (2 * h);
                assertThat(grad[i]).as("parameter %d", i).isCloseTo(fd, within(1e-7));
              }
              // The input's gradient, without touching the parameters' gradient.
              double[] before = grad.clone();
              double[] gradIn = new double[in];
              net.forward(params, offset, x);
              net.backward(params, offset, w, null, gradIn);
              assertThat(grad).containsExactly(before);
              for (int i = 0; i < in; i++) {
                double keep = x[i];
                x[i] = keep + h;
                double up = loss(net, params, offset, x, w);
                x[i] = keep - h;
                double down = loss(net, params, offset, x, w);
                x[i] = keep;
                assertThat(gradIn[i])
                    .as("input %d", i)
                    .isCloseTo((up - down) / (2 * h), within(1e-7));
              }
            });
  }

  @Test
  void forward_handComputedTwoUnitNetwork_matches() {
    Mlp net = new Mlp(2, 2, 1);
    // Layer 1: W = [[1, 2], [-1, 0.5]], b = [0.1, -0.2]; layer 2: W = [[3, -2]], b = [0.5].
    double[] p = {1, 2, -1, 0.5, 0.1, -0.2, 3, -2, 0.5};
    assertThat(net.parameterCount()).isEqualTo(9);
    double[] out = net.forward(p, 0, new double[] {0.3, -0.4});
    double h1 = Math.tanh(0.3 - 0.8 + 0.1);
    double h2 = Math.tanh(-0.3 - 0.2 - 0.2);
    assertThat(out[0]).isCloseTo(3 * h1 - 2 * h2 + 0.5, within(1e-15));
  }

  @Test
  void initialise_sameSeed_sameWeights_differentSeed_different() {
    Mlp net = new Mlp(4, 8, 8, 1);
    double[] a = new double[net.parameterCount()];
    double[] b = new double[net.parameterCount()];
    double[] c = new double[net.parameterCount()];
    net.initialise(a, 0, new SplittableRandom(9), 0.01);
    net.initialise(b, 0, new SplittableRandom(9), 0.01);
    net.initialise(c, 0, new SplittableRandom(10), 0.01);
    assertThat(a).containsExactly(b);
    assertThat(a).isNotEqualTo(c);
    // The output layer (8 weights, 1 bias) is small: |w| ≤ 0.01·√(6/9).
    for (int i = a.length - 9; i < a.length - 1; i++) {
      assertThat(Math.abs(a[i])).isLessThanOrEqualTo(0.01 * Math.sqrt(6 / 9.0));
    }
  }

  @Test
  void adam_quadratic_convergesToTheMinimum() {
    double[] x = {5, -3};
    Adam adam = new Adam(2);
    for (int i = 0; i < 5000; i++) {
      double[] g = {2 * (x[0] - 1), 20 * (x[1] + 2)};
      adam.step(x, g, 0.01, Double.POSITIVE_INFINITY);
    }
    assertThat(x[0]).isCloseTo(1, within(1e-3));
    assertThat(x[1]).isCloseTo(-2, within(1e-3));
  }

  @Test
  void adam_clipping_scalesTheGradientToTheNorm() {
    double[] x = {0, 0};
    double[] g = {30, 40};
    new Adam(2).step(x, g, 0.1, 5);
    assertThat(g).containsExactly(new double[] {3, 4}, within(1e-12));
  }

  @Test
  void mlp_badSizes_rejected() {
    assertThatThrownBy(() -> new Mlp(3)).hasMessageContaining("at least 2 entries");
    assertThatThrownBy(() -> new Mlp(3, 0, 1)).hasMessageContaining("[3, 0, 1]");
  }
}

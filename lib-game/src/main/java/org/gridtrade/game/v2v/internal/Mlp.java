package org.gridtrade.game.v2v.internal;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A multilayer perceptron on plain {@code double[]}: tanh hidden layers, a linear output layer. Its
 * weights live in a caller's flat parameter vector at an offset (layer by layer: the weights of
 * output unit {@code o} in row {@code o}, then the biases), so that several networks share one
 * vector and federated averaging is an element-wise mean of that vector.
 *
 * <p>The network holds only its shape and its activation buffers: not thread-safe; one per thread.
 */
public final class Mlp {

  private final int[] sizes;
  private final int parameterCount;
  private final double[][] act;
  private final double[][] delta;

  /**
   * A network of the given layer sizes.
   *
   * @param sizes input size, hidden sizes, output size; at least two entries, each 1 or more
   */
  public Mlp(int... sizes) {
    if (sizes.length < 2 || Arrays.stream(sizes).anyMatch(s -> s < 1)) {
      throw new IllegalArgumentException(
          "sizes %s must have at least 2 entries, each at least 1"
              .formatted(Arrays.toString(sizes)));
    }
    this.sizes = sizes.clone();
    int count = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      count += sizes[l + 1] * (sizes[l] + 1);
    }
    this.parameterCount = count;
    this.act = new double[sizes.length][];
    this.delta = new double[sizes.length][];
    for (int l = 0; l < sizes.length; l++) {
      act[l] = new double[sizes[l]];
      delta[l] = new double[sizes[l]];
    }
  }

  /**
   * Number of parameters (weights and biases).
   *
   * @return the count
   */
  public int parameterCount() {
    return parameterCount;
  }

  /**
   * Input size.
   *
   * @return the number of inputs
   */
  public int inputSize() {
    return sizes[0];
  }

  /**
   * Output size.
   *
   * @return the number of outputs
   */
  public int outputSize() {
    return sizes[sizes.length - 1];
  }

  /**
   * Initialises weights uniformly in {@code ±gain·√(6/(in + out))} (Glorot), the output layer
   * scaled by {@code outputGain}; biases 0.
   *
   * @param params the flat vector
   * @param offset where this network's parameters start
   * @param rng the source of randomness (draws in parameter order)
   * @param outputGain scale of the output layer's weights (small values start a policy near 0)
   */
  public void initialise(double[] params, int offset, RandomGenerator rng, double outputGain) {
    int p = offset;
    for (int l = 0; l + 1 < sizes.length; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      double gain = l + 2 == sizes.length ? outputGain : 1;
      double bound = gain * Math.sqrt(6.0 / (in + out));
      for (int w = 0; w < in * out; w++) {
        params[p++] = bound * (2 * rng.nextDouble() - 1);
      }
      for (int b = 0; b < out; b++) {
        params[p++] = 0;
      }
    }
  }

  /**
   * Forward pass; keeps the activations for {@link #backward}.
   *
   * @param params the flat vector
   * @param offset where this network's parameters start
   * @param x the input, length {@link #inputSize()}
   * @return the output buffer (owned by the network, overwritten by the next call)
   */
  public double[] forward(double[] params, int offset, double[] x) {
    System.arraycopy(x, 0, act[0], 0, sizes[0]);
    int p = offset;
    int last = sizes.length - 1;
    for (int l = 0; l < last; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      double[] a = act[l];
      double[] z = act[l + 1];
      int bias = p + in * out;
      for (int o = 0; o < out; o++) {
        double s = params[bias + o];
        int row = p + o * in;
        for (int i = 0; i < in; i++) {
          s += params[row + i] * a[i];
        }
        z[o] = l + 1 < last ? Math.tanh(s) : s;
      }
      p = bias + out;
    }
    return act[last];
  }

  /**
   * Back-propagates the gradient of a loss with respect to the outputs of the last {@link #forward}
   * call and adds the gradient with respect to the parameters to {@code grad}.
   *
   * @param params the flat vector used in the forward pass
   * @param offset where this network's parameters start
   * @param gradOut the loss's gradient with respect to the outputs
   * @param grad the gradient vector to add to (same layout as params)
   */
  public void backward(double[] params, int offset, double[] gradOut, double[] grad) {
    backward(params, offset, gradOut, grad, null);
  }

  /**
   * As {@link #backward(double[], int, double[], double[])}, and also writes the loss's gradient
   * with respect to the input of the last {@link #forward} call (what an actor needs from a critic
   * that takes the action as an input).
   *
   * @param params the flat vector used in the forward pass
   * @param offset where this network's parameters start
   * @param gradOut the loss's gradient with respect to the outputs
   * @param grad the gradient vector to add to, or {@code null} to leave the parameters' gradient
   *     out
   * @param gradIn out: the gradient with respect to the inputs, length {@link #inputSize()}, or
   *     {@code null}
   */
  public void backward(
      double[] params, int offset, double[] gradOut, double[] grad, double[] gradIn) {
    int last = sizes.length - 1;
    System.arraycopy(gradOut, 0, delta[last], 0, sizes[last]);
    int end = offset + parameterCount;
    for (int l = last - 1; l >= 0; l--) {
      int in = sizes[l];
      int out = sizes[l + 1];
      int bias = end - out;
      int p = bias - in * out;
      double[] a = act[l];
      double[] d = delta[l + 1];
      if (grad != null) {
        for (int o = 0; o < out; o++) {
          double g = d[o];
          grad[bias + o] += g;
          int row = p + o * in;
          for (int i = 0; i < in; i++) {
            grad[row + i] += g * a[i];
          }
        }
      }
      if (l == 0 && gradIn != null) {
        for (int i = 0; i < in; i++) {
          double s = 0;
          for (int o = 0; o < out; o++) {
            s += params[p + o * in + i] * d[o];
          }
          gradIn[i] = s;
        }
      }
      if (l > 0) {
        double[] prev = delta[l];
        for (int i = 0; i < in; i++) {
          double s = 0;
          for (int o = 0; o < out; o++) {
            s += params[p + o * in + i] * d[o];
          }
          prev[i] = s * (1 - a[i] * a[i]);
        }
      }
      end = p;
    }
  }
}

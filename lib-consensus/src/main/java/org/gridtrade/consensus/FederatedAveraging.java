package org.gridtrade.consensus;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.gridtrade.ledger.Hash;

/**
 * Federated averaging by the period's aggregator (Moniruzzaman Eq. 4.19; docs/consensus.md, "Proof
 * of State of Charge"): the global model {@code w_G = (1/N) Σ_n w_n} is the element-wise mean of
 * the local models, and its {@link #modelHash hash} is recorded on chain in every Proof of State of
 * Charge seal.
 *
 * <p>The mean is computed in one canonical order (the models sorted lexicographically by {@link
 * Double#compare}), so it is bit-for-bit the same whatever order the local models arrive in.
 */
public final class FederatedAveraging {
  private static final byte[] DOMAIN =
      "GridTrade/posoc/model/v1".getBytes(StandardCharsets.US_ASCII);

  private FederatedAveraging() {}

  /**
   * The element-wise mean of the local models (Eq. 4.19).
   *
   * @param localModels the models' weight vectors, at least one, all of the same length (1 or
   *     more), every element finite; not modified
   * @return the global model, a new array
   * @throws IllegalArgumentException if there is no model, the lengths differ, a model is empty or
   *     an element is not finite
   */
  public static double[] average(List<double[]> localModels) {
    Objects.requireNonNull(localModels, "localModels");
    if (localModels.isEmpty()) {
      throw new IllegalArgumentException("localModels is empty: nothing to average");
    }
    List<double[]> models = new ArrayList<>(localModels.size());
    int length = -1;
    for (int n = 0; n < localModels.size(); n++) {
      double[] w = Objects.requireNonNull(localModels.get(n), "localModels[" + n + "]");
      if (length < 0) {
        length = w.length;
        if (length == 0) {
          throw new IllegalArgumentException("localModels[0] has no weights");
        }
      } else if (w.length != length) {
        throw new IllegalArgumentException(
            "localModels[%d] has %d weights, localModels[0] has %d: all must have the same length"
                .formatted(n, w.length, length));
      }
      for (int j = 0; j < w.length; j++) {
        if (!Double.isFinite(w[j])) {
          throw new IllegalArgumentException(
              "localModels[%d][%d] = %s must be finite".formatted(n, j, w[j]));
        }
      }
      models.add(w.clone());
    }
    models.sort(Arrays::compare);
    double[] mean = new double[length];
    for (double[] w : models) {
      for (int j = 0; j < length; j++) {
        mean[j] += w[j];
      }
    }
    for (int j = 0; j < length; j++) {
      mean[j] /= models.size();
    }
    return mean;
  }

  /**
   * The canonical hash of a model: {@code SHA-256("GridTrade/posoc/model/v1" ‖ n ‖ w_0 ‖ … ‖
   * w_{n−1})} with {@code n} the number of weights as a 4-byte big-endian integer and each weight
   * as its 8-byte big-endian IEEE-754 bits ({@link Double#doubleToLongBits}). {@code -0.0} is
   * hashed as {@code +0.0} (they are equal weights, and a mean can produce either); NaN and
   * infinities are refused, so every model has one encoding.
   *
   * @param model the weights, 1 or more, all finite; not modified
   * @return the hash
   * @throws IllegalArgumentException if the model is empty or an element is not finite
   */
  public static Hash modelHash(double[] model) {
    Objects.requireNonNull(model, "model");
    if (model.length == 0) {
      throw new IllegalArgumentException("model has no weights");
    }
    ByteBuffer b = ByteBuffer.allocate(4 + 8 * model.length).putInt(model.length);
    for (int j = 0; j < model.length; j++) {
      double w = model[j];
      if (!Double.isFinite(w)) {
        throw new IllegalArgumentException("model[%d] = %s must be finite".formatted(j, w));
      }
      b.putLong(Double.doubleToLongBits(w == 0 ? 0.0 : w));
    }
    return Hash.sha256(DOMAIN, b.array());
  }
}

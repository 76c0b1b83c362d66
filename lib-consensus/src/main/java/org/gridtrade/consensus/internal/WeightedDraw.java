package org.gridtrade.consensus.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import java.util.function.ToDoubleFunction;
import org.gridtrade.ledger.Hash;

/**
 * Weighted random sampling without replacement, the draw behind Proof of Energy Generation's and
 * Proof of State of Charge's proposer order: draw {@code k} picks item {@code i} of the items not
 * yet drawn with probability {@code w_i / Σ w}, using a uniform number {@code u_k} in [0, 1) that
 * the caller derives from chain data.
 */
public final class WeightedDraw {
  private WeightedDraw() {}

  /**
   * The draw order of {@code items}.
   *
   * @param <T> the item type
   * @param items the items with a positive weight, in a canonical order every node agrees on
   * @param weight an item's weight, finite and more than 0
   * @param unit {@code u_k} for draw {@code k}, in [0, 1)
   * @return every item, in the order drawn
   */
  public static <T> List<T> order(
      List<T> items, ToDoubleFunction<? super T> weight, IntToDoubleFunction unit) {
    List<T> left = new ArrayList<>(items);
    List<T> order = new ArrayList<>(left.size());
    for (int k = 0; !left.isEmpty(); k++) {
      double total = 0;
      for (T c : left) {
        total += weight.applyAsDouble(c);
      }
      double target = unit.applyAsDouble(k) * total;
      int pick = left.size() - 1;
      double cum = 0;
      for (int i = 0; i < left.size(); i++) {
        cum += weight.applyAsDouble(left.get(i));
        if (target < cum) {
          pick = i;
          break;
        }
      }
      order.add(left.remove(pick));
    }
    return order;
  }

  /**
   * A uniform number in [0, 1) from a hash: {@code first 53 bits of SHA-256(parts…) / 2^53}.
   *
   * @param parts the hashed bytes, concatenated
   * @return the number
   */
  public static double unit(byte[]... parts) {
    byte[] d = Hash.sha256(parts).bytes();
    long bits = ByteBuffer.wrap(d).getLong() >>> 11;
    return bits * 0x1.0p-53;
  }
}

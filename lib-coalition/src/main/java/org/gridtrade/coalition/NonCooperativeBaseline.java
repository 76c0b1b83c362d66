package org.gridtrade.coalition;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.gridtrade.coalition.internal.Network;

/**
 * A non-cooperative bilateral market to compare coalitions against (Moniruzzaman §3.4.6 compares
 * with a non-cooperative baseline it does not specify; this is ours). Sellers act one at a time in
 * a seeded random order; each sells to the buyer with remaining deficit that minimises its own
 * attributed loss (half the transfer loss, as in coalitions), as long as both ends lose less than
 * trading that energy with the EDC; it repeats until no such buyer is left, and sells the rest to
 * the EDC. No transfer is ever re-routed and nobody optimises for the group. Stateless and
 * thread-safe.
 */
public final class NonCooperativeBaseline {
  private NonCooperativeBaseline() {}

  /**
   * The baseline's totals.
   *
   * @param internalEnergy energy traded between prosumers, kWh
   * @param edcEnergy energy traded with the EDC, kWh
   * @param loss total loss, kWh
   * @param standaloneLoss total loss with everyone acting alone, kWh
   */
  public record Result(
      double internalEnergy, double edcEnergy, double loss, double standaloneLoss) {
    /**
     * Loss saved versus acting alone, as a fraction of the standalone loss.
     *
     * @return a fraction (0 when nothing is lost alone)
     */
    public double lossSaving() {
      return standaloneLoss == 0 ? 0 : (standaloneLoss - loss) / standaloneLoss;
    }

    /**
     * Share of traded energy traded between prosumers.
     *
     * @return a fraction in [0, 1]
     */
    public double internalShare() {
      double all = internalEnergy + edcEnergy;
      return all == 0 ? 0 : internalEnergy / all;
    }
  }

  /**
   * Runs the baseline.
   *
   * @param community the prosumers
   * @param seed the seed of the sellers' order
   * @return the totals
   */
  public static Result run(Community community, long seed) {
    Objects.requireNonNull(community, "community");
    Network net = community.network();
    int n = net.size();
    List<Integer> sellers = new ArrayList<>();
    double[] rem = new double[n];
    double alone = 0;
    for (int i = 0; i < n; i++) {
      rem[i] = net.amount(i);
      alone += net.standaloneLoss(i);
      if (net.role(i) == Network.SELLER) {
        sellers.add(i);
      }
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int k = sellers.size() - 1; k > 0; k--) {
      int j = rnd.nextInt(k + 1);
      Integer t = sellers.get(k);
      sellers.set(k, sellers.get(j));
      sellers.set(j, t);
    }
    double internal = 0;
    double loss = 0;
    for (int i : sellers) {
      while (rem[i] > 1e-12) {
        int best = -1;
        double bestRate = Double.POSITIVE_INFINITY;
        for (int j = 0; j < n; j++) {
          if (net.role(j) != Network.BUYER || rem[j] <= 1e-12) {
            continue;
          }
          double half = net.rate(i, j) / 2;
          if (half < net.edcRate(i) && half < net.edcRate(j) && half < bestRate) {
            bestRate = half;
            best = j;
          }
        }
        if (best < 0) {
          break;
        }
        double x = Math.min(rem[i], rem[best]);
        rem[i] -= x;
        rem[best] -= x;
        internal += x;
        loss += x * net.rate(i, best);
      }
    }
    double edc = 0;
    for (int i = 0; i < n; i++) {
      if (net.role(i) != 0 && rem[i] > 1e-12) {
        edc += rem[i];
        loss += rem[i] * net.edcRate(i);
      }
    }
    return new Result(internal, edc, loss, alone);
  }
}

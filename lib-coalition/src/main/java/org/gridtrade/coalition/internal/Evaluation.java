package org.gridtrade.coalition.internal;

import java.util.Arrays;

/**
 * One coalition solved: the loss-minimising transfers, each member's attributed loss and proof
 * score, and the LP's dual prices (used to rule out merges that cannot lower the total loss).
 * Immutable.
 */
public final class Evaluation {
  final int[] members;
  final double[] loss;
  final double[] score;
  final double[] residual;
  final double[] dual;
  final double[] pot; // raw potentials: [0] the EDC node, [1 + k] member k
  final int[] flowSeller;
  final int[] flowBuyer;
  final double[] flowEnergy;
  final double totalLoss;
  final double internalEnergy;

  Evaluation(
      int[] members,
      double[] loss,
      double[] score,
      double[] residual,
      double[] dual,
      double[] pot,
      int[] flowSeller,
      int[] flowBuyer,
      double[] flowEnergy) {
    this.members = members;
    this.loss = loss;
    this.score = score;
    this.residual = residual;
    this.dual = dual;
    this.pot = pot;
    this.flowSeller = flowSeller;
    this.flowBuyer = flowBuyer;
    this.flowEnergy = flowEnergy;
    double t = 0;
    for (double l : loss) {
      t += l;
    }
    this.totalLoss = t;
    double e = 0;
    for (double f : flowEnergy) {
      e += f;
    }
    this.internalEnergy = e;
  }

  /**
   * Sorted member indices.
   *
   * @return a copy
   */
  public int[] members() {
    return members.clone();
  }

  /**
   * Number of members.
   *
   * @return size
   */
  public int size() {
    return members.length;
  }

  /**
   * Member index at a position.
   *
   * @param k position
   * @return prosumer index
   */
  public int member(int k) {
    return members[k];
  }

  /**
   * Attributed loss of the member at a position (the loss attribution of docs/coalition.md, "The
   * model").
   *
   * @param k position
   * @return kWh
   */
  public double loss(int k) {
    return loss[k];
  }

  /**
   * Proof score of the member at a position (Eq. 3.6).
   *
   * @param k position
   * @return score
   */
  public double score(int k) {
    return score[k];
  }

  /**
   * Energy the member at a position trades with the EDC.
   *
   * @param k position
   * @return kWh
   */
  public double residual(int k) {
    return residual[k];
  }

  /**
   * Coalition proof score (Eq. 3.5).
   *
   * @return the sum of member scores
   */
  public double proofScore() {
    double t = 0;
    for (double s : score) {
      t += s;
    }
    return t;
  }

  /**
   * Total loss of the coalition.
   *
   * @return kWh
   */
  public double totalLoss() {
    return totalLoss;
  }

  /**
   * Energy moved between members.
   *
   * @return kWh
   */
  public double internalEnergy() {
    return internalEnergy;
  }

  /**
   * Number of internal transfers.
   *
   * @return count
   */
  public int flows() {
    return flowEnergy.length;
  }

  /**
   * Seller of an internal transfer.
   *
   * @param f transfer number
   * @return prosumer index
   */
  public int flowSeller(int f) {
    return flowSeller[f];
  }

  /**
   * Buyer of an internal transfer.
   *
   * @param f transfer number
   * @return prosumer index
   */
  public int flowBuyer(int f) {
    return flowBuyer[f];
  }

  /**
   * Energy of an internal transfer.
   *
   * @param f transfer number
   * @return kWh
   */
  public double flowEnergy(int f) {
    return flowEnergy[f];
  }

  /**
   * Position of a prosumer among the members.
   *
   * @param prosumer prosumer index
   * @return position, or a negative number if not a member
   */
  public int indexOf(int prosumer) {
    return Arrays.binarySearch(members, prosumer);
  }
}

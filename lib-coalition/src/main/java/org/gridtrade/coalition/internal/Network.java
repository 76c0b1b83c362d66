package org.gridtrade.coalition.internal;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * A validated community in array form: balances, roles, loss rates to the EDC and between every
 * seller and buyer. Immutable after construction; safe to share between threads.
 */
public final class Network {
  /** Role code of a seller. */
  public static final int SELLER = 1;

  /** Role code of a buyer. */
  public static final int BUYER = -1;

  final int n;
  final String[] ids;
  final double[] amount; // surplus for sellers, deficit for buyers, 0 when balanced
  final int[] role;
  final double[] edcRate;
  final double[] edcDistance;
  final int[] pos; // index among sellers or among buyers
  final int sellers;
  final int buyers;
  private final double[] pairRate; // [sellerPos * buyers + buyerPos]
  private final double[] pairDistance;

  /**
   * Builds the arrays. Rates come from the loss model and are checked here.
   *
   * @param ids prosumer ids
   * @param balance production minus consumption per prosumer
   * @param x east coordinates
   * @param y north coordinates
   * @param edcX EDC east coordinate
   * @param edcY EDC north coordinate
   * @param rate the loss model, wrapped so that a bad rate is reported
   */
  public Network(
      List<String> ids,
      double[] balance,
      double[] x,
      double[] y,
      double edcX,
      double edcY,
      DoubleUnaryOperator rate) {
    this.n = ids.size();
    this.ids = ids.toArray(new String[0]);
    this.amount = new double[n];
    this.role = new int[n];
    this.edcRate = new double[n];
    this.edcDistance = new double[n];
    this.pos = new int[n];
    int s = 0;
    int b = 0;
    for (int i = 0; i < n; i++) {
      double bal = balance[i];
      role[i] = bal > 0 ? SELLER : bal < 0 ? BUYER : 0;
      amount[i] = Math.abs(bal);
      edcDistance[i] = Math.hypot(x[i] - edcX, y[i] - edcY);
      edcRate[i] = rate.applyAsDouble(edcDistance[i]);
      pos[i] = role[i] == SELLER ? s++ : role[i] == BUYER ? b++ : -1;
    }
    this.sellers = s;
    this.buyers = b;
    this.pairRate = new double[s * b];
    this.pairDistance = new double[s * b];
    int[] sellerIdx = new int[s];
    int[] buyerIdx = new int[b];
    for (int i = 0; i < n; i++) {
      if (role[i] == SELLER) {
        sellerIdx[pos[i]] = i;
      } else if (role[i] == BUYER) {
        buyerIdx[pos[i]] = i;
      }
    }
    for (int a = 0; a < s; a++) {
      int i = sellerIdx[a];
      for (int c = 0; c < b; c++) {
        int j = buyerIdx[c];
        double d = Math.hypot(x[i] - x[j], y[i] - y[j]);
        pairDistance[a * b + c] = d;
        pairRate[a * b + c] = rate.applyAsDouble(d);
      }
    }
  }

  /**
   * Number of prosumers.
   *
   * @return n
   */
  public int size() {
    return n;
  }

  /**
   * A prosumer's id.
   *
   * @param i index
   * @return id
   */
  public String id(int i) {
    return ids[i];
  }

  /**
   * Role code: {@link #SELLER}, {@link #BUYER} or 0.
   *
   * @param i index
   * @return the code
   */
  public int role(int i) {
    return role[i];
  }

  /**
   * Surplus of a seller or deficit of a buyer, kWh.
   *
   * @param i index
   * @return the traded amount
   */
  public double amount(int i) {
    return amount[i];
  }

  /**
   * Loss rate between the prosumer and the EDC.
   *
   * @param i index
   * @return the rate
   */
  public double edcRate(int i) {
    return edcRate[i];
  }

  /**
   * Distance to the EDC, km.
   *
   * @param i index
   * @return the distance
   */
  public double edcDistance(int i) {
    return edcDistance[i];
  }

  /**
   * Loss rate between a seller and a buyer.
   *
   * @param seller seller index
   * @param buyer buyer index
   * @return the rate
   */
  public double rate(int seller, int buyer) {
    return pairRate[pos[seller] * buyers + pos[buyer]];
  }

  /**
   * Distance between a seller and a buyer, km.
   *
   * @param seller seller index
   * @param buyer buyer index
   * @return the distance
   */
  public double distance(int seller, int buyer) {
    return pairDistance[pos[seller] * buyers + pos[buyer]];
  }

  /**
   * Per-kWh gain of moving one kWh from seller to buyer instead of both trading with the EDC:
   * {@code λ_iE + λ_jE − λ_ij}.
   *
   * @param seller seller index
   * @param buyer buyer index
   * @return the gain, may be negative
   */
  public double gain(int seller, int buyer) {
    return edcRate[seller] + edcRate[buyer] - rate(seller, buyer);
  }

  /**
   * Loss when acting alone: the whole surplus or deficit traded with the EDC (Eq. 3.8).
   *
   * @param i index
   * @return kWh lost
   */
  public double standaloneLoss(int i) {
    return amount[i] * edcRate[i];
  }

  /**
   * Singleton proof score (Eq. 3.4): surplus minus the loss of selling it to the EDC; 0 for a buyer
   * or balanced prosumer.
   *
   * @param i index
   * @return the score
   */
  public double singletonScore(int i) {
    return role[i] == SELLER ? amount[i] - standaloneLoss(i) : 0;
  }
}

package org.gridtrade.coalition.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Solves coalitions of a {@link Network} and caches the results by member set. Not thread-safe: one
 * evaluator per formation run.
 */
public final class Evaluator {
  private static final double EPS = MinCostFlowSolver.FLOW_EPS;

  private final Network net;
  private final TransportSolver solver;
  private final Map<Key, Evaluation> cache = new HashMap<>();
  private long solves;

  /**
   * An evaluator.
   *
   * @param net the network
   * @param solver the transport solver
   */
  public Evaluator(Network net, TransportSolver solver) {
    this.net = net;
    this.solver = solver;
  }

  /**
   * The network.
   *
   * @return the network
   */
  public Network network() {
    return net;
  }

  /**
   * Number of LPs solved so far (cache misses with at least one seller and one buyer).
   *
   * @return count
   */
  public long solves() {
    return solves;
  }

  /**
   * Solves (or looks up) a coalition.
   *
   * @param members sorted, distinct prosumer indices
   * @return the evaluation
   */
  public Evaluation evaluate(int[] members) {
    Key k = new Key(members);
    Evaluation e = cache.get(k);
    if (e == null) {
      e = solve(members);
      cache.put(new Key(members.clone()), e);
    }
    return e;
  }

  /**
   * Solves a coalition without the cache.
   *
   * @param members sorted, distinct prosumer indices
   * @return the evaluation
   */
  public Evaluation solve(int[] members) {
    int m = members.length;
    int[] sIdx = new int[m];
    int[] bIdx = new int[m];
    int[] sPos = new int[m];
    int[] bPos = new int[m];
    int s = 0;
    int b = 0;
    for (int k = 0; k < m; k++) {
      int i = members[k];
      if (net.role[i] == Network.SELLER) {
        sPos[s] = k;
        sIdx[s++] = i;
      } else if (net.role[i] == Network.BUYER) {
        bPos[b] = k;
        bIdx[b++] = i;
      }
    }
    double[][] x;
    double[][] gain = new double[s][b];
    if (s > 0 && b > 0) {
      double[] sup = new double[s];
      double[] dem = new double[b];
      for (int a = 0; a < s; a++) {
        sup[a] = net.amount[sIdx[a]];
        for (int c = 0; c < b; c++) {
          gain[a][c] = net.gain(sIdx[a], bIdx[c]);
        }
      }
      for (int c = 0; c < b; c++) {
        dem[c] = net.amount[bIdx[c]];
      }
      x = solver.solve(sup, dem, gain);
      solves++;
    } else {
      x = new double[s][b];
    }
    double[] loss = new double[m];
    double[] residual = new double[m];
    double[] sent = new double[s];
    double[] recv = new double[b];
    List<int[]> pairs = new ArrayList<>();
    List<Double> energy = new ArrayList<>();
    for (int a = 0; a < s; a++) {
      for (int c = 0; c < b; c++) {
        double f = x[a][c];
        if (f > EPS) {
          sent[a] += f;
          recv[c] += f;
          double l = f * net.rate(sIdx[a], bIdx[c]);
          // SPEC.md §3: an internal transfer's loss is split half to each end.
          loss[sPos[a]] += l / 2;
          loss[bPos[c]] += l / 2;
          pairs.add(new int[] {sIdx[a], bIdx[c]});
          energy.add(f);
        } else {
          x[a][c] = 0;
        }
      }
    }
    for (int a = 0; a < s; a++) {
      int i = sIdx[a];
      double r = Math.max(0, net.amount[i] - sent[a]);
      residual[sPos[a]] = r;
      loss[sPos[a]] += r * net.edcRate[i];
    }
    for (int c = 0; c < b; c++) {
      int j = bIdx[c];
      double r = Math.max(0, net.amount[j] - recv[c]);
      residual[bPos[c]] = r;
      loss[bPos[c]] += r * net.edcRate[j];
    }
    double[] score = new double[m];
    for (int k = 0; k < m; k++) {
      int i = members[k];
      // Eq. 3.6: PS_Si = PS_i + (E_i^loss − E_Si^loss); PS_i = 0 for buyers.
      score[k] = net.singletonScore(i) + net.standaloneLoss(i) - loss[k];
    }
    double[] dual = duals(m, s, b, sPos, bPos, sent, recv, sIdx, bIdx, gain, x);
    int f = pairs.size();
    int[] fs = new int[f];
    int[] fb = new int[f];
    double[] fe = new double[f];
    for (int q = 0; q < f; q++) {
      fs[q] = pairs.get(q)[0];
      fb[q] = pairs.get(q)[1];
      fe[q] = energy.get(q);
    }
    return new Evaluation(members.clone(), loss, score, residual, dual, fs, fb, fe);
  }

  /*
   * Optimal LP duals from the optimal flow: shortest-path potentials in the residual circulation
   * graph (node r stands for the EDC/slack). u_i = max(0, π(s_i) − π(r)) for sellers,
   * v_j = max(0, π(r) − π(b_j)) for buyers; they satisfy u_i + v_j >= gain_ij and complementary
   * slackness, so they are optimal duals.
   */
  private double[] duals(
      int m,
      int s,
      int b,
      int[] sPos,
      int[] bPos,
      double[] sent,
      double[] recv,
      int[] sIdx,
      int[] bIdx,
      double[][] gain,
      double[][] x) {
    double[] dual = new double[m];
    if (s == 0 || b == 0) {
      return dual;
    }
    // Nodes: 0 = r, 1..s sellers, s+1..s+b buyers. Potentials start at 0 (virtual source).
    double[] pi = new double[1 + s + b];
    boolean changed = true;
    int rounds = 0;
    while (changed && rounds++ <= s + b + 1) {
      changed = false;
      for (int a = 0; a < s; a++) {
        int sn = 1 + a;
        if (net.amount[sIdx[a]] - sent[a] > EPS && pi[0] < pi[sn] - 1e-15) { // r -> s_i
          pi[sn] = pi[0];
          changed = true;
        }
        if (sent[a] > EPS && pi[sn] < pi[0] - 1e-15) { // s_i -> r
          pi[0] = pi[sn];
          changed = true;
        }
        for (int c = 0; c < b; c++) {
          int bn = 1 + s + c;
          double via = pi[sn] - gain[a][c]; // s_i -> b_j, cost -gain
          if (via < pi[bn] - 1e-15) {
            pi[bn] = via;
            changed = true;
          }
          if (x[a][c] > 0) { // b_j -> s_i, cost +gain
            double back = pi[bn] + gain[a][c];
            if (back < pi[sn] - 1e-15) {
              pi[sn] = back;
              changed = true;
            }
          }
        }
      }
      for (int c = 0; c < b; c++) {
        int bn = 1 + s + c;
        if (net.amount[bIdx[c]] - recv[c] > EPS && pi[bn] < pi[0] - 1e-15) { // b_j -> r
          pi[0] = pi[bn];
          changed = true;
        }
        if (recv[c] > EPS && pi[0] < pi[bn] - 1e-15) { // r -> b_j
          pi[bn] = pi[0];
          changed = true;
        }
      }
    }
    for (int a = 0; a < s; a++) {
      dual[sPos[a]] = Math.max(0, pi[1 + a] - pi[0]);
    }
    for (int c = 0; c < b; c++) {
      dual[bPos[c]] = Math.max(0, pi[0] - pi[1 + s + c]);
    }
    return dual;
  }

  /**
   * The dual price of a member (u for a seller, v for a buyer).
   *
   * @param e the coalition
   * @param k member position
   * @return the dual, 0 or more
   */
  public static double dual(Evaluation e, int k) {
    return e.dual[k];
  }

  private static final class Key {
    private final int[] m;
    private final int hash;

    Key(int[] m) {
      this.m = m;
      this.hash = Arrays.hashCode(m);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(m, k.m);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}

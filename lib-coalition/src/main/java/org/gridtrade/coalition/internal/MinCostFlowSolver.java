package org.gridtrade.coalition.internal;

import java.util.Arrays;

/**
 * Exact transport solver: successive shortest augmenting paths with Johnson potentials and a dense
 * Dijkstra (a min-cost-flow algorithm), stopping when the cheapest augmenting path no longer gains.
 * Each path saturates a seller, a buyer or empties a transfer, so it ends after finitely many
 * paths; each Dijkstra costs {@code O((s + b)² + s·b)}. Deterministic: ties break by index.
 * Stateless and thread-safe.
 */
public final class MinCostFlowSolver implements TransportSolver {
  /** Flows below this (kWh) are treated as zero. */
  static final double FLOW_EPS = 1e-12;

  /** A path must gain more than this (per kWh) to be augmented. */
  static final double GAIN_EPS = 1e-13;

  /** The shared instance. */
  public static final MinCostFlowSolver INSTANCE = new MinCostFlowSolver();

  private MinCostFlowSolver() {}

  @Override
  public double[][] solve(double[] supply, double[] demand, double[][] gain) {
    int s = supply.length;
    int b = demand.length;
    double[][] x = new double[s][b];
    if (s == 0 || b == 0) {
      return x;
    }
    double[] remS = supply.clone();
    double[] remB = demand.clone();
    // Costs c = -gain. Nodes: sellers 0..s-1, buyers s..s+b-1, sink s+b; source implicit (pot 0).
    int v = s + b + 1;
    int sink = s + b;
    double[] pot = new double[v];
    double minAll = 0;
    for (int j = 0; j < b; j++) {
      double m = 0;
      for (int i = 0; i < s; i++) {
        m = Math.min(m, -gain[i][j]);
      }
      pot[s + j] = m;
      minAll = Math.min(minAll, m);
    }
    pot[sink] = minAll;
    double[] dist = new double[v];
    int[] prev = new int[v];
    boolean[] done = new boolean[v];
    // For each buyer, the sellers that currently send it energy (reverse residual edges).
    int[][] senders = new int[b][4];
    int[] nSenders = new int[b];
    MinHeap heap = new MinHeap(v);
    while (true) {
      Arrays.fill(dist, Double.POSITIVE_INFINITY);
      Arrays.fill(prev, -1);
      Arrays.fill(done, false);
      for (int i = 0; i < s; i++) {
        if (remS[i] > FLOW_EPS) {
          dist[i] = Math.max(0, -pot[i]); // reduced cost of source -> seller
          prev[i] = -2; // from the source
        }
      }
      heap.clear();
      for (int i = 0; i < s; i++) {
        if (prev[i] == -2) {
          heap.push(i, dist[i]);
        }
      }
      while (!heap.isEmpty()) {
        double best = heap.minKey();
        int u = heap.pop();
        if (done[u] || best > dist[u]) {
          continue;
        }
        if (u == sink) {
          break;
        }
        done[u] = true;
        if (u < s) {
          double[] g = gain[u];
          for (int j = 0; j < b; j++) {
            int w = s + j;
            if (done[w]) {
              continue;
            }
            double rc = Math.max(0, -g[j] + pot[u] - pot[w]);
            if (best + rc < dist[w]) {
              dist[w] = best + rc;
              prev[w] = u;
              heap.push(w, dist[w]);
            }
          }
        } else {
          int j = u - s;
          int[] snd = senders[j];
          for (int q = 0; q < nSenders[j]; q++) {
            int i = snd[q];
            if (!done[i]) {
              double rc = Math.max(0, gain[i][j] + pot[u] - pot[i]);
              if (best + rc < dist[i]) {
                dist[i] = best + rc;
                prev[i] = u;
                heap.push(i, dist[i]);
              }
            }
          }
          if (remB[j] > FLOW_EPS && !done[sink]) {
            double rc = Math.max(0, pot[u] - pot[sink]);
            if (best + rc < dist[sink]) {
              dist[sink] = best + rc;
              prev[sink] = u;
              heap.push(sink, dist[sink]);
            }
          }
        }
      }
      if (dist[sink] == Double.POSITIVE_INFINITY) {
        break;
      }
      double pathCost = dist[sink] + pot[sink]; // real cost: reduced + pot(sink) - pot(source)
      if (pathCost >= -GAIN_EPS) {
        break;
      }
      // Bottleneck.
      int lastBuyer = prev[sink];
      double push = remB[lastBuyer - s];
      int node = lastBuyer;
      int firstSeller = -1;
      while (true) {
        int p = prev[node];
        if (p == -2) {
          firstSeller = node;
          break;
        }
        if (node < s) { // reached seller `node` from buyer p via a reverse edge
          push = Math.min(push, x[node][p - s]);
        }
        node = p;
      }
      push = Math.min(push, remS[firstSeller]);
      // Augment.
      remB[lastBuyer - s] -= push;
      remS[firstSeller] -= push;
      node = lastBuyer;
      while (prev[node] != -2) {
        int p = prev[node];
        if (node >= s) { // seller p -> buyer node
          int j = node - s;
          if (x[p][j] == 0) {
            if (nSenders[j] == senders[j].length) {
              senders[j] = Arrays.copyOf(senders[j], 2 * nSenders[j]);
            }
            senders[j][nSenders[j]++] = p;
          }
          x[p][j] += push;
        } else { // buyer p -> seller node: cancel flow
          int j = p - s;
          x[node][j] -= push;
          if (x[node][j] < FLOW_EPS) {
            x[node][j] = 0;
            int[] snd = senders[j];
            for (int q = 0; q < nSenders[j]; q++) {
              if (snd[q] == node) {
                snd[q] = snd[--nSenders[j]];
                break;
              }
            }
          }
        }
        node = p;
      }
      double cap = dist[sink];
      for (int k = 0; k < v; k++) {
        pot[k] += Math.min(dist[k], cap);
      }
    }
    return x;
  }
}

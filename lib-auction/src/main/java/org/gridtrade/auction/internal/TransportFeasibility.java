package org.gridtrade.auction.internal;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.gridtrade.auction.DrInstance;

/**
 * Whether the EVs' minimum energies can be delivered when cells have capacities (maximum buying
 * prices against minimum selling prices): a maximum flow from the EVs' needs {@code e_i^min / ηρ}
 * through the cells to the SPs' capacities (Dinic's algorithm on real capacities). Stateless.
 */
public final class TransportFeasibility {

  private TransportFeasibility() {}

  /**
   * The most supply an SP gives an EV: its capacity, cut where its marginal price {@code 2 c1 s +
   * c2 + minPrice} would exceed the EV's maximum price; 0 if even the first kWh does.
   *
   * @param ev the EV
   * @param sp the SP
   * @return the cell's capacity, 0 or more
   */
  public static double cellCapacity(DrInstance.Ev ev, DrInstance.Sp sp) {
    if (Double.isInfinite(ev.maxPrice())) {
      return sp.capacity();
    }
    double headroom = ev.maxPrice() - sp.c2() - sp.minPrice();
    return headroom <= 0 ? 0 : Math.min(sp.capacity(), headroom / (2 * sp.c1()));
  }

  /**
   * How much of the EVs' total minimum supply cannot be delivered.
   *
   * @param evs the EVs
   * @param sps the SPs
   * @param k ηρ
   * @return the shortfall in supply units, 0 if every minimum can be met
   */
  public static double shortfall(List<DrInstance.Ev> evs, List<DrInstance.Sp> sps, double k) {
    return shortfall(evs, sps, k, Set.of());
  }

  /**
   * How much of the EVs' total minimum supply cannot be delivered when some links are excluded.
   *
   * @param evs the EVs
   * @param sps the SPs
   * @param k ηρ
   * @param excluded the (EV, SP) pairs that may not trade
   * @return the shortfall in supply units, 0 if every minimum can be met
   */
  public static double shortfall(
      List<DrInstance.Ev> evs, List<DrInstance.Sp> sps, double k, Set<DrInstance.Link> excluded) {
    boolean capped = !excluded.isEmpty();
    for (DrInstance.Ev ev : evs) {
      capped |= Double.isFinite(ev.maxPrice());
    }
    if (!capped) {
      return 0; // the complete bipartite transport: the aggregate condition is the whole story
    }
    int n = evs.size();
    int m = sps.size();
    // nodes: 0 source, 1..n EVs, n+1..n+m SPs, n+m+1 sink
    int nodes = n + m + 2;
    int sink = n + m + 1;
    int edges = 2 * (n + m + n * m);
    int[] head = new int[nodes];
    Arrays.fill(head, -1);
    int[] next = new int[edges];
    int[] to = new int[edges];
    double[] cap = new double[edges];
    int[] count = {0};
    double need = 0;
    for (int i = 0; i < n; i++) {
      double lo = evs.get(i).eMin() / k;
      need += lo;
      add(head, next, to, cap, count, 0, 1 + i, lo);
      for (int j = 0; j < m; j++) {
        double c =
            excluded.contains(new DrInstance.Link(evs.get(i).id(), sps.get(j).id()))
                ? 0
                : cellCapacity(evs.get(i), sps.get(j));
        if (c > 0) {
          add(head, next, to, cap, count, 1 + i, 1 + n + j, c);
        }
      }
    }
    for (int j = 0; j < m; j++) {
      add(head, next, to, cap, count, 1 + n + j, sink, sps.get(j).capacity());
    }
    double eps = 1e-12 * Math.max(1, need);
    double flow = 0;
    int[] level = new int[nodes];
    int[] it = new int[nodes];
    while (true) {
      Arrays.fill(level, -1);
      level[0] = 0;
      ArrayDeque<Integer> queue = new ArrayDeque<>();
      queue.add(0);
      while (!queue.isEmpty()) {
        int v = queue.poll();
        for (int e = head[v]; e >= 0; e = next[e]) {
          if (cap[e] > eps && level[to[e]] < 0) {
            level[to[e]] = level[v] + 1;
            queue.add(to[e]);
          }
        }
      }
      if (level[sink] < 0) {
        break;
      }
      System.arraycopy(head, 0, it, 0, nodes);
      double pushed;
      while ((pushed = push(0, sink, Double.POSITIVE_INFINITY, level, it, next, to, cap, eps))
          > eps) {
        flow += pushed;
      }
    }
    return Math.max(0, need - flow);
  }

  private static void add(
      int[] head, int[] next, int[] to, double[] cap, int[] count, int a, int b, double c) {
    int e = count[0];
    to[e] = b;
    cap[e] = c;
    next[e] = head[a];
    head[a] = e;
    to[e + 1] = a;
    cap[e + 1] = 0;
    next[e + 1] = head[b];
    head[b] = e + 1;
    count[0] = e + 2;
  }

  /** One blocking-flow path of Dinic's algorithm; depth at most 3, so the recursion is shallow. */
  private static double push(
      int v,
      int sink,
      double limit,
      int[] level,
      int[] it,
      int[] next,
      int[] to,
      double[] cap,
      double eps) {
    if (v == sink) {
      return limit;
    }
    for (; it[v] >= 0; it[v] = next[it[v]]) {
      int e = it[v];
      int w = to[e];
      if (cap[e] > eps && level[w] == level[v] + 1) {
        double d = push(w, sink, Math.min(limit, cap[e]), level, it, next, to, cap, eps);
        if (d > eps) {
          cap[e] -= d;
          cap[e ^ 1] += d;
          return d;
        }
      }
    }
    return 0;
  }
}

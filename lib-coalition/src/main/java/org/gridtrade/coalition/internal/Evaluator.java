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
  // Unions whose insertion was abandoned by evaluateUnionUnlessWorse: the (base, other) pair of the
  // first request, so that a later request computes exactly what that first request would have.
  private final Map<Key, Evaluation[]> deferred = new HashMap<>();
  private long solves;
  // Local node of each member of the newest Local (see Local.node); other entries are stale.
  private final int[] nodeOf;

  private final boolean reference;
  private long insertions;
  private long shortestPaths;
  private long settledNodes;
  private long scannedNodes;

  /**
   * An evaluator.
   *
   * @param net the network
   * @param solver the transport solver
   */
  public Evaluator(Network net, TransportSolver solver) {
    this(net, solver, false);
  }

  /**
   * An evaluator, optionally on the reference path.
   *
   * @param net the network
   * @param solver the transport solver
   * @param reference true for the reference path: shortest paths by the plain dense scan and no
   *     early give-up, which the default path must match bit for bit
   */
  public Evaluator(Network net, TransportSolver solver, boolean reference) {
    this.net = net;
    this.solver = solver;
    this.reference = reference;
    this.nodeOf = new int[net.n];
  }

  /**
   * Whether this evaluator is on the reference path.
   *
   * @return true for the reference path
   */
  public boolean reference() {
    return reference;
  }

  /**
   * Work done so far, for diagnostics: unions solved by insertion (to the end or given up),
   * shortest path searches, nodes settled by them, and nodes scanned by their selection and
   * relaxation loops.
   *
   * @return {insertions, shortest paths, settled nodes, scanned nodes}
   */
  public long[] work() {
    return new long[] {insertions, shortestPaths, settledNodes, scannedNodes};
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
      Evaluation[] d = deferred.remove(k);
      e = d != null ? insert(d[0], d[1], members.clone(), null, 0) : solve(members);
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
    Local l = new Local(members);
    double[][] x;
    if (l.s > 0 && l.b > 0) {
      x = solver.solve(l.supply, l.demand, l.gain);
      solves++;
    } else {
      x = new double[l.s][l.b];
    }
    return finish(l, x, new double[1 + l.s + l.b]);
  }

  /**
   * The coalition {@code a ∪ b}, from the cache or by inserting the smaller side's members one at a
   * time into the larger side's optimal transfers (successive shortest paths from each new member,
   * starting from the larger side's optimal potentials). Exact: the result is an optimum of the
   * union's LP.
   *
   * @param a a coalition
   * @param b a disjoint coalition
   * @return the union's evaluation
   */
  public Evaluation evaluateUnion(Evaluation a, Evaluation b) {
    return evaluateUnionUnlessWorse(a, b, null, 0);
  }

  /**
   * Like {@link #evaluateUnion}, but gives up, returning {@code null}, as soon as the insertion
   * proves that the finished union would leave some member's score below {@code current[i] − tol}
   * (so the union cannot be a Pareto improvement over {@code current}). The result, when not null,
   * is the very evaluation {@link #evaluateUnion} returns; a union given up on is remembered by its
   * first request's sides and computed from them if it is asked for again.
   *
   * <p>Why giving up is sound. The smaller side's members are inserted one at a time, each by
   * successive shortest paths between the new member and the EDC node r. A path for a new seller
   * runs from it to r, a path for a new buyer from r to it, and a shortest path is simple, so r is
   * only its last (first) node. The only path arcs that change how much a member trades inside are
   * the ones at r: for a new seller, an arc {@code s → r} lowers seller s's internal sales and an
   * arc {@code b → r} raises buyer b's internal purchases; for a new buyer, {@code r → s} raises
   * s's sales and {@code r → b} lowers b's purchases. Interior nodes only re-route. So a seller's
   * internal sales {@code S} can rise, from any point on, by at most {@code R}: the unmet demand of
   * the buyer being inserted plus the demand of the buyers still to insert (each unit pushed to a
   * new buyer raises at most one seller's sales, by that unit); symmetrically for a buyer's
   * purchases and the sellers' supply. A member other than the one being inserted, with amount A,
   * EDC loss rate λ and half its cheapest internal rate h (over the union's members of the other
   * role), ends with attributed loss {@code Σ X·rate/2 + (A − S')·λ >= S'·h + (A − S')·λ} for its
   * final {@code S' ∈ [0, min(A, S + R)]}, which is at least {@code A·λ − min(A, S + R)·max(0, λ −
   * h)}. When that bound exceeds the loss at which its score falls below {@code current − tol}
   * (plus a margin of {@code 1e-9 · (1 + A)} kWh, far above the rounding of the sums), the finished
   * union is rejected by the Pareto test whatever the remaining paths do. The bound is checked for
   * every member whose trade has fallen at an arc at r, after each augmentation and after each
   * inserted member (R only shrinks). It never changes the paths, so a union not given up on is
   * computed exactly as {@link #evaluateUnion} computes it.
   *
   * @param a a coalition
   * @param b a disjoint coalition
   * @param current every prosumer's current score, or null never to give up
   * @param tol the Pareto tolerance
   * @return the union's evaluation, or null when it is proven not to be a Pareto improvement
   */
  public Evaluation evaluateUnionUnlessWorse(
      Evaluation a, Evaluation b, double[] current, double tol) {
    int[] members = FormationEngine.union(a.members, b.members);
    Key k = new Key(members);
    Evaluation e = cache.get(k);
    if (e == null) {
      Evaluation[] d = deferred.get(k);
      if (d == null) {
        d =
            a.members.length >= b.members.length
                ? new Evaluation[] {a, b}
                : new Evaluation[] {b, a};
      }
      e = insert(d[0], d[1], members, current, tol);
      if (e == null) {
        deferred.putIfAbsent(k, d);
        return null;
      }
      deferred.remove(k);
      cache.put(k, e);
    }
    return e;
  }

  private Evaluation insert(
      Evaluation base, Evaluation other, int[] members, double[] current, double tol) {
    Local l = new Local(members);
    double[][] x = new double[l.s][l.b];
    int v = 1 + l.s + l.b;
    double[] pot = new double[v];
    boolean[] active = new boolean[v];
    active[0] = true;
    pot[0] = base.pot[0];
    for (int k = 0; k < base.members.length; k++) {
      int node = l.node(base.members[k]);
      if (node > 0) {
        active[node] = true;
        pot[node] = base.pot[1 + k];
      }
    }
    for (int f = 0; f < base.flowEnergy.length; f++) {
      x[l.node(base.flowSeller[f]) - 1][l.node(base.flowBuyer[f]) - 1 - l.s] = base.flowEnergy[f];
    }
    double[] sent = new double[l.s];
    double[] recv = new double[l.b];
    for (int a = 0; a < l.s; a++) {
      for (int c = 0; c < l.b; c++) {
        sent[a] += x[a][c];
        recv[c] += x[a][c];
      }
    }
    insertions++;
    Inserter ins = new Inserter(l, x, sent, recv, pot, active);
    ins.dense = reference;
    int[] om = other.members;
    // Amounts of the sellers and buyers inserted after position p (for the give-up bound).
    double[] laterSupply = new double[om.length + 1];
    double[] laterDemand = new double[om.length + 1];
    for (int p = om.length - 1; p >= 0; p--) {
      int i = om[p];
      laterSupply[p] = laterSupply[p + 1] + (net.role[i] == Network.SELLER ? net.amount[i] : 0);
      laterDemand[p] = laterDemand[p + 1] + (net.role[i] == Network.BUYER ? net.amount[i] : 0);
    }
    ins.current = current;
    ins.tol = tol;
    for (int p = 0; p < om.length; p++) {
      int node = l.node(om[p]);
      ins.laterSupply = laterSupply[p + 1];
      ins.laterDemand = laterDemand[p + 1];
      if (node > 0 && node <= l.s) {
        ins.insertSeller(node - 1);
      } else if (node > l.s) {
        ins.insertBuyer(node - 1 - l.s);
      }
      ins.source = -1;
      if (ins.worse || ins.anyProvenWorse()) {
        count(ins);
        return null;
      }
    }
    count(ins);
    if (l.s > 0 && l.b > 0) {
      solves++;
    }
    return finish(l, x, pot);
  }

  private void count(Inserter ins) {
    shortestPaths += ins.paths;
    settledNodes += ins.settledCount;
    scannedNodes += ins.scanned;
  }

  /** The union's sellers and buyers in local numbering: node 0 the EDC, then sellers, buyers. */
  private final class Local {
    final int[] members;
    final int m;
    final int s;
    final int b;
    final int[] sIdx;
    final int[] bIdx;
    final int[] sPos;
    final int[] bPos;
    final double[] supply;
    final double[] demand;
    final double[][] gain;

    Local(int[] members) {
      this.members = members;
      this.m = members.length;
      int[] si = new int[m];
      int[] bi = new int[m];
      int[] sp = new int[m];
      int[] bp = new int[m];
      int ns = 0;
      int nb = 0;
      for (int k = 0; k < m; k++) {
        int i = members[k];
        if (net.role[i] == Network.SELLER) {
          sp[ns] = k;
          si[ns++] = i;
        } else if (net.role[i] == Network.BUYER) {
          bp[nb] = k;
          bi[nb++] = i;
        }
      }
      this.s = ns;
      this.b = nb;
      this.sIdx = si;
      this.bIdx = bi;
      this.sPos = sp;
      this.bPos = bp;
      this.supply = new double[ns];
      this.demand = new double[nb];
      this.gain = new double[ns][nb];
      for (int a = 0; a < ns; a++) {
        supply[a] = net.amount[si[a]];
        for (int c = 0; c < nb; c++) {
          gain[a][c] = net.gain(si[a], bi[c]);
        }
      }
      for (int c = 0; c < nb; c++) {
        demand[c] = net.amount[bi[c]];
      }
      for (int k = 0; k < m; k++) {
        nodeOf[members[k]] = 0;
      }
      for (int a = 0; a < ns; a++) {
        nodeOf[si[a]] = 1 + a;
      }
      for (int c = 0; c < nb; c++) {
        nodeOf[bi[c]] = 1 + ns + c;
      }
    }

    Network net() {
      return net;
    }

    /**
     * Local node of a member: 1 + seller number, 1 + s + buyer number, or 0 if balanced. Valid only
     * while this is the newest Local of the evaluator (insert builds no other).
     */
    int node(int member) {
      return nodeOf[member];
    }
  }

  private Evaluation finish(Local l, double[][] x, double[] potInit) {
    int m = l.m;
    int s = l.s;
    int b = l.b;
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
          double lo = f * net.rate(l.sIdx[a], l.bIdx[c]);
          // Loss attribution (docs/coalition.md): an internal transfer's loss is split half to each
          // end.
          loss[l.sPos[a]] += lo / 2;
          loss[l.bPos[c]] += lo / 2;
          pairs.add(new int[] {l.sIdx[a], l.bIdx[c]});
          energy.add(f);
        } else {
          x[a][c] = 0;
        }
      }
    }
    for (int a = 0; a < s; a++) {
      int i = l.sIdx[a];
      double r = Math.max(0, net.amount[i] - sent[a]);
      residual[l.sPos[a]] = r;
      loss[l.sPos[a]] += r * net.edcRate[i];
    }
    for (int c = 0; c < b; c++) {
      int j = l.bIdx[c];
      double r = Math.max(0, net.amount[j] - recv[c]);
      residual[l.bPos[c]] = r;
      loss[l.bPos[c]] += r * net.edcRate[j];
    }
    double[] score = new double[m];
    for (int k = 0; k < m; k++) {
      int i = l.members[k];
      // Eq. 3.6: PS_Si = PS_i + (E_i^loss − E_Si^loss); PS_i = 0 for buyers.
      score[k] = net.singletonScore(i) + net.standaloneLoss(i) - loss[k];
    }
    double[] pi = potInit;
    potentials(s, b, sent, recv, l.sIdx, l.bIdx, l.gain, x, pi);
    double[] dual = new double[m];
    double[] pot = new double[1 + m];
    pot[0] = pi[0];
    for (int a = 0; a < s; a++) {
      dual[l.sPos[a]] = Math.max(0, pi[1 + a] - pi[0]);
      pot[1 + l.sPos[a]] = pi[1 + a];
    }
    for (int c = 0; c < b; c++) {
      dual[l.bPos[c]] = Math.max(0, pi[0] - pi[1 + s + c]);
      pot[1 + l.bPos[c]] = pi[1 + s + c];
    }
    int f = pairs.size();
    int[] fs = new int[f];
    int[] fb = new int[f];
    double[] fe = new double[f];
    for (int q = 0; q < f; q++) {
      fs[q] = pairs.get(q)[0];
      fb[q] = pairs.get(q)[1];
      fe[q] = energy.get(q);
    }
    return new Evaluation(l.members.clone(), loss, score, residual, dual, pot, fs, fb, fe);
  }

  /*
   * Feasible potentials of the residual circulation graph (node 0 stands for the EDC), by
   * Bellman–Ford relaxation from the given start values (zeros, or nearly feasible potentials
   * after an insertion). They yield optimal LP duals: u_i = max(0, π(s_i) − π(r)) for sellers,
   * v_j = max(0, π(r) − π(b_j)) for buyers satisfy u_i + v_j >= gain_ij and complementary
   * slackness.
   */
  private void potentials(
      int s,
      int b,
      double[] sent,
      double[] recv,
      int[] sIdx,
      int[] bIdx,
      double[][] gain,
      double[][] x,
      double[] pi) {
    if (s == 0 || b == 0) {
      return;
    }
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
  }

  /**
   * Inserts members at zero flow into an optimal circulation: for a new seller, shortest paths from
   * it to the EDC node closed by its supply arc; for a new buyer, from the EDC node to it closed by
   * its demand arc; each augmented while it gains (successive shortest paths with Johnson
   * potentials, which keeps the residual graph free of negative cycles).
   */
  private static final class Inserter {
    private final Local l;
    private final double[][] x;
    private final int[][] senders; // per buyer, the sellers with positive flow to it
    private final int[] nSenders;
    private final double[] sent;
    private final double[] recv;
    private final double[] pot;
    private final boolean[] active;
    private final int v;
    private final double[] dist;
    private final int[] prev;
    private final boolean[] done;
    private final int[] open;
    private final int[] openB;
    long paths; // work counters
    long settledCount;
    long scanned;
    private int nOpenB;
    private final MinHeap heap;
    // When bValid, topN[topLo..topHi) are the open buyers with the smallest (distance, node) and
    // finite distance, in that order, and no other open buyer comes before the last of them.
    private static final int TOP = 4;
    private final double[] topD = new double[TOP];
    private final int[] topN = new int[TOP];
    private int topLo;
    private int topHi;
    private boolean bValid;
    // A lower bound on the distance of every open buyer (kept whether or not bValid): while the
    // heap's minimum is at most bLow, a seller or the EDC node is selected without a rescan.
    private double bLow;
    boolean dense; // select by the reference dense scan (shortestDense)
    double[] current; // prosumer scores the union must not push below current - tol, or null
    double tol;
    double laterSupply; // supply of the sellers still to insert after the current member
    double laterDemand; // demand of the buyers still to insert after the current member
    int source = -1; // the node being inserted
    boolean worse; // proven: some member ends below current - tol
    private int[] dropped = new int[8]; // nodes whose internal trade has fallen at an arc at r
    private int nDropped;
    private boolean[] isDropped;
    private double[] half; // half the cheapest internal rate of a node, NaN until needed

    Inserter(Local l, double[][] x, double[] sent, double[] recv, double[] pot, boolean[] active) {
      this.l = l;
      this.x = x;
      this.senders = new int[l.b][4];
      this.nSenders = new int[l.b];
      for (int a = 0; a < l.s; a++) {
        for (int c = 0; c < l.b; c++) {
          if (x[a][c] > 0) {
            addSender(c, a);
          }
        }
      }
      this.sent = sent;
      this.recv = recv;
      this.pot = pot;
      this.active = active;
      this.v = 1 + l.s + l.b;
      this.dist = new double[v];
      this.prev = new int[v];
      this.done = new boolean[v];
      this.open = new int[v];
      this.openB = new int[v];
      this.heap = new MinHeap(l.s + 1);
    }

    private void addSender(int c, int a) {
      if (nSenders[c] == senders[c].length) {
        senders[c] = Arrays.copyOf(senders[c], 2 * nSenders[c]);
      }
      senders[c][nSenders[c]++] = a;
    }

    void insertSeller(int a) {
      int node = 1 + a;
      double p = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < l.b; c++) {
        if (active[1 + l.s + c]) {
          p = Math.max(p, pot[1 + l.s + c] + l.gain[a][c]);
        }
      }
      pot[node] = p == Double.NEGATIVE_INFINITY ? pot[0] : p;
      active[node] = true;
      source = node;
      while (l.supply[a] - sent[a] > EPS) {
        // A path a -> r gains iff its reduced length is below pot(a) - pot(r).
        double bound = pot[node] - pot[0] - MinCostFlowSolver.GAIN_EPS;
        if (bound <= 0 || !shortest(node, 0, bound)) {
          return; // potentials stay feasible, including the arc r -> a
        }
        double push = Math.min(l.supply[a] - sent[a], bottleneck(0, node));
        int last = prev[0];
        augment(0, node, push);
        sent[a] += push; // the closing arc r -> a
        updatePotentials(dist[0]);
        if (current != null) {
          if (last <= l.s) {
            markDropped(last); // its sales fell along the arc last -> r
          }
          if (anyProvenWorse()) {
            worse = true;
            return;
          }
        }
      }
    }

    void insertBuyer(int c) {
      int node = 1 + l.s + c;
      double p = Double.POSITIVE_INFINITY;
      for (int a = 0; a < l.s; a++) {
        if (active[1 + a]) {
          p = Math.min(p, pot[1 + a] - l.gain[a][c]);
        }
      }
      pot[node] = p == Double.POSITIVE_INFINITY ? pot[0] : p;
      active[node] = true;
      source = node;
      while (l.demand[c] - recv[c] > EPS) {
        double bound = pot[0] - pot[node] - MinCostFlowSolver.GAIN_EPS;
        if (bound <= 0 || !shortest(0, node, bound)) {
          return;
        }
        double push = Math.min(l.demand[c] - recv[c], bottleneck(node, 0));
        int first = node;
        while (prev[first] != 0) {
          first = prev[first];
        }
        augment(node, 0, push);
        recv[c] += push; // the closing arc b -> r
        updatePotentials(dist[node]);
        if (current != null) {
          if (first > l.s) {
            markDropped(first); // its purchases fell along the arc r -> first
          }
          if (anyProvenWorse()) {
            worse = true;
            return;
          }
        }
      }
    }

    private void markDropped(int node) {
      if (isDropped == null) {
        isDropped = new boolean[v];
        half = new double[v];
        Arrays.fill(half, Double.NaN);
      }
      if (!isDropped[node]) {
        isDropped[node] = true;
        if (nDropped == dropped.length) {
          dropped = Arrays.copyOf(dropped, 2 * nDropped);
        }
        dropped[nDropped++] = node;
      }
    }

    /* Whether the bound of evaluateUnionUnlessWorse already condemns a member whose trade fell. */
    boolean anyProvenWorse() {
      for (int q = 0; q < nDropped; q++) {
        if (dropped[q] != source && provenWorse(dropped[q])) {
          return true;
        }
      }
      return false;
    }

    /*
     * The bound of evaluateUnionUnlessWorse for the member at a local node other than the one
     * being inserted: its internal trade S (sent for a seller, received for a buyer) can rise by
     * at most R, the amount the members of the other role still to insert can take or give, so
     * its final attributed loss is at least A·λ − min(A, S + R)·max(0, λ − h), h half the cheapest
     * internal rate it could use.
     */
    private boolean provenWorse(int node) {
      int s = l.s;
      Network net = l.net();
      int i;
      double traded;
      double more;
      if (node <= s) {
        i = l.sIdx[node - 1];
        traded = sent[node - 1];
        more = laterDemand;
        if (source > s) {
          more += l.demand[source - 1 - s] - recv[source - 1 - s];
        }
      } else {
        i = l.bIdx[node - 1 - s];
        traded = recv[node - 1 - s];
        more = laterSupply;
        if (source > 0 && source <= s) {
          more += l.supply[source - 1] - sent[source - 1];
        }
      }
      double h = half[node];
      if (Double.isNaN(h)) {
        h = Double.POSITIVE_INFINITY;
        if (node <= s) {
          for (int c = 0; c < l.b; c++) {
            h = Math.min(h, net.rate(i, l.bIdx[c]) / 2);
          }
        } else {
          for (int a = 0; a < s; a++) {
            h = Math.min(h, net.rate(l.sIdx[a], i) / 2);
          }
        }
        half[node] = h;
      }
      double amount = net.amount[i];
      double edc = net.edcRate[i];
      double reach = Math.min(amount, Math.max(0, traded) + Math.max(0, more));
      double lower = amount * edc - reach * Math.max(0, edc - h);
      double limit = net.singletonScore(i) + net.standaloneLoss(i) - current[i] + tol;
      return lower > limit + 1e-9 * (1 + amount);
    }

    /*
     * Dijkstra on reduced costs from source. Returns true when target is reached with a distance
     * below bound. Otherwise stops as soon as no unsettled node is closer than bound, shifts the
     * potentials by min(dist, cap) with cap >= bound (which keeps every reduced cost >= 0, and
     * the closing arc's too) and returns false.
     */
    private boolean shortest(int source, int target, double bound) {
      return dense ? shortestDense(source, target, bound) : shortestSplit(source, target, bound);
    }

    /*
     * The same search as shortestDense, settling the same nodes in the same order with the same
     * arithmetic, so every distance, predecessor and potential is bit for bit the same; only the
     * selection is cheaper. The EDC node and the sellers (whose distances change only when the EDC
     * or a buyer is settled, through few arcs) sit in a heap ordered by (distance, node). The
     * buyers' minimum is found in the same pass that relaxes a settled seller's arcs to them; after
     * a buyer is settled, one rescan lists the next TOP nearest buyers, so a run of buyer
     * settlements costs one rescan. Sellers and the EDC have lower node numbers than
     * every buyer, so comparing the two minima by (distance, node) keeps "ties to the lowest node".
     */
    private boolean shortestSplit(int source, int target, double bound) {
      paths++;
      Arrays.fill(dist, Double.POSITIVE_INFINITY);
      Arrays.fill(prev, -1);
      Arrays.fill(done, false);
      dist[source] = 0;
      int s = l.s;
      double settled = 0;
      int nOpenB = 0;
      for (int k = s + 1; k < v; k++) {
        if (active[k]) {
          openB[nOpenB++] = k;
        }
      }
      this.nOpenB = nOpenB;
      heap.clear();
      if (source <= s) {
        heap.push(source, 0);
      }
      bValid = false;
      bLow = Double.NEGATIVE_INFINITY;
      double[] dist = this.dist;
      double[] pot = this.pot;
      int[] openB = this.openB;
      while (true) {
        while (!heap.isEmpty()) {
          int k = heap.minNode();
          if (!done[k] && heap.minKey() == dist[k]) {
            break;
          }
          heap.pop();
        }
        // A buyer ties with a seller or the EDC only at a higher node number, so when the heap's
        // minimum is at most bLow the selection below picks it, whatever the buyers' shortlist.
        if (!bValid && (heap.isEmpty() || heap.minKey() > bLow)) {
          topLo = 0;
          topHi = 0;
          for (int q = 0; q < this.nOpenB; q++) {
            int k = openB[q];
            double d = dist[k];
            if (topHi < TOP || d < topD[TOP - 1]) { // in node order: ties keep the earlier buyer
              offer(d, k);
            }
          }
          bValid = true;
          bLow = topHi > 0 ? topD[0] : Double.POSITIVE_INFINITY;
          scanned += this.nOpenB;
        }
        int u = -1;
        double best = Double.POSITIVE_INFINITY;
        if (bValid && topLo < topHi) {
          u = topN[topLo];
          best = topD[topLo];
        }
        if (!heap.isEmpty() && heap.minKey() <= best) { // on a tie the seller's number is lower
          u = heap.minNode();
          best = heap.minKey();
        }
        if (u < 0) {
          updatePotentials(Math.max(bound, settled));
          return false;
        }
        if (best >= bound) {
          updatePotentials(best);
          return false;
        }
        if (u == target) {
          return true;
        }
        done[u] = true;
        settledCount++;
        if (u > s) {
          // openB stays in node order, so the passes over it read the rows in order
          int at = Arrays.binarySearch(openB, 0, this.nOpenB, u);
          System.arraycopy(openB, at + 1, openB, at, --this.nOpenB - at);
          if (++topLo == topHi) { // u was the first of the buyers' shortlist
            bValid = false;
          }
          bLow = best; // no open buyer comes before the one just settled
        } else {
          heap.pop();
        }
        settled = best;
        if (u == 0) {
          for (int a = 0; a < s; a++) {
            if (l.supply[a] - sent[a] > EPS) {
              relax(u, 1 + a, 0, best);
            }
          }
          for (int c = 0; c < l.b; c++) {
            if (recv[c] > EPS) {
              relax(u, 1 + s + c, 0, best);
            }
          }
        } else if (u <= s) {
          int a = u - 1;
          if (sent[a] > EPS) {
            relax(u, 0, 0, best);
            if (target == 0 && dist[0] == best) {
              // Every open node is at best or farther and the EDC node has the lowest number, so
              // the next selection is the target at best < bound: the search ends there, and the
              // buyers' distances this pass would lower are not read (the potentials take
              // min(dist, best) = best for every node not settled).
              return true;
            }
          }
          double[] g = l.gain[a];
          double pu = pot[u];
          int gOff = -1 - s;
          double bb = Double.POSITIVE_INFINITY; // the nearest open buyer
          int bk = -1;
          double b2 = Double.POSITIVE_INFINITY; // the second nearest
          int k2 = -1;
          int n = this.nOpenB;
          for (int q = 0; q < n; q++) { // relax(u, w, -g[w - 1 - s], best), inlined
            int w = openB[q];
            // best + Math.max(0, rc) for the finite rc here: best is +0.0 or more, never -0.0.
            double rc = -g[w + gOff] + pu - pot[w];
            double dw = rc > 0 ? best + rc : best;
            double d = dist[w];
            if (dw < d) {
              dist[w] = dw;
              prev[w] = u;
              d = dw;
            }
            // openB is in node order, so a tie never displaces an earlier buyer; infinite
            // distances never enter
            if (d < b2) {
              if (d < bb) {
                b2 = bb;
                k2 = bk;
                bb = d;
                bk = w;
              } else {
                b2 = d;
                k2 = w;
              }
            }
          }
          scanned += n;
          // The shortlist holds the two nearest here; a rescan builds a longer one if needed.
          topD[0] = bb;
          topN[0] = bk;
          topD[1] = b2;
          topN[1] = k2;
          topLo = 0;
          topHi = bk < 0 ? 0 : k2 < 0 ? 1 : 2;
          bValid = true;
          bLow = bb;
        } else {
          int c = u - 1 - s;
          int[] snd = senders[c];
          for (int q = 0; q < nSenders[c]; q++) {
            int a = snd[q];
            if (x[a][c] > EPS) {
              relax(u, 1 + a, l.gain[a][c], best);
            }
          }
          if (l.demand[c] - recv[c] > EPS) {
            relax(u, 0, 0, best);
          }
        }
      }
    }

    private boolean shortestDense(int source, int target, double bound) {
      paths++;
      Arrays.fill(dist, Double.POSITIVE_INFINITY);
      Arrays.fill(prev, -1);
      Arrays.fill(done, false);
      dist[source] = 0;
      int s = l.s;
      double settled = 0;
      // Dense selection: O(V) per step beats a heap here, where every node has O(V) arcs. Only
      // the active, unsettled nodes are scanned (the EDC node and sellers in one list, buyers in
      // another); ties go to the lowest node number, whatever the scan order. After a seller is
      // settled, its relaxations and the next selection share one scan.
      int nOpen = 0;
      int nOpenB = 0;
      for (int k = 0; k <= s; k++) {
        if (active[k]) {
          open[nOpen++] = k;
        }
      }
      for (int k = s + 1; k < v; k++) {
        if (active[k]) {
          openB[nOpenB++] = k;
        }
      }
      double[] dist = this.dist;
      double[] pot = this.pot;
      while (true) {
        int u = -1;
        int at = -1;
        double best = Double.POSITIVE_INFINITY;
        for (int q = 0; q < nOpenB; q++) {
          int k = openB[q];
          double d = dist[k];
          if (d < best || (d == best && k < u)) {
            best = d;
            u = k;
            at = q;
          }
        }
        for (int q = 0; q < nOpen; q++) {
          int k = open[q];
          double d = dist[k];
          if (d < best || (d == best && k < u)) {
            best = d;
            u = k;
            at = q;
          }
        }
        if (u < 0) {
          updatePotentials(Math.max(bound, settled));
          return false;
        }
        if (best >= bound) {
          updatePotentials(best);
          return false;
        }
        if (u == target) {
          return true;
        }
        done[u] = true;
        settledCount++;
        scanned += nOpen + nOpenB + (u > 0 && u <= s ? nOpenB : 0);
        if (u > s) {
          openB[at] = openB[--nOpenB];
        } else {
          open[at] = open[--nOpen];
        }
        settled = best;
        if (u == 0) {
          for (int a = 0; a < s; a++) {
            if (l.supply[a] - sent[a] > EPS) {
              relax(u, 1 + a, 0, best);
            }
          }
          for (int c = 0; c < l.b; c++) {
            if (recv[c] > EPS) {
              relax(u, 1 + s + c, 0, best);
            }
          }
        } else if (u <= s) {
          int a = u - 1;
          if (sent[a] > EPS) {
            relax(u, 0, 0, best);
          }
          double[] g = l.gain[a];
          double pu = pot[u];
          int gOff = -1 - s;
          for (int q = 0; q < nOpenB; q++) { // relax(u, w, -g[w - 1 - s], best), inlined
            int w = openB[q];
            double dw = best + Math.max(0, -g[w + gOff] + pu - pot[w]);
            if (dw < dist[w]) {
              dist[w] = dw;
              prev[w] = u;
            }
          }
        } else {
          int c = u - 1 - s;
          int[] snd = senders[c];
          for (int q = 0; q < nSenders[c]; q++) {
            int a = snd[q];
            if (x[a][c] > EPS) {
              relax(u, 1 + a, l.gain[a][c], best);
            }
          }
          if (l.demand[c] - recv[c] > EPS) {
            relax(u, 0, 0, best);
          }
        }
      }
    }

    /* Adds a buyer to the shortlist being built (topLo == 0, buyers offered in node order). */
    private void offer(double d, int w) {
      if (d == Double.POSITIVE_INFINITY) {
        return; // never selected, as in shortestDense
      }
      int p = topHi < TOP ? topHi++ : TOP - 1;
      while (p > 0 && d < topD[p - 1]) { // offered in node order: a tie stays behind
        topD[p] = topD[p - 1];
        topN[p] = topN[p - 1];
        p--;
      }
      topD[p] = d;
      topN[p] = w;
    }

    private void relax(int u, int w, double cost, double du) {
      if (!active[w] || done[w]) {
        return;
      }
      double rc = Math.max(0, cost + pot[u] - pot[w]);
      if (du + rc < dist[w]) {
        double d = du + rc;
        dist[w] = d;
        prev[w] = u;
        if (dense) {
          return;
        }
        if (w <= l.s) {
          heap.push(w, d);
        } else {
          bValid = false; // a buyer's distance fell outside the seller pass: rebuild the shortlist
          bLow = Math.min(bLow, d);
        }
      }
    }

    private double bottleneck(int target, int source) {
      double cap = Double.POSITIVE_INFINITY;
      int s = l.s;
      for (int w = target; w != source; w = prev[w]) {
        int u = prev[w];
        if (u == 0) {
          cap = Math.min(cap, w <= s ? l.supply[w - 1] - sent[w - 1] : recv[w - 1 - s]);
        } else if (w == 0) {
          cap = Math.min(cap, u <= s ? sent[u - 1] : l.demand[u - 1 - s] - recv[u - 1 - s]);
        } else if (u > s) { // buyer -> seller: cancel
          cap = Math.min(cap, x[w - 1][u - 1 - s]);
        }
      }
      return cap;
    }

    private void augment(int target, int source, double push) {
      int s = l.s;
      for (int w = target; w != source; w = prev[w]) {
        int u = prev[w];
        if (u == 0) {
          if (w <= s) {
            sent[w - 1] += push;
          } else {
            recv[w - 1 - s] -= push;
          }
        } else if (w == 0) {
          if (u <= s) {
            sent[u - 1] -= push;
          } else {
            recv[u - 1 - s] += push;
          }
        } else if (u <= s) {
          if (x[u - 1][w - 1 - s] == 0) {
            addSender(w - 1 - s, u - 1);
          }
          x[u - 1][w - 1 - s] += push;
        } else {
          int a = w - 1;
          int c = u - 1 - s;
          x[a][c] -= push;
          if (x[a][c] < EPS) {
            x[a][c] = 0;
            int[] snd = senders[c];
            for (int q = 0; q < nSenders[c]; q++) {
              if (snd[q] == a) {
                snd[q] = snd[--nSenders[c]];
                break;
              }
            }
          }
        }
      }
    }

    private void updatePotentials(double cap) {
      for (int k = 0; k < v; k++) {
        if (active[k]) {
          pot[k] += Math.min(dist[k], cap);
        }
      }
    }
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

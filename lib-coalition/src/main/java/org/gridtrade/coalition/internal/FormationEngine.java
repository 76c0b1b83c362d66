package org.gridtrade.coalition.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Moniruzzaman Alg. 3 as docs/coalition.md, "The model", states it: singletons, initial
 * seller–buyer pairing, then merge-and-split rounds under the Pareto order until a round changes
 * nothing. Not thread-safe; one engine per run.
 *
 * <p>Termination. Every accepted operation is a Pareto improvement by more than {@code tol} for
 * some member and costs no member more than {@code tol}; each accepted merge lowers the number of
 * coalitions by one. No split is ever a Pareto improvement: the members' scores sum to a constant
 * minus the coalition's total loss, a Pareto improvement raises that sum, yet the loss of S is at
 * most the loss of any two parts A, B because the union of their transfers is feasible for S. So in
 * exact arithmetic the run performs at most {@code n − 1} merges; a hard cap on operations guards
 * against a solver returning a slightly suboptimal loss and ends the run with {@code converged =
 * false} rather than looping.
 */
public final class FormationEngine {
  private final Evaluator ev;
  private final Network net;
  private final double tol;
  private final int maxSplitEnumeration;
  private final int maxOperations;

  /** Partitions after each step, as member index arrays. */
  public final List<int[][]> iterationPartitions = new ArrayList<>();

  /** Per-prosumer scores after each step. */
  public final List<double[]> iterationScores = new ArrayList<>();

  /** What each step did. */
  public final List<String> iterationSteps = new ArrayList<>();

  /** The final coalitions. */
  public final List<Evaluation> result = new ArrayList<>();

  /** Accepted merges. */
  public int merges;

  /** Accepted splits. */
  public int splits;

  /** Whether a round without operations was reached before the cap. */
  public boolean converged;

  /** Merge candidates checked by their duals (pairs of coalitions looked at). */
  public long dualChecks;

  /** Merge candidates whose union was evaluated (the duals did not rule them out). */
  public long unionChecks;

  /** Of those, the ones given up before the union was solved to the end (proven rejected). */
  public long givenUp;

  private final List<Coal> coals = new ArrayList<>();
  private final double[] cur;
  private final PairSet rejected = new PairSet();
  private final Set<Integer> splitChecked = new HashSet<>();
  private int nextId;

  /*
   * A set of pair keys by open addressing. Boxed longs in a HashSet hash poorly here: Long.hashCode
   * folds the two ids by XOR, so with small ids most pairs land in few buckets.
   */
  private static final class PairSet {
    private long[] keys = new long[1024];
    private boolean[] used = new boolean[1024];
    private int size;

    private static int slot(long key, int mask) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 29) ^ (h >>> 47)) & mask;
    }

    boolean contains(long key) {
      int mask = keys.length - 1;
      for (int i = slot(key, mask); used[i]; i = (i + 1) & mask) {
        if (keys[i] == key) {
          return true;
        }
      }
      return false;
    }

    void add(long key) {
      if (2 * (size + 1) > keys.length) {
        long[] oldKeys = keys;
        boolean[] oldUsed = used;
        keys = new long[2 * oldKeys.length];
        used = new boolean[2 * oldKeys.length];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
          if (oldUsed[i]) {
            add(oldKeys[i]);
          }
        }
      }
      int mask = keys.length - 1;
      int i = slot(key, mask);
      while (used[i]) {
        if (keys[i] == key) {
          return;
        }
        i = (i + 1) & mask;
      }
      used[i] = true;
      keys[i] = key;
      size++;
    }
  }

  private static final class Coal {
    final int id;
    final Evaluation e;

    Coal(int id, Evaluation e) {
      this.id = id;
      this.e = e;
    }
  }

  /**
   * An engine.
   *
   * @param ev the evaluator
   * @param tol the Pareto tolerance in kWh of proof score
   * @param maxSplitEnumeration largest coalition whose two-part splits are all enumerated
   * @param maxOperations hard cap on merges plus splits
   */
  public FormationEngine(Evaluator ev, double tol, int maxSplitEnumeration, int maxOperations) {
    this.ev = ev;
    this.net = ev.network();
    this.tol = tol;
    this.maxSplitEnumeration = maxSplitEnumeration;
    this.maxOperations = maxOperations;
    this.cur = new double[net.n];
  }

  /** Runs the algorithm; results land in the public fields. */
  public void run() {
    int n = net.n;
    for (int i = 0; i < n; i++) {
      coals.add(new Coal(nextId++, ev.evaluate(new int[] {i})));
      cur[i] = net.singletonScore(i);
    }
    record("singletons");
    initialPairing();
    record("initial pairing");
    int round = 0;
    while (true) {
      round++;
      int before = merges + splits;
      mergePass();
      if (merges + splits == before) {
        splitPass();
      }
      boolean changed = merges + splits != before;
      record(changed ? "merge-and-split round " + round : "no merge or split applies");
      if (!changed) {
        converged = true;
        break;
      }
      if (merges + splits >= maxOperations) {
        converged = false;
        break;
      }
    }
    coals.sort(Comparator.comparingInt(c -> c.e.members[0]));
    for (Coal c : coals) {
      result.add(c.e);
    }
  }

  private void record(String step) {
    coals.sort(Comparator.comparingInt(c -> c.e.members[0]));
    int[][] p = new int[coals.size()][];
    for (int k = 0; k < p.length; k++) {
      p[k] = coals.get(k).e.members.clone();
    }
    iterationPartitions.add(p);
    iterationScores.add(cur.clone());
    iterationSteps.add(step);
  }

  /*
   * Alg. 3 lines 8–18: pair a seller i and a buyer j when each is closer to the other than to the
   * EDC, nearest pairs first, and neither loses by it (one must gain: Pareto order).
   */
  private void initialPairing() {
    List<double[]> cand = new ArrayList<>();
    for (int i = 0; i < net.n; i++) {
      if (net.role[i] != Network.SELLER) {
        continue;
      }
      for (int j = 0; j < net.n; j++) {
        if (net.role[j] != Network.BUYER) {
          continue;
        }
        double d = net.distance(i, j);
        if (d < net.edcDistance[i] && d < net.edcDistance[j]) {
          cand.add(new double[] {d, i, j});
        }
      }
    }
    cand.sort(
        Comparator.<double[]>comparingDouble(c -> c[0])
            .thenComparingDouble(c -> c[1])
            .thenComparingDouble(c -> c[2]));
    boolean[] used = new boolean[net.n];
    for (double[] c : cand) {
      int i = (int) c[1];
      int j = (int) c[2];
      if (used[i] || used[j]) {
        continue;
      }
      int[] m = i < j ? new int[] {i, j} : new int[] {j, i};
      Evaluation e = ev.evaluate(m);
      if (pareto(e)) {
        used[i] = true;
        used[j] = true;
        coals.removeIf(
            k -> k.e.members.length == 1 && (k.e.members[0] == i || k.e.members[0] == j));
        accept(e);
      }
    }
  }

  private void accept(Evaluation e) {
    coals.add(new Coal(nextId++, e));
    for (int k = 0; k < e.members.length; k++) {
      cur[e.members[k]] = e.score[k];
    }
  }

  private boolean pareto(Evaluation e) {
    boolean gain = false;
    for (int k = 0; k < e.members.length; k++) {
      double now = cur[e.members[k]];
      if (e.score[k] < now - tol) {
        return false;
      }
      if (e.score[k] > now + tol) {
        gain = true;
      }
    }
    return gain;
  }

  /**
   * Largest dual-feasibility violation between two coalitions: 0 proves that merging them cannot
   * lower their total loss (their optimal duals stay feasible for the merged LP), so no merge of
   * the two can be a Pareto improvement.
   *
   * @param a a coalition
   * @param b another
   * @param net the network
   * @return the largest {@code gain_ij − u_i − v_j} over cross seller–buyer pairs, or 0
   */
  public static double mergeViolation(Evaluation a, Evaluation b, Network net) {
    double best = 0;
    best = Math.max(best, cross(a, b, net));
    best = Math.max(best, cross(b, a, net));
    return best;
  }

  private static double cross(Evaluation sellers, Evaluation buyers, Network net) {
    double best = 0;
    for (int p = 0; p < sellers.members.length; p++) {
      int i = sellers.members[p];
      if (net.role[i] != Network.SELLER) {
        continue;
      }
      double u = sellers.dual[p];
      for (int q = 0; q < buyers.members.length; q++) {
        int j = buyers.members[q];
        if (net.role[j] != Network.BUYER) {
          continue;
        }
        double viol = net.gain(i, j) - u - buyers.dual[q];
        if (viol > best) {
          best = viol;
        }
      }
    }
    return best;
  }

  private void mergePass() {
    coals.sort(Comparator.comparingInt(c -> c.e.members[0]));
    for (int idx = 0; idx < coals.size(); idx++) {
      Coal s = coals.get(idx);
      boolean merged = true;
      while (merged && merges + splits < maxOperations) {
        merged = false;
        List<double[]> cand = new ArrayList<>();
        for (int t = 0; t < coals.size(); t++) {
          Coal o = coals.get(t);
          if (o == s || rejected.contains(pairKey(s.id, o.id))) {
            continue;
          }
          double v = mergeViolation(s.e, o.e, net);
          dualChecks++;
          if (v > 1e-12) {
            cand.add(new double[] {v, t});
          }
        }
        cand.sort(Comparator.<double[]>comparingDouble(c -> -c[0]).thenComparingDouble(c -> c[1]));
        for (double[] c : cand) {
          Coal o = coals.get((int) c[1]);
          // The reference path solves every union to the end; the default one may stop early when
          // the insertion proves a member would lose (Evaluator.evaluateUnionUnlessWorse).
          Evaluation e =
              ev.reference()
                  ? ev.evaluateUnion(s.e, o.e)
                  : ev.evaluateUnionUnlessWorse(s.e, o.e, cur, tol);
          unionChecks++;
          if (e == null) {
            givenUp++;
            rejected.add(pairKey(s.id, o.id));
            continue;
          }
          if (pareto(e)) {
            coals.remove(o);
            coals.remove(s);
            Coal ns = new Coal(nextId++, e);
            coals.add(Math.min(idx, coals.size()), ns);
            for (int k = 0; k < e.members.length; k++) {
              cur[e.members[k]] = e.score[k];
            }
            s = ns;
            idx = coals.indexOf(ns);
            merges++;
            merged = true;
            break;
          }
          rejected.add(pairKey(s.id, o.id));
        }
      }
    }
  }

  /*
   * Enumerates every two-part split of each coalition of at most maxSplitEnumeration members that
   * has not been checked yet (a coalition's splits depend only on its members). Larger coalitions
   * are skipped: by the lemma in the class comment no split can be a Pareto improvement.
   */
  private void splitPass() {
    for (int idx = 0; idx < coals.size(); idx++) {
      Coal c = coals.get(idx);
      int m = c.e.members.length;
      if (m < 2 || m > maxSplitEnumeration || !splitChecked.add(c.id)) {
        continue;
      }
      int[] mem = c.e.members;
      for (long mask = 1; mask < (1L << (m - 1)); mask++) {
        int[][] parts = splitByMask(mem, mask);
        Evaluation a = ev.evaluate(parts[0]);
        Evaluation b = ev.evaluate(parts[1]);
        if (paretoSplit(a, b)) {
          coals.remove(idx);
          accept(a);
          accept(b);
          splits++;
          return;
        }
      }
    }
  }

  private boolean paretoSplit(Evaluation a, Evaluation b) {
    boolean gain = false;
    for (Evaluation e : new Evaluation[] {a, b}) {
      for (int k = 0; k < e.members.length; k++) {
        double now = cur[e.members[k]];
        if (e.score[k] < now - tol) {
          return false;
        }
        if (e.score[k] > now + tol) {
          gain = true;
        }
      }
    }
    return gain;
  }

  /**
   * Splits members by a bit mask over positions: bit k set puts member k in the first part.
   *
   * @param mem sorted members
   * @param mask the mask
   * @return the two parts, each sorted
   */
  public static int[][] splitByMask(int[] mem, long mask) {
    int inA = Long.bitCount(mask);
    int[] a = new int[inA];
    int[] b = new int[mem.length - inA];
    int pa = 0;
    int pb = 0;
    for (int k = 0; k < mem.length; k++) {
      if ((mask >>> k & 1) != 0) {
        a[pa++] = mem[k];
      } else {
        b[pb++] = mem[k];
      }
    }
    return new int[][] {a, b};
  }

  /**
   * Sorted union of two disjoint sorted arrays.
   *
   * @param a first
   * @param b second
   * @return the union
   */
  public static int[] union(int[] a, int[] b) {
    int[] u = new int[a.length + b.length];
    System.arraycopy(a, 0, u, 0, a.length);
    System.arraycopy(b, 0, u, a.length, b.length);
    Arrays.sort(u);
    return u;
  }

  private static long pairKey(int a, int b) {
    int lo = Math.min(a, b);
    int hi = Math.max(a, b);
    return ((long) lo << 32) | (hi & 0xffffffffL);
  }

  /**
   * Def. 3 read strictly: how many prosumers would raise their own proof score by leaving their
   * coalition alone and joining another one of the final partition. A join that cannot lower the
   * joint loss (no dual violation) is not solved; such a join gives the mover only its singleton
   * score, which never beats its current one.
   *
   * @return the number of such prosumers
   */
  public int profitableDeviations() {
    int count = 0;
    for (Coal from : coals) {
      for (int p = 0; p < from.e.members.length; p++) {
        int i = from.e.members[p];
        if (net.role[i] == 0) {
          continue;
        }
        Evaluation alone = ev.evaluate(new int[] {i});
        for (Coal to : coals) {
          if (to == from || mergeViolation(alone, to.e, net) <= 1e-12) {
            continue;
          }
          Evaluation e = ev.evaluateUnion(alone, to.e);
          if (e.score[e.indexOf(i)] > cur[i] + tol) {
            count++;
            break;
          }
        }
      }
    }
    return count;
  }
}

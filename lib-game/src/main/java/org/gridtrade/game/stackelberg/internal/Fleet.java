package org.gridtrade.game.stackelberg.internal;

/**
 * Struct-of-arrays form of a fleet of EVs for fast best responses (Aggarwal Alg. 2).
 *
 * <p>An EV's best response depends on the prices only through the ascending order of the prices in
 * its window (ties: the earlier hour first). The count {@code m} of hours at {@code alphaMax} and
 * the one intermediate amount {@code x*} depend only on the EV, so they are computed once here; per
 * price vector the hours are ranked once, each distinct window's ordered hours are listed once, and
 * each EV then touches only its {@code m + 1} cheapest hours. No allocation per evaluation. The
 * arrays are not copied; instances are immutable after construction, but the evaluation methods
 * take caller-owned scratch buffers, so one {@link Workspace} per thread.
 */
public final class Fleet {
  /** Hours per day. */
  public static final int H = 24;

  private final int n;
  private final int[] start;
  private final int[] end;
  private final double[] lo;
  private final double[] hi;
  private final double[] energy;
  private final int[] upperCount;
  private final double[] middle;
  private final int[] windowId;
  private final int[] windows;
  private final double[] baseLoad = new double[H];
  private final double totalEnergy;

  /**
   * A fleet.
   *
   * @param start window starts
   * @param end window ends (inclusive)
   * @param energy daily energies
   * @param lo per-hour minimum
   * @param hi per-hour maximum
   */
  public Fleet(int[] start, int[] end, double[] energy, double[] lo, double[] hi) {
    this.n = start.length;
    this.start = start.clone();
    this.end = end.clone();
    this.energy = energy.clone();
    this.lo = lo.clone();
    this.hi = hi.clone();
    this.upperCount = new int[n];
    this.middle = new double[n];
    this.windowId = new int[n];
    boolean[] used = new boolean[H * H];
    double total = 0;
    for (int j = 0; j < n; j++) {
      int len = end[j] - start[j] + 1;
      double span = hi[j] - lo[j];
      int m;
      double x;
      if (span <= 1e-12 * Math.max(1.0, hi[j])) {
        m = 0;
        x = lo[j];
      } else {
        double r = (energy[j] - len * lo[j]) / span;
        m = (int) Math.floor(r + 1e-9);
        m = Math.max(0, Math.min(len, m));
        if (m >= len) {
          x = lo[j];
        } else {
          x = energy[j] - m * hi[j] - (len - m - 1) * lo[j];
          x = Math.max(lo[j], Math.min(hi[j], x));
        }
      }
      upperCount[j] = m;
      middle[j] = x;
      windowId[j] = start[j] * H + end[j];
      used[windowId[j]] = true;
      for (int h = start[j]; h <= end[j]; h++) {
        baseLoad[h] += lo[j];
      }
      total += energy[j];
    }
    int count = 0;
    for (boolean u : used) {
      count += u ? 1 : 0;
    }
    windows = new int[count];
    count = 0;
    for (int w = 0; w < used.length; w++) {
      if (used[w]) {
        windows[count++] = w;
      }
    }
    totalEnergy = total;
  }

  /**
   * Number of EVs.
   *
   * @return n
   */
  public int size() {
    return n;
  }

  /**
   * Σ_j E_j.
   *
   * @return total energy in kWh
   */
  public double totalEnergy() {
    return totalEnergy;
  }

  /** Caller-owned scratch space for one thread. */
  public static final class Workspace {
    final int[] order = new int[H];
    final int[] windowOrder = new int[H * H * H];

    /** A new workspace. */
    public Workspace() {}
  }

  /**
   * Ranks the hours by price ascending, ties by hour ascending (insertion sort, stable).
   *
   * @param prices 24 prices
   * @param order receives the hour indices, cheapest first
   */
  public static void rank(double[] prices, int[] order) {
    for (int h = 0; h < H; h++) {
      double p = prices[h];
      int i = h - 1;
      while (i >= 0 && prices[order[i]] > p) {
        order[i + 1] = order[i];
        i--;
      }
      order[i + 1] = h;
    }
  }

  private void prepare(double[] prices, Workspace ws) {
    rank(prices, ws.order);
    int[] order = ws.order;
    int[] wo = ws.windowOrder;
    for (int w : windows) {
      int s = w / H;
      int e = w % H;
      int base = w * H;
      int k = 0;
      for (int r = 0; r < H; r++) {
        int h = order[r];
        if (h >= s && h <= e) {
          wo[base + k++] = h;
        }
      }
    }
  }

  /**
   * The aggregate load {@code P_h = Σ_j x_jh} of every EV's best response to {@code prices}.
   *
   * @param prices 24 prices (any real numbers)
   * @param ws scratch space
   * @param load receives 24 loads
   */
  public void load(double[] prices, Workspace ws, double[] load) {
    prepare(prices, ws);
    System.arraycopy(baseLoad, 0, load, 0, H);
    int[] wo = ws.windowOrder;
    for (int j = 0; j < n; j++) {
      int base = windowId[j] * H;
      int m = upperCount[j];
      double up = hi[j] - lo[j];
      for (int k = 0; k < m; k++) {
        load[wo[base + k]] += up;
      }
      if (m < end[j] - start[j] + 1) {
        load[wo[base + m]] += middle[j] - lo[j];
      }
    }
  }

  /**
   * Every EV's best-response schedule.
   *
   * @param prices 24 prices
   * @param ws scratch space
   * @param x receives {@code x[j][h]}; rows of length 24
   */
  public void schedules(double[] prices, Workspace ws, double[][] x) {
    prepare(prices, ws);
    int[] wo = ws.windowOrder;
    for (int j = 0; j < n; j++) {
      double[] row = x[j];
      java.util.Arrays.fill(row, 0);
      for (int h = start[j]; h <= end[j]; h++) {
        row[h] = lo[j];
      }
      int base = windowId[j] * H;
      int m = upperCount[j];
      for (int k = 0; k < m; k++) {
        row[wo[base + k]] = hi[j];
      }
      if (m < end[j] - start[j] + 1) {
        row[wo[base + m]] = middle[j];
      }
    }
  }

  /**
   * One EV's best response (Aggarwal Alg. 2) without a fleet.
   *
   * @param prices 24 prices
   * @param s window start
   * @param e window end (inclusive)
   * @param energy daily energy
   * @param lo per-hour minimum
   * @param hi per-hour maximum
   * @return the 24-hour schedule
   */
  public static double[] bestResponse(
      double[] prices, int s, int e, double energy, double lo, double hi) {
    Fleet f =
        new Fleet(
            new int[] {s},
            new int[] {e},
            new double[] {energy},
            new double[] {lo},
            new double[] {hi});
    double[][] x = new double[1][H];
    f.schedules(prices, new Workspace(), x);
    return x[0];
  }
}

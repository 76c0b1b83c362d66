package org.gridtrade.game.stackelberg.internal;

/**
 * Local search over price orders, the polish after the GA.
 *
 * <p>A follower's best response depends on the prices only through their order (ties: the earlier
 * hour first). For a fixed order the induced load is fixed, so revenue grows with every price and
 * the best price vector realising that order is the highest one: the most expensive hour at the
 * cap, each next cheaper hour equal to its successor when the tie rule already orders them (an
 * earlier hour before a later one), else one grid step ({@code 0.01}) below it. {@link #compress}
 * builds it. The search moves one hour to another place in the order and keeps the move when the
 * fitness rises, until a pass without improvement. Not thread-safe (uses the leader's buffers).
 */
public final class OrderSearch {
  private static final double STEP = 0.01;

  private final Leader leader;
  private final double gridMin;
  private final double gridMax;

  /**
   * A search for one leader.
   *
   * @param leader the objective
   * @param pMin lowest price
   * @param upper highest price (the cap)
   */
  public OrderSearch(Leader leader, double pMin, double upper) {
    this.leader = leader;
    this.gridMin = Math.ceil(pMin * 100 - 1e-9) / 100;
    this.gridMax = Math.floor(upper * 100 + 1e-9) / 100;
  }

  /**
   * The highest prices that realise {@code order} (cheapest first).
   *
   * @param order hour indices, cheapest first
   * @param prices receives 24 prices
   */
  public void compress(int[] order, double[] prices) {
    int levels = 0;
    for (int r = Fleet.H - 2; r >= 0; r--) {
      if (order[r] > order[r + 1]) {
        levels++;
      }
    }
    int level = levels;
    prices[order[Fleet.H - 1]] = price(levels, level);
    for (int r = Fleet.H - 2; r >= 0; r--) {
      if (order[r] > order[r + 1]) {
        level--;
      }
      prices[order[r]] = price(levels, level);
    }
  }

  private double price(int levels, int level) {
    double p = gridMax - (levels - level) * STEP;
    return Math.max(gridMin, Math.round(p * 100) / 100.0);
  }

  /**
   * Local search from {@code start}.
   *
   * @param start starting prices
   * @param maxPasses pass limit
   * @return the best prices found (never worse than {@code start})
   */
  public double[] polish(double[] start, int maxPasses) {
    double[] best = start.clone();
    double bestFit = leader.fitness(best);
    int[] order = new int[Fleet.H];
    Fleet.rank(start, order);
    double[] trial = new double[Fleet.H];
    compress(order, trial);
    double fit = leader.fitness(trial);
    if (fit >= bestFit) {
      bestFit = fit;
      best = trial.clone();
    }
    int[] cand = new int[Fleet.H];
    for (int pass = 0; pass < maxPasses; pass++) {
      boolean improved = false;
      for (int i = 0; i < Fleet.H; i++) {
        for (int j = 0; j < Fleet.H; j++) {
          if (i == j) {
            continue;
          }
          move(order, i, j, cand);
          compress(cand, trial);
          double f = leader.fitness(trial);
          if (f > bestFit + 1e-9 * Math.max(1, Math.abs(bestFit))) {
            bestFit = f;
            best = trial.clone();
            System.arraycopy(cand, 0, order, 0, Fleet.H);
            improved = true;
          }
        }
      }
      if (!improved) {
        break;
      }
    }
    return best;
  }

  /** {@code out} = {@code order} with the element at {@code i} moved to position {@code j}. */
  static void move(int[] order, int i, int j, int[] out) {
    int v = order[i];
    int k = 0;
    for (int r = 0; r < Fleet.H; r++) {
      if (r == i) {
        continue;
      }
      if (k == j) {
        out[k++] = v;
      }
      out[k++] = order[r];
    }
    if (k == j) {
      out[k] = v;
    }
  }
}

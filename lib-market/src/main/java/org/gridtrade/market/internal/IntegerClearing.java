package org.gridtrade.market.internal;

import java.util.Arrays;

/**
 * The one-shot double auction of {@code org.gridtrade.auction.DoubleAuction}, in integer units:
 * prices in micro-coins per kWh, quantities in Wh. The allocation (which orders trade, and how
 * much) is the same merit-order matching; only the uniform price and McAfee's {@code p0} round,
 * down, to a whole micro-coin per kWh. Ties between equal prices go to the lower order index (the
 * earlier order). Pure and deterministic: arrays in, arrays out.
 */
public final class IntegerClearing {
  /** Uniform price (k-double auction). */
  public static final int UNIFORM = 0;

  /** Pay-as-bid. */
  public static final int PAY_AS_BID = 1;

  /** McAfee trade reduction. */
  public static final int MCAFEE = 2;

  /** The largest price the market accepts, micro-coins per kWh (1,000 coins per kWh). */
  public static final long MAX_PRICE = 1_000_000_000L;

  /** The largest order the market accepts, Wh (1 GWh). */
  public static final long MAX_QUANTITY = 1_000_000_000L;

  private static final int INDEX_BITS = 24;

  /**
   * The outcome: trade {@code t} matches buy {@code buy[t]} with sell {@code sell[t]} for {@code
   * quantity[t]} Wh at {@code buyerPrice[t]} and {@code sellerPrice[t]}.
   *
   * @param buy buy order indexes
   * @param sell sell order indexes
   * @param quantity Wh per trade
   * @param buyerPrice micro-coins per kWh the buyer pays, per trade
   * @param sellerPrice micro-coins per kWh the seller receives, per trade
   * @param uniformBuyer the price every buyer pays, or -1 when buyers pay their bids
   * @param uniformSeller the price every seller receives, or -1 when sellers receive their asks
   * @param reason empty when there are trades; otherwise why not
   */
  public record Outcome(
      int[] buy,
      int[] sell,
      long[] quantity,
      long[] buyerPrice,
      long[] sellerPrice,
      long uniformBuyer,
      long uniformSeller,
      String reason) {

    /**
     * How many trades.
     *
     * @return the count
     */
    public int size() {
      return buy.length;
    }
  }

  private IntegerClearing() {}

  /**
   * Clears one market.
   *
   * @param rule {@link #UNIFORM}, {@link #PAY_AS_BID} or {@link #MCAFEE}
   * @param kPpm for the uniform price, the weight of the upper end of the price interval in
   *     millionths (0 to 1,000,000)
   * @param bp buy prices (1 to {@link #MAX_PRICE}), in order-index order
   * @param bq buy quantities (1 to {@link #MAX_QUANTITY})
   * @param sp sell prices
   * @param sq sell quantities
   * @return the trades
   */
  public static Outcome clear(int rule, long kPpm, long[] bp, long[] bq, long[] sp, long[] sq) {
    int nb = bp.length;
    int ns = sp.length;
    if (nb == 0 || ns == 0) {
      return none(
          nb == 0 && ns == 0
              ? "no buy orders and no sell orders"
              : nb == 0 ? "no buy orders" : "no sell orders");
    }
    int[] bo = sort(bp, true);
    int[] so = sort(sp, false);
    int i = 0;
    int j = 0;
    long remB = bq[bo[0]];
    long remS = sq[so[0]];
    int lastB = -1;
    int lastS = -1;
    int segments = 0;
    while (i < nb && j < ns && bp[bo[i]] >= sp[so[j]]) {
      lastB = i;
      lastS = j;
      segments++;
      if (remB < remS) {
        remS -= remB;
        if (++i < nb) {
          remB = bq[bo[i]];
        }
      } else if (remS < remB) {
        remB -= remS;
        if (++j < ns) {
          remS = sq[so[j]];
        }
      } else {
        if (++i < nb) {
          remB = bq[bo[i]];
        }
        if (++j < ns) {
          remS = sq[so[j]];
        }
      }
    }
    if (lastB < 0) {
      return none(
          "no crossing orders: highest bid %d is below lowest ask %d (micro-coins per kWh)"
              .formatted(bp[bo[0]], sp[so[0]]));
    }
    long bStar = bp[bo[lastB]];
    long sStar = sp[so[lastS]];
    boolean hasBNext = i < nb;
    boolean hasSNext = j < ns;
    if (rule == UNIFORM) {
      long lo = hasBNext ? Math.max(sStar, bp[bo[i]]) : sStar;
      long hi = hasSNext ? Math.min(bStar, sp[so[j]]) : bStar;
      long p = lo + (hi - lo) * kPpm / 1_000_000L;
      return walk(bp, bq, sp, sq, bo, so, lastB + 1, lastS + 1, segments, p, p, "");
    }
    if (rule == PAY_AS_BID) {
      return walk(bp, bq, sp, sq, bo, so, lastB + 1, lastS + 1, segments, -1, -1, "");
    }
    if (hasBNext && hasSNext) {
      long twiceP0 = bp[bo[i]] + sp[so[j]];
      if (2 * sStar <= twiceP0 && twiceP0 <= 2 * bStar) {
        long p0 = twiceP0 / 2;
        return walk(bp, bq, sp, sq, bo, so, lastB + 1, lastS + 1, segments, p0, p0, "");
      }
    }
    String why =
        "trade reduction removed the marginal orders (bid %d, ask %d micro-coins per kWh), leaving no %s"
            .formatted(
                bStar,
                sStar,
                lastB == 0 && lastS == 0
                    ? "buy or sell orders"
                    : lastB == 0 ? "buy orders" : "sell orders");
    return walk(bp, bq, sp, sq, bo, so, lastB, lastS, segments, bStar, sStar, why);
  }

  /**
   * Merit order: by price (descending for buys), then by index; one primitive sort of packed keys.
   */
  private static int[] sort(long[] price, boolean descending) {
    int n = price.length;
    long[] keys = new long[n];
    for (int x = 0; x < n; x++) {
      long p = descending ? MAX_PRICE - price[x] : price[x];
      keys[x] = (p << INDEX_BITS) | x;
    }
    Arrays.sort(keys);
    int[] order = new int[n];
    long mask = (1L << INDEX_BITS) - 1;
    for (int x = 0; x < n; x++) {
      order[x] = (int) (keys[x] & mask);
    }
    return order;
  }

  private static Outcome walk(
      long[] bp,
      long[] bq,
      long[] sp,
      long[] sq,
      int[] bo,
      int[] so,
      int iEnd,
      int jEnd,
      int capacity,
      long pb,
      long ps,
      String emptyReason) {
    if (iEnd == 0 || jEnd == 0) {
      return none(emptyReason);
    }
    int[] tb = new int[capacity];
    int[] ts = new int[capacity];
    long[] tq = new long[capacity];
    long[] tpb = new long[capacity];
    long[] tps = new long[capacity];
    int n = 0;
    int i = 0;
    int j = 0;
    long remB = bq[bo[0]];
    long remS = sq[so[0]];
    while (i < iEnd && j < jEnd) {
      int x = bo[i];
      int y = so[j];
      long q;
      if (remB < remS) {
        q = remB;
        remS -= remB;
        if (++i < iEnd) {
          remB = bq[bo[i]];
        }
      } else if (remS < remB) {
        q = remS;
        remB -= remS;
        if (++j < jEnd) {
          remS = sq[so[j]];
        }
      } else {
        q = remB;
        if (++i < iEnd) {
          remB = bq[bo[i]];
        }
        if (++j < jEnd) {
          remS = sq[so[j]];
        }
      }
      tb[n] = x;
      ts[n] = y;
      tq[n] = q;
      tpb[n] = pb < 0 ? bp[x] : pb;
      tps[n] = ps < 0 ? sp[y] : ps;
      n++;
    }
    return new Outcome(
        Arrays.copyOf(tb, n),
        Arrays.copyOf(ts, n),
        Arrays.copyOf(tq, n),
        Arrays.copyOf(tpb, n),
        Arrays.copyOf(tps, n),
        pb,
        ps,
        "");
  }

  private static Outcome none(String reason) {
    return new Outcome(
        new int[0], new int[0], new long[0], new long[0], new long[0], -1, -1, reason);
  }
}

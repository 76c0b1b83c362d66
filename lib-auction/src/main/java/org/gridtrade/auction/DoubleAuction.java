package org.gridtrade.auction;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import org.gridtrade.auction.internal.MeritOrder;
import org.gridtrade.auction.internal.Prices;
import org.gridtrade.auction.internal.TradeList;

/**
 * A one-shot double auction (call market) over divisible quantities (docs/auction.md, "One-shot
 * double auctions"): uniform price (k-double auction), pay-as-bid, or McAfee trade reduction.
 *
 * <p><b>Merit order.</b> Buy orders are sorted by price, highest first; sell orders by price,
 * lowest first; equal prices keep submission (list) order. The best remaining buy is matched with
 * the best remaining sell for the smaller of their remaining quantities while the buy's price is at
 * least the sell's; every such match is one {@link Trade}. This allocation maximises the reported
 * welfare {@code Σ v_b q_b − Σ c_s q_s} over all feasible allocations. Call the last matched buy
 * and sell orders the <em>marginal pair</em>, with prices {@code b*} and {@code s*}, and let {@code
 * b'} and {@code s'} be the prices of the best buy and sell with quantity left over (possibly the
 * marginal order itself, when it was only partly filled).
 *
 * <p><b>Uniform price (k-double auction).</b> Every trade clears at {@code p = k·hi + (1 − k)·lo}
 * with {@code lo = max(s*, b')} and {@code hi = min(b*, s')} (a missing {@code b'} or {@code s'} is
 * ignored). {@code [lo, hi]} is the bid–ask gap of the marginal pair narrowed to the prices at
 * which the market clears: every matched buyer bids at least {@code p}, every matched seller asks
 * at most {@code p}, and no unmatched order would trade at {@code p}. With no leftover orders this
 * is {@code k·b* + (1 − k)·s*}. {@code k = 1} favours sellers, {@code k = 0} buyers; {@code k =
 * 0.5} is the usual choice. Budget balanced (budget 0) and efficient; not truthful.
 *
 * <p><b>Pay-as-bid (discriminatory).</b> The same trades; in each the buyer pays its own bid and
 * the seller receives its own ask. The auctioneer keeps the spread, so budget = welfare ≥ 0.
 *
 * <p><b>McAfee (1992) trade reduction.</b> With {@code b'} and {@code s'} both present, let {@code
 * p0 = (b' + s')/2}. If {@code s* ≤ p0 ≤ b*}, every merit-order trade clears at {@code p0}.
 * Otherwise (or when {@code b'} or {@code s'} is missing) the two marginal orders are removed
 * entirely; the buy orders ranked before the marginal buy trade with the sell orders ranked before
 * the marginal sell, in merit order, up to the smaller side's total (the longer side is filled in
 * merit order), buyers paying {@code b*} and sellers receiving {@code s*}. For unit orders (every
 * quantity 1) this is exactly McAfee's mechanism: dominant-strategy truthful, individually rational
 * and weakly budget balanced, losing at most the one least valuable trade. For multi-unit orders it
 * stays individually rational and weakly budget balanced, but it is <em>not</em> truthful in
 * general: a price report can change which order is marginal, and the rationing of the longer side
 * follows reported prices; the reduction can also remove more than one unit of efficient volume.
 *
 * <p>Bad input: duplicate ids within a side throw {@link IllegalArgumentException}; the same id may
 * appear once on each side. Empty books, a book with one empty side, and books that do not cross
 * give a no-trade result with the reason. Prices and quantities are validated by {@link Order}.
 *
 * <p>Cost: linear in the number of orders plus a radix sort of primitive price keys; no per-order
 * allocation. The result's trade list is stored column-wise and creates each {@link Trade} value
 * when it is read. Immutable and thread-safe; results are deterministic.
 */
public final class DoubleAuction {
  private static final int UNIFORM = 0;
  private static final int PAY_AS_BID = 1;
  private static final int MCAFEE = 2;
  private static final String[] NAMES = {"uniform-price", "pay-as-bid", "mcafee"};

  private final int kind;
  private final double k;

  private DoubleAuction(int kind, double k) {
    this.kind = kind;
    this.k = k;
  }

  /**
   * A uniform-price k-double auction.
   *
   * @param k the weight of the upper end of the clearing interval, in [0, 1] (0.5 splits the gap)
   * @return the auction
   * @throws IllegalArgumentException if {@code k} is not in [0, 1]
   */
  public static DoubleAuction uniformPrice(double k) {
    if (!(k >= 0 && k <= 1)) {
      throw new IllegalArgumentException("k %s must be in [0, 1]".formatted(k));
    }
    return new DoubleAuction(UNIFORM, k);
  }

  /**
   * A pay-as-bid (discriminatory) double auction: buyers pay their bids, sellers receive their
   * asks.
   *
   * @return the auction
   */
  public static DoubleAuction payAsBid() {
    return new DoubleAuction(PAY_AS_BID, Double.NaN);
  }

  /**
   * A McAfee trade-reduction double auction.
   *
   * @return the auction
   */
  public static DoubleAuction mcAfee() {
    return new DoubleAuction(MCAFEE, Double.NaN);
  }

  /**
   * The mechanism's name as it appears in results and scenario files.
   *
   * @return {@code "uniform-price"}, {@code "pay-as-bid"} or {@code "mcafee"}
   */
  public String mechanism() {
    return NAMES[kind];
  }

  /**
   * The k of a uniform-price auction.
   *
   * @return k, or empty for the other mechanisms
   */
  public OptionalDouble k() {
    return kind == UNIFORM ? OptionalDouble.of(k) : OptionalDouble.empty();
  }

  /**
   * Clears the market once.
   *
   * @param buys the buy orders in submission order (price = the most the buyer pays); ids unique
   * @param sells the sell orders in submission order (price = the least the seller accepts); ids
   *     unique
   * @return the trades, prices, volume, welfare and budget, or no trade with the reason
   * @throws IllegalArgumentException if two orders on one side share an id
   * @throws NullPointerException if a list or an element is null
   */
  public DoubleAuctionResult clear(List<Order> buys, List<Order> sells) {
    Objects.requireNonNull(buys, "buys");
    Objects.requireNonNull(sells, "sells");
    int nb = buys.size();
    int ns = sells.size();
    double[] bp = new double[nb];
    double[] bq = new double[nb];
    double[] sp = new double[ns];
    double[] sq = new double[ns];
    String[] bid = new String[nb];
    String[] sid = new String[ns];
    MeritOrder.extract(buys, "buy", bp, bq, bid);
    MeritOrder.extract(sells, "sell", sp, sq, sid);
    int[][] scratch = new int[MeritOrder.SCRATCH][Math.max(nb, ns)];
    MeritOrder.requireUniqueIds(bid, "buy", scratch);
    MeritOrder.requireUniqueIds(sid, "sell", scratch);
    if (nb == 0 || ns == 0) {
      return noTrade(
          NAMES[kind],
          nb == 0 && ns == 0
              ? "no buy orders and no sell orders"
              : nb == 0 ? "no buy orders" : "no sell orders");
    }
    int[] bo = MeritOrder.sort(bp, true, scratch);
    int[] so = MeritOrder.sort(sp, false, scratch);

    // Pass 1: the efficient merit-order matching; find the marginal pair and the leftovers.
    int i = 0;
    int j = 0;
    double remB = bq[bo[0]];
    double remS = sq[so[0]];
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
      return noTrade(
          NAMES[kind],
          "no crossing orders: highest bid %s (%s) is below lowest ask %s (%s)"
              .formatted(
                  Prices.format(bp[bo[0]]), bid[bo[0]], Prices.format(sp[so[0]]), sid[so[0]]));
    }
    double bStar = bp[bo[lastB]];
    double sStar = sp[so[lastS]];
    boolean hasBNext = i < nb;
    boolean hasSNext = j < ns;
    double bNext = hasBNext ? bp[bo[i]] : Double.NaN;
    double sNext = hasSNext ? sp[so[j]] : Double.NaN;
    String name = NAMES[kind];

    if (kind == UNIFORM) {
      double lo = hasBNext ? Math.max(sStar, bNext) : sStar;
      double hi = hasSNext ? Math.min(bStar, sNext) : bStar;
      double p = Math.min(hi, Math.max(lo, k * hi + (1 - k) * lo));
      return walk(
          name, bid, sid, bp, bq, sp, sq, bo, so, lastB + 1, lastS + 1, segments, p, p, true, "");
    }
    if (kind == PAY_AS_BID) {
      return walk(
          name,
          bid,
          sid,
          bp,
          bq,
          sp,
          sq,
          bo,
          so,
          lastB + 1,
          lastS + 1,
          segments,
          Double.NaN,
          Double.NaN,
          false,
          "");
    }
    if (hasBNext && hasSNext) {
      double p0 = 0.5 * bNext + 0.5 * sNext;
      if (sStar <= p0 && p0 <= bStar) {
        return walk(
            name, bid, sid, bp, bq, sp, sq, bo, so, lastB + 1, lastS + 1, segments, p0, p0, true,
            "");
      }
    }
    String why =
        "trade reduction removed the marginal orders buy %s at %s and sell %s at %s, leaving no %s"
            .formatted(
                bid[bo[lastB]],
                Prices.format(bStar),
                sid[so[lastS]],
                Prices.format(sStar),
                lastB == 0 && lastS == 0
                    ? "buy or sell orders"
                    : lastB == 0 ? "buy orders" : "sell orders");
    return walk(
        name, bid, sid, bp, bq, sp, sq, bo, so, lastB, lastS, segments, bStar, sStar, false, why);
  }

  /**
   * Matches buy positions {@code [0, iEnd)} with sell positions {@code [0, jEnd)} in merit order.
   * Every order in those ranges crosses every other ({@code [0, lastB] × [0, lastS]} is the
   * efficient matching, which this reproduces exactly). Prices: uniform {@code pb}/{@code ps}, or
   * each order's own price when they are NaN.
   */
  private static DoubleAuctionResult walk(
      String name,
      String[] b,
      String[] s,
      double[] bp,
      double[] bq,
      double[] sp,
      double[] sq,
      int[] bo,
      int[] so,
      int iEnd,
      int jEnd,
      int capacity,
      double pb,
      double ps,
      boolean single,
      String emptyReason) {
    if (iEnd == 0 || jEnd == 0) {
      return noTrade(name, emptyReason);
    }
    boolean own = Double.isNaN(pb);
    int[] tb = new int[capacity];
    int[] ts = new int[capacity];
    double[] tq = new double[capacity];
    int n = 0;
    double volume = 0;
    double welfare = 0;
    double budget = 0;
    int i = 0;
    int j = 0;
    double remB = bq[bo[0]];
    double remS = sq[so[0]];
    while (i < iEnd && j < jEnd) {
      int x = bo[i];
      int y = so[j];
      double v = bp[x];
      double c = sp[y];
      double q;
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
      double buyerPrice = own ? v : pb;
      double sellerPrice = own ? c : ps;
      tb[n] = x;
      ts[n] = y;
      tq[n++] = q;
      volume += q;
      welfare += (v - c) * q;
      budget += (buyerPrice - sellerPrice) * q;
    }
    OptionalDouble buyer = own ? OptionalDouble.empty() : OptionalDouble.of(pb);
    OptionalDouble seller = own ? OptionalDouble.empty() : OptionalDouble.of(ps);
    OptionalDouble price = single ? buyer : OptionalDouble.empty();
    List<Trade> trades = new TradeList(b, s, tb, ts, tq, n, bp, sp, pb, ps);
    return new DoubleAuctionResult(name, price, buyer, seller, volume, trades, welfare, budget, "");
  }

  private static DoubleAuctionResult noTrade(String name, String reason) {
    return new DoubleAuctionResult(
        name,
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        0,
        List.of(),
        0,
        0,
        reason);
  }

  @Override
  public String toString() {
    return kind == UNIFORM ? NAMES[kind] + " (k = " + k + ")" : NAMES[kind];
  }
}

package org.gridtrade.market;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.auction.DrFlow;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.auction.SocialWelfareSolution;
import org.gridtrade.auction.SocialWelfareSolver;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Payload;
import org.gridtrade.market.internal.DrMath;

/**
 * The auctioneer's side of an on-chain demand-response round ({@link DemandResponseMarket}): it
 * runs lib-auction's iterative auction off chain on a market whose numbers are whole ledger units,
 * opens the round with the same numbers, and posts the auction's allocation with its certificate.
 *
 * <ol>
 *   <li>{@link #onGrid} rounds a market to the chain's units (Wh, micro-coins, parts per million),
 *       so that the auction and the chain model the same market;
 *   <li>{@link #spec} turns that market into the round to open ({@link DrCalls#open});
 *   <li>after the auction ran on it ({@code DemandResponseAuction.run}), {@link #certificate}
 *       rounds its allocation to Wh within every cell's capacity and each EV's {@code e_min}, and
 *       takes the dual prices from lib-auction's direct social-welfare solve ({@link
 *       SocialWelfareSolver}); {@link Certificate#certify} is the call to post.
 * </ol>
 *
 * <p>Every node then checks the certificate within the round's tolerance and pays by the IR rule in
 * integers (docs/markets.md, "Demand-response settlement").
 */
public final class DrAuctioneer {
  private static final double WH_PER_KWH = 1e3;
  private static final double MICRO_PER_CENT = 1e4;

  private DrAuctioneer() {}

  /**
   * A market with every number on the chain's grid: energies rounded down to a Wh (capacities too,
   * so the market stays feasible), prices and cost factors to the nearest micro-coin (cost factors
   * and willingness at least 1), η and ρ to the nearest ppm. An EV's willingness {@code w = σ /
   * SoC} becomes its σ at SoC 1 (the auction reads only w), and an EV without a maximum price gets
   * {@code w}, the price lib-auction's SP selection bids for it. Money is in cents per kWh, as
   * lib-auction has it.
   *
   * @param market a market without excluded links
   * @return the market on the grid, same ids and order, same ξ
   * @throws IllegalArgumentException if the market excludes links (the chain's round has every
   *     cell)
   */
  public static DrInstance onGrid(DrInstance market) {
    Objects.requireNonNull(market, "market");
    if (!market.excludedLinks().isEmpty()) {
      throw new IllegalArgumentException(
          "market excludes %d links; a round on chain has every EV-SP cell"
              .formatted(market.excludedLinks().size()));
    }
    List<DrInstance.Ev> evs = new ArrayList<>();
    for (DrInstance.Ev e : market.evs()) {
      double w = Math.max(1, Math.round(e.willingness() * MICRO_PER_CENT)) / MICRO_PER_CENT;
      double q =
          Double.isInfinite(e.maxPrice())
              ? w
              : Math.max(1, Math.round(e.maxPrice() * MICRO_PER_CENT)) / MICRO_PER_CENT;
      double eMax = Math.max(1, wh(e.eMax())) / WH_PER_KWH;
      double eMin = Math.min(wh(e.eMin()) / WH_PER_KWH, eMax);
      evs.add(new DrInstance.Ev(e.id(), 1.0, eMin, eMax, w, q));
    }
    List<DrInstance.Sp> sps = new ArrayList<>();
    for (DrInstance.Sp s : market.sps()) {
      sps.add(
          new DrInstance.Sp(
              s.id(),
              Math.max(1, wh(s.capacity())) / WH_PER_KWH,
              Math.max(1, Math.round(s.c1() * MICRO_PER_CENT)) / MICRO_PER_CENT,
              Math.round(s.c2() * MICRO_PER_CENT) / MICRO_PER_CENT,
              Math.round(s.minPrice() * MICRO_PER_CENT) / MICRO_PER_CENT));
    }
    return new DrInstance(
        evs,
        sps,
        Math.round(market.eta() * 1e6) / 1e6,
        Math.round(market.rho() * 1e6) / 1e6,
        market.xi());
  }

  /**
   * The round to open for a market on the grid.
   *
   * @param market the market, from {@link #onGrid}
   * @param evs each EV's account, in the market's EV order
   * @param sps each SP's account, in the market's SP order
   * @param retailCentsPerKWh the grid's retail price per kWh stored, as the auction's builder has
   *     it (lib-auction's default is 75)
   * @param toleranceMicroPerKWh ε of the certificate, micro-coins per kWh of supply
   * @param certifyByHeight the last height for escrows and the certificate
   * @param settleByHeight the last height for settlements, above {@code certifyByHeight}
   * @return the round
   * @throws IllegalArgumentException if the market is not on the grid, the account lists do not
   *     match it, or a number is outside {@link DrRoundSpec}'s ranges
   */
  public static DrRoundSpec spec(
      DrInstance market,
      List<Address> evs,
      List<Address> sps,
      double retailCentsPerKWh,
      long toleranceMicroPerKWh,
      long certifyByHeight,
      long settleByHeight) {
    Objects.requireNonNull(market, "market");
    if (evs.size() != market.evs().size() || sps.size() != market.sps().size()) {
      throw new IllegalArgumentException(
          "%d EV and %d SP accounts for a market of %d EVs and %d SPs"
              .formatted(evs.size(), sps.size(), market.evs().size(), market.sps().size()));
    }
    if (!market.equals(onGrid(market))) {
      throw new IllegalArgumentException(
          "the market is not on the chain's grid (whole Wh and micro-coins): round it with onGrid");
    }
    List<DrRoundSpec.Ev> chainEvs = new ArrayList<>();
    for (int i = 0; i < evs.size(); i++) {
      DrInstance.Ev e = market.evs().get(i);
      chainEvs.add(
          new DrRoundSpec.Ev(
              evs.get(i),
              micro(e.willingness()),
              Math.round(e.eMin() * WH_PER_KWH),
              Math.round(e.eMax() * WH_PER_KWH),
              micro(e.maxPrice())));
    }
    List<DrRoundSpec.Sp> chainSps = new ArrayList<>();
    for (int j = 0; j < sps.size(); j++) {
      DrInstance.Sp s = market.sps().get(j);
      chainSps.add(
          new DrRoundSpec.Sp(
              sps.get(j),
              Math.round(s.capacity() * WH_PER_KWH),
              micro(s.c1()),
              micro(s.c2()),
              micro(s.minPrice())));
    }
    return new DrRoundSpec(
        (int) Math.round(market.eta() * 1e6),
        (int) Math.round(market.rho() * 1e6),
        micro(retailCentsPerKWh),
        toleranceMicroPerKWh,
        certifyByHeight,
        settleByHeight,
        chainEvs,
        chainSps);
  }

  /** kWh rounded down to a Wh; a value already on the grid stays (its product may miss by ulps). */
  private static double wh(double kWh) {
    return Math.floor(kWh * WH_PER_KWH + 1e-6);
  }

  private static long micro(double cents) {
    return Math.round(cents * MICRO_PER_CENT);
  }

  /**
   * What the auctioneer posts: the allocation and its dual prices, in the chain's units.
   *
   * @param allocationWh {@code x[i][j]}, SP j's supply to EV i, Wh
   * @param evPricesMicroPerKWh u_i per EV, micro-coins per kWh of supply
   * @param spPricesMicroPerKWh α_j per SP, micro-coins per kWh of supply
   */
  public record Certificate(
      long[][] allocationWh, long[] evPricesMicroPerKWh, long[] spPricesMicroPerKWh) {
    /** Copies the arrays. */
    public Certificate {
      allocationWh = copy(allocationWh);
      evPricesMicroPerKWh = evPricesMicroPerKWh.clone();
      spPricesMicroPerKWh = spPricesMicroPerKWh.clone();
    }

    @Override
    public long[][] allocationWh() {
      return copy(allocationWh);
    }

    @Override
    public long[] evPricesMicroPerKWh() {
      return evPricesMicroPerKWh.clone();
    }

    @Override
    public long[] spPricesMicroPerKWh() {
      return spPricesMicroPerKWh.clone();
    }

    /**
     * The call that posts it, for a round that {@link DrRoundSpec#fits}.
     *
     * @param round the round's id
     * @return the payload ({@link DrCalls#certify})
     */
    public Payload.Call certify(long round) {
      return DrCalls.certify(round, allocationWh, evPricesMicroPerKWh, spPricesMicroPerKWh);
    }

    /**
     * The calls that post it for a round of any size: one {@link #certify} call when the round fits
     * one, else its parts ({@link DrCalls#certifyInParts}), to send in order.
     *
     * @param round the round's id
     * @return the calls
     */
    public List<Payload.Call> certifyCalls(long round) {
      return DrCalls.certifyInParts(round, allocationWh, evPricesMicroPerKWh, spPricesMicroPerKWh);
    }

    private static long[][] copy(long[][] a) {
      long[][] c = new long[a.length][];
      for (int i = 0; i < a.length; i++) {
        c[i] = a[i].clone();
      }
      return c;
    }
  }

  /**
   * The certificate of an auction's result: its allocation rounded down to a Wh within every cell's
   * capacity and every SP's capacity, then raised a Wh at a time on cells the auction gave more,
   * where an EV fell below its {@code e_min}; the dual prices of lib-auction's direct
   * social-welfare solve of the same market, rounded to a micro-coin (the SPs' at least 0).
   *
   * @param spec the round, from {@link #spec} on {@code market}
   * @param market the market the auction ran on
   * @param result the auction's result
   * @return the certificate; the chain checks it within the round's tolerance
   */
  public static Certificate certificate(
      DrRoundSpec spec, DrInstance market, DemandResponseResult result) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(result, "result");
    int n = spec.evs().size();
    int m = spec.sps().size();
    Map<String, Integer> evIndex = new HashMap<>();
    for (int i = 0; i < n; i++) {
      evIndex.put(market.evs().get(i).id(), i);
    }
    Map<String, Integer> spIndex = new HashMap<>();
    for (int j = 0; j < m; j++) {
      spIndex.put(market.sps().get(j).id(), j);
    }
    long[][] x = new long[n][m];
    double[][] exact = new double[n][m];
    long[] col = new long[m];
    for (DrFlow f : result.allocation()) {
      int i = evIndex.get(f.evId());
      int j = spIndex.get(f.spId());
      exact[i][j] = f.supply() * WH_PER_KWH;
      x[i][j] =
          Math.max(
              0,
              Math.min(DrMath.cellCapWh(spec, i, j), (long) Math.floor(f.supply() * WH_PER_KWH)));
      col[j] += x[i][j];
    }
    for (int j = 0; j < m; j++) {
      while (col[j] > spec.sps().get(j).capacityWh()) {
        int big = 0;
        for (int i = 1; i < n; i++) {
          big = x[i][j] > x[big][j] ? i : big;
        }
        x[big][j]--;
        col[j]--;
      }
    }
    // Stored energy is ηρ × supply: an EV whose rounded supply stores less than e_min gets a Wh
    // more where the auction gave it more and the cell and its SP have room.
    BigInteger k = BigInteger.valueOf((long) spec.etaPpm() * spec.rhoPpm());
    for (int i = 0; i < n; i++) {
      BigInteger least =
          BigInteger.valueOf(spec.evs().get(i).eMinWh()).multiply(BigInteger.TEN.pow(12));
      // First on cells the auction gave more than their rounded supply; if the auction's own
      // supply sat at e_min within floating-point error, on any cell with room.
      for (boolean anyCell : new boolean[] {false, true}) {
        boolean moved = true;
        while (k.multiply(BigInteger.valueOf(sum(x[i]))).compareTo(least) < 0 && moved) {
          moved = false;
          for (int j = 0; j < m; j++) {
            if ((anyCell ? exact[i][j] > 0 : exact[i][j] > x[i][j])
                && x[i][j] < DrMath.cellCapWh(spec, i, j)
                && col[j] < spec.sps().get(j).capacityWh()) {
              x[i][j]++;
              col[j]++;
              moved = true;
              break;
            }
          }
        }
      }
    }
    SocialWelfareSolution opt = SocialWelfareSolver.solve(market);
    long[] u = new long[n];
    for (int i = 0; i < n; i++) {
      u[i] = Math.round(opt.evPrices().get(i) * MICRO_PER_CENT);
    }
    long[] alpha = new long[m];
    for (int j = 0; j < m; j++) {
      alpha[j] = Math.max(0, Math.round(opt.spShadowPrices().get(j) * MICRO_PER_CENT));
    }
    return new Certificate(x, u, alpha);
  }

  private static long sum(long[] row) {
    long t = 0;
    for (long v : row) {
      t += v;
    }
    return t;
  }
}

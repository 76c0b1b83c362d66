package org.gridtrade.market;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.auction.DemandResponseAuction;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.ledger.Address;

/**
 * Random demand-response markets in integer units with their off-chain auction, the auctioneer's
 * conversion of its result to a certificate, and an independent recomputation of the IR payment
 * rule (written from docs/demand-response.md, "Individual rationality", with exact fractions and a
 * logarithm by Newton's method on the exponential series, not the module's code).
 */
final class DrTestMarkets {
  static final int ETA = 800_000;
  static final int RHO = 900_000;
  static final long RETAIL = 750_000; // 75 cents per kWh stored, lib-auction's default

  /**
   * How often the IR rule ended at each step: [relief within the rents, charge to EVs with room, SP
   * revenues cut].
   */
  static final int[] STEPS = new int[3];

  static final long TOLERANCE = 2_000; // micro-coins per kWh of supply: 0.2 cent

  private DrTestMarkets() {}

  /** A market in integers, its floating-point twin, and the off-chain auction's outcome. */
  record Market(DrRoundSpec spec, DrInstance off, DemandResponseResult auction) {}

  /** The auctioneer's certificate. */
  record Cert(long[][] x, long[] u, long[] alpha) {
    Cert copy() {
      long[][] xx = new long[x.length][];
      for (int i = 0; i < x.length; i++) {
        xx[i] = x[i].clone();
      }
      return new Cert(xx, u.clone(), alpha.clone());
    }
  }

  /**
   * A random market of Aggarwal's §4.5.1 ranges with prices, every number an integer in ledger
   * units; the off-chain instance has the same numbers in kWh and cents.
   */
  static Market random(
      Random rnd, List<Address> evs, List<Address> sps, long certifyBy, long settleBy) {
    int n = evs.size();
    int m = sps.size();
    long[] eMax = new long[n];
    long[] eMin = new long[n];
    long[] w = new long[n];
    for (int i = 0; i < n; i++) {
      eMax[i] = 10_000 + rnd.nextInt(50_001);
      eMin[i] = eMax[i] * (10 + rnd.nextInt(41)) / 100;
      w[i] = 100_000 + rnd.nextInt(500_001); // 10 to 60 cents
    }
    long[] cap = new long[m];
    long[] r = new long[m];
    long[] c1 = new long[m];
    boolean steep = rnd.nextBoolean();
    for (int j = 0; j < m; j++) {
      // Aggarwal's c1 = 0.01 cent per kWh², or up to 1 cent, where the SPs' rents are large
      c1[j] = steep ? 100 + rnd.nextInt(9_901) : 100;
      cap[j] = 50_000 + rnd.nextInt(200_001);
      r[j] = 50_000 + rnd.nextInt(450_001); // 5 to 50 cents
    }
    // half the markets at lib-auction's default retail price, half at 0 to 75 cents, where the
    // grid is cheap and the IR rule must relieve EVs (docs/demand-response.md)
    long retail = rnd.nextBoolean() ? RETAIL : rnd.nextInt(750_001);
    for (int attempt = 0; ; attempt++) {
      List<DrInstance.Ev> offEvs = new ArrayList<>();
      List<DrRoundSpec.Ev> chainEvs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        offEvs.add(
            new DrInstance.Ev("ev" + i, 1.0, eMin[i] / 1e3, eMax[i] / 1e3, w[i] / 1e4, w[i] / 1e4));
        chainEvs.add(new DrRoundSpec.Ev(evs.get(i), w[i], eMin[i], eMax[i], w[i]));
      }
      List<DrInstance.Sp> offSps = new ArrayList<>();
      List<DrRoundSpec.Sp> chainSps = new ArrayList<>();
      for (int j = 0; j < m; j++) {
        offSps.add(new DrInstance.Sp("sp" + j, cap[j] / 1e3, c1[j] / 1e4, 0.015, r[j] / 1e4));
        chainSps.add(new DrRoundSpec.Sp(sps.get(j), cap[j], c1[j], 150, r[j]));
      }
      try {
        DrInstance off = new DrInstance(offEvs, offSps, ETA / 1e6, RHO / 1e6, 0.001);
        DrRoundSpec spec =
            new DrRoundSpec(ETA, RHO, retail, TOLERANCE, certifyBy, settleBy, chainEvs, chainSps);
        DemandResponseResult res =
            DemandResponseAuction.builder().retailPrice(retail / 1e4).build().run(off);
        return new Market(spec, off, res);
      } catch (IllegalArgumentException infeasible) {
        for (int i = 0; i < n; i++) {
          eMin[i] = attempt > 8 ? 0 : eMin[i] / 2;
        }
      }
    }
  }

  /** The auctioneer's certificate ({@link DrAuctioneer#certificate}). */
  static Cert certificate(Market mk) {
    DrAuctioneer.Certificate c = DrAuctioneer.certificate(mk.spec(), mk.off(), mk.auction());
    return new Cert(c.allocationWh(), c.evPricesMicroPerKWh(), c.spPricesMicroPerKWh());
  }

  static long rowSum(long[] row) {
    long t = 0;
    for (long v : row) {
      t += v;
    }
    return t;
  }

  /** A cell's capacity in Wh, from its definition: supply at which 2 c1 x + c2 + r reaches q. */
  static long cap(DrRoundSpec s, int i, int j) {
    DrRoundSpec.Sp sp = s.sps().get(j);
    long q = s.evs().get(i).maxPriceMicroPerKWh();
    long first = sp.c2MicroPerKWh() + sp.minPriceMicroPerKWh();
    if (q <= first) {
      return 0;
    }
    // the largest x with 2 c1 x / 1000 <= q - first
    long x = 0;
    long step = 1L << 40;
    while (step > 0) {
      if (2 * sp.c1MicroPerKWh2() * (x + step) <= (q - first) * 1000) {
        x += step;
      }
      step >>= 1;
    }
    return Math.min(sp.capacityWh(), x);
  }

  // ---------------------------------------------------------------------------------------------
  // The IR rule, recomputed: exact fractions in micro-coins.

  record F(BigInteger n, BigInteger d) {
    static F of(BigInteger n, BigInteger d) {
      if (d.signum() < 0) {
        n = n.negate();
        d = d.negate();
      }
      BigInteger g = n.gcd(d);
      return g.signum() == 0
          ? new F(BigInteger.ZERO, BigInteger.ONE)
          : new F(n.divide(g), d.divide(g));
    }

    static F of(long v) {
      return new F(BigInteger.valueOf(v), BigInteger.ONE);
    }

    F plus(F o) {
      return of(n.multiply(o.d).add(o.n.multiply(d)), d.multiply(o.d));
    }

    F minus(F o) {
      return plus(new F(o.n.negate(), o.d));
    }

    F times(F o) {
      return of(n.multiply(o.n), d.multiply(o.d));
    }

    F over(F o) {
      return of(n.multiply(o.d), d.multiply(o.n));
    }

    int cmp(F o) {
      return n.multiply(o.d).compareTo(o.n.multiply(d));
    }

    F min(F o) {
      return cmp(o) <= 0 ? this : o;
    }

    F max(F o) {
      return cmp(o) >= 0 ? this : o;
    }

    long floor() {
      return new BigDecimal(n).divide(new BigDecimal(d), 0, RoundingMode.FLOOR).longValueExact();
    }

    long ceil() {
      return new BigDecimal(n).divide(new BigDecimal(d), 0, RoundingMode.CEILING).longValueExact();
    }
  }

  /** Expected payments: what each EV pays and what each cell pays its SP, micro-coins. */
  record Expected(long[] ev, long[][] cell) {}

  static Expected payments(DrRoundSpec s, long[][] x) {
    int n = s.evs().size();
    int m = s.sps().size();
    F[][] value = new F[n][m];
    F[][] cost = new F[n][m];
    F[] bill = new F[n];
    F[] most = new F[n];
    F[] paid = new F[n];
    F rentSum = F.of(0);
    F relief = F.of(0);
    for (int i = 0; i < n; i++) {
      bill[i] = F.of(0);
      long t = 0;
      for (int j = 0; j < m; j++) {
        DrRoundSpec.Sp sp = s.sps().get(j);
        F kwh = F.of(BigInteger.valueOf(x[i][j]), BigInteger.valueOf(1000));
        F c1s2 = F.of(sp.c1MicroPerKWh2()).times(kwh).times(kwh);
        cost[i][j] = c1s2.plus(F.of(sp.c2MicroPerKWh() + sp.minPriceMicroPerKWh()).times(kwh));
        value[i][j] = cost[i][j].plus(c1s2);
        bill[i] = bill[i].plus(value[i][j]);
        rentSum = rentSum.plus(c1s2);
        t += x[i][j];
      }
      DrRoundSpec.Ev ev = s.evs().get(i);
      F utility = F.of(utilityPico(s, i, t), BigInteger.valueOf(1_000_000));
      F outside =
          F.of(s.retailPriceMicroPerKWh())
              .times(F.of(BigInteger.valueOf(ev.eMinWh()), BigInteger.valueOf(1000)));
      F limit =
          F.of(ev.maxPriceMicroPerKWh())
              .times(F.of(BigInteger.valueOf(t), BigInteger.valueOf(1000)));
      most[i] = utility.plus(outside).min(limit).max(F.of(0));
      paid[i] = bill[i].min(most[i]);
      relief = relief.plus(bill[i].minus(paid[i]));
    }
    F theta = rentSum.n.signum() == 0 ? F.of(0) : F.of(1).min(relief.over(rentSum));
    STEPS[0] += relief.n.signum() > 0 && relief.cmp(rentSum) < 0 ? 1 : 0;
    F left = relief.minus(theta.times(rentSum));
    if (left.n.signum() > 0) {
      F room = F.of(0);
      for (int i = 0; i < n; i++) {
        room = room.plus(most[i].minus(paid[i]));
      }
      F share = room.n.signum() > 0 ? F.of(1).min(left.over(room)) : F.of(0);
      for (int i = 0; i < n; i++) {
        paid[i] = paid[i].plus(share.times(most[i].minus(paid[i])));
      }
      left = left.minus(share.times(room));
      STEPS[1] += left.n.signum() == 0 ? 1 : 0;
    }
    F[][] rev = new F[n][m];
    F market = F.of(0);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        rev[i][j] = value[i][j].minus(theta.times(value[i][j].minus(cost[i][j])));
        market = market.plus(rev[i][j]);
      }
    }
    if (left.n.signum() > 0 && market.n.signum() > 0) {
      STEPS[2]++;
      F keep = F.of(0).max(F.of(1).minus(left.over(market)));
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          rev[i][j] = rev[i][j].times(keep);
        }
      }
    }
    long[] ev = new long[n];
    long[][] cell = new long[n][m];
    for (int i = 0; i < n; i++) {
      ev[i] = paid[i].ceil();
      for (int j = 0; j < m; j++) {
        cell[i][j] = rev[i][j].floor();
      }
    }
    return new Expected(ev, cell);
  }

  /** {@code ⌊w_i ln(ηρ T − e_min + 1) × 10^6⌋} (kWh inside the logarithm), pico-coins. */
  static BigInteger utilityPico(DrRoundSpec s, int i, long supplyWh) {
    MathContext mc = new MathContext(60);
    DrRoundSpec.Ev ev = s.evs().get(i);
    BigDecimal y =
        new BigDecimal(
                BigInteger.valueOf((long) s.etaPpm() * s.rhoPpm())
                    .multiply(BigInteger.valueOf(supplyWh)))
            .subtract(
                new BigDecimal(BigInteger.valueOf(ev.eMinWh()).multiply(BigInteger.TEN.pow(12))))
            .add(BigDecimal.TEN.pow(15))
            .divide(BigDecimal.TEN.pow(15), mc);
    BigDecimal l = new BigDecimal(StrictMath.log(y.doubleValue()));
    for (int it = 0; it < 6; it++) {
      BigDecimal e = exp(l, mc);
      l = l.add(BigDecimal.valueOf(2).multiply(y.subtract(e)).divide(y.add(e), mc), mc);
    }
    return BigDecimal.valueOf(ev.willingnessMicro())
        .multiply(BigDecimal.valueOf(1_000_000))
        .multiply(l)
        .setScale(0, RoundingMode.FLOOR)
        .toBigIntegerExact();
  }

  private static BigDecimal exp(BigDecimal a, MathContext mc) {
    int halvings = 20;
    BigDecimal z = a.divide(BigDecimal.valueOf(1L << halvings), mc);
    BigDecimal sum = BigDecimal.ONE;
    BigDecimal term = BigDecimal.ONE;
    for (int k = 1; k < 60; k++) {
      term = term.multiply(z, mc).divide(BigDecimal.valueOf(k), mc);
      sum = sum.add(term, mc);
    }
    for (int h = 0; h < halvings; h++) {
      sum = sum.multiply(sum, mc);
    }
    return sum;
  }
}

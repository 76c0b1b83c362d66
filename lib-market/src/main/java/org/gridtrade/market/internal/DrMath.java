package org.gridtrade.market.internal;

import java.math.BigInteger;
import java.util.Optional;
import org.gridtrade.market.DrRoundSpec;

/**
 * The integer arithmetic of the demand-response settlement (docs/markets.md, "Demand-response
 * settlement"): cell capacities, escrow, the certificate's optimality check and the payments of the
 * individually rational rule. Only {@code long} and {@link BigInteger} arithmetic: the same inputs
 * give the same outputs on every JVM. Stateless.
 *
 * <p>Units: allocation {@code x[i][j]} in Wh of SP j's supply to EV i; prices and duals in
 * micro-coins per kWh of supply; money inside the payment rule in pico-coins (10^-6 micro-coin), in
 * which every product of the model is an integer, so only the rule's own divisions (θ, the share,
 * the cut) and the utility's logarithm are rounded.
 */
public final class DrMath {
  /** The largest |dual price| in a certificate, micro-coins per kWh of supply. */
  public static final long MAX_DUAL = 1_000_000_000_000L;

  private static final BigInteger THOUSAND = BigInteger.valueOf(1_000);
  private static final BigInteger MILLION = BigInteger.valueOf(1_000_000);
  private static final BigInteger E12 = BigInteger.TEN.pow(12);
  private static final BigInteger E15 = BigInteger.TEN.pow(15);

  /** The fixed-point scale of {@link #lnScaled}. */
  static final BigInteger LN_SCALE = BigInteger.TEN.pow(40);

  private static final BigInteger LN2 = twoAtanh(BigInteger.ONE, BigInteger.valueOf(3));

  private DrMath() {}

  /**
   * The most SP j supplies EV i: its capacity, and no more than keeps its marginal price {@code 2
   * c1 x + c2 + r_j} within the EV's maximum price; 0 when even the first Wh costs more
   * (lib-auction's {@code DrInstance.cellCapacity}, rounded down to a Wh).
   *
   * @param s the round
   * @param i the EV
   * @param j the SP
   * @return Wh, 0 or more
   */
  public static long cellCapWh(DrRoundSpec s, int i, int j) {
    DrRoundSpec.Sp sp = s.sps().get(j);
    long headroom =
        s.evs().get(i).maxPriceMicroPerKWh() - sp.c2MicroPerKWh() - sp.minPriceMicroPerKWh();
    if (headroom <= 0) {
      return 0;
    }
    return Math.min(sp.capacityWh(), headroom * 1_000 / (2 * sp.c1MicroPerKWh2()));
  }

  /**
   * What EV i escrows: {@code ⌈q_i × T_i^max / 1000⌉} micro-coins, {@code T_i^max} the most supply
   * it can be allocated ({@code ⌊e_i^max / ηρ⌋} and the sum of its cells' capacities). No payment
   * of the IR rule exceeds it.
   *
   * @param s the round
   * @param i the EV
   * @return micro-coins, 0 or more
   */
  public static long escrowMicro(DrRoundSpec s, int i) {
    DrRoundSpec.Ev ev = s.evs().get(i);
    BigInteger most = BigInteger.valueOf(ev.eMaxWh()).multiply(E12).divide(etaRho(s));
    long cells = 0;
    for (int j = 0; j < s.sps().size(); j++) {
      cells += cellCapWh(s, i, j);
    }
    most = most.min(BigInteger.valueOf(cells));
    return ceilDiv(most.multiply(BigInteger.valueOf(ev.maxPriceMicroPerKWh())), THOUSAND)
        .longValueExact();
  }

  /**
   * Checks an allocation and its dual prices: exact feasibility, then the KKT conditions of SWM
   * within the round's tolerance ε (docs/markets.md, "The certificate"). O(I·J).
   *
   * @param s the round
   * @param x the allocation, Wh, {@code x[i][j]}
   * @param u the EVs' prices (demand duals), micro-coins per kWh of supply
   * @param alpha the SPs' capacity prices, micro-coins per kWh of supply
   * @return empty if the certificate holds, else the first condition it breaks, with the numbers
   */
  public static Optional<String> check(DrRoundSpec s, long[][] x, long[] u, long[] alpha) {
    int n = s.evs().size();
    int m = s.sps().size();
    BigInteger k = etaRho(s);
    long eps1000 = s.toleranceMicroPerKWh() * 1_000;
    long[] col = new long[m];
    long[] row = new long[n];
    for (int i = 0; i < n; i++) {
      if (u[i] < -MAX_DUAL || u[i] > MAX_DUAL) {
        return Optional.of(
            "evPrices[%d] %d must be in [%d, %d]".formatted(i, u[i], -MAX_DUAL, MAX_DUAL));
      }
      for (int j = 0; j < m; j++) {
        long ub = cellCapWh(s, i, j);
        if (x[i][j] < 0 || x[i][j] > ub) {
          return Optional.of(
              ("allocation[%d][%d] %d Wh must be in [0, %d]: the cell's capacity (SP %d's capacity,"
                      + " and the supply at which its marginal price reaches EV %d's maximum price)")
                  .formatted(i, j, x[i][j], ub, j, i));
        }
        row[i] += x[i][j];
        col[j] += x[i][j];
      }
    }
    for (int j = 0; j < m; j++) {
      if (alpha[j] < 0 || alpha[j] > MAX_DUAL) {
        return Optional.of("spPrices[%d] %d must be in [0, %d]".formatted(j, alpha[j], MAX_DUAL));
      }
      long cap = s.sps().get(j).capacityWh();
      if (col[j] > cap) {
        return Optional.of(
            "SP %d supplies %d Wh, more than its capacity %d Wh".formatted(j, col[j], cap));
      }
      // complementary slackness: a positive capacity price only where the capacity binds
      if (alpha[j] > 0 && col[j] < cap - n) {
        return Optional.of(
            ("spPrices[%d] %d > 0 but SP %d supplies %d Wh, below its capacity %d Wh by more than"
                    + " the %d Wh of rounding allowed (complementary slackness)")
                .formatted(j, alpha[j], j, col[j], cap, n));
      }
    }
    for (int i = 0; i < n; i++) {
      DrRoundSpec.Ev ev = s.evs().get(i);
      BigInteger stored = k.multiply(BigInteger.valueOf(row[i]));
      BigInteger lo = BigInteger.valueOf(ev.eMinWh()).multiply(E12);
      BigInteger hi = BigInteger.valueOf(ev.eMaxWh()).multiply(E12);
      if (stored.compareTo(lo) < 0 || stored.compareTo(hi) > 0) {
        return Optional.of(
            "EV %d stores ηρ × %d Wh, outside [e_min %d, e_max %d] Wh"
                .formatted(i, row[i], ev.eMinWh(), ev.eMaxWh()));
      }
      boolean open = false;
      for (int j = 0; j < m; j++) {
        open |= cellCapWh(s, i, j) > 0;
      }
      if (!open) {
        continue; // an EV that may buy from no SP has no price to check
      }
      // at a bound when within m Wh of supply (each cell rounded to a Wh)
      boolean atLo = k.multiply(BigInteger.valueOf(row[i] - m)).compareTo(lo) < 0;
      boolean atHi = k.multiply(BigInteger.valueOf(row[i] + m)).compareTo(hi) > 0;
      // U'_i = w ηρ 1000 / D_i in micro-coins per kWh of supply, D_i = ηρ T − e_min 10^12 + 10^15
      BigInteger d = stored.subtract(lo).add(E15);
      BigInteger num = BigInteger.valueOf(ev.willingnessMicro()).multiply(k).multiply(THOUSAND);
      BigInteger gap = BigInteger.valueOf(u[i]).multiply(d).subtract(num); // (u − U') D
      BigInteger epsD = BigInteger.valueOf(s.toleranceMicroPerKWh()).multiply(d);
      if (gap.compareTo(epsD) > 0 && !atLo) {
        return Optional.of(
            ("evPrices[%d] %d exceeds EV %d's marginal utility %s by more than the tolerance %d"
                    + " while it stores more than e_min")
                .formatted(i, u[i], i, num.divide(d), s.toleranceMicroPerKWh()));
      }
      if (gap.negate().compareTo(epsD) > 0 && !atHi) {
        return Optional.of(
            ("evPrices[%d] %d is below EV %d's marginal utility %s by more than the tolerance %d"
                    + " while it stores less than e_max")
                .formatted(i, u[i], i, num.divide(d), s.toleranceMicroPerKWh()));
      }
      for (int j = 0; j < m; j++) {
        long ub = cellCapWh(s, i, j);
        if (ub == 0) {
          continue; // a closed cell: both of its bounds hold
        }
        DrRoundSpec.Sp sp = s.sps().get(j);
        // 1000 × reduced price: u_i − α_j − (2 c1 x / 1000 + c2 + r_j)
        long r1000 =
            1_000 * (u[i] - alpha[j] - sp.c2MicroPerKWh() - sp.minPriceMicroPerKWh())
                - 2 * sp.c1MicroPerKWh2() * x[i][j];
        boolean atZero = x[i][j] <= 1;
        boolean atCap = x[i][j] >= ub - 1;
        if (r1000 > eps1000 && !atCap) {
          return Optional.of(
              ("cell [%d][%d]: EV %d's price %d exceeds SP %d's marginal price plus its capacity"
                      + " price by %s per kWh, more than the tolerance %d, while the cell (%d Wh)"
                      + " is below its capacity %d Wh")
                  .formatted(
                      i, j, i, u[i], j, milli(r1000), s.toleranceMicroPerKWh(), x[i][j], ub));
        }
        if (-r1000 > eps1000 && !atZero) {
          return Optional.of(
              ("cell [%d][%d]: SP %d's marginal price plus its capacity price exceeds EV %d's"
                      + " price %d by %s per kWh, more than the tolerance %d, while the cell"
                      + " supplies %d Wh")
                  .formatted(i, j, j, i, u[i], milli(-r1000), s.toleranceMicroPerKWh(), x[i][j]));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The settlement of an allocation by the individually rational payment rule of lib-auction
   * ({@code PaymentRule.INDIVIDUALLY_RATIONAL}; docs/demand-response.md, "Individual rationality"),
   * in exact integer and rational arithmetic; each EV's payment rounded up to a micro-coin, each
   * cell's payment to its SP rounded down, so the auctioneer's surplus is never negative.
   *
   * @param evPayMicro what each EV pays
   * @param cellPayMicro what each cell pays its SP, {@code [i][j]}
   */
  public record Payments(long[] evPayMicro, long[][] cellPayMicro) {}

  /**
   * The IR rule's payments for an allocation (assumed feasible).
   *
   * @param s the round
   * @param x the allocation, Wh
   * @return the payments
   */
  public static Payments pay(DrRoundSpec s, long[][] x) {
    int n = s.evs().size();
    int m = s.sps().size();
    BigInteger[][] v = new BigInteger[n][m]; // marginal price × quantity
    BigInteger[][] rent = new BigInteger[n][m]; // c1 x²
    BigInteger[] bill = new BigInteger[n];
    BigInteger[] cap = new BigInteger[n];
    BigInteger[] pay0 = new BigInteger[n];
    BigInteger rents = BigInteger.ZERO;
    BigInteger relief = BigInteger.ZERO;
    for (int i = 0; i < n; i++) {
      DrRoundSpec.Ev ev = s.evs().get(i);
      bill[i] = BigInteger.ZERO;
      long total = 0;
      for (int j = 0; j < m; j++) {
        DrRoundSpec.Sp sp = s.sps().get(j);
        BigInteger xx = BigInteger.valueOf(x[i][j]);
        rent[i][j] = BigInteger.valueOf(sp.c1MicroPerKWh2()).multiply(xx).multiply(xx);
        BigInteger cost =
            rent[i][j].add(
                BigInteger.valueOf(sp.c2MicroPerKWh() + sp.minPriceMicroPerKWh())
                    .multiply(xx)
                    .multiply(THOUSAND));
        v[i][j] = cost.add(rent[i][j]);
        bill[i] = bill[i].add(v[i][j]);
        rents = rents.add(rent[i][j]);
        total += x[i][j];
      }
      BigInteger outside =
          BigInteger.valueOf(s.retailPriceMicroPerKWh())
              .multiply(BigInteger.valueOf(ev.eMinWh()))
              .multiply(THOUSAND);
      BigInteger limit =
          BigInteger.valueOf(ev.maxPriceMicroPerKWh())
              .multiply(BigInteger.valueOf(total))
              .multiply(THOUSAND);
      cap[i] = utilityPico(s, i, total).add(outside).min(limit).max(BigInteger.ZERO);
      pay0[i] = bill[i].min(cap[i]);
      relief = relief.add(bill[i].subtract(pay0[i]));
    }
    // θ = min(1, relief / rents) = tn / td
    BigInteger tn;
    BigInteger td;
    if (rents.signum() == 0) {
      tn = BigInteger.ZERO;
      td = BigInteger.ONE;
    } else if (relief.compareTo(rents) >= 0) {
      tn = BigInteger.ONE;
      td = BigInteger.ONE;
    } else {
      tn = relief;
      td = rents;
    }
    BigInteger left = relief.subtract(rents).max(BigInteger.ZERO);
    BigInteger room = BigInteger.ZERO;
    for (int i = 0; i < n; i++) {
      room = room.add(cap[i].subtract(pay0[i]));
    }
    // share = min(1, left / room) = sn / sd
    BigInteger sn = BigInteger.ZERO;
    BigInteger sd = BigInteger.ONE;
    if (left.signum() > 0 && room.signum() > 0) {
      if (left.compareTo(room) >= 0) {
        sn = BigInteger.ONE;
      } else {
        sn = left;
        sd = room;
      }
    }
    BigInteger rest = left.subtract(left.min(room));
    long[] evPay = new long[n];
    for (int i = 0; i < n; i++) {
      BigInteger num = pay0[i].multiply(sd).add(cap[i].subtract(pay0[i]).multiply(sn));
      evPay[i] = ceilDiv(num, sd.multiply(MILLION)).longValueExact();
    }
    long[][] cellPay = new long[n][m];
    if (rest.signum() > 0) {
      // θ = 1: every cell is paid its cost; those are cut in proportion to break even
      BigInteger market = BigInteger.ZERO;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          market = market.add(v[i][j].subtract(rent[i][j]));
        }
      }
      BigInteger keep = market.subtract(rest).max(BigInteger.ZERO);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          BigInteger cost = v[i][j].subtract(rent[i][j]);
          cellPay[i][j] =
              market.signum() == 0
                  ? 0
                  : cost.multiply(keep).divide(market.multiply(MILLION)).longValueExact();
        }
      }
    } else {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          BigInteger num = v[i][j].multiply(td).subtract(rent[i][j].multiply(tn));
          cellPay[i][j] = num.divide(td.multiply(MILLION)).longValueExact();
        }
      }
    }
    return new Payments(evPay, cellPay);
  }

  /**
   * EV i's utility {@code w_i ln(ηρ T − e_min + 1)} (energies in kWh) in pico-coins, rounded down
   * (the logarithm to 10^-40, far below a pico-coin for any w_i in range).
   *
   * @param s the round
   * @param i the EV
   * @param supplyWh T_i, its total supply in Wh (it stores at least e_min)
   * @return U_i, pico-coins, 0 or more
   */
  public static BigInteger utilityPico(DrRoundSpec s, int i, long supplyWh) {
    DrRoundSpec.Ev ev = s.evs().get(i);
    BigInteger d =
        etaRho(s)
            .multiply(BigInteger.valueOf(supplyWh))
            .subtract(BigInteger.valueOf(ev.eMinWh()).multiply(E12))
            .add(E15);
    return BigInteger.valueOf(ev.willingnessMicro())
        .multiply(MILLION)
        .multiply(lnScaled(d, E15))
        .divide(LN_SCALE);
  }

  /**
   * {@code ln(num / den) × 10^40}, rounded towards zero within a few units of the last place:
   * {@code num / den = 2^n m} with m in [1, 2), {@code ln m = 2 atanh((m − 1)/(m + 1))} by its
   * series (the argument is below 1/3, so each term gains a factor 9).
   *
   * @param num the numerator, at least {@code den}
   * @param den the denominator, more than 0
   * @return the scaled logarithm, 0 or more
   */
  static BigInteger lnScaled(BigInteger num, BigInteger den) {
    int n = Math.max(0, num.bitLength() - den.bitLength());
    BigInteger base = den.shiftLeft(n);
    if (num.compareTo(base) < 0) {
      n--;
      base = den.shiftLeft(n);
    }
    return LN2.multiply(BigInteger.valueOf(n)).add(twoAtanh(num.subtract(base), num.add(base)));
  }

  private static BigInteger twoAtanh(BigInteger p, BigInteger q) {
    BigInteger z = p.multiply(LN_SCALE).divide(q);
    BigInteger z2 = z.multiply(z).divide(LN_SCALE);
    BigInteger term = z;
    BigInteger sum = BigInteger.ZERO;
    for (long k = 1; term.signum() > 0; k += 2) {
      sum = sum.add(term.divide(BigInteger.valueOf(k)));
      term = term.multiply(z2).divide(LN_SCALE);
    }
    return sum.shiftLeft(1);
  }

  private static BigInteger etaRho(DrRoundSpec s) {
    return BigInteger.valueOf((long) s.etaPpm() * s.rhoPpm());
  }

  private static BigInteger ceilDiv(BigInteger a, BigInteger b) {
    BigInteger[] qr = a.divideAndRemainder(b);
    return qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
  }

  private static String milli(long v) {
    return new java.math.BigDecimal(BigInteger.valueOf(v), 3).toPlainString();
  }
}

package org.gridtrade.market;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.gridtrade.ledger.Address;

/**
 * A demand-response round as its auctioneer opens it on chain (Aggarwal Alg. 8; docs/markets.md,
 * "Demand-response settlement"): the market's efficiencies, the EVs and SPs with their bid
 * parameters, the tolerance of the certificate, the grid's retail price of the IR payment rule, and
 * the two deadlines. Every number is an integer in ledger units: energy in Wh, money in
 * micro-coins, prices in micro-coins per kWh <em>of SP supply</em> (the unit in which lib-auction's
 * EV and SP prices meet on a cell), the retail price per kWh <em>stored</em>.
 *
 * <p>The model is lib-auction's {@code DrInstance} in these units: EV i values the energy it stores
 * {@code E_i = ηρ T_i} ({@code T_i = Σ_j x_ij}, the SPs' supply to it) at {@code U_i = w_i · ln(E_i
 * − e_i^min + 1)} (E in kWh), must store between {@code e_i^min} and {@code e_i^max}, and never
 * pays more than {@code q_i} per kWh; SP j supplies at most its capacity, at cost {@code c1 x² +
 * (c2 + r_j) x} per cell (x in kWh, {@code r_j} its minimum selling price).
 *
 * @param etaPpm the charging efficiency η in parts per million, {@value #MIN_EFFICIENCY_PPM} to
 *     1,000,000
 * @param rhoPpm the transmission efficiency ρ in parts per million, {@value #MIN_EFFICIENCY_PPM} to
 *     1,000,000
 * @param retailPriceMicroPerKWh the grid's retail price per kWh stored (the EVs' outside option of
 *     the IR payment rule), 0 to {@value #MAX_PRICE}
 * @param toleranceMicroPerKWh ε: how far, in price, the certificate's optimality conditions may
 *     miss, 0 to {@value #MAX_PRICE}
 * @param certifyByHeight the last height at which EVs may escrow and the auctioneer may certify
 * @param settleByHeight the last height at which SPs may settle their cells, above {@code
 *     certifyByHeight}; at the end of its block the round closes
 * @param evs the charging EVs, 1 to {@value #MAX_ROUND_EVS}
 * @param sps the discharging SPs, 1 to {@value #MAX_ROUND_SPS}; no address twice among EVs and SPs;
 *     at most {@value #MAX_ROUND_CELLS} cells ({@code evs × sps}). A round whose open call and
 *     certificate each fit one transaction ({@link #fits}) is opened and certified with one call
 *     each; a larger one in parts ({@link DrCalls#openInParts}, {@link DrCalls#certifyInParts})
 */
public record DrRoundSpec(
    int etaPpm,
    int rhoPpm,
    long retailPriceMicroPerKWh,
    long toleranceMicroPerKWh,
    long certifyByHeight,
    long settleByHeight,
    List<Ev> evs,
    List<Sp> sps) {

  /**
   * The most EVs and SPs together in a round opened with one call: its {@link DrCalls#open} call
   * (52 bytes per party after a 45-byte header) fits one transaction's call data.
   */
  public static final int MAX_PARTIES = 28;

  /**
   * The most numbers in a certificate posted with one call, {@code evs × sps + evs + sps} (the
   * allocation and both price vectors): its {@link DrCalls#certify} call (8 bytes per number after
   * a 13-byte header) fits one transaction's call data. 20 EVs and 5 SPs take 125, 16 and 8 take
   * 152.
   */
  public static final int MAX_CERTIFIED = 190;

  /** The most EVs of a round (opened in parts when it does not {@link #fits}). */
  public static final int MAX_ROUND_EVS = 4_096;

  /** The most SPs of a round. */
  public static final int MAX_ROUND_SPS = 1_024;

  /**
   * The most cells ({@code evs × sps}) of a round: its certificate then takes up to 367 calls in
   * parts, and every node checks it and pays in the last of them.
   */
  public static final int MAX_ROUND_CELLS = 65_536;

  /** The least efficiency, in parts per million (lib-auction's 0.1). */
  public static final int MIN_EFFICIENCY_PPM = 100_000;

  /** The largest price (micro-coins per kWh) or energy (Wh). */
  public static final long MAX_PRICE = 1_000_000_000L;

  /** The largest willingness w_i, micro-coins. */
  public static final long MAX_WILLINGNESS = 1_000_000_000_000L;

  /** The largest quadratic cost factor c1, micro-coins per kWh². */
  public static final long MAX_C1 = 100_000_000L;

  /**
   * A charging EV and its bid parameters.
   *
   * @param address its account: it escrows and countersigns
   * @param willingnessMicro w_i, micro-coins, 1 to {@value DrRoundSpec#MAX_WILLINGNESS}
   * @param eMinWh e_i^min, stored Wh, 0 to {@code eMaxWh}
   * @param eMaxWh e_i^max, stored Wh, 1 to {@value DrRoundSpec#MAX_PRICE}
   * @param maxPriceMicroPerKWh q_i, the most it pays per kWh of supply, 1 to {@value
   *     DrRoundSpec#MAX_PRICE}
   */
  public record Ev(
      Address address, long willingnessMicro, long eMinWh, long eMaxWh, long maxPriceMicroPerKWh) {
    /** Checks the ranges. */
    public Ev {
      Objects.requireNonNull(address, "address");
      range("willingnessMicro", willingnessMicro, 1, MAX_WILLINGNESS);
      range("eMaxWh", eMaxWh, 1, MAX_PRICE);
      range("eMinWh", eMinWh, 0, eMaxWh);
      range("maxPriceMicroPerKWh", maxPriceMicroPerKWh, 1, MAX_PRICE);
    }
  }

  /**
   * A discharging SP and its cost.
   *
   * @param address its account: it issues tokens and is paid
   * @param capacityWh S_j^max, Wh of supply, 1 to {@value DrRoundSpec#MAX_PRICE}
   * @param c1MicroPerKWh2 c1, micro-coins per kWh², 1 to {@value DrRoundSpec#MAX_C1}
   * @param c2MicroPerKWh c2, micro-coins per kWh, 0 to {@value DrRoundSpec#MAX_PRICE}
   * @param minPriceMicroPerKWh r_j, its minimum selling price, 0 to {@value DrRoundSpec#MAX_PRICE}
   */
  public record Sp(
      Address address,
      long capacityWh,
      long c1MicroPerKWh2,
      long c2MicroPerKWh,
      long minPriceMicroPerKWh) {
    /** Checks the ranges. */
    public Sp {
      Objects.requireNonNull(address, "address");
      range("capacityWh", capacityWh, 1, MAX_PRICE);
      range("c1MicroPerKWh2", c1MicroPerKWh2, 1, MAX_C1);
      range("c2MicroPerKWh", c2MicroPerKWh, 0, MAX_PRICE);
      range("minPriceMicroPerKWh", minPriceMicroPerKWh, 0, MAX_PRICE);
    }
  }

  /** Checks the ranges and copies the lists. */
  public DrRoundSpec {
    range("etaPpm", etaPpm, MIN_EFFICIENCY_PPM, 1_000_000);
    range("rhoPpm", rhoPpm, MIN_EFFICIENCY_PPM, 1_000_000);
    range("retailPriceMicroPerKWh", retailPriceMicroPerKWh, 0, MAX_PRICE);
    range("toleranceMicroPerKWh", toleranceMicroPerKWh, 0, MAX_PRICE);
    range("certifyByHeight", certifyByHeight, 1, Long.MAX_VALUE - 1);
    range("settleByHeight", settleByHeight, certifyByHeight + 1, Long.MAX_VALUE);
    evs = List.copyOf(Objects.requireNonNull(evs, "evs"));
    sps = List.copyOf(Objects.requireNonNull(sps, "sps"));
    sizeProblem(evs.size(), sps.size())
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    Set<Address> seen = new HashSet<>();
    for (Ev ev : evs) {
      if (!seen.add(ev.address())) {
        throw new IllegalArgumentException(
            "address %s appears twice; every EV and SP needs its own".formatted(ev.address()));
      }
    }
    for (Sp sp : sps) {
      if (!seen.add(sp.address())) {
        throw new IllegalArgumentException(
            "address %s appears twice; every EV and SP needs its own".formatted(sp.address()));
      }
    }
  }

  /**
   * Whether a round of this size fits one call each: its open call and its certificate each fit one
   * transaction ({@link DrCalls#open}, {@link DrCalls#certify}); a larger round up to {@value
   * #MAX_ROUND_EVS} EVs, {@value #MAX_ROUND_SPS} SPs and {@value #MAX_ROUND_CELLS} cells is opened
   * and certified in parts.
   *
   * @param evs the EVs
   * @param sps the SPs
   * @return whether both are at least 1, {@code evs + sps ≤} {@value #MAX_PARTIES} and {@code evs ×
   *     sps + evs + sps ≤} {@value #MAX_CERTIFIED}
   */
  public static boolean fits(int evs, int sps) {
    return evs >= 1
        && sps >= 1
        && evs + sps <= MAX_PARTIES
        && (long) evs * sps + evs + sps <= MAX_CERTIFIED;
  }

  /**
   * Why a round of this size cannot be opened, if it cannot.
   *
   * @param evs the EVs
   * @param sps the SPs
   * @return the rule broken (naming the field and the value), or empty if the size is allowed
   */
  public static Optional<String> sizeProblem(int evs, int sps) {
    if (evs < 1 || evs > MAX_ROUND_EVS) {
      return Optional.of("evs %d must be in [1, %d]".formatted(evs, MAX_ROUND_EVS));
    }
    if (sps < 1 || sps > MAX_ROUND_SPS) {
      return Optional.of("sps %d must be in [1, %d]".formatted(sps, MAX_ROUND_SPS));
    }
    if ((long) evs * sps > MAX_ROUND_CELLS) {
      return Optional.of(
          "a round of %d EVs and %d SPs has %d cells; at most %d"
              .formatted(evs, sps, (long) evs * sps, MAX_ROUND_CELLS));
    }
    return Optional.empty();
  }

  private static void range(String field, long v, long lo, long hi) {
    if (v < lo || v > hi) {
      throw new IllegalArgumentException("%s %d must be in [%d, %d]".formatted(field, v, lo, hi));
    }
  }
}

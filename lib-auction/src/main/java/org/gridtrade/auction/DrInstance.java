package org.gridtrade.auction;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.gridtrade.auction.internal.TransportFeasibility;

/**
 * A demand-response market: charging EVs, discharging service providers (SPs) and the market's
 * efficiencies (Aggarwal §4.3; docs/demand-response.md, "The model"). Immutable; equal when all
 * components are equal.
 *
 * <p>Prices (docs/demand-response.md, "Minimum prices"): an SP's minimum selling price counts as a
 * cost per kWh it sells, so its marginal price on a cell is {@code 2 c1 s + c2 + minPrice}; an EV's
 * maximum buying price caps every cell at the supply where that marginal price reaches it ({@link
 * #cellCapacity}), and closes the cell when even the first kWh costs more. With caps, feasibility
 * is checked by a maximum flow.
 *
 * <p>EV {@code i} values the energy {@code E_i = η Σ_j e_ij} it receives with {@code U_i = w_i ·
 * ln(E_i − e_i^min + 1)}, {@code w_i = σ_i / SoC_i} (Eq. 4.1). SP {@code j} supplies {@code s_ji}
 * to EV {@code i} at cost {@code c1 Σ_i s_ji² + c2 Σ_i s_ji} (Eq. 4.2); the EV's share is {@code
 * e_ij = ρ s_ji}. The constructor rejects instances without a feasible allocation ({@code Σ_i
 * e_i^min > η ρ Σ_j S_j^max}); the constraints form a complete bipartite transport, so that
 * aggregate condition is also sufficient.
 *
 * <p>Every number has a range that keeps the model's arithmetic finite and the solvers well
 * conditioned: SoC at least {@link #MIN_SOC}, σ at most {@link #MAX_SIGMA} (so the willingness
 * σ/SoC is at most 1e7 cents/kWh), energies and capacities at most {@link #MAX_ENERGY} kWh, c1 in
 * [{@link #MIN_C1}, {@link #MAX_COST_FACTOR}], c2 at most {@link #MAX_COST_FACTOR}, η and ρ at
 * least {@link #MIN_EFFICIENCY}. A value outside its range is refused with a message naming the
 * field, the value and the range.
 *
 * @param evs the charging EVs, at least one, ids unique
 * @param sps the discharging SPs, at least one, ids unique
 * @param eta average charging efficiency η, in [{@link #MIN_EFFICIENCY}, 1]
 * @param rho average transmission efficiency ρ, in [{@link #MIN_EFFICIENCY}, 1]
 * @param xi convergence threshold ξ of the iterative auction, in (0, 1)
 * @param excludedLinks the (EV, SP) pairs that may not trade, e.g. because Aggarwal's Alg. 7 did
 *     not select the SP for the EV ({@link SpSelection#restrict}); each names an EV and an SP of
 *     this market; empty when every pair may trade
 */
public record DrInstance(
    List<Ev> evs, List<Sp> sps, double eta, double rho, double xi, Set<Link> excludedLinks) {

  /**
   * A market in which every EV may trade with every SP (no excluded links).
   *
   * @param evs the charging EVs, at least one, ids unique
   * @param sps the discharging SPs, at least one, ids unique
   * @param eta average charging efficiency η
   * @param rho average transmission efficiency ρ
   * @param xi convergence threshold ξ
   */
  public DrInstance(List<Ev> evs, List<Sp> sps, double eta, double rho, double xi) {
    this(evs, sps, eta, rho, xi, Set.of());
  }

  /**
   * An (EV, SP) pair of a market.
   *
   * @param evId the EV's id
   * @param spId the SP's id
   */
  public record Link(String evId, String spId) {
    public Link {
      Objects.requireNonNull(evId, "evId");
      Objects.requireNonNull(spId, "spId");
    }
  }

  /** The least state of charge: 0.1 %. */
  public static final double MIN_SOC = 1e-3;

  /** The largest willingness constant σ. */
  public static final double MAX_SIGMA = 1e4;

  /** The largest energy or capacity, kWh. */
  public static final double MAX_ENERGY = 1e6;

  /** The least quadratic cost factor c1 (strict convexity must be numerically visible). */
  public static final double MIN_C1 = 1e-4;

  /** The largest cost factor c1 or c2. */
  public static final double MAX_COST_FACTOR = 1e4;

  /** The least charging or transmission efficiency η, ρ. */
  public static final double MIN_EFFICIENCY = 0.1;

  /** Aggarwal §4.5.1: η. */
  public static final double DEFAULT_ETA = 0.8;

  /** Aggarwal §4.5.1: ρ. */
  public static final double DEFAULT_RHO = 0.9;

  /** Aggarwal §4.5.1: ξ. */
  public static final double DEFAULT_XI = 0.001;

  /** Aggarwal §4.5.1: quadratic cost factor c1. */
  public static final double DEFAULT_C1 = 0.01;

  /** Aggarwal §4.5.1: linear cost factor c2. */
  public static final double DEFAULT_C2 = 0.015;

  /**
   * A charging EV.
   *
   * @param id the EV's id, not blank
   * @param soc state of charge before charging, in [{@link #MIN_SOC}, 1]
   * @param eMin the least energy e_i^min it must receive, kWh, in [0, {@link #MAX_ENERGY}]
   * @param eMax the most energy e_i^max it can take, kWh, in (0, {@link #MAX_ENERGY}] and at least
   *     eMin
   * @param sigma the willingness constant σ, in (0, {@link #MAX_SIGMA}]
   * @param maxPrice the most it pays per kWh an SP supplies (Aggarwal §4.5.1), more than 0, or
   *     {@code Double.POSITIVE_INFINITY} for no limit
   */
  public record Ev(String id, double soc, double eMin, double eMax, double sigma, double maxPrice) {

    /**
     * An EV without a maximum buying price.
     *
     * @param id the EV's id, not blank
     * @param soc state of charge before charging, in [{@link #MIN_SOC}, 1]
     * @param eMin the least energy e_i^min it must receive, kWh
     * @param eMax the most energy e_i^max it can take, kWh
     * @param sigma the willingness constant σ
     */
    public Ev(String id, double soc, double eMin, double eMax, double sigma) {
      this(id, soc, eMin, eMax, sigma, Double.POSITIVE_INFINITY);
    }

    public Ev {
      requireId(id, "ev");
      if (!(soc >= MIN_SOC && soc <= 1)) {
        throw new IllegalArgumentException(
            "ev %s: soc %s must be in [%s, 1]".formatted(id, soc, MIN_SOC));
      }
      if (!(eMin >= 0 && eMin <= MAX_ENERGY)) {
        throw new IllegalArgumentException(
            "ev %s: eMin %s must be in [0, %s]".formatted(id, eMin, MAX_ENERGY));
      }
      if (!(eMax > 0 && eMax <= MAX_ENERGY)) {
        throw new IllegalArgumentException(
            "ev %s: eMax %s must be in (0, %s]".formatted(id, eMax, MAX_ENERGY));
      }
      if (eMin > eMax) {
        throw new IllegalArgumentException(
            "ev %s: eMin %s must be <= eMax %s".formatted(id, eMin, eMax));
      }
      if (!(sigma > 0 && sigma <= MAX_SIGMA)) {
        throw new IllegalArgumentException(
            "ev %s: sigma %s must be in (0, %s]".formatted(id, sigma, MAX_SIGMA));
      }
      if (!(maxPrice > 0)) {
        throw new IllegalArgumentException(
            "ev %s: maxPrice %s must be > 0 (Infinity for no limit)".formatted(id, maxPrice));
      }
    }

    /**
     * The charging willingness {@code w_i = σ / SoC_i} (Aggarwal, below Eq. 4.1).
     *
     * @return w_i, more than 0
     */
    public double willingness() {
      return sigma / soc;
    }
  }

  /**
   * A discharging service provider.
   *
   * @param id the SP's id, not blank
   * @param capacity the most energy S_j^max it supplies in total, kWh, in (0, {@link #MAX_ENERGY}]
   * @param c1 quadratic cost factor, in [{@link #MIN_C1}, {@link #MAX_COST_FACTOR}] (strict
   *     convexity makes the optimum unique and the SP's bid {@code p_ji} well defined)
   * @param c2 linear cost factor, in [0, {@link #MAX_COST_FACTOR}]
   * @param minPrice the least it sells for per kWh (Aggarwal §4.5.1), in [0, {@link
   *     #MAX_COST_FACTOR}]; 0 for no limit
   */
  public record Sp(String id, double capacity, double c1, double c2, double minPrice) {

    /**
     * An SP without a minimum selling price.
     *
     * @param id the SP's id, not blank
     * @param capacity the most energy S_j^max it supplies in total, kWh
     * @param c1 quadratic cost factor
     * @param c2 linear cost factor
     */
    public Sp(String id, double capacity, double c1, double c2) {
      this(id, capacity, c1, c2, 0);
    }

    /**
     * The SP's marginal price for supplying {@code s} kWh on one cell: {@code 2 c1 s + c2 +
     * minPrice} (docs/demand-response.md, "Minimum prices").
     *
     * @param s the cell's supply, kWh
     * @return the marginal price, at least {@code minPrice}
     */
    public double marginalPrice(double s) {
      return 2 * c1 * s + c2 + minPrice;
    }

    public Sp {
      requireId(id, "sp");
      if (!(capacity > 0 && capacity <= MAX_ENERGY)) {
        throw new IllegalArgumentException(
            "sp %s: capacity %s must be in (0, %s]".formatted(id, capacity, MAX_ENERGY));
      }
      if (!(c1 >= MIN_C1 && c1 <= MAX_COST_FACTOR)) {
        throw new IllegalArgumentException(
            "sp %s: c1 %s must be in [%s, %s]".formatted(id, c1, MIN_C1, MAX_COST_FACTOR));
      }
      if (!(c2 >= 0 && c2 <= MAX_COST_FACTOR)) {
        throw new IllegalArgumentException(
            "sp %s: c2 %s must be in [0, %s]".formatted(id, c2, MAX_COST_FACTOR));
      }
      if (!(minPrice >= 0 && minPrice <= MAX_COST_FACTOR)) {
        throw new IllegalArgumentException(
            "sp %s: minPrice %s must be in [0, %s]".formatted(id, minPrice, MAX_COST_FACTOR));
      }
    }
  }

  public DrInstance {
    evs = List.copyOf(Objects.requireNonNull(evs, "evs"));
    sps = List.copyOf(Objects.requireNonNull(sps, "sps"));
    if (evs.isEmpty()) {
      throw new IllegalArgumentException("evs must not be empty");
    }
    if (sps.isEmpty()) {
      throw new IllegalArgumentException("sps must not be empty");
    }
    Set<String> ids = new HashSet<>();
    for (Ev ev : evs) {
      if (!ids.add(ev.id())) {
        throw new IllegalArgumentException("ev id '%s' is not unique".formatted(ev.id()));
      }
    }
    ids.clear();
    for (Sp sp : sps) {
      if (!ids.add(sp.id())) {
        throw new IllegalArgumentException("sp id '%s' is not unique".formatted(sp.id()));
      }
    }
    if (!(eta >= MIN_EFFICIENCY && eta <= 1)) {
      throw new IllegalArgumentException(
          "eta %s must be in [%s, 1]".formatted(eta, MIN_EFFICIENCY));
    }
    if (!(rho >= MIN_EFFICIENCY && rho <= 1)) {
      throw new IllegalArgumentException(
          "rho %s must be in [%s, 1]".formatted(rho, MIN_EFFICIENCY));
    }
    if (!(xi > 0 && xi < 1)) {
      throw new IllegalArgumentException("xi %s must be in (0, 1)".formatted(xi));
    }
    excludedLinks = Set.copyOf(Objects.requireNonNull(excludedLinks, "excludedLinks"));
    Set<String> evIds = new HashSet<>();
    for (Ev ev : evs) {
      evIds.add(ev.id());
    }
    for (Link link : excludedLinks) {
      if (!evIds.contains(link.evId()) || !ids.contains(link.spId())) {
        throw new IllegalArgumentException(
            "excluded link %s -> %s names no EV or no SP of this market"
                .formatted(link.evId(), link.spId()));
      }
    }
    double need = 0;
    for (Ev ev : evs) {
      need += ev.eMin();
    }
    double capacity = 0;
    for (Sp sp : sps) {
      capacity += sp.capacity();
    }
    double deliverable = eta * rho * capacity;
    if (need > deliverable * (1 + 1e-12)) {
      throw new IllegalArgumentException(
          "infeasible: sum of eMin %s > eta*rho*sum of capacity %s".formatted(need, deliverable));
    }
    double shortfall = TransportFeasibility.shortfall(evs, sps, eta * rho, excludedLinks);
    if (shortfall > 1e-9 * Math.max(1, need)) {
      throw new IllegalArgumentException(
          ("infeasible: the SPs an EV may buy from within its maxPrice (an SP's marginal price,"
                  + " from its minPrice up, at most the EV's maxPrice) and on links not excluded"
                  + " cannot deliver every eMin; %s kWh short")
              .formatted(shortfall));
    }
  }

  /**
   * The most an SP supplies to an EV: its capacity, and no more than keeps the SP's marginal price
   * ({@link Sp#marginalPrice}) within the EV's maximum buying price; 0 when even the first kWh
   * costs more than that (docs/demand-response.md, "Minimum prices"); 0 on an excluded link.
   *
   * @param i the EV's index
   * @param j the SP's index
   * @return the cell's capacity, kWh of supply, 0 or more
   */
  public double cellCapacity(int i, int j) {
    if (!excludedLinks.isEmpty()
        && excludedLinks.contains(new Link(evs.get(i).id(), sps.get(j).id()))) {
      return 0;
    }
    return TransportFeasibility.cellCapacity(evs.get(i), sps.get(j));
  }

  /**
   * A random instance with Aggarwal's parameter ranges (Aggarwal §4.5.1; docs/demand-response.md,
   * "The model").
   *
   * <p>EV demand {@code e_i^max ~ U[10, 60]} kWh, {@code e_i^min = e_i^max · U[0.1, 0.5]}, {@code
   * SoC_i ~ U[0.1, 0.9]}; Aggarwal's "minimum buying price" {@code π_i ~ U[10, 60]} is used as the
   * willingness {@code w_i} ({@code σ_i = π_i · SoC_i}). SP capacity {@code ~ U[50, 250]} kWh,
   * {@code c1 = 0.01}, {@code c2 = 0.015} (no prices: {@link #randomWithPrices} draws Aggarwal's
   * minimum selling and maximum buying prices); η = 0.8, ρ = 0.9, ξ = 0.001. To keep every instance
   * feasible with slack, all {@code e_i^min} are scaled down by one common factor when their sum
   * exceeds 90 % of {@code η ρ Σ_j S_j^max}. Deterministic for a given generator state.
   *
   * @param evCount number of EVs, at least 1
   * @param spCount number of SPs, at least 1
   * @param random the source of randomness
   * @return a feasible instance
   * @throws IllegalArgumentException if a count is below 1
   */
  public static DrInstance random(int evCount, int spCount, RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    if (evCount < 1) {
      throw new IllegalArgumentException("evCount %s must be >= 1".formatted(evCount));
    }
    if (spCount < 1) {
      throw new IllegalArgumentException("spCount %s must be >= 1".formatted(spCount));
    }
    double[] eMax = new double[evCount];
    double[] eMin = new double[evCount];
    double[] soc = new double[evCount];
    double[] price = new double[evCount];
    double need = 0;
    for (int i = 0; i < evCount; i++) {
      eMax[i] = random.nextDouble(10, 60);
      eMin[i] = eMax[i] * random.nextDouble(0.1, 0.5);
      soc[i] = random.nextDouble(0.1, 0.9);
      price[i] = random.nextDouble(10, 60);
      need += eMin[i];
    }
    Sp[] sps = new Sp[spCount];
    double capacity = 0;
    for (int j = 0; j < spCount; j++) {
      sps[j] = new Sp("sp" + j, random.nextDouble(50, 250), DEFAULT_C1, DEFAULT_C2);
      capacity += sps[j].capacity();
    }
    double limit = 0.9 * DEFAULT_ETA * DEFAULT_RHO * capacity;
    double scale = need > limit ? limit / need : 1;
    Ev[] evs = new Ev[evCount];
    for (int i = 0; i < evCount; i++) {
      evs[i] = new Ev("ev" + i, soc[i], eMin[i] * scale, eMax[i], price[i] * soc[i]);
    }
    return new DrInstance(List.of(evs), List.of(sps), DEFAULT_ETA, DEFAULT_RHO, DEFAULT_XI);
  }

  /**
   * A random instance like {@link #random} (the same draws from the same generator state) with
   * Aggarwal's prices as constraints (§4.5.1; docs/demand-response.md, "Minimum prices"): every SP
   * gets a minimum selling price {@code ~ U[5, 50]} per kWh, every EV a maximum buying price equal
   * to its buying price {@code π_i} (the number {@link #random} uses as its willingness). An EV
   * then buys only from SPs whose marginal price stays within its maximum; an EV with no such SP
   * gets {@code e_i^min = 0}, and all {@code e_i^min} are scaled down by one common factor until 90
   * % of it is deliverable, so every instance is feasible with slack. Deterministic for a given
   * generator state.
   *
   * @param evCount number of EVs, at least 1
   * @param spCount number of SPs, at least 1
   * @param random the source of randomness
   * @return a feasible instance with prices
   * @throws IllegalArgumentException if a count is below 1
   */
  public static DrInstance randomWithPrices(int evCount, int spCount, RandomGenerator random) {
    DrInstance plain = random(evCount, spCount, random);
    double[] minPrice = new double[spCount];
    for (int j = 0; j < spCount; j++) {
      minPrice[j] = random.nextDouble(5, 50);
    }
    Sp[] sps = new Sp[spCount];
    for (int j = 0; j < spCount; j++) {
      Sp sp = plain.sps().get(j);
      sps[j] = new Sp(sp.id(), sp.capacity(), sp.c1(), sp.c2(), minPrice[j]);
    }
    double[] eMin = new double[evCount];
    for (int i = 0; i < evCount; i++) {
      Ev ev = plain.evs().get(i);
      Ev priced = new Ev(ev.id(), ev.soc(), ev.eMin(), ev.eMax(), ev.sigma(), ev.willingness());
      boolean reachable = false;
      for (Sp sp : sps) {
        reachable |= TransportFeasibility.cellCapacity(priced, sp) > 0;
      }
      eMin[i] = reachable ? ev.eMin() : 0;
    }
    double k = DEFAULT_ETA * DEFAULT_RHO;
    double scale = 1;
    double need = 0;
    for (double e : eMin) {
      need += e / k;
    }
    double slack = 1e-9 * Math.max(1, need);
    if (TransportFeasibility.shortfall(evs(plain, eMin, 1), List.of(sps), k) > slack) {
      double lo = 0;
      double hi = 1;
      for (int it = 0; it < 50; it++) {
        double mid = 0.5 * (lo + hi);
        if (TransportFeasibility.shortfall(evs(plain, eMin, mid), List.of(sps), k) > slack) {
          hi = mid;
        } else {
          lo = mid;
        }
      }
      scale = 0.9 * lo;
    }
    return new DrInstance(
        evs(plain, eMin, scale), List.of(sps), plain.eta(), plain.rho(), plain.xi());
  }

  private static List<Ev> evs(DrInstance plain, double[] eMin, double scale) {
    Ev[] evs = new Ev[eMin.length];
    for (int i = 0; i < eMin.length; i++) {
      Ev ev = plain.evs().get(i);
      evs[i] = new Ev(ev.id(), ev.soc(), eMin[i] * scale, ev.eMax(), ev.sigma(), ev.willingness());
    }
    return List.of(evs);
  }

  private static void requireId(String id, String what) {
    Objects.requireNonNull(id, what + " id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("%s id '%s' must not be blank".formatted(what, id));
    }
  }
}

package org.gridtrade.auction;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Surplus-share allocation by magnitude of energy share (MES) with the installed-capacity check:
 * implements Ahmad et al. §IV (DF, PSA and MES equations) as docs/auction.md, "Magnitude of energy
 * share", states it.
 *
 * <p>Ahmad et al. define the surplus with the opposite sign to how they use it; we use {@code S =
 * total generation − total load}.
 *
 * <p>Per cluster, first the capacity check: a prosumer whose peak generation exceeds its declared
 * installed capacity by more than the tolerance ({@code peak > capacity × (1 + tolerance)}) loses
 * its authorisation to supply; it is reported with a reason and treated as a pure consumer (its
 * generation and capacity are left out, its load stays in). Then, over the authorised prosumers:
 *
 * <ul>
 *   <li>{@code S ≤ 0}: each supplies 100 % of its generation ({@code MES_i = generation_i}); the
 *       deficit {@code −S} comes from the grid;
 *   <li>{@code S > 0}: {@code DF = S / Σ capacity}, {@code PSA = 1 − DF}, {@code MES_i = PSA ×
 *       capacity_i}. PSA is floored at 0 (Ahmad et al. do not cover {@code S > Σ capacity}), so
 *       {@code Σ MES = max(0, Σ capacity − S)}: the total curtailment against installed capacity is
 *       the surplus.
 * </ul>
 *
 * <p>If {@code S > 0} but no authorised capacity is declared (inconsistent meter data), DF is
 * undefined; every authorised prosumer then keeps {@code MES_i = generation_i} and DF is reported
 * as 0.
 *
 * <p>Immutable and thread-safe; results are deterministic.
 */
public final class MagnitudeOfEnergyShare {

  /** Default tolerance of the installed-capacity check: 15 % (Ahmad et al. §IV allow 10–15 %). */
  public static final double DEFAULT_TOLERANCE = 0.15;

  /**
   * One prosumer (or pure consumer, with zero generation and capacity) of a cluster.
   *
   * @param id the prosumer's id, not blank
   * @param generation energy generated in the period, kWh, finite and 0 or more
   * @param load energy consumed in the period, kWh, finite and 0 or more
   * @param installedCapacity declared installed capacity (energy it can supply in the period), kWh,
   *     finite and 0 or more
   * @param peakGeneration measured peak generation on the capacity's scale, finite and 0 or more
   */
  public record Prosumer(
      String id, double generation, double load, double installedCapacity, double peakGeneration) {
    /** Validates every field. */
    public Prosumer {
      Objects.requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("prosumer id '%s' must not be blank".formatted(id));
      }
      check(id, "generation", generation);
      check(id, "load", load);
      check(id, "installedCapacity", installedCapacity);
      check(id, "peakGeneration", peakGeneration);
    }

    private static void check(String id, String field, double value) {
      if (!Double.isFinite(value) || value < 0) {
        throw new IllegalArgumentException(
            "prosumer %s: %s %s must be finite and >= 0".formatted(id, field, value));
      }
    }
  }

  /**
   * A prosumer's allowed supply.
   *
   * @param id the prosumer's id
   * @param mes magnitude of energy share: kWh it may supply, 0 or more
   */
  public record Share(String id, double mes) {
    /** Checks for null. */
    public Share {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * A prosumer that failed the installed-capacity check.
   *
   * @param id the prosumer's id
   * @param peakGeneration its measured peak
   * @param installedCapacity its declared capacity
   * @param reason why it lost its authorisation to supply
   */
  public record Revocation(
      String id, double peakGeneration, double installedCapacity, String reason) {
    /** Checks for nulls. */
    public Revocation {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The allocation of one cluster.
   *
   * @param surplus {@code S = Σ authorised generation − Σ load}, kWh (negative: deficit)
   * @param totalInstalledCapacity Σ capacity of authorised prosumers, kWh
   * @param deratingFactor DF, 0 when {@code S ≤ 0}
   * @param psa {@code 1 − DF} floored at 0, or 1 when {@code S ≤ 0}
   * @param gridImport {@code max(0, −S)}, kWh the grid supplies
   * @param shares MES of each authorised prosumer, input order
   * @param revoked prosumers that failed the capacity check, input order
   */
  public record Allocation(
      double surplus,
      double totalInstalledCapacity,
      double deratingFactor,
      double psa,
      double gridImport,
      List<Share> shares,
      List<Revocation> revoked) {
    /** Copies the lists. */
    public Allocation {
      shares = List.copyOf(shares);
      revoked = List.copyOf(revoked);
    }

    /**
     * Total allowed supply.
     *
     * @return {@code Σ MES}, kWh
     */
    public double totalMes() {
      double sum = 0;
      for (Share s : shares) {
        sum += s.mes();
      }
      return sum;
    }
  }

  private final double tolerance;

  private MagnitudeOfEnergyShare(double tolerance) {
    this.tolerance = tolerance;
  }

  /**
   * The allocation with the default 15 % capacity tolerance.
   *
   * @return an allocator
   */
  public static MagnitudeOfEnergyShare withDefaultTolerance() {
    return new MagnitudeOfEnergyShare(DEFAULT_TOLERANCE);
  }

  /**
   * The allocation with a chosen capacity tolerance. Ahmad et al. §IV allow 10–15 %; any value in
   * {@code [0, 1]} is accepted for studies.
   *
   * @param tolerance allowed excess of peak over installed capacity, as a fraction (0.15 = 15 %)
   * @return an allocator
   * @throws IllegalArgumentException if {@code tolerance} is NaN or outside {@code [0, 1]}
   */
  public static MagnitudeOfEnergyShare withTolerance(double tolerance) {
    if (!(tolerance >= 0 && tolerance <= 1)) {
      throw new IllegalArgumentException(
          "tolerance %s must be within [0, 1] (Ahmad et al. allow 0.10–0.15)".formatted(tolerance));
    }
    return new MagnitudeOfEnergyShare(tolerance);
  }

  /**
   * The tolerance of the installed-capacity check.
   *
   * @return a fraction in {@code [0, 1]}
   */
  public double tolerance() {
    return tolerance;
  }

  /**
   * Allocates one cluster.
   *
   * @param cluster the cluster's prosumers and consumers, unique ids; may be empty
   * @return DF, PSA, MES per authorised prosumer and the revoked prosumers with reasons
   * @throws IllegalArgumentException if two prosumers share an id
   * @throws NullPointerException if the list or an element is null
   */
  public Allocation allocate(List<Prosumer> cluster) {
    Objects.requireNonNull(cluster, "cluster");
    Set<String> ids = new HashSet<>();
    List<Prosumer> authorised = new ArrayList<>();
    List<Revocation> revoked = new ArrayList<>();
    double generation = 0;
    double load = 0;
    double capacity = 0;
    for (Prosumer p : cluster) {
      Objects.requireNonNull(p, "prosumer");
      if (!ids.add(p.id())) {
        throw new IllegalArgumentException("prosumer id '%s' must be unique".formatted(p.id()));
      }
      load += p.load();
      double limit = p.installedCapacity() * (1 + tolerance);
      if (p.peakGeneration() > limit) {
        revoked.add(
            new Revocation(
                p.id(),
                p.peakGeneration(),
                p.installedCapacity(),
                "peak generation %s exceeds installed capacity %s by more than %s %%"
                    .formatted(p.peakGeneration(), p.installedCapacity(), tolerance * 100)));
        continue;
      }
      authorised.add(p);
      generation += p.generation();
      capacity += p.installedCapacity();
    }
    double surplus = generation - load;
    List<Share> shares = new ArrayList<>(authorised.size());
    if (surplus <= 0 || capacity == 0) {
      // capacity == 0 with S > 0 cannot happen for consistent input; supply as generated.
      for (Prosumer p : authorised) {
        shares.add(new Share(p.id(), p.generation()));
      }
      return new Allocation(surplus, capacity, 0, 1, Math.max(0, -surplus), shares, revoked);
    }
    double df = surplus / capacity;
    double psa = Math.max(0, 1 - df);
    for (Prosumer p : authorised) {
      shares.add(new Share(p.id(), psa * p.installedCapacity()));
    }
    return new Allocation(surplus, capacity, df, psa, 0, shares, revoked);
  }
}

package org.gridtrade.consensus.cluster;

import java.util.List;
import java.util.Objects;
import org.gridtrade.ledger.Payload;

/**
 * The installed-capacity check of Ahmad et al. §IV (docs/auction.md, "Magnitude of energy share"):
 * a prosumer whose peak generation exceeds its declared installed capacity by more than the
 * tolerance loses its authorisation to supply.
 *
 * <p>Authorised iff {@code peak × 100 ≤ declared × (100 + tolerancePercent)}, computed exactly in
 * integers, so a peak exactly at the tolerance is still authorised and one watt more is not. Ahmad
 * et al. (§IV) allow 10–15 %; the default is 15 %. Powers are in watts. Immutable and thread-safe.
 *
 * <p>lib-auction's {@code MagnitudeOfEnergyShare} applies the same rule in {@code double} kWh
 * inside the MES allocation; this one is exact on the ledger's integer units, for attested
 * readings.
 *
 * @param tolerancePercent how far the peak may exceed the declared capacity, {@value
 *     #MIN_TOLERANCE_PERCENT} to {@value #MAX_TOLERANCE_PERCENT} percent
 */
public record InstalledCapacityRule(int tolerancePercent) {
  /** Smallest tolerance Ahmad et al. allow, percent. */
  public static final int MIN_TOLERANCE_PERCENT = 10;

  /** Largest tolerance Ahmad et al. allow and the default, percent. */
  public static final int MAX_TOLERANCE_PERCENT = 15;

  /** Largest power accepted, W (about 46 TW), so the exact products fit a {@code long}. */
  public static final long MAX_WATTS = Long.MAX_VALUE / 200;

  public InstalledCapacityRule {
    if (tolerancePercent < MIN_TOLERANCE_PERCENT || tolerancePercent > MAX_TOLERANCE_PERCENT) {
      throw new IllegalArgumentException(
          "tolerancePercent %d not in %d..%d (Ahmad et al. §IV allows 10-15 %%)"
              .formatted(tolerancePercent, MIN_TOLERANCE_PERCENT, MAX_TOLERANCE_PERCENT));
    }
  }

  /**
   * The rule with the default tolerance of {@value #MAX_TOLERANCE_PERCENT} %.
   *
   * @return the default rule
   */
  public static InstalledCapacityRule defaults() {
    return new InstalledCapacityRule(MAX_TOLERANCE_PERCENT);
  }

  /**
   * Checks a prosumer's peak generation against its declared capacity.
   *
   * @param prosumerId who is checked, not blank
   * @param declaredCapacityW installed capacity as declared and verified at installation, W, 1 to
   *     {@link #MAX_WATTS}
   * @param peakGenerationW the highest generation measured in operation, W, 0 to {@link #MAX_WATTS}
   * @return authorised, or revoked with the reason
   * @throws IllegalArgumentException if a value is out of range
   */
  public CapacityVerdict check(String prosumerId, long declaredCapacityW, long peakGenerationW) {
    Objects.requireNonNull(prosumerId, "prosumerId");
    if (prosumerId.isBlank()) {
      throw new IllegalArgumentException("prosumerId is blank");
    }
    if (declaredCapacityW < 1 || declaredCapacityW > MAX_WATTS) {
      throw new IllegalArgumentException(
          "declaredCapacityW %d not in 1..%d".formatted(declaredCapacityW, MAX_WATTS));
    }
    if (peakGenerationW < 0 || peakGenerationW > MAX_WATTS) {
      throw new IllegalArgumentException(
          "peakGenerationW %d not in 0..%d".formatted(peakGenerationW, MAX_WATTS));
    }
    long limitW = declaredCapacityW * (100 + tolerancePercent) / 100;
    if (peakGenerationW * 100 <= declaredCapacityW * (100 + tolerancePercent)) {
      return new CapacityVerdict.Authorised(prosumerId, declaredCapacityW, peakGenerationW, limitW);
    }
    return new CapacityVerdict.Revoked(
        prosumerId,
        declaredCapacityW,
        peakGenerationW,
        limitW,
        "peak generation %d W exceeds declared capacity %d W by more than %d %% (limit %d W): no longer authorised to supply"
            .formatted(peakGenerationW, declaredCapacityW, tolerancePercent, limitW));
  }

  /**
   * The peak generation a set of meter readings shows: the highest average export power over one
   * interval, {@code floor(exportedWh × 3600 / intervalSeconds)} W. This is a lower bound on the
   * true peak (generation consumed on site and peaks within an interval are not seen), so the check
   * never revokes on it wrongly; shorter intervals see more.
   *
   * @param readings the prosumer's readings, not empty
   * @return the highest average export power, W
   * @throws IllegalArgumentException if {@code readings} is empty or a power exceeds {@link
   *     #MAX_WATTS}
   */
  public static long peakExportW(List<Payload.MeterReading> readings) {
    Objects.requireNonNull(readings, "readings");
    if (readings.isEmpty()) {
      throw new IllegalArgumentException("readings is empty: no peak to measure");
    }
    long peak = 0;
    for (Payload.MeterReading r : readings) {
      Objects.requireNonNull(r, "reading");
      if (r.exportedWh() > MAX_WATTS / 3600) {
        throw new IllegalArgumentException(
            "meter %s exportedWh %d > %d: the power is out of range"
                .formatted(r.meterId(), r.exportedWh(), MAX_WATTS / 3600));
      }
      peak = Math.max(peak, r.exportedWh() * 3600 / r.intervalSeconds());
    }
    return peak;
  }
}

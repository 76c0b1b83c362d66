package org.gridtrade.consensus.cluster;

import java.util.Objects;

/**
 * The result of {@link InstalledCapacityRule#check}: still authorised to supply, or revoked with
 * the reason. Immutable.
 */
public sealed interface CapacityVerdict {

  /**
   * Whether the prosumer may still supply.
   *
   * @return {@code true} for {@link Authorised}
   */
  default boolean authorised() {
    return this instanceof Authorised;
  }

  /**
   * The prosumer checked.
   *
   * @return its id
   */
  String prosumerId();

  /**
   * The peak is within the tolerance.
   *
   * @param prosumerId the prosumer
   * @param declaredCapacityW its declared capacity, W
   * @param peakGenerationW its measured peak, W
   * @param limitW the highest authorised peak, {@code floor(declared × (100 + tolerance) / 100)} W
   */
  record Authorised(String prosumerId, long declaredCapacityW, long peakGenerationW, long limitW)
      implements CapacityVerdict {
    public Authorised {
      Objects.requireNonNull(prosumerId, "prosumerId");
    }
  }

  /**
   * The peak exceeds the tolerance: the prosumer loses its authorisation to supply.
   *
   * @param prosumerId the prosumer
   * @param declaredCapacityW its declared capacity, W
   * @param peakGenerationW its measured peak, W
   * @param limitW the highest authorised peak, W
   * @param reason one line with the values and the rule
   */
  record Revoked(
      String prosumerId, long declaredCapacityW, long peakGenerationW, long limitW, String reason)
      implements CapacityVerdict {
    public Revoked {
      Objects.requireNonNull(prosumerId, "prosumerId");
      Objects.requireNonNull(reason, "reason");
    }
  }
}

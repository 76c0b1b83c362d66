package org.gridtrade.market;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.gridtrade.ledger.PublicKey;

/**
 * The smart meters that attest a seller's deliveries (Ahmad et al.'s cluster: the seller's own
 * meter and the neighbours that keep copies of its readings). Once an authority of the chain has
 * registered a cluster for a seller ({@link MarketCalls#registerMeters}), the seller's asks in
 * markets that settle on delivery are settled only by a reading that at least {@code threshold} of
 * these meters signed ({@link MarketCalls#attestedDelivery}); an authority's own report is refused.
 *
 * @param threshold how many of the meters must sign a reading, 1 to {@value #MAX_ATTESTATIONS} and
 *     at most the number of meters
 * @param meters the meters' Ed25519 keys, 1 to {@value #MAX_METERS}, distinct, each a valid key; a
 *     reading names its signers by their index here
 */
public record AttestingMeters(int threshold, List<PublicKey> meters) {
  /** The most meters in one cluster. */
  public static final int MAX_METERS = 32;

  /** The most signatures one reading carries (they fit one transaction), and the top threshold. */
  public static final int MAX_ATTESTATIONS = 16;

  /** Checks the rules above. */
  public AttestingMeters {
    meters = List.copyOf(Objects.requireNonNull(meters, "meters"));
    if (meters.isEmpty() || meters.size() > MAX_METERS) {
      throw new IllegalArgumentException(
          "meters has %d keys, must have 1 to %d".formatted(meters.size(), MAX_METERS));
    }
    if (threshold < 1 || threshold > Math.min(MAX_ATTESTATIONS, meters.size())) {
      throw new IllegalArgumentException(
          "threshold %d must be in [1, %d] (at most the %d meters and %d signatures)"
              .formatted(
                  threshold,
                  Math.min(MAX_ATTESTATIONS, meters.size()),
                  meters.size(),
                  MAX_ATTESTATIONS));
    }
    List<PublicKey> seen = new ArrayList<>();
    for (int i = 0; i < meters.size(); i++) {
      PublicKey k = meters.get(i);
      if (!k.isValid()) {
        throw new IllegalArgumentException(
            "meters[%d] %s is not a valid Ed25519 key: it could never sign".formatted(i, k));
      }
      if (seen.contains(k)) {
        throw new IllegalArgumentException(
            "meters[%d] %s appears twice; every meter counts once".formatted(i, k));
      }
      seen.add(k);
    }
  }
}

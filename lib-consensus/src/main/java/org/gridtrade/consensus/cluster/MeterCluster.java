package org.gridtrade.consensus.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.PublicKey;

/**
 * One cluster of smart meters (Ahmad et al. §IV; docs/security.md, "Cluster attestation"): its
 * parent node, its position, and the meters it serves with the public key each meter signs its
 * readings with.
 *
 * <p>The parent node is the node authorised for this cluster; it collects the readings and builds
 * the cluster's batch. The same node serves as a neighbour of other clusters ({@link
 * ClusterTopology}). Immutable and thread-safe; the meter map is copied and kept sorted by meter
 * id.
 *
 * @param id the cluster's identifier, 1 to 64 UTF-8 bytes
 * @param parent the address of the parent node's key
 * @param xKm east coordinate of the cluster, km, finite
 * @param yKm north coordinate of the cluster, km, finite
 * @param meters meter id to the meter's registered public key; at least one; each id 1 to {@value
 *     Payload.MeterReading#MAX_METER_ID_BYTES} UTF-8 bytes
 */
public record MeterCluster(
    String id, Address parent, double xKm, double yKm, Map<String, PublicKey> meters) {

  /** Longest cluster identifier, in UTF-8 bytes. */
  public static final int MAX_ID_BYTES = 64;

  public MeterCluster {
    Objects.requireNonNull(id, "id");
    int idBytes = id.getBytes(StandardCharsets.UTF_8).length;
    if (idBytes < 1 || idBytes > MAX_ID_BYTES) {
      throw new IllegalArgumentException(
          "cluster id \"%s\" has %d UTF-8 bytes, not 1..%d".formatted(id, idBytes, MAX_ID_BYTES));
    }
    Objects.requireNonNull(parent, "parent");
    if (!Double.isFinite(xKm) || !Double.isFinite(yKm)) {
      throw new IllegalArgumentException(
          "cluster %s position (%s, %s) km must be finite".formatted(id, xKm, yKm));
    }
    Objects.requireNonNull(meters, "meters");
    if (meters.isEmpty()) {
      throw new IllegalArgumentException("cluster %s has 0 meters, needs at least 1".formatted(id));
    }
    TreeMap<String, PublicKey> copy = new TreeMap<>();
    for (Map.Entry<String, PublicKey> e : meters.entrySet()) {
      String meter = Objects.requireNonNull(e.getKey(), "meter id");
      int b = meter.getBytes(StandardCharsets.UTF_8).length;
      if (b < 1 || b > Payload.MeterReading.MAX_METER_ID_BYTES) {
        throw new IllegalArgumentException(
            "cluster %s: meter id \"%s\" has %d UTF-8 bytes, not 1..%d"
                .formatted(id, meter, b, Payload.MeterReading.MAX_METER_ID_BYTES));
      }
      copy.put(meter, Objects.requireNonNull(e.getValue(), "key of meter " + meter));
    }
    meters = java.util.Collections.unmodifiableSortedMap(copy);
  }

  /**
   * Squared distance to another cluster, km². Exact and the same on every JVM (Java 17 floating
   * point is strict), so every node ranks neighbours identically.
   *
   * @param other the other cluster
   * @return {@code (Δx)² + (Δy)²}
   */
  public double distanceSquaredKm2(MeterCluster other) {
    double dx = xKm - other.xKm;
    double dy = yKm - other.yKm;
    return dx * dx + dy * dy;
  }
}

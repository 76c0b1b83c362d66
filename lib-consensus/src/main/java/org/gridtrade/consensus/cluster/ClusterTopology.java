package org.gridtrade.consensus.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.ledger.Address;

/**
 * The clusters of a grid and each cluster's neighbour nodes (Ahmad et al. §IV; docs/security.md,
 * "Cluster attestation").
 *
 * <p><b>Neighbour rule.</b> The neighbours of cluster {@code C} are the parent nodes of up to
 * {@code maxNeighbours} (default {@value #MAX_NEIGHBOURS}, Ahmad et al.'s limit) other clusters,
 * taken in this order:
 *
 * <ol>
 *   <li>nearest first, by the squared Euclidean distance between cluster positions;
 *   <li>at equal distance, the cluster with more meters first (more meters send it readings, so its
 *       parent is the busier, better-watched node Ahmad et al. prefer);
 *   <li>at equal distance and meter count, the lower cluster id (string order) first.
 * </ol>
 *
 * <p>The order is total, so the choice is deterministic and does not depend on the order the
 * clusters are given in. A cluster's own parent is never its neighbour: candidates are other
 * clusters only, and every cluster has a different parent node. A grid of one cluster gives it no
 * neighbours, so its batches can never be attested.
 *
 * <p>Immutable and thread-safe; neighbours are computed once, at construction, in O(n² log n).
 */
public final class ClusterTopology {
  /** Ahmad et al.'s limit on neighbour nodes per cluster. */
  public static final int MAX_NEIGHBOURS = 3;

  private final Map<String, MeterCluster> clusters;
  private final Map<String, List<Address>> neighbours;
  private final Map<String, String> clusterOfMeter;
  private final int maxNeighbours;

  private ClusterTopology(List<MeterCluster> list, int maxNeighbours) {
    this.maxNeighbours = maxNeighbours;
    Map<String, MeterCluster> byId = new LinkedHashMap<>();
    Map<Address, String> byParent = new HashMap<>();
    Map<String, String> meters = new HashMap<>();
    List<MeterCluster> sorted = new ArrayList<>(list);
    sorted.forEach(c -> Objects.requireNonNull(c, "cluster"));
    sorted.sort(Comparator.comparing(MeterCluster::id));
    for (MeterCluster c : sorted) {
      if (byId.putIfAbsent(c.id(), c) != null) {
        throw new IllegalArgumentException("cluster id %s appears twice".formatted(c.id()));
      }
      String other = byParent.putIfAbsent(c.parent(), c.id());
      if (other != null) {
        throw new IllegalArgumentException(
            "parent node %s serves clusters %s and %s: a node is the parent of one cluster"
                .formatted(c.parent(), other, c.id()));
      }
      for (String m : c.meters().keySet()) {
        String before = meters.putIfAbsent(m, c.id());
        if (before != null) {
          throw new IllegalArgumentException(
              "meter %s is in clusters %s and %s: a meter belongs to one cluster"
                  .formatted(m, before, c.id()));
        }
      }
    }
    Map<String, List<Address>> n = new HashMap<>();
    for (MeterCluster c : byId.values()) {
      List<MeterCluster> candidates = new ArrayList<>(byId.values());
      candidates.remove(c);
      candidates.sort(
          Comparator.<MeterCluster>comparingDouble(o -> o.distanceSquaredKm2(c))
              .thenComparing(o -> o.meters().size(), Comparator.reverseOrder())
              .thenComparing(MeterCluster::id));
      n.put(c.id(), candidates.stream().limit(maxNeighbours).map(MeterCluster::parent).toList());
    }
    this.clusters = Collections.unmodifiableMap(byId);
    this.neighbours = Map.copyOf(n);
    this.clusterOfMeter = Map.copyOf(meters);
  }

  /**
   * A topology with Ahmad et al.'s {@value #MAX_NEIGHBOURS} neighbours per cluster.
   *
   * @param clusters the clusters, at least one; ids, parent nodes and meter ids all distinct
   * @return the topology
   * @throws IllegalArgumentException if the list is empty, or a cluster id, parent node or meter id
   *     appears twice
   */
  public static ClusterTopology of(List<MeterCluster> clusters) {
    return of(clusters, MAX_NEIGHBOURS);
  }

  /**
   * A topology with a chosen number of neighbours per cluster.
   *
   * @param clusters the clusters, at least one; ids, parent nodes and meter ids all distinct
   * @param maxNeighbours neighbours per cluster, 1 to {@value #MAX_NEIGHBOURS}
   * @return the topology
   * @throws IllegalArgumentException if {@code maxNeighbours} is out of range, the list is empty,
   *     or a cluster id, parent node or meter id appears twice
   */
  public static ClusterTopology of(List<MeterCluster> clusters, int maxNeighbours) {
    Objects.requireNonNull(clusters, "clusters");
    if (maxNeighbours < 1 || maxNeighbours > MAX_NEIGHBOURS) {
      throw new IllegalArgumentException(
          "maxNeighbours %d not in 1..%d".formatted(maxNeighbours, MAX_NEIGHBOURS));
    }
    if (clusters.isEmpty()) {
      throw new IllegalArgumentException("clusters is empty: a topology needs at least 1");
    }
    return new ClusterTopology(clusters, maxNeighbours);
  }

  /**
   * The clusters, sorted by id.
   *
   * @return an immutable list
   */
  public List<MeterCluster> clusters() {
    return List.copyOf(clusters.values());
  }

  /**
   * A cluster by id.
   *
   * @param clusterId the id
   * @return the cluster, or empty if there is none with that id
   */
  public Optional<MeterCluster> cluster(String clusterId) {
    return Optional.ofNullable(clusters.get(Objects.requireNonNull(clusterId, "clusterId")));
  }

  /**
   * The cluster a meter belongs to.
   *
   * @param meterId the meter
   * @return the cluster's id, or empty if no cluster has that meter
   */
  public Optional<String> clusterOfMeter(String meterId) {
    return Optional.ofNullable(clusterOfMeter.get(Objects.requireNonNull(meterId, "meterId")));
  }

  /**
   * The neighbour nodes of a cluster, best first by the rule in the class comment.
   *
   * @param clusterId the cluster
   * @return the parent nodes of its neighbour clusters, at most {@link #maxNeighbours()}; empty for
   *     the only cluster of a grid
   * @throws IllegalArgumentException if there is no cluster with that id
   */
  public List<Address> neighbours(String clusterId) {
    List<Address> n = neighbours.get(Objects.requireNonNull(clusterId, "clusterId"));
    if (n == null) {
      throw new IllegalArgumentException("no cluster with id %s".formatted(clusterId));
    }
    return n;
  }

  /**
   * Whether a node is one of a cluster's neighbours.
   *
   * @param clusterId the cluster
   * @param node the node's address
   * @return {@code true} if {@code node} is in {@link #neighbours(String) neighbours(clusterId)}
   * @throws IllegalArgumentException if there is no cluster with that id
   */
  public boolean isNeighbour(String clusterId, Address node) {
    return neighbours(clusterId).contains(Objects.requireNonNull(node, "node"));
  }

  /**
   * The most neighbours a cluster gets.
   *
   * @return 1 to {@value #MAX_NEIGHBOURS}
   */
  public int maxNeighbours() {
    return maxNeighbours;
  }

  @Override
  public String toString() {
    return "ClusterTopology[%d clusters, up to %d neighbours each]"
        .formatted(clusters.size(), maxNeighbours);
  }
}

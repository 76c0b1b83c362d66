package org.gridtrade.consensus.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gridtrade.consensus.cluster.AttestationResult.IgnoredCopy;
import org.gridtrade.consensus.cluster.AttestationResult.Reason;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Transaction;

/**
 * The first layer of Ahmad et al.'s two-layer validation (docs/security.md, "Cluster attestation"):
 * a parent node's batch of meter readings is accepted only when the cluster's neighbour nodes hold
 * the same signed readings. An attested batch then goes to the second layer, the ordinary {@link
 * org.gridtrade.consensus.BlockEngine}, reading by reading, as signed transactions.
 *
 * <p><b>Checks</b>, in this order; the first that fails decides the {@link
 * AttestationResult.Reason}:
 *
 * <ol>
 *   <li>the cluster exists, the batch is signed by the cluster's parent node, and the signature
 *       verifies;
 *   <li>every reading in the batch is from a meter registered in the cluster, is sent (and signed)
 *       by that meter's registered key with a valid signature, and is for the batch's interval;
 *   <li>each neighbour copy counts only if it is for the same cluster and interval, is signed by
 *       one of the cluster's neighbour nodes ({@link ClusterTopology#neighbours}) and its signature
 *       verifies; other copies are ignored and listed. Within a counted copy, readings that fail
 *       the checks of step 2 are left out (a neighbour cannot veto with garbage it was sent);
 *   <li>no meter signed two different readings for the interval, across the batch and the counted
 *       copies ({@code METER_EQUIVOCATION}, naming the meter);
 *   <li>every counted copy holds exactly the batch's readings ({@code DISAGREEMENT} otherwise);
 *   <li>the number of neighbours with a matching copy reaches the quorum.
 * </ol>
 *
 * <p><b>"Agree"</b> means: the same set of valid signed readings, compared by their full encodings,
 * so the same meter, interval, values, nonce and signature; order does not matter.
 *
 * <p><b>Quorum</b>: every counted copy must agree (one dissenting neighbour vetoes), and at least
 * {@link Quorum#MAJORITY} (default: more than half of the assigned neighbours) or {@link
 * Quorum#ALL} of them must have delivered one. Why unanimity among the copies received: readings
 * are signed by the meters, so a neighbour cannot invent one; the only thing a copy can show is a
 * reading the parent dropped, and a single honest witness of a drop must be enough, otherwise a
 * parent that drops a reading only one neighbour saw wins. Why a majority of deliveries rather than
 * all: a neighbour that is down must not stop its neighbours' clusters. The price of the veto is
 * liveness: one faulty or hostile neighbour can hold up a cluster's batch (it cannot make a bad
 * batch pass), and the operator re-assigns it; the signed readings are not lost while it waits.
 *
 * <p>Immutable and thread-safe; {@link #attest} is a pure function of its arguments.
 */
public final class ClusterAttestation {

  /** How many assigned neighbours must deliver a matching copy. */
  public enum Quorum {
    /** More than half of the cluster's assigned neighbours ({@code floor(k/2) + 1} of k). */
    MAJORITY,
    /** Every assigned neighbour. */
    ALL;

    /**
     * Copies needed for a cluster with {@code assigned} neighbours.
     *
     * @param assigned neighbours assigned to the cluster, 0 or more
     * @return how many matching copies are needed
     */
    public int required(int assigned) {
      return this == ALL ? assigned : assigned / 2 + 1;
    }
  }

  private final ClusterTopology topology;
  private final Quorum quorum;

  private ClusterAttestation(ClusterTopology topology, Quorum quorum) {
    this.topology = topology;
    this.quorum = quorum;
  }

  /**
   * An attestation over a topology with the default quorum, {@link Quorum#MAJORITY}.
   *
   * @param topology the clusters and their neighbours
   * @return the attestation
   */
  public static ClusterAttestation of(ClusterTopology topology) {
    return of(topology, Quorum.MAJORITY);
  }

  /**
   * An attestation over a topology with a chosen quorum.
   *
   * @param topology the clusters and their neighbours
   * @param quorum how many neighbours must deliver a matching copy
   * @return the attestation
   */
  public static ClusterAttestation of(ClusterTopology topology, Quorum quorum) {
    return new ClusterAttestation(
        Objects.requireNonNull(topology, "topology"), Objects.requireNonNull(quorum, "quorum"));
  }

  /**
   * The topology.
   *
   * @return the clusters and their neighbours
   */
  public ClusterTopology topology() {
    return topology;
  }

  /**
   * The quorum.
   *
   * @return how many neighbours must deliver a matching copy
   */
  public Quorum quorum() {
    return quorum;
  }

  /**
   * Decides whether a parent's batch passes the first layer.
   *
   * @param batch the parent's signed batch
   * @param copies the neighbour copies received for it, in any order, from anyone
   * @return attested, or rejected with the reason; never throws for hostile content
   */
  public AttestationResult attest(ReadingBatch batch, Collection<NeighbourCopy> copies) {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(copies, "copies");
    List<IgnoredCopy> ignored = new ArrayList<>();
    MeterCluster cluster = topology.cluster(batch.clusterId()).orElse(null);
    if (cluster == null) {
      return reject(
          Reason.UNKNOWN_CLUSTER,
          "cluster %s is not in the topology".formatted(batch.clusterId()),
          List.of(),
          List.of(),
          ignored);
    }
    if (!batch.parentAddress().equals(cluster.parent())) {
      return reject(
          Reason.NOT_PARENT,
          "batch signed by %s, but cluster %s's parent is %s"
              .formatted(batch.parentAddress(), cluster.id(), cluster.parent()),
          List.of(),
          List.of(),
          ignored);
    }
    if (!batch.hasValidSignature()) {
      return reject(
          Reason.BAD_PARENT_SIGNATURE,
          "parent %s's signature over the batch of cluster %s does not verify"
              .formatted(batch.parentAddress(), cluster.id()),
          List.of(),
          List.of(),
          ignored);
    }
    for (Transaction tx : batch.readings()) {
      Problem p = problem(cluster, batch.intervalStart(), tx);
      if (p != null) {
        return reject(p.reason, "batch: " + p.detail, List.of(), List.of(p.meter), ignored);
      }
    }

    // Neighbour copies that count, each reduced to its valid readings. A reading equal (by its
    // encoding) to one of the batch's was checked already; only the others cost a signature check.
    Set<Transaction> batchSet = new HashSet<>(batch.readings());
    Map<Address, List<Set<Transaction>>> byNeighbour = new TreeMap<>();
    for (NeighbourCopy c : copies) {
      Objects.requireNonNull(c, "copy");
      Address from = c.neighbourAddress();
      if (!c.clusterId().equals(cluster.id()) || c.intervalStart() != batch.intervalStart()) {
        ignored.add(
            new IgnoredCopy(
                from,
                "copy is for cluster %s interval %d, the batch for cluster %s interval %d"
                    .formatted(
                        c.clusterId(), c.intervalStart(), cluster.id(), batch.intervalStart())));
      } else if (!topology.isNeighbour(cluster.id(), from)) {
        ignored.add(
            new IgnoredCopy(
                from,
                "%s is not a neighbour of cluster %s (its neighbours: %s)"
                    .formatted(from, cluster.id(), topology.neighbours(cluster.id()))));
      } else if (!c.hasValidSignature()) {
        ignored.add(new IgnoredCopy(from, "the copy's signature does not verify"));
      } else {
        Set<Transaction> valid = new HashSet<>();
        for (Transaction tx : c.readings()) {
          if (batchSet.contains(tx) || problem(cluster, batch.intervalStart(), tx) == null) {
            valid.add(tx);
          }
        }
        byNeighbour.computeIfAbsent(from, k -> new ArrayList<>()).add(valid);
      }
    }

    // A meter that signed two different readings for the interval.
    Map<String, Set<Transaction>> byMeter = new TreeMap<>();
    for (Transaction tx : batch.readings()) {
      byMeter.computeIfAbsent(meterId(tx), k -> new HashSet<>()).add(tx);
    }
    for (List<Set<Transaction>> sets : byNeighbour.values()) {
      for (Set<Transaction> s : sets) {
        for (Transaction tx : s) {
          byMeter.computeIfAbsent(meterId(tx), k -> new HashSet<>()).add(tx);
        }
      }
    }
    List<String> equivocating = new ArrayList<>();
    byMeter.forEach(
        (m, txs) -> {
          if (txs.size() > 1) {
            equivocating.add(m);
          }
        });
    if (!equivocating.isEmpty()) {
      return reject(
          Reason.METER_EQUIVOCATION,
          "meter(s) %s signed different readings for interval %d of cluster %s"
              .formatted(equivocating, batch.intervalStart(), cluster.id()),
          List.of(),
          equivocating,
          ignored);
    }

    List<Address> agreeing = new ArrayList<>();
    List<Address> dissenting = new ArrayList<>();
    String firstDiff = null;
    for (Map.Entry<Address, List<Set<Transaction>>> e : byNeighbour.entrySet()) {
      boolean agrees = true;
      for (Set<Transaction> s : e.getValue()) {
        if (!s.equals(batchSet)) {
          agrees = false;
          if (firstDiff == null) {
            firstDiff = difference(e.getKey(), batchSet, s);
          }
        }
      }
      (agrees ? agreeing : dissenting).add(e.getKey());
    }
    if (!dissenting.isEmpty()) {
      return reject(Reason.DISAGREEMENT, firstDiff, dissenting, List.of(), ignored);
    }
    int assigned = topology.neighbours(cluster.id()).size();
    int required = quorum.required(assigned);
    if (assigned == 0 || agreeing.size() < required) {
      return reject(
          Reason.NO_QUORUM,
          "%d of cluster %s's %d neighbours delivered a matching copy; %s needs %d"
              .formatted(agreeing.size(), cluster.id(), assigned, quorum, Math.max(1, required)),
          List.of(),
          List.of(),
          ignored);
    }
    return new AttestationResult.Attested(batch, agreeing, ignored);
  }

  private record Problem(Reason reason, String detail, String meter) {}

  private static String meterId(Transaction tx) {
    return ((Payload.MeterReading) tx.body().payload()).meterId();
  }

  private static Problem problem(MeterCluster cluster, long intervalStart, Transaction tx) {
    Payload.MeterReading r = (Payload.MeterReading) tx.body().payload();
    PublicKey registered = cluster.meters().get(r.meterId());
    if (registered == null) {
      return new Problem(
          Reason.UNKNOWN_METER,
          "reading %s is from meter %s, which is not registered in cluster %s"
              .formatted(tx.id(), r.meterId(), cluster.id()),
          r.meterId());
    }
    if (!tx.body().sender().equals(registered)) {
      return new Problem(
          Reason.FORGED_READING,
          "reading %s for meter %s is sent by key %s, not the meter's registered key %s"
              .formatted(tx.id(), r.meterId(), tx.body().sender(), registered),
          r.meterId());
    }
    if (!tx.hasValidSignatures()) {
      return new Problem(
          Reason.FORGED_READING,
          "reading %s for meter %s: %s"
              .formatted(tx.id(), r.meterId(), tx.signatureProblem().orElse("bad signature")),
          r.meterId());
    }
    if (r.intervalStart() != intervalStart) {
      return new Problem(
          Reason.WRONG_INTERVAL,
          "reading %s of meter %s is for interval %d, not %d"
              .formatted(tx.id(), r.meterId(), r.intervalStart(), intervalStart),
          r.meterId());
    }
    return null;
  }

  private static String difference(Address neighbour, Set<Transaction> batch, Set<Transaction> s) {
    TreeSet<String> dropped = new TreeSet<>();
    TreeSet<String> added = new TreeSet<>();
    for (Transaction tx : s) {
      if (!batch.contains(tx)) {
        dropped.add(meterId(tx));
      }
    }
    for (Transaction tx : batch) {
      if (!s.contains(tx)) {
        added.add(meterId(tx));
      }
    }
    return "neighbour %s holds readings the batch lacks (meters %s) and lacks readings the batch has (meters %s)"
        .formatted(neighbour, dropped, added);
  }

  private static AttestationResult reject(
      Reason reason,
      String detail,
      List<Address> dissenters,
      List<String> meters,
      List<IgnoredCopy> ignored) {
    return new AttestationResult.Rejected(reason, detail, dissenters, meters, ignored);
  }

  @Override
  public String toString() {
    return "ClusterAttestation[%s, quorum %s]".formatted(topology, quorum);
  }
}

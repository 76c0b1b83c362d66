package org.gridtrade.consensus.cluster;

import java.util.List;
import java.util.Objects;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;

/**
 * A parent node's block of meter readings for one cluster and interval, signed by the parent: what
 * the first layer of Ahmad et al.'s validation attests (docs/security.md, "Cluster attestation").
 *
 * <p>Each reading is a signed {@link org.gridtrade.ledger.Payload.MeterReading} transaction, sent
 * by the meter's own key, so the batch can go to the block engine unchanged once attested. The
 * readings are kept in canonical order (by transaction id, then encoding), so two batches with the
 * same readings are equal whatever order they were built in. The parent signs {@code
 * "GridTrade/cluster/batch/v1" ‖ u16 length ‖ clusterId ‖ intervalStart (8) ‖ count (4) ‖
 * readingsRoot (32)}, the root being the RFC 6962 Merkle root of the readings' encodings.
 *
 * <p>The constructor checks only the shape (at most {@value #MAX_READINGS} distinct MeterReading
 * transactions); signatures, meters and intervals are judged by {@link ClusterAttestation}, which
 * returns a result rather than throwing, since batches come from the network. Immutable and
 * thread-safe.
 *
 * @param clusterId the cluster, 1 to 64 UTF-8 bytes
 * @param intervalStart start of the reading interval, epoch ms, 0 or more
 * @param readings the meters' signed readings, at most {@value #MAX_READINGS}
 * @param parent the parent node's public key
 * @param signature the parent's signature over the bytes above (not checked here)
 */
public record ReadingBatch(
    String clusterId,
    long intervalStart,
    List<Transaction> readings,
    PublicKey parent,
    Signature signature) {

  /** Most readings in one batch: Ahmad et al.'s block of a thousand transactions. */
  public static final int MAX_READINGS = 1_000;

  static final String DOMAIN = "GridTrade/cluster/batch/v1";

  public ReadingBatch {
    Readings.checkHeader(clusterId, intervalStart);
    readings = Readings.canonical("batch of cluster " + clusterId, readings, MAX_READINGS);
    Objects.requireNonNull(parent, "parent");
    Objects.requireNonNull(signature, "signature");
  }

  /**
   * Builds and signs a batch.
   *
   * @param parentKey the parent node's key
   * @param clusterId the cluster
   * @param intervalStart start of the interval, epoch ms
   * @param readings the readings, in any order
   * @return the signed batch
   * @throws IllegalArgumentException if the shape is wrong (see the record's comment)
   */
  public static ReadingBatch sign(
      KeyPair parentKey, String clusterId, long intervalStart, List<Transaction> readings) {
    Objects.requireNonNull(parentKey, "parentKey");
    Readings.checkHeader(clusterId, intervalStart);
    List<Transaction> canonical =
        Readings.canonical("batch of cluster " + clusterId, readings, MAX_READINGS);
    Signature sig = parentKey.sign(Readings.message(DOMAIN, clusterId, intervalStart, canonical));
    return new ReadingBatch(clusterId, intervalStart, canonical, parentKey.publicKey(), sig);
  }

  /**
   * The parent node's address.
   *
   * @return {@code Address.of(parent)}
   */
  public Address parentAddress() {
    return Address.of(parent);
  }

  /**
   * The Merkle root of the readings, which the parent's signature covers.
   *
   * @return the RFC 6962 root over the canonical encodings
   */
  public Hash readingsRoot() {
    return Readings.root(readings);
  }

  /**
   * Whether the parent's signature is valid. Never throws.
   *
   * @return {@code true} if {@link #signature()} verifies under {@link #parent()}
   */
  public boolean hasValidSignature() {
    return parent.verify(Readings.message(DOMAIN, clusterId, intervalStart, readings), signature);
  }
}

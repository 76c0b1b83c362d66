package org.gridtrade.consensus.cluster;

import java.util.List;
import java.util.Objects;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;

/**
 * The readings a neighbour node received directly from a cluster's meters for one interval, signed
 * by the neighbour (Ahmad et al. §IV: meters send every reading to the parent and to the
 * neighbours).
 *
 * <p>Same shape and canonical order as {@link ReadingBatch}; the neighbour signs {@code
 * "GridTrade/cluster/copy/v1" ‖ u16 length ‖ clusterId ‖ intervalStart (8) ‖ count (4) ‖
 * readingsRoot (32)}. The different domain keeps a node's batch signature from being replayed as
 * its neighbour copy. Immutable and thread-safe.
 *
 * @param clusterId the cluster the readings are from, 1 to 64 UTF-8 bytes
 * @param intervalStart start of the interval, epoch ms, 0 or more
 * @param readings the signed readings the neighbour holds, at most {@value
 *     ReadingBatch#MAX_READINGS}
 * @param neighbour the neighbour node's public key
 * @param signature the neighbour's signature (not checked here)
 */
public record NeighbourCopy(
    String clusterId,
    long intervalStart,
    List<Transaction> readings,
    PublicKey neighbour,
    Signature signature) {

  static final String DOMAIN = "GridTrade/cluster/copy/v1";

  public NeighbourCopy {
    Readings.checkHeader(clusterId, intervalStart);
    readings =
        Readings.canonical("copy for cluster " + clusterId, readings, ReadingBatch.MAX_READINGS);
    Objects.requireNonNull(neighbour, "neighbour");
    Objects.requireNonNull(signature, "signature");
  }

  /**
   * Builds and signs a neighbour's copy.
   *
   * @param neighbourKey the neighbour node's key
   * @param clusterId the cluster
   * @param intervalStart start of the interval, epoch ms
   * @param readings the readings the neighbour received, in any order
   * @return the signed copy
   * @throws IllegalArgumentException if the shape is wrong (see {@link ReadingBatch})
   */
  public static NeighbourCopy sign(
      KeyPair neighbourKey, String clusterId, long intervalStart, List<Transaction> readings) {
    Objects.requireNonNull(neighbourKey, "neighbourKey");
    Readings.checkHeader(clusterId, intervalStart);
    List<Transaction> canonical =
        Readings.canonical("copy for cluster " + clusterId, readings, ReadingBatch.MAX_READINGS);
    Signature sig =
        neighbourKey.sign(Readings.message(DOMAIN, clusterId, intervalStart, canonical));
    return new NeighbourCopy(clusterId, intervalStart, canonical, neighbourKey.publicKey(), sig);
  }

  /**
   * The neighbour node's address.
   *
   * @return {@code Address.of(neighbour)}
   */
  public Address neighbourAddress() {
    return Address.of(neighbour);
  }

  /**
   * Whether the neighbour's signature is valid. Never throws.
   *
   * @return {@code true} if {@link #signature()} verifies under {@link #neighbour()}
   */
  public boolean hasValidSignature() {
    return neighbour.verify(
        Readings.message(DOMAIN, clusterId, intervalStart, readings), signature);
  }
}

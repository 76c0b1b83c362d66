package org.gridtrade.consensus.cluster;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.MerkleTree;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;

/** What {@link ReadingBatch} and {@link NeighbourCopy} share: canonical order and signed bytes. */
final class Readings {
  /** Canonical order: by transaction id, then by full encoding. */
  static final Comparator<Transaction> ORDER =
      Comparator.comparing(Transaction::id)
          .thenComparing((a, b) -> Arrays.compare(a.encode(), b.encode()));

  private Readings() {}

  /** Copies, checks and sorts a set of signed meter readings. */
  static List<Transaction> canonical(String what, List<Transaction> readings, int max) {
    Objects.requireNonNull(readings, "readings");
    if (readings.size() > max) {
      throw new IllegalArgumentException(
          "%s holds %d readings, more than %d".formatted(what, readings.size(), max));
    }
    List<Transaction> sorted = new ArrayList<>(readings.size());
    for (Transaction tx : readings) {
      Objects.requireNonNull(tx, "reading");
      if (!(tx.body().payload() instanceof Payload.MeterReading)) {
        throw new IllegalArgumentException(
            "%s: transaction %s carries %s, not a MeterReading"
                .formatted(what, tx.id(), tx.body().payload().getClass().getSimpleName()));
      }
      sorted.add(tx);
    }
    sorted.sort(ORDER);
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).equals(sorted.get(i - 1))) {
        throw new IllegalArgumentException(
            "%s holds reading %s twice".formatted(what, sorted.get(i).id()));
      }
    }
    return List.copyOf(sorted);
  }

  /** Merkle root over the canonical encodings (RFC 6962, as a block's transactions root). */
  static Hash root(List<Transaction> canonical) {
    return MerkleTree.root(canonical.stream().map(Transaction::encode).toList());
  }

  /** {@code domain ‖ u16 len ‖ clusterId ‖ intervalStart ‖ count ‖ root}. */
  static byte[] message(
      String domain, String clusterId, long intervalStart, List<Transaction> canonical) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(domain.getBytes(StandardCharsets.US_ASCII));
      byte[] id = clusterId.getBytes(StandardCharsets.UTF_8);
      out.writeShort(id.length);
      out.write(id);
      out.writeLong(intervalStart);
      out.writeInt(canonical.size());
      out.write(root(canonical).bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static void checkHeader(String clusterId, long intervalStart) {
    Objects.requireNonNull(clusterId, "clusterId");
    int b = clusterId.getBytes(StandardCharsets.UTF_8).length;
    if (b < 1 || b > MeterCluster.MAX_ID_BYTES) {
      throw new IllegalArgumentException(
          "clusterId \"%s\" has %d UTF-8 bytes, not 1..%d"
              .formatted(clusterId, b, MeterCluster.MAX_ID_BYTES));
    }
    if (intervalStart < 0) {
      throw new IllegalArgumentException("intervalStart %d must be >= 0".formatted(intervalStart));
    }
  }
}

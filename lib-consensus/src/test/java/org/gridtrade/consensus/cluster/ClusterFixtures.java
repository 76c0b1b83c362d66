package org.gridtrade.consensus.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;

/**
 * A small grid for the cluster tests: clusters of four meters (Ahmad et al.'s size) on a line 1 km
 * apart, each with its own parent key, and signed readings.
 */
final class ClusterFixtures {
  static final int CHAIN = 7;
  static final long T0 = 1_700_000_000_000L;
  static final int FOUR_HOURS = 4 * 3600;

  final List<KeyPair> parents = new ArrayList<>();
  final Map<String, KeyPair> meterKeys = new LinkedHashMap<>();
  final List<MeterCluster> clusters = new ArrayList<>();

  /** {@code n} clusters "c0".."c(n-1)" at x = 0, 1, 2, ... km, each with {@code meters} meters. */
  ClusterFixtures(int n, int meters) {
    for (int c = 0; c < n; c++) {
      KeyPair parent = key(1_000 + c);
      parents.add(parent);
      Map<String, org.gridtrade.ledger.PublicKey> ms = new LinkedHashMap<>();
      for (int m = 0; m < meters; m++) {
        String id = "c%d-m%d".formatted(c, m);
        KeyPair k = key(10_000 + 100 * c + m);
        meterKeys.put(id, k);
        ms.put(id, k.publicKey());
      }
      clusters.add(new MeterCluster("c" + c, parent.address(), c, 0, ms));
    }
  }

  static KeyPair key(int i) {
    byte[] seed = new byte[32];
    new Random(7_000_003L * i + 29).nextBytes(seed);
    return KeyPair.fromSeed(seed);
  }

  ClusterTopology topology() {
    return ClusterTopology.of(clusters);
  }

  KeyPair parentOf(String clusterId) {
    return parents.get(Integer.parseInt(clusterId.substring(1)));
  }

  KeyPair nodeOf(org.gridtrade.ledger.Address a) {
    return parents.stream().filter(k -> k.address().equals(a)).findFirst().orElseThrow();
  }

  /** A meter's signed reading (nonce = interval index, fee 0). */
  Transaction reading(String meter, long interval, long importedWh, long exportedWh) {
    return reading(meterKeys.get(meter), meter, interval, importedWh, exportedWh);
  }

  static Transaction reading(
      KeyPair signer, String meter, long interval, long importedWh, long exportedWh) {
    return new TransactionBody(
            CHAIN,
            signer.publicKey(),
            interval,
            0,
            new Payload.MeterReading(
                meter, T0 + interval * FOUR_HOURS * 1000L, FOUR_HOURS, importedWh, exportedWh))
        .sign(signer);
  }

  static long start(long interval) {
    return T0 + interval * FOUR_HOURS * 1000L;
  }

  /** One honest reading from every meter of a cluster for an interval. */
  List<Transaction> honestReadings(String clusterId, long interval, Random rnd) {
    List<Transaction> out = new ArrayList<>();
    for (String m : topology().cluster(clusterId).orElseThrow().meters().keySet()) {
      out.add(reading(m, interval, rnd.nextInt(20_000), rnd.nextInt(20_000)));
    }
    return out;
  }

  /** Copies from every assigned neighbour of the cluster, each holding {@code readings}. */
  List<NeighbourCopy> copies(String clusterId, long interval, List<Transaction> readings) {
    List<NeighbourCopy> out = new ArrayList<>();
    for (org.gridtrade.ledger.Address n : topology().neighbours(clusterId)) {
      out.add(NeighbourCopy.sign(nodeOf(n), clusterId, start(interval), readings));
    }
    return out;
  }

  ReadingBatch batch(String clusterId, long interval, List<Transaction> readings) {
    return ReadingBatch.sign(parentOf(clusterId), clusterId, start(interval), readings);
  }
}

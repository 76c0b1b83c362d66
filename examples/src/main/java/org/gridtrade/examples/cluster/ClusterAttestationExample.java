package org.gridtrade.examples.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.cluster.AttestationResult;
import org.gridtrade.consensus.cluster.CapacityVerdict;
import org.gridtrade.consensus.cluster.ClusterAttestation;
import org.gridtrade.consensus.cluster.ClusterTopology;
import org.gridtrade.consensus.cluster.InstalledCapacityRule;
import org.gridtrade.consensus.cluster.MeterCluster;
import org.gridtrade.consensus.cluster.NeighbourCopy;
import org.gridtrade.consensus.cluster.ReadingBatch;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.testkit.ManualClock;

/**
 * Cluster attestation (Ahmad et al. §IV; docs/security.md): four clusters of four smart meters;
 * each parent's batch of signed readings must match its neighbours' copies (first layer) before it
 * goes to the block engine (second layer). One honest cluster, three attacks, and the
 * installed-capacity check.
 */
public final class ClusterAttestationExample {
  private static final int CHAIN = 1;
  private static final long T0 = 1_795_737_600_000L; // 2026-11-21T08:00:00Z
  private static final int FOUR_HOURS = 4 * 3600;

  private ClusterAttestationExample() {}

  private static KeyPair key(int i) {
    byte[] seed = new byte[KeyPair.SEED_LENGTH];
    new Random(31L * i + 7).nextBytes(seed);
    return KeyPair.fromSeed(seed);
  }

  private static Transaction reading(KeyPair signer, String meter, long importedWh, long exported) {
    return new TransactionBody(
            CHAIN,
            signer.publicKey(),
            0,
            0,
            new Payload.MeterReading(meter, T0, FOUR_HOURS, importedWh, exported))
        .sign(signer);
  }

  /**
   * Runs the example.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    // Four clusters on a 2 km x 2 km square, four meters each.
    double[][] at = {{0, 0}, {2, 0}, {0, 2}, {2, 2.5}};
    Map<String, KeyPair> parents = new LinkedHashMap<>();
    Map<String, KeyPair> meters = new LinkedHashMap<>();
    List<MeterCluster> clusters = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      String id = "c" + c;
      KeyPair parent = key(100 + c);
      parents.put(id, parent);
      Map<String, PublicKey> ms = new LinkedHashMap<>();
      for (int m = 0; m < 4; m++) {
        String meter = id + "-m" + m;
        KeyPair k = key(1_000 + 10 * c + m);
        meters.put(meter, k);
        ms.put(meter, k.publicKey());
      }
      clusters.add(new MeterCluster(id, parent.address(), at[c][0], at[c][1], ms));
    }
    ClusterTopology topology = ClusterTopology.of(clusters);
    ClusterAttestation layer1 = ClusterAttestation.of(topology);
    Map<Address, String> nodeName = new LinkedHashMap<>();
    parents.forEach((id, k) -> nodeName.put(k.address(), "parent(" + id + ")"));

    System.out.println(
        "Cluster attestation (Ahmad et al.): 4 clusters x 4 meters, one 4-hour interval");
    System.out.println();
    for (MeterCluster c : topology.clusters()) {
      System.out.printf(
          Locale.ROOT,
          "%s at (%.1f, %.1f) km   neighbours %s%n",
          c.id(),
          c.xKm(),
          c.yKm(),
          topology.neighbours(c.id()).stream().map(nodeName::get).toList());
    }
    System.out.println("(nearest other clusters first; ties: more meters, then lower id)");
    System.out.println();

    // Every meter signs one reading and sends it to its parent and to its neighbours.
    Random rnd = new Random(3);
    Map<String, List<Transaction>> sent = new LinkedHashMap<>();
    for (MeterCluster c : clusters) {
      List<Transaction> rs = new ArrayList<>();
      for (String m : c.meters().keySet()) {
        rs.add(reading(meters.get(m), m, 2_000 + rnd.nextInt(4_000), rnd.nextInt(8_000)));
      }
      sent.put(c.id(), rs);
    }

    // What each parent puts in its batch: c0 is honest, the others are not.
    Map<String, String> story = new LinkedHashMap<>();
    Map<String, List<Transaction>> batches = new LinkedHashMap<>();
    batches.put("c0", sent.get("c0"));
    story.put("c0", "honest parent");
    List<Transaction> c1 = new ArrayList<>(sent.get("c1"));
    c1.remove(2);
    batches.put("c1", c1);
    story.put("c1", "parent drops meter c1-m2's reading");
    List<Transaction> c2 = new ArrayList<>(sent.get("c2"));
    c2.set(0, reading(parents.get("c2"), "c2-m0", 0, 9_999));
    batches.put("c2", c2);
    story.put("c2", "parent rewrites c2-m0 and signs it itself");
    List<Transaction> c3 = new ArrayList<>(sent.get("c3"));
    c3.set(1, reading(meters.get("c3-m1"), "c3-m1", 0, 15_000));
    batches.put("c3", c3);
    story.put("c3", "meter c3-m1 tells its parent another value");

    List<Transaction> attested = new ArrayList<>();
    for (Map.Entry<String, List<Transaction>> e : batches.entrySet()) {
      String id = e.getKey();
      ReadingBatch batch = ReadingBatch.sign(parents.get(id), id, T0, e.getValue());
      List<NeighbourCopy> copies = new ArrayList<>();
      for (Address n : topology.neighbours(id)) {
        KeyPair nk =
            parents.values().stream().filter(k -> k.address().equals(n)).findFirst().orElseThrow();
        copies.add(NeighbourCopy.sign(nk, id, T0, sent.get(id)));
      }
      AttestationResult r = layer1.attest(batch, copies);
      System.out.printf(Locale.ROOT, "%s  %-45s -> ", id, story.get(id));
      if (r instanceof AttestationResult.Attested a) {
        System.out.printf(Locale.ROOT, "attested by %d neighbours%n", a.agreeing().size());
        attested.addAll(a.batch().readings());
      } else {
        AttestationResult.Rejected x = (AttestationResult.Rejected) r;
        System.out.printf(Locale.ROOT, "rejected: %s%n", x.reason());
        System.out.printf(
            Locale.ROOT,
            "    %s%n",
            x.detail().replaceAll("gt[0-9a-f]{40}", "…").replaceAll("[0-9a-f]{64}", "…"));
      }
    }

    // Second layer: the attested readings go to a Proof-of-Authority block engine.
    KeyPair sealer = key(7);
    Genesis genesis =
        new Genesis(CHAIN, Map.of(sealer.address(), 1L), Set.of(sealer.address()), T0 - 60_000);
    ManualClock clock = new ManualClock(T0);
    try (BlockEngine engine =
        BlockEngine.builder()
            .genesis(genesis)
            .store(BlockStores.inMemory())
            .schedule(
                ConsensusSchedule.of(
                    ProofOfAuthority.builder().sealers(List.of(sealer.address())).build()))
            .sealingKey(sealer)
            .clock(clock)
            .build()) {
      attested.forEach(engine::submit);
      while (engine.ledger().height() == 0) {
        clock.advanceMillis(100);
        engine.tick();
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "second layer: block %d holds %d attested readings; the chain verifies: %s%n",
          engine.ledger().height(),
          engine.ledger().block(1).orElseThrow().transactions().size(),
          engine.ledger().verify().valid());
    }

    // The installed-capacity check on the meter that reported 15 kWh in 4 hours (3.75 kW).
    InstalledCapacityRule rule = InstalledCapacityRule.defaults();
    long peak =
        InstalledCapacityRule.peakExportW(
            List.of((Payload.MeterReading) c3.get(1).body().payload()));
    System.out.println();
    for (long declared : new long[] {3_500, 3_000}) {
      CapacityVerdict v = rule.check("c3-m1", declared, peak);
      System.out.printf(
          Locale.ROOT,
          "capacity check c3-m1: declared %d W, peak %d W -> %s%n",
          declared,
          peak,
          v instanceof CapacityVerdict.Revoked r ? "revoked: " + r.reason() : "authorised");
    }
  }
}

package org.gridtrade.consensus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.cluster.AttestationResult.Reason;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;

class ClusterAttestationTest {
  private final ClusterFixtures f = new ClusterFixtures(5, 4);
  private final ClusterAttestation layer1 = ClusterAttestation.of(f.topology());

  private static Reason reason(AttestationResult r) {
    assertThat(r).isInstanceOf(AttestationResult.Rejected.class);
    return ((AttestationResult.Rejected) r).reason();
  }

  @Test
  void honestBatch_attestedByAllThreeNeighbours() {
    List<Transaction> rs = f.honestReadings("c1", 3, new Random(1));
    AttestationResult r = layer1.attest(f.batch("c1", 3, rs), f.copies("c1", 3, rs));
    assertThat(r.attested()).as(r.toString()).isTrue();
    assertThat(((AttestationResult.Attested) r).agreeing())
        .containsExactlyInAnyOrderElementsOf(f.topology().neighbours("c1"))
        .hasSize(3);
    assertThat(r.ignored()).isEmpty();
  }

  @Test
  void batch_isTheSameWhateverTheOrderOfItsReadings() {
    List<Transaction> rs = new ArrayList<>(f.honestReadings("c2", 1, new Random(2)));
    ReadingBatch a = f.batch("c2", 1, rs);
    Collections.reverse(rs);
    ReadingBatch b = f.batch("c2", 1, rs);
    assertThat(b).isEqualTo(a);
    assertThat(b.readingsRoot()).isEqualTo(a.readingsRoot());
    assertThat(a.hasValidSignature()).isTrue();
  }

  @Test
  void quorum_majorityOfDeliveries_orAll() {
    List<Transaction> rs = f.honestReadings("c0", 0, new Random(3));
    ReadingBatch b = f.batch("c0", 0, rs);
    List<NeighbourCopy> copies = f.copies("c0", 0, rs);
    assertThat(reason(layer1.attest(b, copies.subList(0, 1)))).isEqualTo(Reason.NO_QUORUM);
    assertThat(layer1.attest(b, copies.subList(0, 2)).attested()).isTrue();
    ClusterAttestation all = ClusterAttestation.of(f.topology(), ClusterAttestation.Quorum.ALL);
    assertThat(reason(all.attest(b, copies.subList(0, 2)))).isEqualTo(Reason.NO_QUORUM);
    assertThat(all.attest(b, copies).attested()).isTrue();
    assertThat(ClusterAttestation.Quorum.MAJORITY.required(3)).isEqualTo(2);
    assertThat(ClusterAttestation.Quorum.MAJORITY.required(2)).isEqualTo(2);
    assertThat(ClusterAttestation.Quorum.MAJORITY.required(1)).isEqualTo(1);
  }

  @Test
  void loneCluster_canNeverBeAttested() {
    ClusterFixtures one = new ClusterFixtures(1, 4);
    List<Transaction> rs = one.honestReadings("c0", 0, new Random(4));
    AttestationResult r =
        ClusterAttestation.of(one.topology()).attest(one.batch("c0", 0, rs), List.of());
    assertThat(reason(r)).isEqualTo(Reason.NO_QUORUM);
    assertThat(r.toString()).contains("0 neighbours");
  }

  @Test
  void batchFromAnotherNode_orWithBadSignature_orUnknownCluster_rejected() {
    List<Transaction> rs = f.honestReadings("c1", 0, new Random(5));
    List<NeighbourCopy> copies = f.copies("c1", 0, rs);
    ReadingBatch byOther = ReadingBatch.sign(f.parentOf("c3"), "c1", ClusterFixtures.start(0), rs);
    assertThat(reason(layer1.attest(byOther, copies))).isEqualTo(Reason.NOT_PARENT);
    ReadingBatch good = f.batch("c1", 0, rs);
    byte[] sig = good.signature().bytes();
    sig[5] ^= 1;
    ReadingBatch badSig =
        new ReadingBatch("c1", good.intervalStart(), rs, good.parent(), Signature.of(sig));
    assertThat(reason(layer1.attest(badSig, copies))).isEqualTo(Reason.BAD_PARENT_SIGNATURE);
    ReadingBatch moved =
        new ReadingBatch("c1", good.intervalStart() + 1, rs, good.parent(), good.signature());
    assertThat(reason(layer1.attest(moved, copies)))
        .as("the signature covers the interval")
        .isEqualTo(Reason.BAD_PARENT_SIGNATURE);
    ReadingBatch nowhere = ReadingBatch.sign(f.parentOf("c1"), "zz", good.intervalStart(), rs);
    assertThat(reason(layer1.attest(nowhere, copies))).isEqualTo(Reason.UNKNOWN_CLUSTER);
  }

  @Test
  void forgedReadingSentToANeighbour_isLeftOut_andCannotVeto() {
    List<Transaction> rs = f.honestReadings("c1", 0, new Random(6));
    List<Transaction> polluted = new ArrayList<>(rs);
    polluted.add(ClusterFixtures.reading(ClusterFixtures.key(9), "c1-m0", 0, 1, 99_999));
    List<NeighbourCopy> copies = new ArrayList<>(f.copies("c1", 0, rs));
    Address n0 = f.topology().neighbours("c1").get(0);
    copies.set(0, NeighbourCopy.sign(f.nodeOf(n0), "c1", ClusterFixtures.start(0), polluted));
    assertThat(layer1.attest(f.batch("c1", 0, rs), copies).attested()).isTrue();
  }

  @Test
  void shapeErrors_areIllegalArguments() {
    KeyPair p = f.parentOf("c0");
    Transaction transfer =
        new TransactionBody(
                7, p.publicKey(), 0, 0, new Payload.Transfer(f.parentOf("c1").address(), 1))
            .sign(p);
    assertThatThrownBy(() -> ReadingBatch.sign(p, "c0", 0, List.of(transfer)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("carries Transfer, not a MeterReading");
    Transaction r = f.reading("c0-m0", 0, 1, 2);
    assertThatThrownBy(() -> ReadingBatch.sign(p, "c0", 0, List.of(r, r)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> ReadingBatch.sign(p, "c0", -1, List.of(r)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("intervalStart -1 must be >= 0");
    List<Transaction> many = new ArrayList<>();
    for (int i = 0; i <= ReadingBatch.MAX_READINGS; i++) {
      many.add(f.reading("c0-m0", i, 1, 2));
    }
    assertThatThrownBy(() -> NeighbourCopy.sign(p, "c0", 0, many))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds 1001 readings, more than 1000");
  }

  /** The ways a single reading of an honest batch can be altered, and the verdict each must get. */
  private enum Alteration {
    DROPPED(Reason.DISAGREEMENT),
    VALUE_CHANGED_KEEPING_SIGNATURE(Reason.FORGED_READING),
    RESIGNED_BY_PARENT(Reason.FORGED_READING),
    METER_SIGNED_ANOTHER_VALUE(Reason.METER_EQUIVOCATION),
    STALE_INTERVAL(Reason.WRONG_INTERVAL),
    METER_OF_ANOTHER_CLUSTER(Reason.UNKNOWN_METER);

    final Reason expected;

    Alteration(Reason expected) {
      this.expected = expected;
    }
  }

  private List<Transaction> alter(
      List<Transaction> rs, int i, Alteration a, String clusterId, long interval, Random rnd) {
    List<Transaction> out = new ArrayList<>(rs);
    Transaction victim = rs.get(i);
    Payload.MeterReading m = (Payload.MeterReading) victim.body().payload();
    Payload.MeterReading changed =
        new Payload.MeterReading(
            m.meterId(),
            m.intervalStart(),
            m.intervalSeconds(),
            m.importedWh(),
            m.exportedWh() + 1 + rnd.nextInt(1000));
    TransactionBody b = victim.body();
    switch (a) {
      case DROPPED -> out.remove(i);
      case VALUE_CHANGED_KEEPING_SIGNATURE ->
          out.set(
              i,
              Transaction.of(
                  new TransactionBody(b.chainId(), b.sender(), b.nonce(), b.fee(), changed),
                  victim.signature()));
      case RESIGNED_BY_PARENT -> {
        KeyPair parent = f.parentOf(clusterId);
        out.set(
            i,
            new TransactionBody(b.chainId(), parent.publicKey(), b.nonce(), b.fee(), changed)
                .sign(parent));
      }
      case METER_SIGNED_ANOTHER_VALUE ->
          out.set(i, f.reading(m.meterId(), interval, m.importedWh(), changed.exportedWh()));
      case STALE_INTERVAL ->
          out.set(i, f.reading(m.meterId(), interval - 1, m.importedWh(), m.exportedWh()));
      case METER_OF_ANOTHER_CLUSTER -> {
        String foreign = clusterId.equals("c0") ? "c1-m0" : "c0-m0";
        out.add(f.reading(foreign, interval, 5, 5));
      }
      default -> throw new AssertionError(a);
    }
    return out;
  }

  @Test
  void property_anySingleAlteredReading_failsAttestation_andTheHonestBatchPasses() {
    ClusterFixtures grid = f;
    qt().withFixedSeed(424242L)
        .withExamples(120)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              String c = "c" + rnd.nextInt(grid.clusters.size());
              long interval = 1 + rnd.nextInt(50);
              List<Transaction> honest = grid.honestReadings(c, interval, rnd);
              List<NeighbourCopy> copies = grid.copies(c, interval, honest);
              assertThat(layer1.attest(grid.batch(c, interval, honest), copies).attested())
                  .as("control: the honest batch")
                  .isTrue();
              Alteration a = Alteration.values()[rnd.nextInt(Alteration.values().length)];
              List<Transaction> altered =
                  alter(honest, rnd.nextInt(honest.size()), a, c, interval, rnd);
              AttestationResult r = layer1.attest(grid.batch(c, interval, altered), copies);
              assertThat(r.attested()).as(a.name()).isFalse();
              assertThat(reason(r)).as(a.name() + ": " + r).isEqualTo(a.expected);
            });
  }

  @Test
  void attestedReadings_goThroughTheBlockEngine_intoABlock() {
    List<Transaction> rs = f.honestReadings("c1", 0, new Random(8));
    AttestationResult r = layer1.attest(f.batch("c1", 0, rs), f.copies("c1", 0, rs));
    assertThat(r.attested()).isTrue();
    KeyPair sealer = ClusterFixtures.key(77);
    Genesis genesis =
        new Genesis(
            ClusterFixtures.CHAIN,
            java.util.Map.of(sealer.address(), 1_000_000L),
            java.util.Set.of(sealer.address()),
            ClusterFixtures.T0 - 10_000);
    org.gridtrade.consensus.ManualClock clock =
        new org.gridtrade.consensus.ManualClock(ClusterFixtures.T0);
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
      for (Transaction tx : ((AttestationResult.Attested) r).batch().readings()) {
        assertThat(engine.submit(tx).accepted()).isTrue();
      }
      for (int i = 0; i < 100 && engine.ledger().height() == 0; i++) {
        clock.advance(100);
        engine.tick();
      }
      assertThat(engine.ledger().height()).isEqualTo(1);
      assertThat(engine.ledger().block(1).orElseThrow().transactions())
          .containsExactlyInAnyOrderElementsOf(rs);
    }
  }
}

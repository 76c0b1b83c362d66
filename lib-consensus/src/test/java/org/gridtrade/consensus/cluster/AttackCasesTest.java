package org.gridtrade.consensus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.BlockPolicy;
import org.gridtrade.consensus.ConsensusMessage;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.consensus.InMemoryNetwork;
import org.gridtrade.consensus.cluster.AttestationResult.Reason;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.TxResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The five attack cases of Ahmad et al. §V, one test each, against the cluster attestation (first
 * layer) and the block engine with Proof of Authority (second layer). docs/security.md lists what
 * each shows.
 */
class AttackCasesTest {
  private final ClusterFixtures f = new ClusterFixtures(5, 4);
  private final ClusterTopology topology = f.topology();
  private final ClusterAttestation layer1 = ClusterAttestation.of(topology);

  private static AttestationResult.Rejected rejected(AttestationResult r) {
    assertThat(r).isInstanceOf(AttestationResult.Rejected.class);
    return (AttestationResult.Rejected) r;
  }

  @Test
  @DisplayName("Forgery attack: a reading signed by a key that is not the meter's")
  void forgery() {
    List<Transaction> honest = f.honestReadings("c2", 5, new Random(1));
    List<NeighbourCopy> copies = f.copies("c2", 5, honest);
    KeyPair thief = ClusterFixtures.key(666);

    // 1. The attacker sends a reading for meter c2-m1 under its own key.
    List<Transaction> withForged = new ArrayList<>(honest);
    withForged.set(1, ClusterFixtures.reading(thief, "c2-m1", 5, 0, 50_000));
    AttestationResult.Rejected r = rejected(layer1.attest(f.batch("c2", 5, withForged), copies));
    assertThat(r.reason()).isEqualTo(Reason.FORGED_READING);
    assertThat(r.meters()).containsExactly("c2-m1");
    assertThat(r.detail()).contains("not the meter's registered key");

    // 2. It claims the meter's key as sender, but cannot produce the meter's signature.
    Transaction genuine = honest.get(1);
    TransactionBody b = genuine.body();
    Transaction claimed =
        Transaction.of(
            new TransactionBody(
                b.chainId(),
                b.sender(),
                b.nonce(),
                b.fee(),
                new Payload.MeterReading("c2-m1", ClusterFixtures.start(5), 14_400, 0, 50_000)),
            ClusterFixtures.reading(thief, "c2-m1", 5, 0, 50_000).signature());
    withForged.set(1, claimed);
    r = rejected(layer1.attest(f.batch("c2", 5, withForged), copies));
    assertThat(r.reason()).isEqualTo(Reason.FORGED_READING);
    assertThat(r.detail()).contains("sender signature does not verify");

    // 3. The second layer refuses the same bytes on its own: the mempool checks signatures.
    assertThat(claimed.hasValidSignatures()).isFalse();
    assertThat(layer1.attest(f.batch("c2", 5, honest), copies).attested())
        .as("control: the honest batch")
        .isTrue();
  }

  @Test
  @DisplayName("Physical tampering: a meter reports one value to its parent, another to neighbours")
  void physicalTampering() {
    List<Transaction> honest = f.honestReadings("c1", 2, new Random(2));
    List<NeighbourCopy> copies = f.copies("c1", 2, honest);
    // The tampered meter c1-m3 signs a second, larger export for the same interval, sent only to
    // the parent.
    List<Transaction> toParent = new ArrayList<>(honest);
    Payload.MeterReading sent = (Payload.MeterReading) honest.get(3).body().payload();
    toParent.set(3, f.reading("c1-m3", 2, sent.importedWh(), sent.exportedWh() + 9_000));
    AttestationResult.Rejected r = rejected(layer1.attest(f.batch("c1", 2, toParent), copies));
    assertThat(r.reason()).isEqualTo(Reason.METER_EQUIVOCATION);
    assertThat(r.meters()).as("the meter is named, not the parent").containsExactly("c1-m3");

    // The bound: a meter that lies consistently to every node is attested (the signatures are
    // its own) ...
    List<Transaction> lie = new ArrayList<>(honest);
    lie.set(3, f.reading("c1-m3", 2, 0, 40_000));
    assertThat(layer1.attest(f.batch("c1", 2, lie), f.copies("c1", 2, lie)).attested()).isTrue();
    // ... and only the installed-capacity check catches a lie beyond the declared capacity:
    // 40 kWh in 4 h is 10 kW average, against a declared 5 kW.
    long peak =
        InstalledCapacityRule.peakExportW(
            List.of((Payload.MeterReading) lie.get(3).body().payload()));
    assertThat(peak).isEqualTo(10_000);
    CapacityVerdict v = InstalledCapacityRule.defaults().check("c1-m3", 5_000, peak);
    assertThat(v.authorised()).isFalse();
    assertThat(InstalledCapacityRule.defaults().check("c1-m3", 9_000, peak).authorised())
        .as("within 15 % of 9 kW")
        .isTrue();
  }

  @Test
  @DisplayName("Parent-node intervention: the parent alters, re-signs or drops readings")
  void parentNodeIntervention() {
    List<Transaction> honest = f.honestReadings("c3", 7, new Random(3));
    List<NeighbourCopy> copies = f.copies("c3", 7, honest);

    // Alters a value, keeping the meter's signature.
    Transaction t = honest.get(0);
    Payload.MeterReading m = (Payload.MeterReading) t.body().payload();
    List<Transaction> altered = new ArrayList<>(honest);
    altered.set(
        0,
        Transaction.of(
            new TransactionBody(
                t.body().chainId(),
                t.body().sender(),
                t.body().nonce(),
                t.body().fee(),
                new Payload.MeterReading(
                    m.meterId(), m.intervalStart(), m.intervalSeconds(), m.importedWh() / 2, 0)),
            t.signature()));
    assertThat(rejected(layer1.attest(f.batch("c3", 7, altered), copies)).reason())
        .isEqualTo(Reason.FORGED_READING);

    // Alters a value and signs it with its own key.
    KeyPair parent = f.parentOf("c3");
    altered.set(
        0,
        new TransactionBody(
                t.body().chainId(),
                parent.publicKey(),
                t.body().nonce(),
                0,
                new Payload.MeterReading(
                    m.meterId(), m.intervalStart(), m.intervalSeconds(), m.importedWh() / 2, 0))
            .sign(parent));
    assertThat(rejected(layer1.attest(f.batch("c3", 7, altered), copies)).reason())
        .isEqualTo(Reason.FORGED_READING);

    // Drops a reading: every neighbour holds it, so every neighbour dissents.
    List<Transaction> dropped = new ArrayList<>(honest);
    dropped.remove(2);
    AttestationResult.Rejected r = rejected(layer1.attest(f.batch("c3", 7, dropped), copies));
    assertThat(r.reason()).isEqualTo(Reason.DISAGREEMENT);
    assertThat(r.dissenters()).containsExactlyInAnyOrderElementsOf(topology.neighbours("c3"));
    assertThat(r.detail()).contains("c3-m2");

    // Drops it and forwards only the one neighbour copy that also lacks it: one honest copy of
    // the other two is enough to veto; with none, the quorum is not reached.
    Address n0 = topology.neighbours("c3").get(0);
    NeighbourCopy partial =
        NeighbourCopy.sign(f.nodeOf(n0), "c3", ClusterFixtures.start(7), dropped);
    assertThat(
            rejected(layer1.attest(f.batch("c3", 7, dropped), List.of(partial, copies.get(1))))
                .reason())
        .isEqualTo(Reason.DISAGREEMENT);
    assertThat(rejected(layer1.attest(f.batch("c3", 7, dropped), List.of(partial))).reason())
        .isEqualTo(Reason.NO_QUORUM);

    // Replays the meter's reading of an earlier interval.
    List<Transaction> stale = new ArrayList<>(honest);
    stale.set(
        1, f.reading(((Payload.MeterReading) honest.get(1).body().payload()).meterId(), 6, 1, 1));
    assertThat(rejected(layer1.attest(f.batch("c3", 7, stale), copies)).reason())
        .isEqualTo(Reason.WRONG_INTERVAL);
  }

  @Test
  @DisplayName("False neighbour: a node that is not an assigned neighbour sends copies")
  void falseNeighbour() {
    List<Transaction> honest = f.honestReadings("c0", 1, new Random(4));
    List<NeighbourCopy> copies = new ArrayList<>(f.copies("c0", 1, honest));
    // c4's parent is the farthest node from c0 and not one of its three neighbours.
    KeyPair intruder = f.parentOf("c4");
    assertThat(topology.isNeighbour("c0", intruder.address())).isFalse();
    List<Transaction> dropped = new ArrayList<>(honest);
    dropped.remove(0);

    // 1. It disagrees with an honest batch: ignored, the batch is still attested.
    copies.add(NeighbourCopy.sign(intruder, "c0", ClusterFixtures.start(1), dropped));
    AttestationResult ok = layer1.attest(f.batch("c0", 1, honest), copies);
    assertThat(ok.attested()).isTrue();
    assertThat(ok.ignored())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.from()).isEqualTo(intruder.address());
              assertThat(i.why()).contains("is not a neighbour of cluster c0");
            });

    // 2. It backs a parent that dropped a reading: its copies do not count toward the quorum.
    KeyPair outsider = ClusterFixtures.key(4242);
    List<NeighbourCopy> fakes =
        List.of(
            NeighbourCopy.sign(intruder, "c0", ClusterFixtures.start(1), dropped),
            NeighbourCopy.sign(outsider, "c0", ClusterFixtures.start(1), dropped));
    AttestationResult.Rejected r = rejected(layer1.attest(f.batch("c0", 1, dropped), fakes));
    assertThat(r.reason()).isEqualTo(Reason.NO_QUORUM);
    assertThat(r.ignored()).hasSize(2);

    // 3. It poses as a real neighbour, naming that neighbour's key, without its private key.
    Address real = topology.neighbours("c0").get(0);
    NeighbourCopy own = NeighbourCopy.sign(intruder, "c0", ClusterFixtures.start(1), dropped);
    NeighbourCopy posing =
        new NeighbourCopy(
            "c0", own.intervalStart(), dropped, f.nodeOf(real).publicKey(), own.signature());
    NeighbourCopy posing2 =
        new NeighbourCopy(
            "c0",
            own.intervalStart(),
            dropped,
            f.nodeOf(topology.neighbours("c0").get(1)).publicKey(),
            own.signature());
    r = rejected(layer1.attest(f.batch("c0", 1, dropped), List.of(posing, posing2)));
    assertThat(r.reason()).isEqualTo(Reason.NO_QUORUM);
    assertThat(r.ignored()).allSatisfy(i -> assertThat(i.why()).contains("does not verify"));

    // 4. The neighbour set is a function of the topology: no node can add itself.
    assertThat(topology.neighbours("c0")).hasSize(3).doesNotContain(intruder.address());
  }

  // ---------------------------------------------------------------------------------------------
  // 51 % attack: the second layer, Proof of Authority with 4 sealers, 3 of them colluding.

  private static final BlockPolicy POLICY =
      BlockPolicy.DEFAULT
          .withBlockPeriod(Duration.ofMillis(200))
          .withStatusInterval(Duration.ofMillis(500))
          .withOnlyWhenTransactionsWait(false);

  @Test
  @DisplayName("51 % attack: a colluding majority of sealers")
  void majorityAttack() {
    org.gridtrade.consensus.ManualClock clock =
        new org.gridtrade.consensus.ManualClock(ClusterFixtures.T0);
    InMemoryNetwork net =
        InMemoryNetwork.builder()
            .manualDelivery()
            .clock(clock)
            .seed(51)
            .delay(Duration.ofMillis(1), Duration.ofMillis(50))
            .build();
    List<KeyPair> sealers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      sealers.add(ClusterFixtures.key(500 + i));
    }
    KeyPair user = ClusterFixtures.key(600);
    KeyPair authority = ClusterFixtures.key(601);
    Genesis genesis =
        new Genesis(
            ClusterFixtures.CHAIN,
            Map.of(user.address(), 1_000_000_000L, sealers.get(0).address(), 1_000L),
            java.util.Set.of(authority.address()),
            ClusterFixtures.T0 - 60_000);
    List<Address> sealerAddresses = sealers.stream().map(KeyPair::address).toList();
    Map<String, BlockEngine> nodes = new LinkedHashMap<>();
    List<String> rejections = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String id = "n" + i;
      nodes.put(
          id,
          BlockEngine.builder()
              .genesis(genesis)
              .store(BlockStores.inMemory())
              .schedule(
                  ConsensusSchedule.of(
                      ProofOfAuthority.builder()
                          .sealers(sealerAddresses)
                          .outOfTurnDelay(Duration.ofMillis(600))
                          .wiggle(Duration.ofMillis(300))
                          .build()))
              .sealingKey(sealers.get(i))
              .policy(POLICY)
              .clock(clock)
              .transport(net.join(id))
              .id(id)
              .listener(
                  new EngineListener() {
                    @Override
                    public void onRejected(Rejection r) {
                      rejections.add(id + ": " + r.reason());
                    }
                  })
              .build());
    }
    BlockEngine honest = nodes.get("n3");
    Address victim = sealers.get(3).address();
    // n0..n2 collude and vote the honest sealer out: a majority can (EIP-225, > N/2 votes).
    for (int i = 0; i < 3; i++) {
      poa(nodes.get("n" + i)).propose(victim, false);
    }
    for (int step = 0; step < 1_500; step++) {
      clock.advance(10);
      net.deliverDue();
      nodes.values().forEach(BlockEngine::tick);
    }
    BlockHeader head = honest.ledger().head();
    assertThat(head.height()).isGreaterThan(10);
    assertThat(poa(honest).sealers(honest.chain(), head))
        .as("the colluding majority removed the honest sealer")
        .hasSize(3)
        .doesNotContain(victim);
    assertThat(rejections).as("their blocks are valid by the rules").isEmpty();
    long supply = honest.ledger().state().totalSupply();
    long userBalance = honest.ledger().state().account(user.address()).balance();

    // What they still cannot do. Each forged block is sealed by an eligible colluder, so its seal
    // is valid; the honest node (now a plain full node) validates the content and refuses it.
    KeyPair colluder = eligibleColluder(honest, sealers.subList(0, 3));

    // (a) Spend a user's coins: the user's signature cannot be forged.
    Transaction ownSigned =
        new TransactionBody(
                ClusterFixtures.CHAIN,
                colluder.publicKey(),
                0,
                0,
                new Payload.Transfer(colluder.address(), 500_000_000L))
            .sign(colluder);
    Transaction stealing =
        Transaction.of(
            new TransactionBody(
                ClusterFixtures.CHAIN,
                user.publicKey(),
                0,
                0,
                new Payload.Transfer(colluder.address(), 500_000_000L)),
            ownSigned.signature());
    assertThat(offer(honest, colluder, List.of(stealing), null, "n0", rejections))
        .contains("signature");

    // (b) Mint coins: only the genesis authority may send a Reward.
    Transaction mint =
        new TransactionBody(
                ClusterFixtures.CHAIN,
                colluder.publicKey(),
                honest.ledger().state().account(colluder.address()).nonce(),
                0,
                new Payload.Reward(colluder.address(), 1_000_000_000L))
            .sign(colluder);
    assertThat(offer(honest, colluder, List.of(mint), null, "n0", rejections))
        .contains("UNAUTHORIZED");

    // (c) Credit themselves through the state root: it must be the root the transactions give.
    assertThat(offer(honest, colluder, List.of(), Hash.sha256(new byte[] {1}), "n0", rejections))
        .contains("stateRoot");

    assertThat(honest.ledger().head()).isEqualTo(head);
    assertThat(honest.ledger().state().totalSupply()).isEqualTo(supply);
    assertThat(honest.ledger().state().account(user.address()).balance()).isEqualTo(userBalance);
    assertThat(honest.ledger().verify().valid()).isTrue();
    // The honest node's own transaction is still admitted; whether the colluders include it is
    // up to them (censorship is within a majority's power: see docs/security.md).
    TxResult submitted =
        honest.submit(
            new TransactionBody(
                    ClusterFixtures.CHAIN, user.publicKey(), 0, 1, new Payload.Transfer(victim, 10))
                .sign(user));
    assertThat(submitted.accepted()).isTrue();
    nodes.values().forEach(BlockEngine::close);
  }

  private static ProofOfAuthority poa(BlockEngine e) {
    return (ProofOfAuthority) e.schedule().protocolAt(1);
  }

  private static KeyPair eligibleColluder(BlockEngine honest, List<KeyPair> colluders) {
    BlockHeader head = honest.ledger().head();
    for (KeyPair k : colluders) {
      if (poa(honest).eligibility(honest.chain(), head, k.address())
          instanceof Eligibility.Eligible) {
        return k;
      }
    }
    throw new AssertionError("no colluder may seal the next block");
  }

  /** Sends a block sealed by {@code sealer} to the honest node; returns why it was rejected. */
  private static String offer(
      BlockEngine honest,
      KeyPair sealer,
      List<Transaction> txs,
      Hash stateRoot,
      String from,
      List<String> rejections) {
    BlockHeader parent = honest.ledger().head();
    BlockHeader unsealed =
        new BlockHeader(
            parent.height() + 1,
            parent.hash(),
            Block.transactionsRoot(txs),
            txs.size(),
            stateRoot != null ? stateRoot : parent.stateRoot(),
            parent.timestamp() + 1_000,
            sealer.address(),
            new byte[0]);
    byte[] seal = poa(honest).seal(honest.chain(), unsealed, sealer);
    Block block = new Block(unsealed.withSeal(seal), txs);
    int before = rejections.size();
    honest.receive(from, new ConsensusMessage.NewBlock(block.encode()));
    honest.tick();
    assertThat(honest.ledger().head()).as("refused").isEqualTo(parent);
    assertThat(rejections).hasSize(before + 1);
    return rejections.get(before);
  }
}

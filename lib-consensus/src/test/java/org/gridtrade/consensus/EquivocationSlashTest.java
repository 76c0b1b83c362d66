package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.RejectReason;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.TxResult;
import org.junit.jupiter.api.Test;

/**
 * A sealer that signs two blocks at one height is caught by the nodes that see both, every node
 * verifies the gossiped evidence, and the slashing nodes (each with its own authority key) slash
 * the offender exactly once.
 */
class EquivocationSlashTest {
  private static final BlockPolicy POLICY =
      BlockPolicy.DEFAULT
          .withBlockPeriod(Duration.ofMillis(200))
          .withMaxTransactions(50)
          .withStatusInterval(Duration.ofMillis(500));
  private static final long STAKE = 500_000;
  private static final long SLASH = 200_000;
  private static final long STEP = 10;

  private final ManualClock clock = new ManualClock(Fixtures.GENESIS_TIME + 60_000);
  private final List<KeyPair> sealers = Fixtures.keys(50, 5);
  private final List<KeyPair> users = Fixtures.keys(0, 10);
  private final List<KeyPair> authorities = Fixtures.keys(80, 4);
  private final KeyPair offender = sealers.get(0);
  private final Genesis genesis = genesis();
  private final long[] nonces = new long[users.size()];
  private final Map<String, BlockEngine> nodes = new LinkedHashMap<>();
  private final List<EngineListener.Rejection> rejections = new ArrayList<>();
  private final Set<Hash> slashesSeenPending = new java.util.HashSet<>();
  private boolean watchMempools;
  private InMemoryNetwork net;
  private Random random;

  private Genesis genesis() {
    Map<Address, Long> alloc = new HashMap<>();
    users.forEach(k -> alloc.put(k.address(), 1_000_000_000_000L));
    sealers.forEach(k -> alloc.put(k.address(), 1_000_000_000L));
    return new Genesis(
        Fixtures.CHAIN, alloc, Set.copyOf(Fixtures.addresses(authorities)), Fixtures.GENESIS_TIME);
  }

  private void startNetwork(long seed) {
    random = new Random(seed);
    net =
        InMemoryNetwork.builder()
            .manualDelivery()
            .clock(clock)
            .seed(seed)
            .delay(Duration.ofMillis(1), Duration.ofMillis(60))
            .lossRate(0)
            .build();
    for (int i = 0; i < sealers.size(); i++) {
      BlockEngine.Builder b =
          BlockEngine.builder()
              .genesis(genesis)
              .store(BlockStores.inMemory())
              .schedule(Sim.poa(Fixtures.addresses(sealers)))
              .sealingKey(sealers.get(i))
              .policy(POLICY)
              .clock(clock)
              .transport(net.join("n" + i))
              .listener(
                  new EngineListener() {
                    @Override
                    public void onRejected(Rejection r) {
                      rejections.add(r);
                    }
                  });
      if (i > 0) {
        // Every honest node slashes, each with its own authority key.
        b.slashEquivocation(authorities.get(i - 1), SLASH);
      }
      nodes.put("n" + i, b.build());
    }
  }

  private void step(double load) {
    if (random.nextDouble() < load) {
      int from = random.nextInt(users.size());
      Transaction tx =
          Fixtures.transfer(
              users.get(from), users.get((from + 1) % users.size()).address(), nonces[from], 5, 1);
      List<BlockEngine> all = List.copyOf(nodes.values());
      if (all.get(random.nextInt(all.size())).submit(tx).accepted()) {
        nonces[from]++;
      }
    }
    clock.advance(STEP);
    net.deliverDue();
    nodes.values().forEach(BlockEngine::tick);
    if (watchMempools) {
      for (BlockEngine e : nodes.values()) {
        for (Transaction tx : e.mempool().select(e.ledger().state(), 1_000)) {
          if (tx.body().payload() instanceof Payload.Slash) {
            slashesSeenPending.add(tx.id());
          }
        }
      }
    }
  }

  private void run(long millis, double load) {
    for (long t = 0; t < millis; t += STEP) {
      step(load);
    }
  }

  private BlockEngine node(int i) {
    return nodes.get("n" + i);
  }

  /** The second block: the same parent as {@code a}, other contents, sealed by a's signer. */
  private Block secondBlockLike(Block a, KeyPair signer) {
    BlockEngine honest = node(1);
    Ledger scratch = Ledger.open(genesis, BlockStores.inMemory());
    for (long h = 1; h < a.height(); h++) {
      scratch.append(honest.ledger().block(h).orElseThrow());
    }
    Block unsealed =
        scratch.propose(List.of(), signer.address(), a.header().timestamp() + 1).block();
    ConsensusProtocol p = honest.schedule().protocolAt(a.height());
    byte[] seal =
        p.seal(honest.schedule().viewFor(honest.chain(), a.height()), unsealed.header(), signer);
    scratch.close();
    return unsealed.withSeal(seal);
  }

  private static List<Hash> hashes(BlockEngine e) {
    List<Hash> out = new ArrayList<>();
    for (long h = 0; h <= e.ledger().height(); h++) {
      out.add(e.ledger().block(h).orElseThrow().hash());
    }
    return out;
  }

  private static List<Payload.Slash> slashesIn(BlockEngine e) {
    List<Payload.Slash> out = new ArrayList<>();
    for (long h = 1; h <= e.ledger().height(); h++) {
      for (Transaction tx : e.ledger().block(h).orElseThrow().transactions()) {
        if (tx.body().payload() instanceof Payload.Slash s) {
          out.add(s);
        }
      }
    }
    return out;
  }

  @Test
  void equivocatingSealer_isDetected_verifiedEverywhere_andSlashedExactlyOnce() {
    startNetwork(17);
    // The offender locks stake, then the chain runs until it has sealed a block after that.
    assertThat(
            node(1)
                .submit(
                    new TransactionBody(
                            Fixtures.CHAIN, offender.publicKey(), 0, 0, new Payload.Stake(STAKE))
                        .sign(offender))
                .accepted())
        .isTrue();
    run(4_000, 0.3);
    BlockEngine n1 = node(1);
    assertThat(n1.ledger().state().account(offender.address()).stake()).isEqualTo(STAKE);
    long h = n1.ledger().height();
    while (!n1.ledger().block(h).orElseThrow().header().proposer().equals(offender.address())) {
      h--;
    }
    Block a = n1.ledger().block(h).orElseThrow();
    Block b = secondBlockLike(a, offender);
    Evidence expected = new Evidence(a.header(), b.header());
    assertThat(expected.problem(n1.schedule().protocolAt(h))).isEmpty();

    // The offender shows the second block to n3 and n4 only; n1, n2 never see it.
    node(3).receive("n0", new ConsensusMessage.NewBlock(b.encode()));
    node(4).receive("n0", new ConsensusMessage.NewBlock(b.encode()));
    watchMempools = true;
    run(6_000, 0.3);
    run(3_000, 0); // drain

    List<Hash> reference = hashes(node(0));
    for (BlockEngine e : nodes.values()) {
      assertThat(e.evidence()).as("evidence at %s", e.id()).containsExactly(expected);
      assertThat(hashes(e)).as("chain of %s", e.id()).isEqualTo(reference);
      assertThat(e.ledger().verify().valid()).isTrue();
      assertThat(e.ledger().state().root()).isEqualTo(node(0).ledger().state().root());
      assertThat(e.ledger().state().isEvidenceUsed(expected.id())).isTrue();
    }
    List<Payload.Slash> slashes = slashesIn(node(0));
    assertThat(slashes)
        .as("one slash in the chain")
        .containsExactly(new Payload.Slash(offender.address(), SLASH, expected.id()));
    assertThat(node(2).ledger().state().account(offender.address()).stake())
        .isEqualTo(STAKE - SLASH);
    long authorityTransactions =
        authorities.stream()
            .mapToLong(k -> node(2).ledger().state().account(k.address()).nonce())
            .sum();
    assertThat(authorityTransactions).as("one authority transaction in all").isEqualTo(1);
    assertThat(slashesSeenPending)
        .as("several nodes submitted their own slash for the evidence")
        .hasSizeGreaterThan(1);
    assertThat(rejections).as("no block refused").isEmpty();

    // Replaying the slash (a fresh nonce, another authority) is refused everywhere.
    KeyPair auth = authorities.get(2);
    Transaction replay =
        new TransactionBody(
                Fixtures.CHAIN,
                auth.publicKey(),
                node(2).ledger().state().account(auth.address()).nonce(),
                0,
                new Payload.Slash(offender.address(), 1, expected.id()))
            .sign(auth);
    for (BlockEngine e : nodes.values()) {
      TxResult r = e.submit(replay);
      assertThat(r).isInstanceOf(TxResult.Rejected.class);
      assertThat(((TxResult.Rejected) r).reason()).isEqualTo(RejectReason.EVIDENCE_USED);
    }
    nodes.values().forEach(BlockEngine::close);
  }

  @Test
  void evidenceNotice_isVerified_forgedEvidenceIsIgnored_validEvidenceSlashes() {
    List<KeyPair> two = sealers.subList(0, 2);
    ProofOfAuthority poa = ProofOfAuthority.builder().sealers(Fixtures.addresses(two)).build();
    try (BlockEngine e =
        BlockEngine.builder()
            .genesis(genesis)
            .store(BlockStores.inMemory())
            .schedule(ConsensusSchedule.of(poa))
            .policy(POLICY)
            .clock(clock)
            .slashEquivocation(authorities.get(0), SLASH)
            .build()) {
      // Stake for both sealers, in a block sealed by the in-turn sealer.
      Ledger scratch = Ledger.open(genesis, BlockStores.inMemory());
      List<Transaction> stakes = new ArrayList<>();
      for (KeyPair k : two) {
        stakes.add(
            new TransactionBody(Fixtures.CHAIN, k.publicKey(), 0, 0, new Payload.Stake(STAKE))
                .sign(k));
      }
      KeyPair one = two.get(0);
      Block first = scratch.propose(stakes, one.address(), clock.millis()).block();
      first = first.withSeal(poa.seal(e.schedule().viewFor(e.chain(), 1), first.header(), one));
      e.receive("peer", new ConsensusMessage.NewBlock(first.encode()));
      e.tick();
      assertThat(e.ledger().height()).isEqualTo(1);
      scratch.append(first);

      // Two blocks at height 2 by different sealers: not equivocation.
      KeyPair other = two.get(1);
      Block x = sealed(scratch, poa, e, other, List.of(), clock.millis() + 1);
      Block y = sealed(scratch, poa, e, one, List.of(), clock.millis() + 2);
      e.receive("peer", new ConsensusMessage.EvidenceNotice(x.encode(), y.encode()));
      e.receive("peer", new ConsensusMessage.EvidenceNotice(x.encode(), x.encode()));
      e.tick();
      assertThat(e.evidence()).isEmpty();
      assertThat(e.mempool().size()).isZero();

      // Two blocks at height 2 by one sealer that this node never received as blocks.
      Block z = sealed(scratch, poa, e, other, List.of(), clock.millis() + 3);
      e.receive("peer", new ConsensusMessage.EvidenceNotice(x.encode(), z.encode()));
      e.receive("peer2", new ConsensusMessage.EvidenceNotice(z.encode(), x.encode()));
      e.tick();
      Evidence ev = new Evidence(x.header(), z.header());
      assertThat(e.evidence()).containsExactly(ev);
      assertThat(e.mempool().size()).isEqualTo(1);
      Transaction slash = e.mempool().select(e.ledger().state(), 10).get(0);
      assertThat(slash.body().payload())
          .isEqualTo(new Payload.Slash(other.address(), SLASH, ev.id()));
      assertThat(slash.sender()).isEqualTo(authorities.get(0).address());
      scratch.close();
    }
  }

  private static Block sealed(
      Ledger scratch,
      ProofOfAuthority poa,
      BlockEngine e,
      KeyPair signer,
      List<Transaction> txs,
      long time) {
    Block u = scratch.propose(txs, signer.address(), time).block();
    BlockHeader h = u.header();
    return u.withSeal(poa.seal(e.schedule().viewFor(e.chain(), h.height()), h, signer));
  }
}

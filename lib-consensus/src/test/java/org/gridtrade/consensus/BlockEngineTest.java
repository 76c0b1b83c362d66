package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;

class BlockEngineTest {
  private final List<KeyPair> users = Fixtures.keys(0, 60);
  private final KeyPair sealer = Fixtures.key(50);
  private final Genesis genesis = Fixtures.genesis(users, 1_000_000_000L);
  private final ManualClock clock = new ManualClock(Fixtures.GENESIS_TIME + 10_000);
  private final List<Block> appended = new ArrayList<>();
  private final List<EngineListener.Rejection> rejected = new ArrayList<>();
  private final List<Evidence> evidence = new ArrayList<>();

  private final EngineListener recorder =
      new EngineListener() {
        @Override
        public void onBlock(Block block, boolean local) {
          appended.add(block);
        }

        @Override
        public void onRejected(Rejection rejection) {
          rejected.add(rejection);
        }

        @Override
        public void onEvidence(Evidence e) {
          evidence.add(e);
        }
      };

  private BlockEngine engine(List<KeyPair> sealers, KeyPair me, BlockPolicy policy) {
    ProofOfAuthority poa = ProofOfAuthority.builder().sealers(Fixtures.addresses(sealers)).build();
    BlockEngine.Builder b =
        BlockEngine.builder()
            .genesis(genesis)
            .store(BlockStores.inMemory())
            .schedule(ConsensusSchedule.of(poa))
            .policy(policy)
            .clock(clock)
            .listener(recorder);
    if (me != null) {
      b.sealingKey(me);
    }
    return b.build();
  }

  private List<Transaction> transfers(int n) {
    List<Transaction> txs = new ArrayList<>();
    long[] nonce = new long[users.size()];
    for (int i = 0; i < n; i++) {
      int from = i % users.size();
      txs.add(
          Fixtures.transfer(
              users.get(from),
              users.get((from + 1) % users.size()).address(),
              nonce[from]++,
              1 + i,
              1));
    }
    return txs;
  }

  @Test
  void engine_buildsBlocksOfAtMostMaxTransactions_onlyWhenTransactionsWait() {
    BlockPolicy policy =
        BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(500)).withMaxTransactions(1_000);
    try (BlockEngine e = engine(List.of(sealer), sealer, policy)) {
      e.tick();
      clock.advance(10_000);
      e.tick();
      assertThat(e.ledger().height()).as("no transaction waits: no block").isZero();
      for (Transaction tx : transfers(2_500)) {
        assertThat(e.submit(tx).accepted()).isTrue();
      }
      for (int i = 0; i < 40; i++) {
        e.tick();
        clock.advance(100);
      }
      assertThat(appended)
          .extracting(b -> b.transactions().size())
          .containsExactly(1_000, 1_000, 500);
      for (int i = 1; i < appended.size(); i++) {
        assertThat(appended.get(i).header().timestamp() - appended.get(i - 1).header().timestamp())
            .as("block period")
            .isGreaterThanOrEqualTo(500);
      }
      assertThat(e.mempool().size()).isZero();
      clock.advance(10_000);
      e.tick();
      assertThat(e.ledger().height()).isEqualTo(3);
      assertThat(e.ledger().verify())
          .satisfies(r -> assertThat(r.valid()).as(r.toString()).isTrue());
      assertThat(rejected).isEmpty();
    }
  }

  @Test
  void engine_withEmptyBlocksAllowed_sealsOnePerPeriod() {
    BlockPolicy policy =
        BlockPolicy.DEFAULT
            .withBlockPeriod(Duration.ofMillis(1_000))
            .withOnlyWhenTransactionsWait(false);
    try (BlockEngine e = engine(List.of(sealer), sealer, policy)) {
      for (int i = 0; i < 50; i++) {
        e.tick();
        clock.advance(100);
      }
      // 5 s of time: one block at once (genesis is old), then one per second.
      assertThat(e.ledger().height()).isBetween(4L, 6L);
      assertThat(appended).allSatisfy(b -> assertThat(b.transactions()).isEmpty());
    }
  }

  @Test
  void nonSealingNode_neverProposes() {
    try (BlockEngine e = engine(List.of(sealer), Fixtures.key(51), BlockPolicy.DEFAULT)) {
      transfers(10).forEach(e::submit);
      for (int i = 0; i < 100; i++) {
        e.tick();
        clock.advance(100);
      }
      assertThat(e.ledger().height()).isZero();
    }
  }

  /** A valid block from {@code proposer} on top of {@code e}'s head, built by a twin node. */
  private Block blockFrom(KeyPair proposer, List<Transaction> txs, long time) {
    ProofOfAuthority poa = ProofOfAuthority.builder().sealers(List.of(sealer.address())).build();
    try (BlockEngine twin =
        BlockEngine.builder()
            .genesis(genesis)
            .store(BlockStores.inMemory())
            .schedule(ConsensusSchedule.of(poa))
            .clock(clock)
            .build()) {
      Block unsealed = twin.ledger().propose(txs, proposer.address(), time).block();
      return unsealed.withSeal(
          ProofOfAuthority.Seal.sign(unsealed.header(), proposer, null, null).encode());
    }
  }

  @Test
  void receivedBlock_fromNonSealer_badSeal_orInvalidTransaction_isRejectedAndChangesNothing() {
    try (BlockEngine e = engine(List.of(sealer), null, BlockPolicy.DEFAULT)) {
      LedgerState before = e.ledger().state();
      BlockHeader head = e.ledger().head();
      long t = clock.millis();
      List<Transaction> txs = transfers(5);

      Block intruder = blockFrom(Fixtures.key(52), txs, t);
      Block good = blockFrom(sealer, txs, t);
      byte[] seal = good.header().seal();
      seal[seal.length - 1] ^= 1;
      Block badSeal = good.withSeal(seal);
      Transaction forged =
          Transaction.of(txs.get(0).body(), Signature.of(new byte[Signature.LENGTH]));
      List<Transaction> withForged = new ArrayList<>(txs);
      withForged.set(0, forged);
      BlockHeader h = good.header();
      BlockHeader forgedHeader =
          new BlockHeader(
              h.height(),
              h.previousHash(),
              Block.transactionsRoot(withForged),
              withForged.size(),
              h.stateRoot(),
              h.timestamp(),
              h.proposer(),
              new byte[0]);
      Block badTx =
          new Block(
              forgedHeader.withSeal(
                  ProofOfAuthority.Seal.sign(forgedHeader, sealer, null, null).encode()),
              withForged);

      for (Block b : List.of(intruder, badSeal, badTx)) {
        e.receive("peer", new ConsensusMessage.NewBlock(b.encode()));
      }
      e.tick();
      assertThat(rejected).hasSize(3);
      assertThat(rejected)
          .allSatisfy(r -> assertThat(r.kind()).isEqualTo(EngineListener.Rejection.Kind.INVALID));
      assertThat(reasonFor(intruder)).contains("not authorised");
      assertThat(reasonFor(badSeal)).contains("PoA seal signature does not verify");
      assertThat(reasonFor(badTx)).contains("signature").doesNotContain("PoA seal");
      assertThat(e.ledger().head()).isEqualTo(head);
      assertThat(e.ledger().state().root()).isEqualTo(before.root());
      assertThat(appended).isEmpty();

      // A block on a parent this node does not hold is not judged: it is detached, not invalid.
      BlockHeader unsealedOrphan =
          new BlockHeader(
              1,
              Hash.sha256(new byte[] {7}),
              Block.transactionsRoot(txs),
              txs.size(),
              h.stateRoot(),
              h.timestamp(),
              h.proposer(),
              new byte[0]);
      Block orphan =
          new Block(
              unsealedOrphan.withSeal(
                  ProofOfAuthority.Seal.sign(unsealedOrphan, sealer, null, null).encode()),
              txs);
      e.receive("peer", new ConsensusMessage.NewBlock(orphan.encode()));
      e.tick();
      assertThat(rejected).hasSize(4);
      assertThat(rejected.get(3).kind()).isEqualTo(EngineListener.Rejection.Kind.DETACHED);
      assertThat(rejected.get(3).reason()).contains("not on this node's head");
      assertThat(e.ledger().head()).isEqualTo(head);

      // The untampered block is accepted afterwards: the rejections left nothing behind.
      e.receive("peer", new ConsensusMessage.NewBlock(good.encode()));
      e.tick();
      assertThat(e.ledger().height()).isEqualTo(1);
      assertThat(e.ledger().head().hash()).isEqualTo(good.hash());
    }
  }

  /**
   * A rejected block for the next height does not make a sealer wait as if it were behind (else any
   * peer could silence it for several status intervals with one invalid block).
   */
  @Test
  void rejectedBlockForTheNextHeight_doesNotDelayTheNodesOwnProposal() throws Exception {
    BlockPolicy policy = BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(500));
    try (BlockEngine e = engine(List.of(sealer), sealer, policy)) {
      List<Transaction> txs = transfers(4);
      assertThat(e.submit(txs.get(0)).accepted()).isTrue();
      e.tick();
      assertThat(e.ledger().height()).isEqualTo(1);
      for (Transaction tx : txs.subList(1, 4)) {
        assertThat(e.submit(tx).accepted()).isTrue();
      }
      // A forged block for height 2 (its seal broken) arrives before the node's own turn.
      Block forged;
      try (org.gridtrade.ledger.Ledger twin =
          org.gridtrade.ledger.Ledger.open(genesis, BlockStores.inMemory())) {
        assertThat(twin.append(e.ledger().block(1).orElseThrow()).appended()).isTrue();
        Block u = twin.propose(txs.subList(1, 4), sealer.address(), clock.millis()).block();
        byte[] seal = ProofOfAuthority.Seal.sign(u.header(), sealer, null, null).encode();
        seal[seal.length - 1] ^= 1;
        forged = u.withSeal(seal);
      }
      e.receive("peer", new ConsensusMessage.NewBlock(forged.encode()));
      e.tick();
      assertThat(rejected).singleElement();
      assertThat(e.ledger().height()).as("not yet the node's time").isEqualTo(1);
      clock.advance(600); // one block period; the wait for a lagging node is 5 status intervals
      e.tick();
      assertThat(e.ledger().height()).as("proposed on time").isEqualTo(2);
      assertThat(e.ledger().block(2).orElseThrow().transactions()).hasSize(3);
    }
  }

  private String reasonFor(Block b) {
    return rejected.stream()
        .filter(r -> r.block().hash().equals(b.hash()))
        .map(EngineListener.Rejection::reason)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void sealerSigningTwoBlocksAtOneHeight_producesVerifiableEvidence() {
    try (BlockEngine e = engine(List.of(sealer), null, BlockPolicy.DEFAULT)) {
      long t = clock.millis();
      Block one = blockFrom(sealer, transfers(3), t);
      Block two = blockFrom(sealer, transfers(2), t + 1);
      assertThat(one.hash()).isNotEqualTo(two.hash());
      e.receive("peer", new ConsensusMessage.NewBlock(one.encode()));
      e.tick();
      e.receive("peer", new ConsensusMessage.NewBlock(two.encode()));
      e.receive("peer", new ConsensusMessage.NewBlock(two.encode()));
      e.tick();
      assertThat(e.ledger().head().hash()).isEqualTo(one.hash());
      assertThat(evidence).hasSize(1).isEqualTo(e.evidence());
      Evidence ev = evidence.get(0);
      ProofOfAuthority anyNode =
          ProofOfAuthority.builder().sealers(List.of(Fixtures.key(99).address())).build();
      assertThat(ev.problem(anyNode)).isEmpty();
      assertThat(ev.offender(anyNode)).contains(sealer.address());
      assertThat(new Evidence(two.header(), one.header())).isEqualTo(ev);
      assertThat(new Evidence(two.header(), one.header()).id()).isEqualTo(ev.id());
    }
  }

  @Test
  void blockDatedFarAhead_isRefusedUntilItsTimeComes() {
    try (BlockEngine e = engine(List.of(sealer), null, BlockPolicy.DEFAULT)) {
      Block early = blockFrom(sealer, transfers(3), clock.millis() + 60_000);
      e.receive("peer", new ConsensusMessage.NewBlock(early.encode()));
      e.tick();
      assertThat(e.ledger().height()).isZero();
      clock.advance(50_000);
      e.receive("peer", new ConsensusMessage.NewBlock(early.encode()));
      e.tick();
      assertThat(e.ledger().head().hash()).isEqualTo(early.hash());
    }
  }

  @Test
  void peerAnnouncingAHeightItCannotDeliver_delaysButDoesNotSilenceTheNode() {
    InMemoryNetwork net = InMemoryNetwork.builder().manualDelivery().clock(clock).build();
    Transport liar = net.join("liar");
    BlockPolicy policy = BlockPolicy.DEFAULT.withStatusInterval(Duration.ofMillis(100));
    ProofOfAuthority poa = ProofOfAuthority.builder().sealers(List.of(sealer.address())).build();
    try (BlockEngine e =
        BlockEngine.builder()
            .genesis(genesis)
            .store(BlockStores.inMemory())
            .schedule(ConsensusSchedule.of(poa))
            .sealingKey(sealer)
            .policy(policy)
            .clock(clock)
            .transport(net.join("honest"))
            .build()) {
      transfers(3).forEach(e::submit);
      liar.broadcast(new ConsensusMessage.Status(1_000, Hash.ZERO));
      long waited = 0;
      while (e.ledger().height() == 0 && waited < 5_000) {
        net.deliverDue();
        e.tick();
        clock.advance(10);
        waited += 10;
      }
      assertThat(e.ledger().height()).isEqualTo(1);
      assertThat(waited).as("held back while the claim stood").isGreaterThanOrEqualTo(500);
    }
  }

  @Test
  void storedChainWithABadSeal_failsToOpen() {
    // A chain written without consensus checks, sealed by an account that is not a sealer.
    org.gridtrade.ledger.spi.BlockStore store = BlockStores.inMemory();
    try (org.gridtrade.ledger.Ledger plain = org.gridtrade.ledger.Ledger.open(genesis, store)) {
      KeyPair intruder = Fixtures.key(52);
      Block b = plain.propose(transfers(2), intruder.address(), clock.millis()).block();
      b = b.withSeal(ProofOfAuthority.Seal.sign(b.header(), intruder, null, null).encode());
      assertThat(plain.append(b).appended()).isTrue();
      ProofOfAuthority poa = ProofOfAuthority.builder().sealers(List.of(sealer.address())).build();
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  BlockEngine.builder()
                      .genesis(genesis)
                      .store(store)
                      .schedule(ConsensusSchedule.of(poa))
                      .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not authorised");
    }
  }

  @Test
  void evidence_notEquivocation_isRefused() {
    long t = clock.millis();
    Block one = blockFrom(sealer, transfers(3), t);
    Block other = blockFrom(Fixtures.key(53), transfers(2), t);
    ProofOfAuthority poa = ProofOfAuthority.builder().sealers(List.of(sealer.address())).build();
    assertThat(new Evidence(one.header(), one.header()).problem(poa))
        .get()
        .asString()
        .contains("same block");
    assertThat(new Evidence(one.header(), other.header()).problem(poa))
        .get()
        .asString()
        .contains("different signers");
    byte[] seal = other.header().seal();
    seal[seal.length - 5] ^= 1;
    BlockHeader forged = one.header().withSeal(seal);
    assertThat(new Evidence(one.header(), forged).problem(poa))
        .get()
        .asString()
        .contains("does not verify");
    BlockHeader h2 =
        new BlockHeader(
            2,
            one.hash(),
            Hash.sha256(new byte[0]),
            0,
            one.header().stateRoot(),
            t,
            sealer.address(),
            new byte[0]);
    h2 = h2.withSeal(ProofOfAuthority.Seal.sign(h2, sealer, null, null).encode());
    assertThat(new Evidence(one.header(), h2).problem(poa))
        .get()
        .asString()
        .contains("heights differ");
  }

  @Test
  void failingListener_doesNotStopTheEngine() {
    try (BlockEngine e = engine(List.of(sealer), sealer, BlockPolicy.DEFAULT)) {
      e.addListener(
          new EngineListener() {
            @Override
            public void onBlock(Block block, boolean local) {
              throw new IllegalStateException("listener bug");
            }
          });
      transfers(5).forEach(e::submit);
      e.tick();
      clock.advance(3_000);
      transfers(10).subList(5, 10).forEach(e::submit);
      e.tick();
      assertThat(e.ledger().height()).isEqualTo(2);
      assertThat(appended).hasSize(2);
    }
  }
}

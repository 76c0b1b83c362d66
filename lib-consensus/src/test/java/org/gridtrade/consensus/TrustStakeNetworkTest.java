package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link TrustStake} on an in-process network of engines. */
class TrustStakeNetworkTest {
  private static final BlockPolicy POLICY =
      BlockPolicy.DEFAULT
          .withBlockPeriod(Duration.ofMillis(200))
          .withMaxTransactions(50)
          .withStatusInterval(Duration.ofMillis(500));

  private static final KeyPair TREASURY = Fixtures.key(0); // Sim's genesis authority

  private static TrustStake protocol(List<Address> sealers) {
    return builder(sealers).build();
  }

  private static TrustStake.Builder builder(List<Address> sealers) {
    return TrustStake.builder()
        .initialValidators(sealers.subList(0, 3))
        .committeeSize(3)
        .epochLength(10)
        .selectionBlock(5)
        .timeout(Duration.ofMillis(600))
        .minTrust(0);
  }

  @Test
  void withTreasury_sixNodesAgree_andEachProposerIsPaidItsBlocksTrustCoins() {
    Sim sim =
        new Sim(
            6,
            21,
            1,
            100,
            0,
            POLICY,
            s -> ConsensusSchedule.of(builder(s).treasury(TREASURY).build()),
            null);
    sim.firstSender = 1; // the treasury sends only rewards
    sim.endSender = 50; // the sealers (users 50..55) send only their burns
    sim.startAll();
    Map<Address, Long> burnt = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      Transaction burn =
          Fixtures.transfer(sim.sealers.get(i), TrustStake.BURN_ADDRESS, 0, 1_000L * (i + 1), 1);
      assertThat(sim.live.get("n" + i).submit(burn).accepted()).isTrue();
      sim.accepted.put(burn.id(), burn);
      burnt.put(sim.sealers.get(i).address(), 1_000L * (i + 1) + 1);
    }
    sim.runWithLoad(12_000, 0.3);
    sim.run(5_000);

    List<BlockEngine> nodes = List.copyOf(sim.live.values());
    List<Hash> reference = Sim.hashes(nodes.get(0));
    assertThat(reference.size()).as("blocks built").isGreaterThan(30);
    for (BlockEngine e : nodes) {
      assertThat(Sim.hashes(e)).as("chain of %s", e.id()).isEqualTo(reference);
      assertThat(e.ledger().state().root()).isEqualTo(nodes.get(0).ledger().state().root());
      assertThat(e.ledger().verify().valid()).isTrue();
    }
    assertThat(sim.rejections).as("no rejected blocks").isEmpty();
    Map<Hash, Integer> included = Sim.included(nodes.get(0));
    assertThat(included.keySet()).containsAll(sim.accepted.keySet());

    // Replay with an independent instance: block h + 1 pays block h's proposer its trust coins;
    // every sealer's balance is what it started with, minus its burn, plus what it received, plus
    // the fees of its blocks, plus exactly those rewards.
    BlockEngine e = nodes.get(0);
    TrustStake replay = builder(Fixtures.addresses(sim.sealers)).treasury(TREASURY).build();
    Map<Address, Long> rewards = new HashMap<>();
    Map<Address, Long> received = new HashMap<>();
    long minted = 0;
    for (long h = 1; h <= e.ledger().height(); h++) {
      Block b = e.ledger().block(h).orElseThrow();
      Block parent = e.ledger().block(h - 1).orElseThrow();
      Optional<Payload.Reward> due = replay.trustCoins(e.chain(), parent.header());
      List<Transaction> fromTreasury =
          b.transactions().stream().filter(t -> t.sender().equals(TREASURY.address())).toList();
      if (due.isPresent()) {
        assertThat(due.get().to()).isEqualTo(parent.header().proposer());
        assertThat(b.transactions().get(0).body().payload())
            .as("height %d", h)
            .isEqualTo(due.get());
        assertThat(fromTreasury).hasSize(1);
        rewards.merge(due.get().to(), due.get().amount(), Long::sum);
        minted += due.get().amount();
      } else {
        assertThat(fromTreasury).as("height %d", h).isEmpty();
        assertThat(
                parent.transactions().stream().allMatch(t -> t.sender().equals(TREASURY.address())))
            .as("only genesis and reward-only blocks earn nothing, height %d", h - 1)
            .isTrue();
      }
      long fees = 0;
      for (Transaction t : b.transactions()) {
        fees += t.body().fee();
        if (t.body().payload() instanceof Payload.Transfer tr) {
          received.merge(tr.to(), tr.amount(), Long::sum);
        }
      }
      received.merge(b.header().proposer(), fees, Long::sum);
    }
    assertThat(e.ledger().state().totalSupply())
        .as("the rewards minted the coins")
        .isEqualTo(supply(sim) + minted);
    for (KeyPair k : sim.sealers) {
      Address a = k.address();
      assertThat(rewards.getOrDefault(a, 0L)).as("rewards of %s", a).isGreaterThan(0);
      assertThat(e.ledger().state().account(a).balance())
          .as("balance of %s", a)
          .isEqualTo(
              1_000_000_000_000L
                  - burnt.get(a)
                  + received.getOrDefault(a, 0L)
                  + rewards.getOrDefault(a, 0L));
    }
    sim.closeAll();
  }

  private static long supply(Sim sim) {
    return 1_000_000_000_000L * sim.users.size();
  }

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"11", "12"})
  void sixNodes_agreeOnOneChain_committeesAlternateByDeposit(long seed) {
    Sim sim = new Sim(6, seed, 1, 100, 0, POLICY, s -> ConsensusSchedule.of(protocol(s)), null);
    sim.endSender = 50; // the sealers (users 50..55) send only their burns
    sim.startAll();
    for (int i = 0; i < 6; i++) {
      Transaction burn =
          Fixtures.transfer(sim.sealers.get(i), TrustStake.BURN_ADDRESS, 0, 1_000L * (i + 1), 1);
      assertThat(sim.live.get("n" + i).submit(burn).accepted()).isTrue();
      sim.accepted.put(burn.id(), burn);
    }
    sim.runWithLoad(15_000, 0.3);
    sim.run(5_000);

    List<BlockEngine> nodes = List.copyOf(sim.live.values());
    List<Hash> reference = Sim.hashes(nodes.get(0));
    assertThat(reference.size()).as("blocks built").isGreaterThan(40);
    for (BlockEngine e : nodes) {
      assertThat(Sim.hashes(e)).as("chain of %s", e.id()).isEqualTo(reference);
      assertThat(e.ledger().state().root()).isEqualTo(nodes.get(0).ledger().state().root());
      assertThat(e.ledger().verify().valid()).isTrue();
    }
    assertThat(sim.rejections).as("no rejected blocks").isEmpty();
    assertThat(Sim.included(nodes.get(0)).keySet()).isEqualTo(sim.accepted.keySet());

    // An independent instance replays the chain: every proposer belongs to its epoch's committee,
    // and from epoch 1 on the committees alternate between the two halves (ranked by deposit,
    // the current committee excluded).
    List<Address> sealers = Fixtures.addresses(sim.sealers);
    Set<Address> low = new HashSet<>(sealers.subList(0, 3));
    Set<Address> high = new HashSet<>(sealers.subList(3, 6));
    TrustStake replay = protocol(sealers);
    BlockEngine e = nodes.get(0);
    Set<Address> proposers = new HashSet<>();
    for (long h = 1; h <= e.ledger().height(); h++) {
      BlockHeader parent = e.ledger().block(h - 1).orElseThrow().header();
      BlockHeader header = e.ledger().block(h).orElseThrow().header();
      TrustStake.Snapshot s = replay.snapshot(e.chain(), parent);
      assertThat(s.order()).as("order at %d", h).contains(header.proposer());
      proposers.add(header.proposer());
      if (s.epoch() >= 1) {
        assertThat(new HashSet<>(s.committee()))
            .as("committee of epoch %d", s.epoch())
            .isEqualTo(s.epoch() % 2 == 1 ? high : low);
      } else {
        assertThat(new HashSet<>(s.committee())).isEqualTo(low);
      }
    }
    assertThat(proposers).isEqualTo(new HashSet<>(sealers));
    sim.closeAll();
  }

  /**
   * Five validators, one of them a cheat whose only block credits it through the state root (a
   * state-dependent invalid block no seal can prove): the four honest nodes reject it as invalid,
   * each attests it in its next seal, and the third attestation (more than 2/3 of the four other
   * members) confiscates the cheat's deposit on every node; the chain goes on without it.
   */
  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"21", "22"})
  void stateDependentInvalidBlock_isAttestedByTheCommittee_andConfiscatesOnEveryNode(long seed) {
    java.util.function.Function<List<Address>, TrustStake> make =
        s -> builder(s).initialValidators(s).committeeSize(5).build();
    Sim sim = new Sim(5, seed, 1, 100, 0, POLICY, s -> ConsensusSchedule.of(make.apply(s)), null);
    sim.endSender = 50; // the validators (users 50..54) send only their burns
    KeyPair cheat = sim.sealers.get(0); // its node is not run: it only sends the invalid block
    for (int i = 1; i < 5; i++) {
      sim.start(i);
    }
    for (int i = 0; i < 5; i++) {
      Transaction burn =
          Fixtures.transfer(sim.sealers.get(i), TrustStake.BURN_ADDRESS, 0, 1_000L * (i + 1), 1);
      assertThat(sim.live.get("n1").submit(burn).accepted()).isTrue();
      sim.accepted.put(burn.id(), burn);
    }
    TrustStake signer = make.apply(Fixtures.addresses(sim.sealers));
    List<BlockEngine> nodes = List.copyOf(sim.live.values());
    Block bad = null;
    for (int step = 0; step < 3_000 && bad == null; step++) {
      sim.step();
      if (step % 3 == 0) {
        sim.submitRandom();
      }
      BlockHeader head = nodes.get(0).ledger().head();
      boolean agreed = nodes.stream().allMatch(e -> e.ledger().head().equals(head));
      long h = head.height() + 1;
      if (!agreed || h < 4) {
        continue; // the burns first
      }
      var view = nodes.get(0).schedule().viewFor(nodes.get(0).chain(), h);
      if (signer.eligibility(view, head, cheat.address())
              instanceof org.gridtrade.consensus.spi.Eligibility.Eligible el
          && el.inTurn()) {
        BlockHeader forged =
            new BlockHeader(
                h,
                head.hash(),
                Block.transactionsRoot(List.of()),
                0,
                Hash.sha256(new byte[] {42}),
                Math.max(sim.clock.millis(), head.timestamp() + 1),
                cheat.address(),
                new byte[0]);
        bad = new Block(forged.withSeal(signer.seal(view, forged, cheat)), List.of());
        for (BlockEngine e : nodes) {
          e.receive("n0", new ConsensusMessage.NewBlock(bad.encode()));
        }
      }
    }
    assertThat(bad).as("the cheat came in turn").isNotNull();
    sim.runWithLoad(12_000, 0.3);
    sim.run(3_000);

    Hash badHash = bad.hash();
    // Each honest node rejected it as invalid; the other rejections are fork-choice losers of the
    // backups' race for the cheat's slot (never attested: nobody honest is confiscated below).
    List<EngineListener.Rejection> invalid =
        sim.rejections.stream()
            .filter(r -> r.kind() == EngineListener.Rejection.Kind.INVALID)
            .toList();
    assertThat(invalid).extracting(r -> r.block().hash()).containsOnly(badHash).hasSize(4);
    assertThat(invalid).extracting(r -> r.from()).containsOnly("n0");
    assertThat(invalid).allSatisfy(r -> assertThat(r.reason()).contains("stateRoot"));
    assertThat(sim.rejections)
        .extracting(EngineListener.Rejection::kind)
        .doesNotContain(EngineListener.Rejection.Kind.DETACHED);
    List<Hash> reference = Sim.hashes(nodes.get(0));
    for (BlockEngine e : nodes) {
      assertThat(Sim.hashes(e)).as("chain of %s", e.id()).isEqualTo(reference);
      assertThat(e.ledger().verify().valid()).isTrue();
    }
    // Replayed by a node that saw nothing: the count grows 1, 2, then the third confiscates.
    TrustStake replay = make.apply(Fixtures.addresses(sim.sealers));
    BlockEngine e = nodes.get(0);
    long confiscatedAt = -1;
    int lastCount = 0;
    Set<Address> attesters = new HashSet<>();
    for (long h = bad.height(); h <= e.ledger().height() && confiscatedAt < 0; h++) {
      BlockHeader header = e.ledger().block(h).orElseThrow().header();
      TrustStake.Snapshot s = replay.snapshot(e.chain(), header);
      assertThat(header.proposer()).isNotEqualTo(cheat.address());
      if (s.confiscated().contains(cheat.address())) {
        confiscatedAt = h;
        attesters.add(header.proposer());
      } else if (!s.attestations().isEmpty()) {
        TrustStake.Attestation a = s.attestations().get(0);
        assertThat(a.offender()).isEqualTo(cheat.address());
        assertThat(a.needed()).isEqualTo(3);
        assertThat(a.attesters().size()).isBetween(lastCount, lastCount + 1);
        lastCount = a.attesters().size();
        attesters.addAll(a.attesters());
      }
    }
    assertThat(confiscatedAt).as("confiscated").isPositive();
    assertThat(lastCount).as("attesters before the confiscating block").isEqualTo(2);
    assertThat(attesters).hasSize(3).doesNotContain(cheat.address());
    TrustStake.Snapshot end = replay.snapshot(e.chain(), e.ledger().head());
    assertThat(end.confiscated()).containsExactly(cheat.address());
    assertThat(end.depositsMicro()).containsEntry(cheat.address(), 0L);
    assertThat(end.order()).hasSize(4).doesNotContain(cheat.address());
    assertThat(e.ledger().height()).as("the chain went on").isGreaterThan(confiscatedAt + 3);
    sim.closeAll();
  }

  /**
   * Safety of attestations on an honest network with races: delays up to twice the rank timeout and
   * lost messages make backups seal competing blocks and nodes see blocks on branches they do not
   * hold. Such blocks are rejected as superseded or detached, never as invalid, so no honest
   * validator is attested or loses its deposit.
   */
  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"31", "32", "33"})
  void honestNetworkWithRaces_convergesOnOneChain_andNeverAttestsOrConfiscatesAnyone(long seed) {
    BlockPolicy racy =
        BlockPolicy.DEFAULT
            .withBlockPeriod(Duration.ofMillis(100))
            .withMaxTransactions(20)
            .withStatusInterval(Duration.ofMillis(300));
    java.util.function.Function<List<Address>, TrustStake> make =
        s ->
            builder(s)
                .initialValidators(s)
                .committeeSize(5)
                .timeout(Duration.ofMillis(150))
                .build();
    Sim sim = new Sim(5, seed, 1, 300, 0.05, racy, s -> ConsensusSchedule.of(make.apply(s)), null);
    sim.endSender = 50;
    sim.startAll();
    for (int i = 0; i < 5; i++) {
      Transaction burn =
          Fixtures.transfer(sim.sealers.get(i), TrustStake.BURN_ADDRESS, 0, 1_000L * (i + 1), 1);
      assertThat(sim.live.get("n" + i).submit(burn).accepted()).isTrue();
      sim.accepted.put(burn.id(), burn);
    }
    sim.runWithLoad(15_000, 0.5);
    sim.run(10_000);

    // Reorganisations below the head heal the splits: one chain, every accepted transaction in it.
    List<Hash> reference = Sim.hashes(sim.live.get("n0"));
    for (BlockEngine e : sim.live.values()) {
      assertThat(Sim.hashes(e)).as("chain of %s", e.id()).isEqualTo(reference);
    }
    Map<Hash, Integer> included = Sim.included(sim.live.get("n0"));
    assertThat(included.keySet()).isEqualTo(sim.accepted.keySet());
    assertThat(included.values()).containsOnly(1);
    assertThat(sim.rejections)
        .as("races happened (else this test shows nothing)")
        .extracting(EngineListener.Rejection::kind)
        .contains(EngineListener.Rejection.Kind.SUPERSEDED, EngineListener.Rejection.Kind.DETACHED)
        .doesNotContain(EngineListener.Rejection.Kind.INVALID);
    TrustStake replay = make.apply(Fixtures.addresses(sim.sealers));
    for (BlockEngine e : sim.live.values()) {
      assertThat(e.ledger().height()).as("blocks on %s", e.id()).isGreaterThan(10);
      TrustStake.Snapshot s = replay.snapshot(e.chain(), e.ledger().head());
      assertThat(s.confiscated()).as("confiscated on %s", e.id()).isEmpty();
      assertThat(s.attestations()).as("attestations on %s", e.id()).isEmpty();
      assertThat(e.ledger().verify().valid()).isTrue();
    }
    sim.closeAll();
  }
}

package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
          .withBlockPeriodMillis(200)
          .withMaxTransactions(50)
          .withStatusIntervalMillis(500);

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
        .timeoutMillis(600)
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
}

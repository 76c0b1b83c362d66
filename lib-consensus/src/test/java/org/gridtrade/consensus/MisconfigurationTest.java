package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Settings that used to fail silently are loud now. */
class MisconfigurationTest {
  private final List<KeyPair> sealers = Fixtures.keys(50, 3);
  private final Genesis genesis = Fixtures.genesis(Fixtures.keys(0, 5), 1_000_000_000L);

  private BlockEngine engine(ConsensusSchedule schedule, KeyPair key) {
    BlockEngine.Builder b = BlockEngine.builder();
    if (key != null) {
      b.sealingKey(key);
    }
    return b.genesis(genesis)
        .store(BlockStores.inMemory())
        .schedule(schedule)
        .clock(new ManualClock(Fixtures.GENESIS_TIME + 60_000))
        .build();
  }

  private ConsensusSchedule poa() {
    return ConsensusSchedule.of(
        ProofOfAuthority.builder().sealers(Fixtures.addresses(sealers)).build());
  }

  @Test
  void status_keyThatIsNotAPoaSealer_saysNotASealerAndWhy() {
    KeyPair stranger = Fixtures.key(99);
    try (BlockEngine e = engine(poa(), stranger)) {
      BlockEngine.Status s = e.status();
      assertThat(s.role()).isEqualTo(BlockEngine.Role.NOT_A_SEALER);
      assertThat(s.detail().orElseThrow())
          .contains(stranger.address().toString())
          .contains("not one of the 3 Proof of Authority sealers");
      assertThat(s.height()).isZero();
    }
  }

  @Test
  void status_poaSealer_isASealer_andNoKeyIsAnObserver() {
    try (BlockEngine sealer = engine(poa(), sealers.get(1));
        BlockEngine observer = engine(poa(), null)) {
      assertThat(sealer.status().role()).isEqualTo(BlockEngine.Role.SEALER);
      assertThat(sealer.status().detail()).isEmpty();
      assertThat(observer.status().role()).isEqualTo(BlockEngine.Role.OBSERVER);
    }
  }

  @Test
  void status_trustStakeKeyWithoutDepositOrSeat_isNotASealer() {
    ConsensusSchedule trust =
        ConsensusSchedule.of(
            TrustStake.builder()
                .initialValidators(Fixtures.addresses(sealers))
                .committeeSize(3)
                .build());
    try (BlockEngine member = engine(trust, sealers.get(0));
        BlockEngine outsider = engine(trust, Fixtures.key(98))) {
      assertThat(member.status().role()).isEqualTo(BlockEngine.Role.SEALER);
      assertThat(outsider.status().role()).isEqualTo(BlockEngine.Role.NOT_A_SEALER);
      assertThat(outsider.status().detail().orElseThrow()).contains("neither the current nor");
    }
  }

  @Test
  void manualNetwork_thatNobodyDrives_failsFastOnTheNextSend() {
    ManualClock clock = new ManualClock(0);
    try (InMemoryNetwork net = InMemoryNetwork.builder().manualDelivery().clock(clock).build()) {
      Transport a = net.join("a");
      net.join("b");
      a.broadcast(new ConsensusMessage.Status(1, Hash.ZERO));
      clock.advance(InMemoryNetwork.STALL_MILLIS / 2);
      a.broadcast(new ConsensusMessage.Status(2, Hash.ZERO)); // not stalled yet
      clock.advance(InMemoryNetwork.STALL_MILLIS);
      assertThatThrownBy(() -> a.broadcast(new ConsensusMessage.Status(3, Hash.ZERO)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("deliverDue() was never called");
      assertThat(net.deliverDue()).isEqualTo(2);
      clock.advance(10 * InMemoryNetwork.STALL_MILLIS);
      a.broadcast(new ConsensusMessage.Status(4, Hash.ZERO)); // driven: the clock may jump
      a.broadcast(new ConsensusMessage.Status(5, Hash.ZERO));
    }
  }

  @Test
  void defaultNetwork_refusesManualDriving() {
    try (InMemoryNetwork net = InMemoryNetwork.builder().build()) {
      assertThatThrownBy(net::deliverDue)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("delivers messages by itself");
    }
  }

  /**
   * Three engines on the system clock, started with {@link BlockEngine#start()}, on a default
   * network: nobody calls deliverDue, and they still agree on a chain. Driven by progress: the test
   * waits until every node reports height 3 (the timeout only catches a hang).
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void defaultNetwork_deliversByItself_soEnginesOnTheSystemClockBuildOneChain()
      throws InterruptedException {
    Genesis live = new Genesis(Fixtures.CHAIN, genesis.allocations(), genesis.authorities(), 0);
    BlockPolicy policy = BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(50));
    List<BlockEngine> engines = new ArrayList<>();
    try (InMemoryNetwork net =
        InMemoryNetwork.builder()
            .seed(3)
            .delay(Duration.ofMillis(1), Duration.ofMillis(5))
            .build()) {
      for (int i = 0; i < 3; i++) {
        engines.add(
            BlockEngine.builder()
                .genesis(live)
                .store(BlockStores.inMemory())
                .schedule(
                    ConsensusSchedule.of(
                        ProofOfAuthority.builder()
                            .sealers(Fixtures.addresses(sealers))
                            .outOfTurnDelay(Duration.ofMillis(200))
                            .wiggle(Duration.ofMillis(50))
                            .build()))
                .sealingKey(sealers.get(i))
                .policy(policy)
                .clock(Clock.systemUTC())
                .transport(net.join("n" + i))
                .build());
      }
      engines.forEach(BlockEngine::start);
      List<KeyPair> users = Fixtures.keys(0, 5);
      long[] nonces = new long[users.size()];
      // Until every node holds the same block 3 (a short race between sealers may replace one);
      // a transfer a round keeps the sealers busy.
      for (int n = 0;
          engines.get(0).chain().block(3).isEmpty()
              || engines.stream().map(e -> e.chain().block(3).map(b -> b.hash())).distinct().count()
                  != 1;
          n++) {
        int u = n % users.size();
        engines
            .get(n % engines.size())
            .submit(
                Fixtures.transfer(
                    users.get(u), users.get((u + 1) % 5).address(), nonces[u]++, 1_000, 10));
        Thread.sleep(20);
      }
      assertThat(engines)
          .allSatisfy(e -> assertThat(e.ledger().height()).isGreaterThanOrEqualTo(3));
    } finally {
      engines.forEach(BlockEngine::close);
    }
  }
}

package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The engine registers a protocol's own listeners: nobody has to wire them by hand. */
class ProtocolListenersTest {
  private static final BlockPolicy POLICY =
      BlockPolicy.DEFAULT
          .withBlockPeriod(Duration.ofMillis(200))
          .withMaxTransactions(50)
          .withStatusInterval(Duration.ofMillis(500));

  /**
   * Regression: an engine built without {@code evidenceReporter()} added by hand ran a trust chain
   * that never confiscated. Here four honest nodes are built with no listener wiring at all; the
   * fifth validator signs two valid blocks for its slot and sends both to everyone. The engines
   * find the equivocation, their trust-stake instances put it in a seal, and the chain confiscates
   * the equivocator's deposit.
   */
  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"41", "42"})
  void trustStakeNetwork_withoutManualWiring_confiscatesAnEquivocator(long seed) {
    Function<List<Address>, TrustStake> make =
        s ->
            TrustStake.builder()
                .initialValidators(s)
                .committeeSize(5)
                .epochLength(10)
                .selectionBlock(5)
                .timeout(Duration.ofMillis(600))
                .minTrust(0)
                .build();
    Sim sim = new Sim(5, seed, 1, 100, 0, POLICY, s -> ConsensusSchedule.of(make.apply(s)), null);
    sim.endSender = 50;
    KeyPair cheat = sim.sealers.get(0); // its node is not run: it only sends its two blocks
    for (int i = 1; i < 5; i++) {
      sim.start(i);
    }
    TrustStake signer = make.apply(Fixtures.addresses(sim.sealers));
    List<BlockEngine> nodes = List.copyOf(sim.live.values());
    BlockHeader twice = null;
    for (int step = 0; step < 3_000 && twice == null; step++) {
      sim.step();
      if (step % 3 == 0) {
        sim.submitRandom();
      }
      BlockEngine first = nodes.get(0);
      BlockHeader head = first.ledger().head();
      if (!nodes.stream().allMatch(e -> e.ledger().head().equals(head)) || head.height() < 2) {
        continue;
      }
      long h = head.height() + 1;
      ChainView view = first.schedule().viewFor(first.chain(), h);
      if (signer.eligibility(view, head, cheat.address()) instanceof Eligibility.Eligible el
          && el.inTurn()) {
        long t = Math.max(sim.clock.millis(), head.timestamp() + 1);
        for (long time : new long[] {t, t + 1}) {
          Block u = first.ledger().propose(List.of(), cheat.address(), time).block();
          Block b = u.withSeal(signer.seal(view, u.header(), cheat));
          for (BlockEngine e : nodes) {
            e.receive("n0", new ConsensusMessage.NewBlock(b.encode()));
          }
        }
        twice = head;
      }
    }
    assertThat(twice).as("the equivocator came in turn").isNotNull();
    sim.runWithLoad(8_000, 0.3);
    sim.run(3_000);

    assertThat(sim.evidence)
        .as("the engines found the equivocation")
        .isNotEmpty()
        .allSatisfy(ev -> assertThat(ev.offender(signer)).contains(cheat.address()));
    BlockEngine e = nodes.get(0);
    for (BlockEngine other : nodes) {
      assertThat(Sim.hashes(other)).as("chain of %s", other.id()).isEqualTo(Sim.hashes(e));
    }
    TrustStake replay = make.apply(Fixtures.addresses(sim.sealers));
    TrustStake.Snapshot end = replay.snapshot(e.chain(), e.ledger().head());
    assertThat(end.confiscated()).containsExactly(cheat.address());
    assertThat(end.order()).hasSize(4).doesNotContain(cheat.address());
    assertThat(e.ledger().height()).as("the chain went on").isGreaterThan(twice.height() + 3);
    sim.closeAll();
  }

  /** A listener registered by hand as well as by the protocol is called once, not twice. */
  @Test
  void protocolListener_alsoAddedByHand_isCalledOnce() {
    AtomicInteger calls = new AtomicInteger();
    EngineListener counting =
        new EngineListener() {
          @Override
          public void onBlock(Block block, boolean local) {
            calls.incrementAndGet();
          }
        };
    KeyPair sealer = Fixtures.key(50);
    ProofOfAuthority poa = ProofOfAuthority.builder().sealers(List.of(sealer.address())).build();
    ConsensusSchedule schedule =
        ConsensusSchedule.of(
            new org.gridtrade.consensus.spi.ConsensusProtocol() {
              @Override
              public String name() {
                return "poa-with-listener";
              }

              @Override
              public Eligibility eligibility(
                  ChainView chain, BlockHeader parent, Address proposer) {
                return poa.eligibility(chain, parent, proposer);
              }

              @Override
              public byte[] seal(ChainView chain, BlockHeader unsealed, KeyPair key) {
                return poa.seal(chain, unsealed, key);
              }

              @Override
              public java.util.Optional<String> verifySeal(
                  ChainView chain,
                  BlockHeader header,
                  BlockHeader parent,
                  org.gridtrade.ledger.LedgerState parentState) {
                return poa.verifySeal(chain, header, parent, parentState);
              }

              @Override
              public java.util.Optional<Address> signer(BlockHeader header) {
                return poa.signer(header);
              }

              @Override
              public long weight(ChainView chain, BlockHeader header) {
                return poa.weight(chain, header);
              }

              @Override
              public List<EngineListener> engineListeners() {
                return List.of(counting);
              }
            });
    ManualClock clock = new ManualClock(Fixtures.GENESIS_TIME + 60_000);
    List<KeyPair> users = Fixtures.keys(0, 2);
    try (BlockEngine engine =
        BlockEngine.builder()
            .genesis(Fixtures.genesis(users, 1_000_000))
            .store(BlockStores.inMemory())
            .schedule(schedule)
            .sealingKey(sealer)
            .policy(POLICY)
            .clock(clock)
            .listener(counting)
            .build()) {
      engine.addListener(counting);
      engine.submit(Fixtures.transfer(users.get(0), users.get(1).address(), 0, 10, 1));
      for (int i = 0; i < 100 && engine.ledger().height() < 1; i++) {
        clock.advance(50);
        engine.tick();
      }
      assertThat(engine.ledger().height()).isEqualTo(1);
      assertThat(calls).hasValue(1);
    }
  }
}

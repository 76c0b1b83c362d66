package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;

/**
 * One-block reorganisations: a heavier competitor of the head (same parent) replaces it on every
 * node, whatever the arrival order; a block with a child stays unless a branch outweighs both.
 */
class HeadReplacementTest {
  private final List<KeyPair> users = Fixtures.keys(0, 10);
  private final Genesis genesis = Fixtures.genesis(users, 1_000_000_000L);
  private final List<KeyPair> sealers = sorted(Fixtures.keys(50, 3));
  private final ManualClock clock = new ManualClock(Fixtures.GENESIS_TIME + 60_000);
  private final List<EngineListener.Rejection> rejected = new ArrayList<>();

  private static List<KeyPair> sorted(List<KeyPair> keys) {
    List<KeyPair> out = new ArrayList<>(keys);
    out.sort((a, b) -> a.address().compareTo(b.address()));
    return out;
  }

  private ConsensusSchedule poa() {
    List<Address> addresses = Fixtures.addresses(sealers);
    return ConsensusSchedule.of(
        ProofOfAuthority.builder()
            .sealers(addresses)
            .outOfTurnDelay(Duration.ofMillis(500))
            .wiggle(Duration.ofMillis(100))
            .build());
  }

  private BlockEngine observer() {
    return BlockEngine.builder()
        .genesis(genesis)
        .store(BlockStores.inMemory())
        .schedule(poa())
        .clock(clock)
        .listener(
            new EngineListener() {
              @Override
              public void onRejected(Rejection r) {
                rejected.add(r);
              }
            })
        .build();
  }

  private List<Transaction> transfers(int n) {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      txs.add(Fixtures.transfer(users.get(i), users.get(i + 1).address(), 0, 10 + i, 1));
    }
    return txs;
  }

  /** A sealed block by {@code proposer} on top of {@code parents} (applied to a twin first). */
  private Block block(List<Block> parents, KeyPair proposer, List<Transaction> txs, long time) {
    try (BlockEngine twin = observer()) {
      for (Block p : parents) {
        assertThat(twin.ledger().append(p).appended()).isTrue();
      }
      Block unsealed = twin.ledger().propose(txs, proposer.address(), time).block();
      return unsealed.withSeal(
          ProofOfAuthority.Seal.sign(unsealed.header(), proposer, null, null).encode());
    }
  }

  private KeyPair inTurn(long height) {
    return sealers.get((int) (height % sealers.size()));
  }

  private KeyPair outOfTurn(long height) {
    return sealers.get((int) ((height + 1) % sealers.size()));
  }

  private static void deliver(BlockEngine e, Block b) {
    e.receive("peer", new ConsensusMessage.NewBlock(b.encode()));
    e.tick();
  }

  @Test
  void heavierCompetitor_replacesTheHead_inEitherArrivalOrder_andTheDroppedTransactionsWaitAgain() {
    long t = Fixtures.GENESIS_TIME + 5_000;
    Block light = block(List.of(), outOfTurn(1), transfers(3), t + 2_000); // weight 1
    Block heavy = block(List.of(), inTurn(1), transfers(2), t); // weight 2, two of the three txs

    try (BlockEngine lightFirst = observer();
        BlockEngine heavyFirst = observer();
        BlockEngine heavyOnly = observer()) {
      deliver(lightFirst, light);
      assertThat(lightFirst.ledger().head().hash()).isEqualTo(light.hash());
      deliver(lightFirst, heavy);

      deliver(heavyFirst, heavy);
      deliver(heavyFirst, light);

      deliver(heavyOnly, heavy);

      for (BlockEngine e : List.of(lightFirst, heavyFirst)) {
        assertThat(e.ledger().height()).isEqualTo(1);
        assertThat(e.ledger().head().hash()).isEqualTo(heavy.hash());
        assertThat(e.ledger().state().root()).isEqualTo(heavyOnly.ledger().state().root());
        assertThat(e.ledger().verify().valid()).isTrue();
      }
      // The light block's third transfer is pending again on the node that had it.
      assertThat(lightFirst.mempool().size()).isEqualTo(1);
      assertThat(lightFirst.mempool().get(light.transactions().get(2).id())).isPresent();
      // The node that saw the heavy block first refused the light one, naming the reason.
      assertThat(rejected)
          .anySatisfy(r -> assertThat(r.block().hash()).isEqualTo(light.hash()))
          .allSatisfy(r -> assertThat(r.reason()).contains("heavier"))
          .allSatisfy(
              r ->
                  assertThat(r.kind())
                      .as("a valid block that lost fork choice is never called invalid")
                      .isEqualTo(EngineListener.Rejection.Kind.SUPERSEDED));
    }
  }

  /**
   * Once a block has a child, a competitor of it must outweigh both (a reorganisation, see
   * ReorganisationTest): one in-turn block (2) against two out-of-turn ones (1 + 1) is a tie in
   * weight, and the longer branch stays.
   */
  @Test
  void blockWithAChild_staysAgainstACompetitorThatDoesNotOutweighItAndItsChild() {
    long t = Fixtures.GENESIS_TIME + 5_000;
    Block light = block(List.of(), outOfTurn(1), transfers(3), t + 2_000);
    Block child = block(List.of(light), outOfTurn(2), List.of(), t + 4_000);
    Block heavy = block(List.of(), inTurn(1), transfers(2), t);
    try (BlockEngine e = observer()) {
      deliver(e, light);
      deliver(e, child);
      assertThat(e.ledger().height()).isEqualTo(2);
      deliver(e, heavy);
      assertThat(e.ledger().height()).isEqualTo(2);
      assertThat(e.ledger().block(1).orElseThrow().hash()).isEqualTo(light.hash());
      assertThat(rejected)
          .singleElement()
          .satisfies(r -> assertThat(r.block()).isEqualTo(heavy))
          .satisfies(r -> assertThat(r.kind()).isEqualTo(EngineListener.Rejection.Kind.SUPERSEDED));
    }
  }

  @Test
  void invalidHeavierCompetitor_isRejected_andTheHeadStays() {
    long t = Fixtures.GENESIS_TIME + 5_000;
    Block light = block(List.of(), outOfTurn(1), transfers(3), t + 2_000);
    Block heavy = block(List.of(), inTurn(1), transfers(2), t);
    byte[] seal = heavy.header().seal();
    seal[seal.length - 1] ^= 1;
    Block forged = heavy.withSeal(seal);
    try (BlockEngine e = observer()) {
      deliver(e, light);
      deliver(e, forged);
      assertThat(e.ledger().head().hash()).isEqualTo(light.hash());
      assertThat(rejected)
          .singleElement()
          .satisfies(r -> assertThat(r.block()).isEqualTo(forged))
          .satisfies(r -> assertThat(r.kind()).isEqualTo(EngineListener.Rejection.Kind.INVALID));
    }
  }
}

package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;

/**
 * Reorganisations below the head: a heavier competing branch (more protocol weight above the fork)
 * replaces the node's blocks once every block of it validates; a lighter, invalid or too deep one
 * changes nothing. Proof of Authority with three sealers: in turn weighs 2, out of turn 1.
 */
class ReorganisationTest {
  private final List<KeyPair> users = Fixtures.keys(0, 12);
  private final Genesis genesis = Fixtures.genesis(users, 1_000_000_000L);
  private final List<KeyPair> sealers = sorted(Fixtures.keys(50, 3));
  private final ManualClock clock = new ManualClock(Fixtures.GENESIS_TIME + 3_600_000);
  private final List<EngineListener.Rejection> rejected = new ArrayList<>();
  private final List<Block> removed = new ArrayList<>();
  private final List<Block> added = new ArrayList<>();

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

  private BlockEngine node() {
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

              @Override
              public void onRemoved(List<Block> blocks) {
                removed.addAll(blocks);
              }

              @Override
              public void onBlock(Block block, boolean local) {
                added.add(block);
              }
            })
        .build();
  }

  /**
   * A chain of {@code n} blocks on top of {@code base}, each by the in-turn sealer ({@code inTurn})
   * or the next one (weight 1), user {@code payer} paying user {@code payer + 1}.
   */
  private List<Block> chain(List<Block> base, int n, boolean inTurn, int payer) {
    List<Block> out = new ArrayList<>();
    try (Ledger twin = Ledger.open(genesis, BlockStores.inMemory())) {
      for (Block b : base) {
        assertThat(twin.append(b).appended()).isTrue();
      }
      for (int i = 0; i < n; i++) {
        long h = twin.height() + 1;
        KeyPair k = sealers.get((int) ((inTurn ? h : h + 1) % sealers.size()));
        long nonce = twin.state().account(users.get(payer).address()).nonce();
        Transaction tx =
            Fixtures.transfer(users.get(payer), users.get(payer + 1).address(), nonce, 10 + i, 1);
        Block u =
            twin.propose(List.of(tx), k.address(), Fixtures.GENESIS_TIME + 10_000 * h + payer)
                .block();
        Block b = u.withSeal(ProofOfAuthority.Seal.sign(u.header(), k, null, null).encode());
        assertThat(twin.append(b).appended()).isTrue();
        out.add(b);
      }
    }
    return out;
  }

  private static void deliver(BlockEngine e, List<Block> blocks) {
    e.receive(
        "peer", new ConsensusMessage.BlockResponse(blocks.stream().map(Block::encode).toList()));
    e.tick();
  }

  private static List<Block> concat(List<Block> a, List<Block> b) {
    List<Block> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Test
  void heavierBranch_replacesTheBlocksAboveTheFork_andTheirTransactionsWaitAgain() {
    List<Block> shared = chain(List.of(), 1, true, 0);
    List<Block> light = chain(shared, 3, false, 2); // weight 3 above the fork
    List<Block> heavy = chain(shared, 2, true, 4); // weight 4
    try (BlockEngine e = node();
        BlockEngine reference = node()) {
      deliver(e, concat(shared, light));
      assertThat(e.ledger().height()).isEqualTo(4);
      added.clear();
      deliver(e, concat(shared, heavy));
      assertThat(e.ledger().height()).isEqualTo(3);
      assertThat(e.ledger().head().hash()).isEqualTo(heavy.get(1).hash());
      assertThat(removed).isEqualTo(light);
      assertThat(added).isEqualTo(heavy);
      deliver(reference, concat(shared, heavy));
      assertThat(e.ledger().state().root()).isEqualTo(reference.ledger().state().root());
      assertThat(e.ledger().verify().valid()).isTrue();
      // The light branch's transfers (user 2 paying user 3) are pending again, in nonce order.
      assertThat(e.mempool().size()).isEqualTo(3);
      for (Block b : light) {
        assertThat(e.mempool().get(b.transactions().get(0).id())).isPresent();
      }
      // The switch is one-way: the light branch again is refused.
      deliver(e, concat(shared, light));
      assertThat(e.ledger().head().hash()).isEqualTo(heavy.get(1).hash());
      assertThat(rejected)
          .extracting(EngineListener.Rejection::kind)
          .doesNotContain(EngineListener.Rejection.Kind.INVALID);
    }
  }

  @Test
  void lighterOrInvalidBranch_changesNothing() {
    List<Block> heavy = chain(List.of(), 3, true, 0); // weight 6
    List<Block> light = chain(List.of(), 5, false, 2); // weight 5, longer
    try (BlockEngine e = node()) {
      deliver(e, heavy);
      Hash root = e.ledger().state().root();
      deliver(e, light);
      assertThat(e.ledger().head().hash()).isEqualTo(heavy.get(2).hash());
      assertThat(e.ledger().state().root()).isEqualTo(root);
      assertThat(removed).isEmpty();

      // A heavier branch whose last block commits to a wrong state root.
      List<Block> better = chain(List.of(), 4, true, 4); // weight 8
      Block b2 = better.get(3);
      BlockHeader h = b2.header();
      BlockHeader forged =
          new BlockHeader(
              h.height(),
              h.previousHash(),
              h.transactionsRoot(),
              h.transactionCount(),
              Hash.sha256(new byte[] {1}),
              h.timestamp(),
              h.proposer(),
              new byte[0]);
      KeyPair signer =
          sealers.stream().filter(k -> k.address().equals(h.proposer())).findFirst().orElseThrow();
      Block bad =
          new Block(
              forged.withSeal(ProofOfAuthority.Seal.sign(forged, signer, null, null).encode()),
              b2.transactions());
      List<Block> invalid = List.of(better.get(0), better.get(1), better.get(2), bad);
      deliver(e, invalid);
      assertThat(e.ledger().head().hash()).isEqualTo(heavy.get(2).hash());
      assertThat(e.ledger().state().root()).isEqualTo(root);
      assertThat(e.ledger().verify().valid()).isTrue();
      assertThat(removed).isEmpty();
      assertThat(rejected)
          .anySatisfy(
              r -> {
                assertThat(r.reason()).contains("refused").contains("stateRoot");
                assertThat(r.kind()).isEqualTo(EngineListener.Rejection.Kind.DETACHED);
              });
    }
  }

  @Test
  void branchForkingDeeperThanTheLimit_isIgnored() {
    int depth = Ledger.REORG_DEPTH;
    List<Block> mine = chain(List.of(), depth + 2, false, 0); // weight depth + 2
    List<Block> deep = chain(List.of(), depth + 3, true, 2); // far heavier, forks at genesis
    try (BlockEngine e = node()) {
      deliver(e, mine);
      assertThat(e.ledger().height()).isEqualTo(depth + 2);
      deliver(e, deep.subList(0, Math.min(deep.size(), 64)));
      assertThat(e.ledger().head().hash()).isEqualTo(mine.get(mine.size() - 1).hash());
      assertThat(removed).isEmpty();
    }
  }
}

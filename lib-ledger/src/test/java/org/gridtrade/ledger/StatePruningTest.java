package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.gridtrade.ledger.internal.state.InMemoryNodeStore;
import org.gridtrade.ledger.internal.state.StateStorage;
import org.gridtrade.ledger.spi.BlockStore;
import org.junit.jupiter.api.Test;

/** State versions older than the retention are pruned in the background; an archive keeps all. */
class StatePruningTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final int BLOCKS = 100;
  private static final long RETENTION = Ledger.REORG_DEPTH + 1;

  private final List<KeyPair> keys = TestKit.keys(6);
  private final Genesis genesis = TestKit.genesis(keys, 1_000_000_000L);

  /**
   * Appends the same 100 blocks of transfers to fresh addresses; returns the ledger, still open.
   */
  private Ledger chain(BlockStore store, long retention) {
    Ledger l =
        Ledger.open(genesis, store, org.gridtrade.ledger.spi.SealVerifier.acceptAll(), retention);
    for (int h = 1; h <= BLOCKS; h++) {
      List<Transaction> txs = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        KeyPair k = keys.get(i);
        Address to =
            Address.ofBytes(
                java.util.Arrays.copyOf(Hash.sha256(TestKit.longBytes(h * 10L + i)).bytes(), 20));
        txs.add(
            new TransactionBody(TestKit.CHAIN, k.publicKey(), h - 1, 1, new Payload.Transfer(to, h))
                .sign(k));
      }
      Ledger.Proposal p = l.propose(txs, keys.get(0).address(), T0 + h);
      assertThat(p.skipped()).isEmpty();
      assertThat(l.append(p.block()).appended()).isTrue();
    }
    return l;
  }

  private static int nodes(BlockStore store) {
    return ((InMemoryNodeStore) ((StateStorage) store).nodeStore()).nodeCount();
  }

  @Test
  void retention_prunesOldVersions_archiveKeepsThem_bothKeepTheSameState() {
    BlockStore pruned = BlockStores.inMemory();
    BlockStore archive = BlockStores.inMemory();
    Ledger a = chain(pruned, RETENTION);
    Ledger b = chain(archive, Long.MAX_VALUE);
    StateKey key = StateKey.account(keys.get(1).address());
    BlockHeader old = b.block(5).orElseThrow().header();
    // The archive proves any height; the pruned ledger refuses heights outside its retention.
    assertThat(b.proveState(key, 5).verify(old, key)).isTrue();
    assertThatThrownBy(() -> a.proveState(key, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("height 5");
    long oldest = BLOCKS - RETENTION + 1;
    assertThat(a.proveState(key, oldest).verify(a.block(oldest).orElseThrow().header(), key))
        .isTrue();
    assertThat(a.state().root()).isEqualTo(b.state().root());
    assertThat(a.state().accounts()).isEqualTo(b.state().accounts());
    a.close(); // waits for a prune in progress
    b.close();
    // Every block writes nodes; pruning deleted those no kept version needs.
    assertThat(nodes(pruned)).isLessThan(nodes(archive) * 2 / 3);
  }

  @Test
  void prunedDurableLedger_reopens_andVerifies(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path file = dir.resolve("chain.mv");
    Hash root;
    try (Ledger l = chain(BlockStores.openDurable(file), RETENTION)) {
      root = l.state().root();
    }
    try (Ledger l = Ledger.open(genesis, BlockStores.openDurable(file))) {
      assertThat(l.state().root()).isEqualTo(root);
      ChainReport r = l.verify();
      assertThat(r.valid()).as(r.toString()).isTrue();
      assertThat(r.stateRoot()).isEqualTo(root);
    }
  }
}

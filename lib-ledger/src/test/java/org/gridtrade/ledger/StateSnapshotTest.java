package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.SealVerifier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node starts from a state snapshot and a trusted head: the restored state equals the source's,
 * the chain goes on from there, and any damage to the snapshot or the blocks is refused with
 * nothing stored.
 */
class StateSnapshotTest {
  private static final long T0 = 1_700_000_000_000L;
  private final List<KeyPair> keys = TestKit.keys(8);
  private final Genesis genesis =
      TestKit.genesis(keys, 1_000_000).withModules(List.of(LedgerModuleTest.Deposits.NAME));
  private final List<LedgerModule> modules = List.of(new LedgerModuleTest.Deposits());
  private Ledger source;
  private final long[] nonces = new long[8];

  @BeforeEach
  void buildSource() {
    source =
        Ledger.open(
            genesis,
            BlockStores.inMemory(),
            SealVerifier.acceptAll(),
            Ledger.DEFAULT_STATE_RETENTION,
            modules);
    for (int b = 0; b < 23; b++) {
      appendRandomBlock(new Random(b), List.of(source));
    }
  }

  private void appendRandomBlock(Random rnd, List<Ledger> ledgers) {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int from = 1 + rnd.nextInt(7);
      KeyPair k = keys.get(from);
      Payload p =
          rnd.nextBoolean()
              ? new Payload.Transfer(keys.get(rnd.nextInt(8)).address(), 1 + rnd.nextInt(500))
              : new Payload.Call(
                  LedgerModuleTest.Deposits.NAME,
                  ByteBuffer.allocate(9).put((byte) 1).putLong(1 + rnd.nextInt(300)).array());
      txs.add(new TransactionBody(TestKit.CHAIN, k.publicKey(), nonces[from]++, 2, p).sign(k));
    }
    Ledger first = ledgers.get(0);
    Ledger.Proposal prop =
        first.propose(txs, keys.get(0).address(), T0 + 1_000 * (first.height() + 1));
    assertThat(prop.skipped()).isEmpty();
    for (Ledger l : ledgers) {
      assertThat(l.append(prop.block())).isInstanceOf(BlockResult.Appended.class);
    }
  }

  private List<Block> blocks(long upTo) {
    List<Block> out = new ArrayList<>();
    for (long h = 0; h <= upTo; h++) {
      out.add(source.block(h).orElseThrow());
    }
    return out;
  }

  private byte[] snapshot(long height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = source.exportStateSnapshot(height, out);
    assertThat(n).isGreaterThan(keys.size());
    return out.toByteArray();
  }

  private Ledger restore(BlockStore store, long height, byte[] snap, Hash trusted) {
    return Ledger.openFromSnapshot(
        genesis,
        store,
        SealVerifier.acceptAll(),
        modules,
        blocks(height),
        trusted,
        new ByteArrayInputStream(snap));
  }

  @Test
  void restore_fromTheHeadSnapshot_equalsTheSourceAndFollowsItsChain(@TempDir Path dir) {
    long h = source.height();
    Hash trusted = source.head().hash();
    Path file = dir.resolve("restored.mv");
    try (Ledger restored = restore(BlockStores.openDurable(file), h, snapshot(h), trusted)) {
      assertThat(restored.height()).isEqualTo(h);
      assertThat(restored.state().root()).isEqualTo(source.state().root());
      assertThat(restored.state().accounts()).isEqualTo(source.state().accounts());
      assertThat(restored.state().totalSupply()).isEqualTo(source.state().totalSupply());
      for (int b = 0; b < 7; b++) {
        appendRandomBlock(new Random(100 + b), List.of(source, restored));
        assertThat(restored.state().root()).isEqualTo(source.state().root());
      }
      assertThat(restored.verify().valid()).isTrue();
    }
    try (Ledger again =
        Ledger.open(
            genesis,
            BlockStores.openDurable(file),
            SealVerifier.acceptAll(),
            Ledger.DEFAULT_STATE_RETENTION,
            modules)) {
      assertThat(again.height()).isEqualTo(source.height());
      assertThat(again.state().root()).isEqualTo(source.state().root());
    }
  }

  @Test
  void restore_fromAnOlderHeight_thenCatchesUpWithTheSourcesBlocks() {
    long h = source.height() - 5;
    try (Ledger restored =
        restore(BlockStores.inMemory(), h, snapshot(h), source.block(h).orElseThrow().hash())) {
      assertThat(restored.state().root())
          .isEqualTo(source.block(h).orElseThrow().header().stateRoot());
      for (long next = h + 1; next <= source.height(); next++) {
        assertThat(restored.append(source.block(next).orElseThrow()))
            .isInstanceOf(BlockResult.Appended.class);
      }
      assertThat(restored.state().root()).isEqualTo(source.state().root());
    }
  }

  @Test
  void restore_damagedSnapshot_isRefusedAndStoresNothing(@TempDir Path dir) {
    long h = source.height();
    Hash trusted = source.head().hash();
    byte[] good = snapshot(h);
    Random rnd = new Random(42);
    int refused = 0;
    for (int i = 0; i < 150; i++) {
      byte[] bad;
      if (i % 10 == 9) {
        bad = java.util.Arrays.copyOf(good, rnd.nextInt(good.length)); // truncated
      } else if (i == 0) {
        bad = java.util.Arrays.copyOf(good, good.length + 1); // a byte too many
      } else {
        bad = good.clone();
        bad[rnd.nextInt(bad.length)] ^= (byte) (1 << rnd.nextInt(8));
      }
      BlockStore store = BlockStores.inMemory();
      byte[] damaged = bad;
      assertThatThrownBy(() -> restore(store, h, damaged, trusted))
          .as("damage %d", i)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("snapshot");
      refused++;
    }
    assertThat(refused).isEqualTo(150);
    // A durable store given a damaged snapshot is left empty: it opens as a fresh chain.
    Path file = dir.resolve("target.mv");
    byte[] bad = good.clone();
    bad[bad.length - 1] ^= 1;
    assertThatThrownBy(() -> restore(BlockStores.openDurable(file), h, bad, trusted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("state root");
    try (BlockStore reopened = BlockStores.openDurable(file)) {
      assertThat(reopened.size()).isZero();
    }
  }

  @Test
  void restore_untrustedOrForeignBlocks_isRefused() {
    long h = source.height();
    byte[] snap = snapshot(h);
    assertThatThrownBy(() -> restore(BlockStores.inMemory(), h, snap, Hash.sha256(new byte[] {1})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trusted head");
    Hash older = source.block(h - 1).orElseThrow().hash();
    assertThatThrownBy(() -> restore(BlockStores.inMemory(), h, snap, older))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not of the trusted head");
    Genesis other =
        new Genesis(
                TestKit.CHAIN, java.util.Map.of(keys.get(1).address(), 5L), java.util.Set.of(), T0)
            .withModules(List.of(LedgerModuleTest.Deposits.NAME));
    assertThatThrownBy(
            () ->
                Ledger.openFromSnapshot(
                    other,
                    BlockStores.inMemory(),
                    SealVerifier.acceptAll(),
                    modules,
                    blocks(h),
                    source.head().hash(),
                    new ByteArrayInputStream(snap)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not this chain's genesis block");
  }

  @Test
  void restore_intoANonEmptyStore_isRefused() {
    BlockStore store = BlockStores.inMemory();
    store.append(
        new org.gridtrade.ledger.spi.StoredBlock(
            0, genesis.block().hash(), genesis.block().encode()));
    assertThatThrownBy(
            () -> restore(store, source.height(), snapshot(source.height()), source.head().hash()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty store");
  }
}

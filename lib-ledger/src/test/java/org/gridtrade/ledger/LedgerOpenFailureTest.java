package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.SealVerifier;
import org.gridtrade.ledger.spi.StoredBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed {@link Ledger#open} closes the store it was given, so the README's try-with-resources
 * pattern around {@code Ledger.open(genesis, BlockStores.openDurable(path))} leaves no lock behind.
 */
class LedgerOpenFailureTest {
  private static final long T0 = 1_700_000_000_000L;
  private final List<KeyPair> keys = TestKit.keys(3);
  private final Genesis genesis = TestKit.genesis(keys, 10_000_000);
  private final Genesis otherChain = TestKit.genesis(keys, 10_000_001);

  /** Writes genesis and one block to a durable store at {@code file}, and closes it. */
  private void writeChain(Path file) {
    try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(file))) {
      KeyPair k = keys.get(1);
      Transaction tx =
          new TransactionBody(
                  TestKit.CHAIN,
                  k.publicKey(),
                  0,
                  1,
                  new Payload.Transfer(keys.get(2).address(), 5))
              .sign(k);
      Block b = ledger.propose(List.of(tx), keys.get(0).address(), T0).block();
      assertThat(ledger.append(b).appended()).isTrue();
    }
  }

  @Test
  void open_wrongGenesis_closesStoreSoTheFileCanBeReopened(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    writeChain(file);

    assertThatThrownBy(
            () -> {
              try (Ledger wrong = Ledger.open(otherChain, BlockStores.openDurable(file))) {
                throw new AssertionError("opened with another chain's genesis: " + wrong.head());
              }
            })
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("genesis");

    try (Ledger reopened = Ledger.open(genesis, BlockStores.openDurable(file))) {
      assertThat(reopened.height()).isEqualTo(1);
      assertThat(reopened.verify().valid()).isTrue();
    }
  }

  @Test
  void open_sealVerifierRejectsStoredBlock_closesStoreSoTheFileCanBeReopened(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    writeChain(file);
    SealVerifier refuseAll = (header, parent, state) -> Optional.of("refused by test");

    assertThatThrownBy(() -> Ledger.open(genesis, BlockStores.openDurable(file), refuseAll))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refused by test");

    try (Ledger reopened = Ledger.open(genesis, BlockStores.openDurable(file))) {
      assertThat(reopened.height()).isEqualTo(1);
    }
  }

  @Test
  void open_nullGenesis_closesStoreSoTheFileCanBeReopened(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    writeChain(file);

    assertThatThrownBy(() -> Ledger.open(null, BlockStores.openDurable(file)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("genesis");
    assertThatThrownBy(() -> Ledger.open(genesis, BlockStores.openDurable(file), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("seals");

    try (Ledger reopened = Ledger.open(genesis, BlockStores.openDurable(file))) {
      assertThat(reopened.height()).isEqualTo(1);
    }
  }

  @Test
  void open_validChain_leavesStoreOpenUntilTheLedgerCloses() {
    CountingStore store = new CountingStore(false, false);
    Ledger ledger = Ledger.open(genesis, store);
    assertThat(store.closes.get()).isZero();
    ledger.close();
    assertThat(store.closes.get()).isEqualTo(1);
  }

  @Test
  void open_storeFailsWhileWritingGenesis_closesStoreAndRethrows() {
    CountingStore store = new CountingStore(true, false);
    assertThatThrownBy(() -> Ledger.open(genesis, store))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("disk full");
    assertThat(store.closes.get()).isEqualTo(1);
  }

  @Test
  void open_closeAlsoFails_closeFailureIsSuppressedOntoTheOpenFailure() {
    CountingStore store = new CountingStore(true, true);
    assertThatThrownBy(() -> Ledger.open(genesis, store))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("disk full")
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .singleElement()
                    .satisfies(s -> assertThat(s).hasMessage("close failed too")));
    assertThat(store.closes.get()).isEqualTo(1);
  }

  /** An in-memory store that counts closes and can fail its append and its close. */
  private static final class CountingStore implements BlockStore {
    private final BlockStore delegate = BlockStores.inMemory();
    private final boolean failAppend;
    private final boolean failClose;
    final AtomicInteger closes = new AtomicInteger();

    CountingStore(boolean failAppend, boolean failClose) {
      this.failAppend = failAppend;
      this.failClose = failClose;
    }

    @Override
    public long size() {
      return delegate.size();
    }

    @Override
    public void append(StoredBlock block) {
      if (failAppend) {
        throw new UncheckedIOException(new java.io.IOException("disk full"));
      }
      delegate.append(block);
    }

    @Override
    public Optional<StoredBlock> read(long height) {
      return delegate.read(height);
    }

    @Override
    public long sizeInBytes() {
      return delegate.sizeInBytes();
    }

    @Override
    public void close() {
      closes.incrementAndGet();
      delegate.close();
      if (failClose) {
        throw new IllegalStateException("close failed too");
      }
    }
  }
}

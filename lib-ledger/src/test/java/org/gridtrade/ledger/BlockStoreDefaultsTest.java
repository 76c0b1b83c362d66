package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
import org.junit.jupiter.api.Test;

/** The default {@link BlockStore#replaceFrom}: only what {@link BlockStore#replaceLast} covers. */
class BlockStoreDefaultsTest {

  /** A store that can replace its last record but does not implement replaceFrom. */
  private static final class LastOnly implements BlockStore {
    private final BlockStore inner = BlockStores.inMemory();
    int replaced;

    @Override
    public long size() {
      return inner.size();
    }

    @Override
    public void append(StoredBlock block) {
      inner.append(block);
    }

    @Override
    public void replaceLast(StoredBlock block) {
      replaced++;
      inner.replaceLast(block);
    }

    @Override
    public Optional<StoredBlock> read(long height) {
      return inner.read(height);
    }

    @Override
    public long sizeInBytes() {
      return inner.sizeInBytes();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  private static StoredBlock record(long height, int fill) {
    byte[] encoded = new byte[] {(byte) fill, (byte) height};
    return new StoredBlock(height, Hash.sha256(encoded), encoded);
  }

  @Test
  void oneRecordForTheHighestHeight_delegatesToReplaceLast_anythingElseIsUnsupported() {
    try (LastOnly store = new LastOnly()) {
      for (int h = 0; h < 4; h++) {
        store.append(record(h, 1));
      }

      store.replaceFrom(3, List.of(record(3, 2)));

      assertThat(store.replaced).isEqualTo(1);
      assertThat(store.read(3)).contains(record(3, 2));
      assertThatThrownBy(() -> store.replaceFrom(2, List.of(record(2, 2), record(3, 2))))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("cannot replace 2 blocks from height 2");
      assertThatThrownBy(() -> store.replaceFrom(2, List.of(record(2, 2))))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> store.replaceFrom(4, List.of(record(4, 2))))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThat(store.size()).isEqualTo(4);
      assertThat(store.read(2)).contains(record(2, 1));
      assertThat(store.replaced).isEqualTo(1);
    }
  }
}

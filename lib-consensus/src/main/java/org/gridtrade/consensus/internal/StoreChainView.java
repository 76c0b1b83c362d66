package org.gridtrade.consensus.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;

/**
 * A {@link ChainView} over a block store, with the most recent headers cached (decoding a stored
 * block of 1,000 transactions only to read its header would be wasteful). Thread-safe.
 */
public final class StoreChainView implements ChainView {
  private static final int CACHE = 512;

  private final BlockStore store;
  private final Map<Long, BlockHeader> headers =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, BlockHeader> eldest) {
          return size() > CACHE;
        }
      };

  /**
   * A view over a store.
   *
   * @param store the store the ledger writes
   */
  public StoreChainView(BlockStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * Caches a header that has just been appended.
   *
   * @param header the header
   */
  public synchronized void remember(BlockHeader header) {
    headers.put(header.height(), header);
  }

  /**
   * Drops the cached headers at {@code height} and above, after a reorganisation replaced them.
   *
   * @param height the lowest height replaced
   */
  public synchronized void forgetFrom(long height) {
    headers.keySet().removeIf(h -> h >= height);
  }

  @Override
  public Optional<BlockHeader> header(long height) {
    synchronized (this) {
      BlockHeader h = headers.get(height);
      if (h != null) {
        return Optional.of(h);
      }
    }
    if (height < 0) {
      return Optional.empty();
    }
    Optional<StoredBlock> s = store.read(height);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      BlockHeader h = Block.decode(s.get().encoded()).header();
      remember(h);
      return Optional.of(h);
    } catch (DecodeException e) {
      throw new IllegalStateException(
          "stored block %d does not decode: %s".formatted(height, e), e);
    }
  }

  @Override
  public Optional<Block> block(long height) {
    if (height < 0) {
      return Optional.empty();
    }
    Optional<StoredBlock> s = store.read(height);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Block.decode(s.get().encoded()));
    } catch (DecodeException e) {
      throw new IllegalStateException(
          "stored block %d does not decode: %s".formatted(height, e), e);
    }
  }

  @Override
  public long activationHeight() {
    return 1;
  }
}

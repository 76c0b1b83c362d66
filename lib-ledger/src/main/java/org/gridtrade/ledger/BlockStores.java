package org.gridtrade.ledger;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.gridtrade.ledger.internal.InMemoryBlockStore;
import org.gridtrade.ledger.internal.MvStoreBlockStore;
import org.gridtrade.ledger.spi.BlockStore;

/**
 * The block stores the ledger ships: in memory, and durable in one file.
 *
 * <p>Both are thread-safe and follow the {@link BlockStore} contract. To keep blocks elsewhere
 * (RocksDB, SQL, ...) implement {@link BlockStore} directly.
 */
public final class BlockStores {
  private BlockStores() {}

  /**
   * A store on the heap, for tests and simulation: nothing survives the process.
   *
   * @return a new, empty store
   */
  public static BlockStore inMemory() {
    return new InMemoryBlockStore();
  }

  /**
   * Opens the durable store in {@code file}, creating it and its parent directories if needed.
   *
   * <p>The store is an H2 MVStore file. When {@link BlockStore#append} returns, the block is
   * committed and synced to the device: it survives a crash of the process or the machine, and a
   * crash at any moment reopens to a prefix of the appended blocks. Opening checks the file: its
   * format version, and heights contiguous from 0. One process at a time may have a file open (the
   * file is locked); close the store to release it.
   *
   * <p>A damaged file is refused, never read as something else: every record carries a checksum (a
   * damaged block fails the {@link BlockStore#read read} that meets it), and a small head record
   * kept beside the file ({@code <file>.head}, written after every commit) makes opening refuse a
   * file that would reopen at an older commit, which is what MVStore does when its newest commits
   * are unreadable; the message names the heights lost. To accept such a store as it is, delete the
   * head record. Blocks older than the last 1,024 or so move to an archive of two append-only files
   * beside the store ({@code <file>.archive} and {@code <file>.archive.index}), so opening and
   * appending cost the same whatever the length of the history. Keep the files together when
   * copying a store.
   *
   * @param file the store file, for example {@code data/chain.mv}
   * @return the open store
   * @throws UncheckedIOException if the file cannot be created or opened, is locked by another
   *     process (or by another open store in this one), is not a consistent GridTrade block store,
   *     is damaged, or is at an older commit than its head record
   */
  public static BlockStore openDurable(Path file) {
    return MvStoreBlockStore.open(file);
  }

  /**
   * Opens the durable store in {@code file} as {@link #openDurable(Path)} does, keeping up to
   * {@code cacheNodes} decoded nodes of the state tree in memory (65,536 by default: about 100 MB
   * at most). The cache bounds the ledger's memory whatever the number of accounts; a larger one
   * saves disk reads when the state is much larger than the cache.
   *
   * @param file the store file
   * @param cacheNodes decoded state-tree nodes kept in memory, 0 or more
   * @return the open store
   * @throws IllegalArgumentException if {@code cacheNodes < 0}
   * @throws UncheckedIOException as {@link #openDurable(Path)}
   */
  public static BlockStore openDurable(Path file, int cacheNodes) {
    return MvStoreBlockStore.open(file, cacheNodes);
  }
}

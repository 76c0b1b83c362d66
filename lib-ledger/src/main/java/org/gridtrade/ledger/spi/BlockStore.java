package org.gridtrade.ledger.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a chain's blocks live: a list of encoded blocks indexed by height, appended at the end; the
 * highest blocks may be replaced ({@link #replaceLast}, {@link #replaceFrom}), the genesis block
 * never.
 *
 * <p>The store sees only bytes and hashes; encoding, validation and state belong to the ledger.
 * Integrators implement this to keep blocks in their own database (RocksDB, SQL, ...).
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>thread-safe: any method may be called from any thread;
 *   <li>{@link #append} is atomic: it stores the whole record or nothing, and a failed call leaves
 *       the store as it was;
 *   <li>a durable store keeps every record whose {@code append} has returned across a crash of the
 *       process, and after a crash at any moment reopens to a prefix of the appended records;
 *   <li>{@link #read} returns exactly the bytes that were appended.
 * </ul>
 */
public interface BlockStore extends AutoCloseable {

  /**
   * The number of stored blocks; heights {@code 0 .. size()-1} are present.
   *
   * @return the count of stored blocks
   */
  long size();

  /**
   * Appends the block at height {@link #size()}.
   *
   * @param block the record to store; its height must equal {@link #size()}
   * @throws IllegalArgumentException if {@code block.height() != size()}
   * @throws IllegalStateException if the store is closed
   * @throws java.io.UncheckedIOException if the underlying storage fails (nothing was stored)
   */
  void append(StoredBlock block);

  /**
   * Replaces the highest stored block by another record for the same height, atomically: a durable
   * store keeps either the old or the new record across a crash, never neither. The ledger uses it
   * for a one-block reorganisation, when a heavier competitor of the head arrives before any block
   * was built on the head. Optional: the default refuses, {@link
   * org.gridtrade.ledger.Ledger#replaceHead} then throws and the ledger keeps its head.
   *
   * @param block the new record; its height must equal {@code size() - 1} and be at least 1 (the
   *     genesis block is never replaced)
   * @throws IllegalArgumentException if the height is not that of the highest non-genesis block
   * @throws IllegalStateException if the store is closed
   * @throws UnsupportedOperationException if the store cannot replace records
   * @throws java.io.UncheckedIOException if the underlying storage fails (nothing changed)
   */
  default void replaceLast(StoredBlock block) {
    throw new UnsupportedOperationException(
        getClass().getName() + " cannot replace its highest block");
  }

  /**
   * Replaces every record at heights {@code height} and above by {@code blocks}, atomically: a
   * durable store keeps either all the old records or all the new ones across a crash, never a mix.
   * Afterwards {@link #size()} is {@code height + blocks.size()} (it may be lower than before). The
   * ledger uses it for a reorganisation onto a competing branch ({@link
   * org.gridtrade.ledger.Ledger#reorganise}). Optional: the default handles only the case {@link
   * #replaceLast} covers (one block for the highest height) by delegating to it, and refuses any
   * other. A store may keep only its recent blocks replaceable (the durable store: the last 1,024
   * or so, far more than the ledger's reorganisation depth of 32) and refuse older heights.
   *
   * @param height the lowest height replaced, {@code 1 <= height <= size()} (the genesis block is
   *     never replaced; {@code height == size()} only appends)
   * @param blocks the new records, non-empty, with consecutive heights starting at {@code height}
   * @throws IllegalArgumentException if {@code height} is out of range (or below the heights the
   *     store keeps replaceable), or {@code blocks} is empty or its heights are not {@code height,
   *     height + 1, ...}
   * @throws IllegalStateException if the store is closed
   * @throws UnsupportedOperationException if the store cannot replace these records
   * @throws java.io.UncheckedIOException if the underlying storage fails (nothing changed)
   */
  default void replaceFrom(long height, List<StoredBlock> blocks) {
    Objects.requireNonNull(blocks, "blocks");
    if (blocks.size() == 1 && height == size() - 1) {
      replaceLast(blocks.get(0));
      return;
    }
    throw new UnsupportedOperationException(
        getClass().getName()
            + " cannot replace %d blocks from height %d".formatted(blocks.size(), height));
  }

  /**
   * Reads the block at {@code height}.
   *
   * @param height a height, 0 or more
   * @return the stored record, or empty if {@code height >= size()}
   * @throws IllegalArgumentException if {@code height < 0}
   * @throws IllegalStateException if the store is closed
   */
  Optional<StoredBlock> read(long height);

  /**
   * Bytes of storage used, as far as the store can tell (a file size, or the sum of the records).
   *
   * @return the approximate size in bytes
   */
  long sizeInBytes();

  /** Releases the store; a durable store flushes and closes its files. Idempotent. */
  @Override
  void close();
}

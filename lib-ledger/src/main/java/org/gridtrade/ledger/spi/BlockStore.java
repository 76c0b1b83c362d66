package org.gridtrade.ledger.spi;

import java.util.Optional;

/**
 * Where a chain's blocks live: a list of encoded blocks indexed by height, appended at the end;
 * only the highest block may be replaced ({@link #replaceLast}), never an earlier one.
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

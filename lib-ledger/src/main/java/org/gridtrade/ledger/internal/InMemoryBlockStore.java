package org.gridtrade.ledger.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.internal.state.InMemoryNodeStore;
import org.gridtrade.ledger.internal.state.NodeStore;
import org.gridtrade.ledger.internal.state.StateStorage;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;

/**
 * A {@link BlockStore} on the heap, for tests and simulation: nothing survives the process.
 *
 * <p>Thread-safe: reads run concurrently under a read lock, appends and {@link #close} take the
 * write lock. {@link StoredBlock} is immutable, so records are kept and returned as they are. After
 * {@link #close} every method but {@code close} throws {@link IllegalStateException}, and the
 * records are released.
 */
public final class InMemoryBlockStore implements BlockStore, StateStorage {
  private final InMemoryNodeStore nodes = new InMemoryNodeStore();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final List<StoredBlock> blocks = new ArrayList<>(); // guarded by lock
  private long bytes; // guarded by lock
  private boolean closed; // guarded by lock

  /** Creates an empty store. */
  public InMemoryBlockStore() {}

  @Override
  public long size() {
    lock.readLock().lock();
    try {
      ensureOpen();
      return blocks.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void replaceLast(StoredBlock block) {
    Objects.requireNonNull(block, "block");
    lock.writeLock().lock();
    try {
      ensureOpen();
      if (blocks.size() < 2 || block.height() != blocks.size() - 1) {
        throw new IllegalArgumentException(
            "block height %d is not the highest non-genesis height %d"
                .formatted(block.height(), blocks.size() - 1));
      }
      StoredBlock old = blocks.set(blocks.size() - 1, block);
      bytes += block.encodedLength() - old.encodedLength();
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void replaceFrom(long height, List<StoredBlock> replacement) {
    List<StoredBlock> records = List.copyOf(replacement);
    lock.writeLock().lock();
    try {
      ensureOpen();
      checkReplacement(height, records, blocks.size());
      if (height + records.size() > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException(
            "in-memory store size %d is at its limit".formatted(height + records.size()));
      }
      List<StoredBlock> tail = blocks.subList((int) height, blocks.size());
      for (StoredBlock old : tail) {
        bytes -= Hash.LENGTH + old.encodedLength();
      }
      tail.clear();
      for (StoredBlock b : records) {
        blocks.add(b);
        bytes += Hash.LENGTH + b.encodedLength();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Checks the arguments of {@link BlockStore#replaceFrom} against a store of {@code size} records.
   *
   * @param height the lowest height replaced
   * @param records the new records
   * @param size the store's size
   * @throws IllegalArgumentException if {@code height} is not in {@code 1..size}, or the records
   *     are empty or not at consecutive heights from {@code height}
   */
  static void checkReplacement(long height, List<StoredBlock> records, long size) {
    if (height < 1 || height > size) {
      throw new IllegalArgumentException(
          "replacement height %d is not in 1..%d (the genesis block is never replaced, and the"
                  .formatted(height, size)
              + " records must join the store)");
    }
    if (records.isEmpty()) {
      throw new IllegalArgumentException(
          "replacement from height %d has no records; at least one is needed".formatted(height));
    }
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i).height() != height + i) {
        throw new IllegalArgumentException(
            "replacement record %d has height %d != %d: heights must run consecutively from %d"
                .formatted(i, records.get(i).height(), height + i, height));
      }
    }
  }

  @Override
  public void append(StoredBlock block) {
    Objects.requireNonNull(block, "block");
    lock.writeLock().lock();
    try {
      ensureOpen();
      if (block.height() != blocks.size()) {
        throw new IllegalArgumentException(
            "block height %d != store size %d: blocks are appended at the end only"
                .formatted(block.height(), blocks.size()));
      }
      if (blocks.size() == Integer.MAX_VALUE - 8) {
        throw new IllegalStateException(
            "in-memory store size %d is at its limit".formatted(blocks.size()));
      }
      blocks.add(block);
      bytes += Hash.LENGTH + block.encodedLength();
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public NodeStore nodeStore() {
    return nodes;
  }

  @Override
  public void append(StoredBlock block, NodeStore.Commit commit) {
    lock.writeLock().lock();
    try {
      append(block);
      nodes.commit(commit);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void replaceFrom(long height, List<StoredBlock> records, NodeStore.Commit commit) {
    lock.writeLock().lock();
    try {
      replaceFrom(height, records); // height == size() only appends
      nodes.commit(commit);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public Optional<StoredBlock> read(long height) {
    if (height < 0) {
      throw new IllegalArgumentException("height %d < 0".formatted(height));
    }
    lock.readLock().lock();
    try {
      ensureOpen();
      return height < blocks.size() ? Optional.of(blocks.get((int) height)) : Optional.empty();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The sum over the records of the hash and encoding lengths.
   *
   * @return the payload bytes held
   */
  @Override
  public long sizeInBytes() {
    lock.readLock().lock();
    try {
      ensureOpen();
      return bytes;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
      blocks.clear();
      bytes = 0;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    lock.readLock().lock();
    try {
      return closed
          ? "InMemoryBlockStore[closed]"
          : "InMemoryBlockStore[size=%d]".formatted(blocks.size());
    } finally {
      lock.readLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("block store is closed");
    }
  }
}

package org.gridtrade.ledger.internal.state;

import java.util.List;
import org.gridtrade.ledger.spi.StoredBlock;

/**
 * A block store that also keeps the state tree, committing each block's state changes atomically
 * with the block. Implemented by the in-memory and MVStore block stores.
 */
public interface StateStorage {
  /**
   * The tree's nodes and root records.
   *
   * @return the node store
   */
  NodeStore nodeStore();

  /**
   * Appends a block and commits its state changes, atomically.
   *
   * @param block the block at height {@code size()}
   * @param commit the state changes
   */
  void append(StoredBlock block, NodeStore.Commit commit);

  /**
   * Replaces the blocks from {@code height} on and commits the state changes, atomically.
   *
   * @param height the first height replaced, at least 1
   * @param blocks the new blocks
   * @param commit the state changes (a rollback to the fork's version, then the new layers)
   */
  void replaceFrom(long height, List<StoredBlock> blocks, NodeStore.Commit commit);
}

package org.gridtrade.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.Transaction;

/**
 * Where each transaction of the most recent blocks is, by id: a window of at most {@code maxBlocks}
 * blocks, fewer when they hold more than {@code maxTransactions} transactions (the newest block is
 * always indexed), so the index stays bounded however long a node runs. Thread-safe: lookups do not
 * wait; changes are serialised.
 */
final class TransactionIndex {
  private final int maxBlocks;
  private final long maxTransactions;
  private final Map<Hash, long[]> where = new ConcurrentHashMap<>();
  // The indexed blocks' heights and ids, oldest first; guarded by this.
  private final ArrayDeque<Indexed> blocks = new ArrayDeque<>();
  private long transactions;

  private record Indexed(long height, List<Hash> ids) {}

  TransactionIndex(int maxBlocks, long maxTransactions) {
    if (maxBlocks < 1 || maxTransactions < 1) {
      throw new IllegalArgumentException(
          "maxBlocks %d and maxTransactions %d must be >= 1".formatted(maxBlocks, maxTransactions));
    }
    this.maxBlocks = maxBlocks;
    this.maxTransactions = maxTransactions;
  }

  /** Indexes a block appended at the head; the oldest blocks leave the window. */
  synchronized void add(Block block) {
    List<Transaction> txs = block.transactions();
    List<Hash> ids = new ArrayList<>(txs.size());
    for (int i = 0; i < txs.size(); i++) {
      Hash id = txs.get(i).id();
      ids.add(id);
      where.put(id, new long[] {block.height(), i});
    }
    blocks.addLast(new Indexed(block.height(), ids));
    transactions += ids.size();
    while (blocks.size() > 1 && (blocks.size() > maxBlocks || transactions > maxTransactions)) {
      forget(blocks.removeFirst());
    }
  }

  /** Forgets blocks a reorganisation removed from the head. */
  synchronized void remove(List<Block> removed) {
    for (Block b : removed) {
      blocks.removeIf(
          ib -> {
            if (ib.height() != b.height()) {
              return false;
            }
            forget(ib);
            return true;
          });
    }
  }

  private void forget(Indexed b) {
    transactions -= b.ids().size();
    for (Hash id : b.ids()) {
      where.computeIfPresent(id, (k, at) -> at[0] == b.height() ? null : at);
    }
  }

  /**
   * Where a transaction is.
   *
   * @return {height, index}, or null if no indexed block holds it
   */
  long[] get(Hash id) {
    long[] at = where.get(id);
    return at == null ? null : at.clone();
  }

  /** Transactions indexed now. */
  synchronized long size() {
    return transactions;
  }
}

package org.gridtrade.ledger.internal.state;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A bounded cache of decoded nodes (an internal node keeps its binary levels, so a cached node is
 * not rehashed). Node keys are never reused, so entries never go stale. Thread-safe; a lookup takes
 * no lock.
 *
 * <p>Two generations approximate least-recently-used eviction: nodes go into the young generation;
 * once it holds half the capacity it becomes the old one and the previous old generation is
 * dropped; a node found in the old generation moves back into the young one. So a node read or
 * written within the last {@code capacity / 2} insertions is always kept, and at most {@code
 * capacity} nodes are held. Unlike an access-ordered map, a hit writes nothing shared, so the
 * threads that read the state (API admission, block building, validation) do not serialise on the
 * cache.
 */
public final class NodeCache {
  private final int half;
  private volatile ConcurrentHashMap<NodeKey, Node> young;
  private volatile ConcurrentHashMap<NodeKey, Node> old;

  /**
   * A cache.
   *
   * @param capacity most nodes kept, 0 or more (0 or 1 keeps none: each generation holds half)
   */
  public NodeCache(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity %d must be >= 0".formatted(capacity));
    }
    this.half = capacity / 2;
    this.young = new ConcurrentHashMap<>();
    this.old = new ConcurrentHashMap<>();
  }

  /**
   * A cached node.
   *
   * @param key its key
   * @return the node, or null
   */
  public Node get(NodeKey key) {
    Node n = young.get(key);
    if (n != null) {
      return n;
    }
    n = old.get(key);
    if (n != null) {
      put(key, n);
    }
    return n;
  }

  /**
   * Caches a node.
   *
   * @param key its key
   * @param node the node
   */
  public void put(NodeKey key, Node node) {
    if (half == 0) {
      return;
    }
    ConcurrentHashMap<NodeKey, Node> y = young;
    y.put(key, node);
    if (y.size() >= half) {
      rotate(y);
    }
  }

  private synchronized void rotate(ConcurrentHashMap<NodeKey, Node> full) {
    if (young == full) {
      old = full;
      young = new ConcurrentHashMap<>(Math.min(half, 1 << 16) * 4 / 3 + 1);
    }
  }

  /**
   * Forgets a node.
   *
   * @param key its key
   */
  public synchronized void remove(NodeKey key) {
    young.remove(key);
    old.remove(key);
  }

  /** Forgets every node. */
  public synchronized void clear() {
    young = new ConcurrentHashMap<>();
    old = new ConcurrentHashMap<>();
  }

  /**
   * How many nodes are held now (both generations; a node in both counts twice).
   *
   * @return the count
   */
  public int size() {
    return young.size() + old.size();
  }
}

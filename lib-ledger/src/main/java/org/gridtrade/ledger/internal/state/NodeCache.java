package org.gridtrade.ledger.internal.state;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded least-recently-used cache of decoded nodes (an internal node keeps its binary levels,
 * so a cached node is not rehashed). Node keys are never reused, so entries never go stale.
 * Thread-safe.
 */
public final class NodeCache {
  private final int capacity;
  private final LinkedHashMap<NodeKey, Node> map;

  /**
   * A cache.
   *
   * @param capacity most nodes kept, 0 or more (0 keeps none)
   */
  public NodeCache(int capacity) {
    this.capacity = capacity;
    this.map =
        new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<NodeKey, Node> eldest) {
            return size() > NodeCache.this.capacity;
          }
        };
  }

  /**
   * A cached node.
   *
   * @param key its key
   * @return the node, or null
   */
  public synchronized Node get(NodeKey key) {
    return map.get(key);
  }

  /**
   * Caches a node.
   *
   * @param key its key
   * @param node the node
   */
  public synchronized void put(NodeKey key, Node node) {
    if (capacity > 0) {
      map.put(key, node);
    }
  }

  /**
   * Forgets a node.
   *
   * @param key its key
   */
  public synchronized void remove(NodeKey key) {
    map.remove(key);
  }

  /** Forgets every node. */
  public synchronized void clear() {
    map.clear();
  }
}

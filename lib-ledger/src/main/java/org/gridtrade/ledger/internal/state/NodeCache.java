package org.gridtrade.ledger.internal.state;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded least-recently-used cache of decoded nodes (an internal node keeps its binary levels,
 * so a cached node is not rehashed). Node keys are never reused, so entries never go stale.
 * Thread-safe.
 */
final class NodeCache {
  private final int capacity;
  private final LinkedHashMap<NodeKey, Node> map;

  NodeCache(int capacity) {
    this.capacity = capacity;
    this.map =
        new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<NodeKey, Node> eldest) {
            return size() > NodeCache.this.capacity;
          }
        };
  }

  synchronized Node get(NodeKey key) {
    return map.get(key);
  }

  synchronized void put(NodeKey key, Node node) {
    if (capacity > 0) {
      map.put(key, node);
    }
  }

  synchronized void remove(NodeKey key) {
    map.remove(key);
  }

  synchronized void clear() {
    map.clear();
  }
}

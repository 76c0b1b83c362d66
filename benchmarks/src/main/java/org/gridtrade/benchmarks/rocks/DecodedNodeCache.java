package org.gridtrade.benchmarks.rocks;

import java.util.LinkedHashMap;
import java.util.Map;
import org.gridtrade.ledger.internal.state.Node;
import org.gridtrade.ledger.internal.state.NodeKey;

/**
 * A bounded least-recently-used cache of decoded state-tree nodes, as the MVStore node store keeps
 * one: a cached internal node keeps its binary levels, so it is neither decoded nor rehashed again.
 * Node keys name one node forever, so entries never go stale. Thread-safe.
 */
final class DecodedNodeCache {
  private final int capacity;
  private final LinkedHashMap<NodeKey, Node> map;

  DecodedNodeCache(int capacity) {
    this.capacity = capacity;
    this.map =
        new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<NodeKey, Node> eldest) {
            return size() > DecodedNodeCache.this.capacity;
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

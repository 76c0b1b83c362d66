package org.gridtrade.ledger.internal.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link NodeStore} in memory. Thread-safe. */
public final class InMemoryNodeStore implements NodeStore {
  // Lookups by hash; the versions index finds what a version wrote when it is rolled back.
  private final ConcurrentHashMap<NodeKey, Node> nodes = new ConcurrentHashMap<>();
  private final ConcurrentSkipListMap<Long, java.util.Set<NodeKey>> written =
      new ConcurrentSkipListMap<>();
  // stale-since version -> node keys
  private final ConcurrentSkipListMap<Long, List<NodeKey>> stale = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<Long, RootRecord> roots = new ConcurrentSkipListMap<>();
  private final AtomicLong versions = new AtomicLong();

  @Override
  public Node node(NodeKey key) {
    return nodes.get(key);
  }

  @Override
  public long allocateVersion() {
    return versions.incrementAndGet();
  }

  @Override
  public Optional<RootRecord> root(long height) {
    return Optional.ofNullable(roots.get(height));
  }

  /**
   * Applies a commit.
   *
   * @param c the commit
   */
  @Override
  public synchronized void commit(Commit c) {
    if (c.rollbackAfter() >= 0) {
      Map<Long, java.util.Set<NodeKey>> dropped = written.tailMap(c.rollbackAfter(), false);
      dropped.values().forEach(keys -> keys.forEach(nodes::remove));
      dropped.clear();
      stale.tailMap(c.rollbackAfter(), false).clear();
    }
    roots.tailMap(c.dropRootsFrom()).clear();
    for (Layer l : c.layers()) {
      Map<NodeKey, Node> m = l.nodes();
      if (m != null) {
        nodes.putAll(m);
        written.computeIfAbsent(l.version(), v -> ConcurrentHashMap.newKeySet()).addAll(m.keySet());
      }
      if (!l.stale().isEmpty()) {
        stale.computeIfAbsent(l.version(), v -> new ArrayList<>()).addAll(l.stale());
      }
    }
    for (RootRecord r : c.roots()) {
      roots.put(r.height(), r);
    }
    if (c.pruneUpTo() >= 0) {
      prune(c.pruneUpTo(), c.pruneHeightsBelow());
    }
  }

  @Override
  public synchronized void prune(long upToVersion, long heightsBelow) {
    Map<Long, List<NodeKey>> due = stale.headMap(upToVersion, true);
    for (List<NodeKey> keys : due.values()) {
      for (NodeKey k : keys) {
        if (nodes.remove(k) != null) {
          java.util.Set<NodeKey> w = written.get(k.version());
          if (w != null && w.remove(k) && w.isEmpty()) {
            written.remove(k.version());
          }
        }
      }
    }
    due.clear();
    roots.headMap(heightsBelow).clear();
  }

  @Override
  public void bulkPut(NodeKey key, Node node) {
    nodes.put(key, node);
    written.computeIfAbsent(key.version(), v -> ConcurrentHashMap.newKeySet()).add(key);
  }

  @Override
  public void bulkFlush() {}

  @Override
  public synchronized void clear() {
    nodes.clear();
    written.clear();
    stale.clear();
    roots.clear();
  }

  /** Number of stored nodes (for tests and statistics). */
  public int nodeCount() {
    return nodes.size();
  }
}

package org.gridtrade.ledger.internal.state;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;

/**
 * The state tree in an MVStore, in three maps: nodes by {@link NodeKey}, stale marks by {@code
 * staleSince (8 bytes) ‖ node key}, and root records by height. {@link #write} only puts and
 * removes; the caller commits the MVStore (together with its block) and syncs.
 */
public final class MvNodeStore implements NodeStore {
  /** Map of nodes. */
  public static final String NODES_MAP = "gridtrade.state.nodes";

  /** Map of stale marks. */
  public static final String STALE_MAP = "gridtrade.state.stale";

  /** Map of root records. */
  public static final String ROOTS_MAP = "gridtrade.state.roots";

  private static final byte[] NONE = new byte[0];
  // Bulk-built nodes committed per MVStore commit, so a huge genesis never sits uncommitted in
  // memory.
  private static final int BULK_BATCH = 100_000;
  private long bulk;

  private final MVStore store;
  private final MVMap<byte[], byte[]> nodes;
  private final MVMap<byte[], byte[]> stale;
  private final MVMap<Long, byte[]> roots;
  private final NodeCache cache;
  private final AtomicLong versions;
  private final java.util.function.Consumer<Runnable> committer;

  /**
   * Opens the maps.
   *
   * @param store the MVStore
   * @param cacheNodes how many decoded nodes to keep in memory
   * @param committer runs the changes it is given, then commits and syncs the store (for {@link
   *     #commit})
   */
  public MvNodeStore(
      MVStore store, int cacheNodes, java.util.function.Consumer<Runnable> committer) {
    this.store = store;
    this.nodes = store.openMap(NODES_MAP, bytesMap());
    this.stale = store.openMap(STALE_MAP, bytesMap());
    this.roots =
        store.openMap(
            ROOTS_MAP,
            new MVMap.Builder<Long, byte[]>()
                .keyType(LongDataType.INSTANCE)
                .valueType(ByteArrayDataType.INSTANCE));
    this.cache = new NodeCache(cacheNodes);
    byte[] last = nodes.lastKey();
    this.versions = new AtomicLong(last == null ? 0 : NodeKey.decode(last).version());
    this.committer = committer;
  }

  private static MVMap.Builder<byte[], byte[]> bytesMap() {
    return new MVMap.Builder<byte[], byte[]>()
        .keyType(UnsignedBytesType.INSTANCE)
        .valueType(ByteArrayDataType.INSTANCE);
  }

  @Override
  public Node node(NodeKey key) {
    Node n = cache.get(key);
    if (n != null) {
      return n;
    }
    byte[] b;
    // Registered, so no chunk this read may still need is freed and overwritten meanwhile.
    MVStore.TxCounter reading = store.registerVersionUsage();
    try {
      b = nodes.get(key.bytes());
    } finally {
      store.deregisterVersionUsage(reading);
    }
    if (b == null) {
      return null;
    }
    n = Node.decode(b);
    cache.put(key, n);
    return n;
  }

  @Override
  public long allocateVersion() {
    return versions.incrementAndGet();
  }

  @Override
  public Optional<RootRecord> root(long height) {
    byte[] b;
    MVStore.TxCounter reading = store.registerVersionUsage();
    try {
      b = roots.get(height);
    } finally {
      store.deregisterVersionUsage(reading);
    }
    return b == null ? Optional.empty() : Optional.of(RootRecord.decode(height, b));
  }

  @Override
  public void commit(Commit c) {
    committer.accept(() -> write(c));
  }

  /**
   * Puts and removes what {@code c} changes, without committing the MVStore.
   *
   * @param c the changes
   */
  public void write(Commit c) {
    if (c.rollbackAfter() >= 0) {
      byte[] from = NodeKey.root(c.rollbackAfter() + 1).bytes();
      List<byte[]> drop = new ArrayList<>();
      for (Iterator<byte[]> it = nodes.keyIterator(from); it.hasNext(); ) {
        drop.add(it.next());
      }
      drop.forEach(nodes::remove);
      List<byte[]> marks = new ArrayList<>();
      for (Iterator<byte[]> it = stale.keyIterator(staleKey(c.rollbackAfter() + 1, null));
          it.hasNext(); ) {
        marks.add(it.next());
      }
      marks.forEach(stale::remove);
      cache.clear();
    }
    List<Long> dropRoots = new ArrayList<>();
    for (Iterator<Long> it = roots.keyIterator(c.dropRootsFrom()); it.hasNext(); ) {
      dropRoots.add(it.next());
    }
    dropRoots.forEach(roots::remove);
    for (Layer l : c.layers()) {
      Map<NodeKey, Node> m = l.nodes();
      if (m != null) {
        for (Map.Entry<NodeKey, Node> e : m.entrySet()) {
          nodes.put(e.getKey().bytes(), e.getValue().encode());
          // The layer lets go of its nodes once committed; the next blocks read them from here.
          cache.put(e.getKey(), e.getValue());
        }
      }
      for (NodeKey k : l.stale()) {
        stale.put(staleKey(l.version(), k), NONE);
      }
    }
    for (RootRecord r : c.roots()) {
      roots.put(r.height(), r.encode());
    }
    if (c.pruneUpTo() >= 0) {
      pruneNow(c.pruneUpTo(), c.pruneHeightsBelow());
    }
  }

  @Override
  public void prune(long upToVersion, long heightsBelow) {
    committer.accept(() -> pruneNow(upToVersion, heightsBelow));
  }

  private void pruneNow(long upToVersion, long heightsBelow) {
    List<byte[]> due = new ArrayList<>();
    for (Iterator<byte[]> it = stale.keyIterator(staleKey(0, null)); it.hasNext(); ) {
      byte[] k = it.next();
      if (version(k) > upToVersion) {
        break;
      }
      due.add(k);
    }
    for (byte[] k : due) {
      byte[] nodeKey = java.util.Arrays.copyOfRange(k, 8, k.length);
      nodes.remove(nodeKey);
      cache.remove(NodeKey.decode(nodeKey));
      stale.remove(k);
    }
    List<Long> old = new ArrayList<>();
    for (Iterator<Long> it = roots.keyIterator(0L); it.hasNext(); ) {
      long h = it.next();
      if (h >= heightsBelow) {
        break;
      }
      old.add(h);
    }
    old.forEach(roots::remove);
  }

  @Override
  public void bulkPut(NodeKey key, Node node) {
    nodes.put(key.bytes(), node.encode());
    if (++bulk % BULK_BATCH == 0) {
      committer.accept(() -> {});
    }
  }

  @Override
  public void bulkFlush() {
    committer.accept(() -> {});
  }

  @Override
  public void clear() {
    committer.accept(
        () -> {
          nodes.clear();
          stale.clear();
          roots.clear();
        });
    cache.clear();
  }

  private static byte[] staleKey(long since, NodeKey key) {
    byte[] k = key == null ? NONE : key.bytes();
    byte[] b = new byte[8 + k.length];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (since >>> (56 - 8 * i));
    }
    System.arraycopy(k, 0, b, 8, k.length);
    return b;
  }

  private static long version(byte[] staleKey) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (staleKey[i] & 0xFF);
    }
    return v;
  }

  /**
   * The maps this store keeps: nodes, stale marks and root records.
   *
   * @return the three maps
   */
  public List<MVMap<?, ?>> maps() {
    return List.of(nodes, stale, roots);
  }

  /** Number of stored nodes. */
  public long nodeCount() {
    return nodes.sizeAsLong();
  }
}

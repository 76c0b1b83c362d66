package org.gridtrade.ledger.internal.state;

import java.util.List;
import java.util.Map;

/**
 * The nodes one version wrote, held in memory until they are committed to the store with their
 * block. A view reads its own layer, then its uncommitted ancestors' layers, then the store; once a
 * layer is committed it lets go of its nodes (readers then find them in the store).
 */
public final class Layer {
  private final long version;
  private final List<NodeKey> stale;
  private volatile Map<NodeKey, Node> nodes;
  private volatile Layer parent;
  private final int depth;

  /** Most uncommitted layers a read walks through before they are merged into one. */
  static final int MAX_DEPTH = 32;

  private Layer(long version, Map<NodeKey, Node> nodes, List<NodeKey> stale, Layer parent) {
    this.version = version;
    this.nodes = nodes;
    this.stale = List.copyOf(stale);
    this.parent = parent;
    this.depth = parent == null ? 1 : parent.depth + 1;
  }

  /**
   * A new layer on top of {@code parent}; past {@link #MAX_DEPTH} uncommitted layers, the chain is
   * merged into one layer holding only the nodes the new version can reach, so reads stay fast and
   * memory stays bounded by the live tree when states are applied without being committed.
   */
  static Layer of(long version, Map<NodeKey, Node> nodes, List<NodeKey> stale, Layer parent) {
    Layer l = new Layer(version, nodes, stale, parent);
    if (l.depth <= MAX_DEPTH) {
      return l;
    }
    java.util.ArrayList<Layer> chain = new java.util.ArrayList<>();
    for (Layer x = l; x != null; x = x.parent) {
      chain.add(0, x);
    }
    java.util.HashMap<NodeKey, Node> merged = new java.util.HashMap<>();
    java.util.ArrayList<NodeKey> outside = new java.util.ArrayList<>();
    for (Layer x : chain) {
      Map<NodeKey, Node> m = x.nodes;
      if (m != null) {
        merged.putAll(m);
      }
      for (NodeKey k : x.stale) {
        if (merged.remove(k) == null) {
          outside.add(k); // a node of the store: its stale mark must reach the store
        }
      }
    }
    return new Layer(version, merged, outside, null);
  }

  /** The version the layer wrote. */
  public long version() {
    return version;
  }

  /** The nodes written, or null once committed. */
  public Map<NodeKey, Node> nodes() {
    return nodes;
  }

  /** The nodes of earlier versions this version no longer uses. */
  public List<NodeKey> stale() {
    return stale;
  }

  /** The uncommitted layer below, or null. */
  public Layer parent() {
    return parent;
  }

  /** Whether the store holds this layer's nodes. */
  public boolean committed() {
    return nodes == null;
  }

  /** Called once the store has committed the nodes: they are read from the store from now on. */
  public void markCommitted() {
    nodes = null;
    parent = null;
  }

  Node find(NodeKey key) {
    for (Layer l = this; l != null; l = l.parent) {
      Map<NodeKey, Node> m = l.nodes;
      if (m != null) {
        Node n = m.get(key);
        if (n != null) {
          return n;
        }
      }
    }
    return null;
  }
}

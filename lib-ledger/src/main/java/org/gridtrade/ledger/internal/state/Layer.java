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

  Layer(long version, Map<NodeKey, Node> nodes, List<NodeKey> stale, Layer parent) {
    this.version = version;
    this.nodes = nodes;
    this.stale = List.copyOf(stale);
    this.parent = parent;
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

package org.gridtrade.ledger.internal.state;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One version of the state tree: its root, and where to read its nodes (its uncommitted layers,
 * then the store). Immutable; thread-safe.
 */
public final class StateView implements NodeSource {
  private final NodeStore store;
  private final Layer layer;
  private final SparseMerkleTree.Ptr root;
  private final long version;

  private StateView(NodeStore store, Layer layer, SparseMerkleTree.Ptr root, long version) {
    this.store = store;
    this.layer = layer;
    this.root = root;
    this.version = version;
  }

  /**
   * The empty tree.
   *
   * @param store where its descendants' nodes go
   * @return the view
   */
  public static StateView empty(NodeStore store) {
    return new StateView(Objects.requireNonNull(store, "store"), null, null, 0);
  }

  /**
   * A committed version, as recorded in the store.
   *
   * @param store the store
   * @param record its root record
   * @return the view
   */
  public static StateView committed(NodeStore store, NodeStore.RootRecord record) {
    SparseMerkleTree.Ptr root = null;
    if (record.root() != null) {
      Node n = store.require(record.root());
      root = new SparseMerkleTree.Ptr(record.root(), n.hash(), n instanceof Node.Leaf);
    }
    return new StateView(store, null, root, record.version());
  }

  /**
   * A version written straight to the store by a bulk build.
   *
   * @param store the store holding its nodes
   * @param root its root, or null
   * @param version its version
   * @return the view
   */
  public static StateView stored(NodeStore store, SparseMerkleTree.Ptr root, long version) {
    return new StateView(store, null, root, version);
  }

  @Override
  public Node node(NodeKey key) {
    Layer l = layer;
    if (l != null) {
      Node n = l.find(key);
      if (n != null) {
        return n;
      }
    }
    return store.node(key);
  }

  /** The root hash (32 zero bytes for the empty tree); not a copy. */
  public byte[] rootHash() {
    return SparseMerkleTree.rootHash(root);
  }

  /** The root pointer, or null for the empty tree. */
  public SparseMerkleTree.Ptr root() {
    return root;
  }

  /** The version (0 for the empty tree before any write). */
  public long version() {
    return version;
  }

  /** This version's layer, or null if it wrote nothing or is committed. */
  public Layer layer() {
    Layer l = layer;
    return l == null || l.committed() ? null : l;
  }

  /**
   * The value of a key.
   *
   * @param keyHash SHA-256 of the key
   * @return the value (not a copy), or null if absent
   */
  public byte[] get(byte[] keyHash) {
    Node.Leaf l = SparseMerkleTree.get(this, root, keyHash);
    return l == null ? null : l.value();
  }

  /**
   * The proof path of a key.
   *
   * @param keyHash SHA-256 of the key
   * @return the path
   */
  public SparseMerkleTree.Path prove(byte[] keyHash) {
    return SparseMerkleTree.prove(this, root, keyHash);
  }

  /**
   * Visits every leaf.
   *
   * @param visitor called per leaf
   */
  public void forEach(Consumer<Node.Leaf> visitor) {
    SparseMerkleTree.forEach(this, root, visitor);
  }

  /**
   * The next version: this one with {@code updates} applied, its nodes in a new uncommitted layer.
   *
   * @param updates sorted by key hash, at most one per key
   * @return the new view (this one if {@code updates} is empty)
   */
  public StateView apply(List<SparseMerkleTree.Update> updates) {
    if (updates.isEmpty()) {
      return this;
    }
    long v = store.allocateVersion();
    SparseMerkleTree.Batch b = SparseMerkleTree.update(this, root, v, updates);
    Layer l = Layer.of(v, b.written(), b.stale(), layer());
    return new StateView(store, l, b.root(), v);
  }

  /**
   * The layers this view needs committed, oldest first.
   *
   * @return the uncommitted layers
   */
  public List<Layer> pendingLayers() {
    java.util.ArrayList<Layer> out = new java.util.ArrayList<>();
    for (Layer l = layer(); l != null; l = l.parent()) {
      out.add(0, l);
    }
    return out;
  }
}

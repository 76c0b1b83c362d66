package org.gridtrade.ledger.internal.state;

/** Where tree nodes are read from. Implementations are thread-safe. */
@FunctionalInterface
public interface NodeSource {
  /**
   * Reads a node.
   *
   * @param key the node's key
   * @return the node, or null if no node is stored under that key
   */
  Node node(NodeKey key);

  /**
   * Reads a node that must be there.
   *
   * @param key the node's key
   * @return the node
   * @throws IllegalStateException if it is missing (its version was pruned, or the store is
   *     damaged)
   */
  default Node require(NodeKey key) {
    Node n = node(key);
    if (n == null) {
      throw new IllegalStateException(
          "state tree node %s is missing: its version was pruned or rolled back, or the store is"
                  .formatted(key)
              + " damaged");
    }
    return n;
  }
}

package org.gridtrade.ledger.internal.state;

import java.util.List;
import java.util.Optional;

/**
 * The stored nodes of a state tree, and the root of each height. Thread-safe: reads run while a
 * commit is written; commits are serialised by the caller.
 */
public interface NodeStore extends NodeSource {
  /**
   * A version number never used before by this store (persisted or not).
   *
   * @return the version
   */
  long allocateVersion();

  /**
   * The root recorded for a height.
   *
   * @param height the height
   * @return the record, or empty if none (never written, rolled back or pruned)
   */
  Optional<RootRecord> root(long height);

  /**
   * Writes a node of a bulk build straight to the store (not atomically with a block: a durable
   * store may commit bulk nodes in batches, so a crash leaves some; {@link #clear()} removes them).
   *
   * @param key the node's key
   * @param node the node
   */
  void bulkPut(NodeKey key, Node node);

  /** Makes every {@link #bulkPut} so far part of the store (a durable store commits them). */
  void bulkFlush();

  /** Removes every node, stale mark and root record (before a genesis is built again). */
  void clear();

  /**
   * Deletes, in a commit of its own, the nodes made stale by versions up to {@code upToVersion} and
   * the root records of heights below {@code heightsBelow} (pruning in the background, between
   * blocks).
   *
   * @param upToVersion the newest version whose stale marks are pruned
   * @param heightsBelow root records of lower heights are deleted
   */
  void prune(long upToVersion, long heightsBelow);

  /**
   * Commits state changes that go with no block (replaying a stored chain whose state is missing).
   *
   * @param commit the changes
   */
  void commit(Commit commit);

  /**
   * What one commit changes in the state tree, together with the blocks it goes with.
   *
   * @param rollbackAfter drop every node written by a version above this one, and the stale marks
   *     made by them, before writing (a reorganisation back to the fork's version); -1 for none
   * @param layers the layers to write, oldest first
   * @param roots the roots of the heights written
   * @param dropRootsFrom drop root records of heights at or above this (a reorganisation onto a
   *     shorter branch), before writing {@code roots}; {@code Long.MAX_VALUE} for none
   * @param pruneUpTo delete nodes made stale by versions up to this one, and root records below
   *     {@code pruneHeightsBelow}; -1 for none
   * @param pruneHeightsBelow heights whose root records are deleted
   */
  record Commit(
      long rollbackAfter,
      List<Layer> layers,
      List<RootRecord> roots,
      long dropRootsFrom,
      long pruneUpTo,
      long pruneHeightsBelow) {
    public Commit {
      layers = List.copyOf(layers);
      roots = List.copyOf(roots);
    }
  }

  /**
   * The root of the state after one height.
   *
   * @param height the block height
   * @param version the version of the tree
   * @param root the root node's key, or null for the empty tree
   * @param rootHash the root hash
   */
  record RootRecord(long height, long version, NodeKey root, byte[] rootHash) {
    /** Encodes the record (without its height). */
    public byte[] encode() {
      byte[] k = root == null ? new byte[0] : root.bytes();
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 32 + 1 + k.length);
      b.putLong(version).put(rootHash).put((byte) k.length).put(k);
      return b.array();
    }

    /** Decodes a record written by {@link #encode()}. */
    public static RootRecord decode(long height, byte[] bytes) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
      long version = b.getLong();
      byte[] hash = new byte[32];
      b.get(hash);
      int kl = b.get() & 0xFF;
      byte[] k = new byte[kl];
      b.get(k);
      if (b.hasRemaining()) {
        throw new IllegalArgumentException(
            "root record of height %d is too long".formatted(height));
      }
      return new RootRecord(height, version, kl == 0 ? null : NodeKey.decode(k), hash);
    }
  }
}

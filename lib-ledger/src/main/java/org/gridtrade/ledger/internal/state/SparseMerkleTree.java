package org.gridtrade.ledger.internal.state;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The algorithms of the state tree: reads, batch updates, proofs and iteration, over nodes read
 * from a {@link NodeSource}. Stateless; nodes are immutable and never overwritten: an update writes
 * new nodes under a new version and lists the nodes it made stale.
 *
 * <p>Invariant (as in the Jellyfish Merkle Tree): a subtree that holds one leaf is that leaf,
 * placed at the highest position where it is alone; an internal node always has at least two leaves
 * below it. So the hash of the root is the root of the binary sparse Merkle tree over the key
 * hashes with single-leaf subtrees collapsed, whatever order the keys were written in.
 */
public final class SparseMerkleTree {
  private SparseMerkleTree() {}

  /**
   * A pointer to a stored node.
   *
   * @param key where it is stored
   * @param hash its hash
   * @param leaf whether it is a leaf
   */
  public record Ptr(NodeKey key, byte[] hash, boolean leaf) {
    public Ptr {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(hash, "hash");
    }
  }

  /**
   * A change of one key: a put, or a delete if {@code value} is null.
   *
   * @param keyHash SHA-256 of the key
   * @param key the key
   * @param value the new value, or null to delete
   */
  public record Update(byte[] keyHash, byte[] key, byte[] value) {}

  /**
   * What an update wrote.
   *
   * @param version the version it wrote
   * @param root the new root, or null for the empty tree
   * @param written the new nodes, in the order written
   * @param stale the nodes of earlier versions that the new version no longer uses
   */
  public record Batch(long version, Ptr root, Map<NodeKey, Node> written, List<NodeKey> stale) {}

  /**
   * A proof: the sibling hashes from the root down, and what sits at the end of the path.
   *
   * @param siblings the sibling hashes, root first; the path's length in bits is their count
   * @param leaf the leaf at the end of the path, or null if the path ends in an empty subtree
   */
  public record Path(List<byte[]> siblings, Node.Leaf leaf) {}

  /**
   * The hash of a tree.
   *
   * @param root the root, or null
   * @return 32 bytes
   */
  public static byte[] rootHash(Ptr root) {
    return root == null ? Node.EMPTY_HASH : root.hash();
  }

  /**
   * Reads a key.
   *
   * @param src the nodes
   * @param root the root, or null for the empty tree
   * @param keyHash SHA-256 of the key
   * @return the leaf, or null if the key is absent
   */
  public static Node.Leaf get(NodeSource src, Ptr root, byte[] keyHash) {
    if (root == null) {
      return null;
    }
    Node n = src.require(root.key());
    for (int depth = 0; ; depth++) {
      if (n instanceof Node.Leaf l) {
        return Arrays.equals(l.keyHash(), keyHash) ? l : null;
      }
      Node.Internal in = (Node.Internal) n;
      int nib = nibble(keyHash, depth);
      if (!in.hasChild(nib)) {
        return null;
      }
      n = src.require(NodeKey.of(in.version(nib), keyHash, depth + 1));
    }
  }

  /**
   * The proof path of a key.
   *
   * @param src the nodes
   * @param root the root, or null for the empty tree
   * @param keyHash SHA-256 of the key
   * @return the path
   */
  public static Path prove(NodeSource src, Ptr root, byte[] keyHash) {
    List<byte[]> siblings = new ArrayList<>();
    if (root == null) {
      return new Path(siblings, null);
    }
    Node n = src.require(root.key());
    int depth = 0;
    while (n instanceof Node.Internal in) {
      int p = 1;
      int level = 0;
      int nib = nibble(keyHash, depth);
      while (true) {
        if (in.count(p) == 0) {
          return new Path(siblings, null);
        }
        if (in.lone(p)) {
          int width = 16 >>> level;
          int first = (p - (1 << level)) * width;
          for (int i = first; i < first + width; i++) {
            if (in.hasChild(i)) {
              // The lone leaf may sit under another nibble than the key's (absence proof).
              byte[] path = Arrays.copyOf(keyHash, 32);
              setNibble(path, depth, i);
              Node leaf = src.require(NodeKey.of(in.version(i), path, depth + 1));
              return new Path(siblings, (Node.Leaf) leaf);
            }
          }
          throw new IllegalStateException("internal node heap is inconsistent");
        }
        if (p >= 16) {
          break;
        }
        int bit = (nib >>> (3 - level)) & 1;
        siblings.add(in.heapHash(2 * p + 1 - bit));
        p = 2 * p + bit;
        level++;
      }
      n = src.require(NodeKey.of(in.version(p - 16), keyHash, depth + 1));
      depth++;
    }
    return new Path(siblings, (Node.Leaf) n);
  }

  /**
   * Visits every leaf (in the order of their key hashes).
   *
   * @param src the nodes
   * @param root the root, or null
   * @param visitor called for each leaf
   */
  public static void forEach(NodeSource src, Ptr root, Consumer<Node.Leaf> visitor) {
    if (root != null) {
      visit(src, root.key(), visitor);
    }
  }

  private static void visit(NodeSource src, NodeKey key, Consumer<Node.Leaf> visitor) {
    Node n = src.require(key);
    if (n instanceof Node.Leaf l) {
      visitor.accept(l);
      return;
    }
    Node.Internal in = (Node.Internal) n;
    byte[] path = pathBytes(key);
    for (int i = 0; i < 16; i++) {
      if (in.hasChild(i)) {
        byte[] child = path.clone();
        setNibble(child, key.depth(), i);
        visit(src, NodeKey.of(in.version(i), child, key.depth() + 1), visitor);
      }
    }
  }

  private static byte[] pathBytes(NodeKey key) {
    byte[] p = new byte[32];
    byte[] b = key.bytes();
    System.arraycopy(b, 9, p, 0, b.length - 9);
    return p;
  }

  private static void setNibble(byte[] path, int depth, int nib) {
    int i = depth / 2;
    path[i] = (byte) ((depth & 1) == 0 ? (path[i] & 0x0F) | (nib << 4) : (path[i] & 0xF0) | nib);
  }

  /**
   * Applies updates, writing version {@code version}.
   *
   * @param src the nodes of the tree being updated
   * @param root its root, or null for the empty tree
   * @param version the new version; greater than every version in the tree
   * @param updates the changes, sorted by key hash (unsigned), at most one per key
   * @return the new root, the nodes written and the nodes made stale
   */
  public static Batch update(NodeSource src, Ptr root, long version, List<Update> updates) {
    for (int i = 1; i < updates.size(); i++) {
      if (Arrays.compareUnsigned(updates.get(i - 1).keyHash(), updates.get(i).keyHash()) >= 0) {
        throw new IllegalArgumentException(
            "updates must be sorted by key hash, one per key (index %d)".formatted(i));
      }
    }
    Writer w = new Writer(src, version);
    Object r = w.update(root, 0, updates, 0, updates.size());
    Ptr newRoot;
    if (r == null) {
      newRoot = null;
    } else if (r instanceof Floating f) {
      newRoot = w.place(f, 0);
    } else {
      newRoot = (Ptr) r;
    }
    return new Batch(version, newRoot, w.written, w.stale);
  }

  /**
   * Builds a tree bottom-up from leaves sorted by key hash, in one pass and with memory bounded by
   * the tree's depth: each node is written once, to {@code sink}, as soon as its subtree is
   * complete. The result equals applying the same leaves as puts to an empty tree.
   *
   * @param sorted leaves in strictly ascending key hash order (unsigned)
   * @param version the version written
   * @param sink receives every node written
   * @return the root, or null if there are no leaves
   * @throws IllegalArgumentException if the leaves are not strictly ascending
   */
  public static Ptr bulkBuild(
      java.util.Iterator<Node.Leaf> sorted,
      long version,
      java.util.function.BiConsumer<NodeKey, Node> sink) {
    Bulk b = new Bulk(sorted, version, sink);
    if (!b.hasNext()) {
      return null;
    }
    Object r = b.build(0);
    if (r instanceof Node.Leaf l) {
      return b.place(l, 0);
    }
    if (b.hasNext()) {
      throw new IllegalStateException("bulk build stopped before the last leaf");
    }
    return (Ptr) r;
  }

  private static final class Bulk {
    private final java.util.Iterator<Node.Leaf> in;
    private final long version;
    private final java.util.function.BiConsumer<NodeKey, Node> sink;
    private final java.util.ArrayDeque<Node.Leaf> ahead = new java.util.ArrayDeque<>(2);
    private byte[] last;

    Bulk(
        java.util.Iterator<Node.Leaf> in,
        long version,
        java.util.function.BiConsumer<NodeKey, Node> sink) {
      this.in = in;
      this.version = version;
      this.sink = sink;
    }

    boolean hasNext() {
      return !ahead.isEmpty() || in.hasNext();
    }

    Node.Leaf peek() {
      if (ahead.isEmpty()) {
        Node.Leaf l = in.next();
        if (last != null && Arrays.compareUnsigned(last, l.keyHash()) >= 0) {
          throw new IllegalArgumentException(
              "bulk build leaves must be strictly ascending by key hash");
        }
        last = l.keyHash();
        ahead.addLast(l);
      }
      return ahead.peekFirst();
    }

    Node.Leaf next() {
      Node.Leaf l = peek();
      ahead.pollFirst();
      return l;
    }

    // Builds the subtree of the next leaf's first `depth` nibbles; returns a lone leaf unplaced.
    Object build(int depth) {
      Node.Leaf first = next();
      if (!hasNext() || !samePrefix(first.keyHash(), peek().keyHash(), depth)) {
        return first;
      }
      ahead.addFirst(first);
      byte[] path = first.keyHash();
      long[] versions = new long[16];
      byte[][] hashes = new byte[16][];
      int leaves = 0;
      while (hasNext() && samePrefix(path, peek().keyHash(), depth)) {
        int nib = nibble(peek().keyHash(), depth);
        Object c = build(depth + 1);
        Ptr p = c instanceof Node.Leaf l ? place(l, depth + 1) : (Ptr) c;
        versions[nib] = p.key().version();
        hashes[nib] = p.hash();
        if (p.leaf()) {
          leaves |= 1 << nib;
        }
      }
      Node.Internal node = new Node.Internal(versions, hashes, leaves);
      NodeKey key = NodeKey.of(version, path, depth);
      sink.accept(key, node);
      return new Ptr(key, node.hash(), false);
    }

    Ptr place(Node.Leaf l, int depth) {
      NodeKey key = NodeKey.of(version, l.keyHash(), depth);
      sink.accept(key, l);
      return new Ptr(key, l.hash(), true);
    }

    private static boolean samePrefix(byte[] a, byte[] b, int nibbles) {
      for (int i = 0; i < nibbles; i++) {
        if (nibble(a, i) != nibble(b, i)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * The nibble at {@code depth} of a key hash.
   *
   * @param keyHash 32 bytes
   * @param depth 0..63
   * @return 0..15
   */
  public static int nibble(byte[] keyHash, int depth) {
    int b = keyHash[depth >>> 1] & 0xFF;
    return (depth & 1) == 0 ? b >>> 4 : b & 0xF;
  }

  /** A leaf not placed yet: it goes wherever its parent decides; origin is where it was stored. */
  private record Floating(Node.Leaf leaf, NodeKey origin) {}

  private static final class Writer {
    final NodeSource src;
    final long version;
    final Map<NodeKey, Node> written = new LinkedHashMap<>();
    final List<NodeKey> stale = new ArrayList<>();

    Writer(NodeSource src, long version) {
      this.src = src;
      this.version = version;
    }

    // Returns null (empty), a Ptr (placed, possibly `existing` unchanged) or a Floating leaf.
    Object update(Ptr existing, int depth, List<Update> ups, int lo, int hi) {
      if (lo == hi) {
        return existing;
      }
      if (existing == null) {
        List<Floating> cands = new ArrayList<>(hi - lo);
        for (int i = lo; i < hi; i++) {
          Update u = ups.get(i);
          if (u.value() != null) {
            cands.add(new Floating(new Node.Leaf(u.keyHash(), u.key(), u.value()), null));
          }
        }
        return build(depth, cands);
      }
      Node n = src.require(existing.key());
      if (n instanceof Node.Leaf l) {
        List<Floating> cands = new ArrayList<>(hi - lo + 1);
        boolean replaced = false;
        for (int i = lo; i < hi; i++) {
          Update u = ups.get(i);
          if (Arrays.equals(u.keyHash(), l.keyHash())) {
            replaced = true;
          }
          if (u.value() != null) {
            cands.add(new Floating(new Node.Leaf(u.keyHash(), u.key(), u.value()), null));
          }
        }
        if (replaced) {
          stale.add(existing.key());
        } else {
          cands.add(new Floating(l, existing.key()));
        }
        return build(depth, cands);
      }
      Node.Internal in = (Node.Internal) n;
      Object[] results = new Object[16];
      int changed = 0;
      int i = lo;
      while (i < hi) {
        int nib = nibble(ups.get(i).keyHash(), depth);
        int j = i + 1;
        while (j < hi && nibble(ups.get(j).keyHash(), depth) == nib) {
          j++;
        }
        Ptr child =
            in.hasChild(nib)
                ? new Ptr(
                    NodeKey.of(in.version(nib), ups.get(i).keyHash(), depth + 1),
                    in.childHash(nib),
                    in.isLeaf(nib))
                : null;
        Object r = update(child, depth + 1, ups, i, j);
        if (r != child) {
          changed |= 1 << nib;
          results[nib] = r;
        }
        i = j;
      }
      if (changed == 0) {
        return existing;
      }
      stale.add(existing.key());
      return finish(in, existing.key(), depth, ups.get(lo).keyHash(), changed, results);
    }

    // A subtree of the given leaves (distinct key hashes sharing `depth` nibbles).
    Object build(int depth, List<Floating> cands) {
      if (cands.isEmpty()) {
        return null;
      }
      if (cands.size() == 1) {
        return cands.get(0);
      }
      if (depth == 64) {
        throw new IllegalStateException("two leaves with the same key hash");
      }
      List<List<Floating>> groups = new ArrayList<>(java.util.Collections.nCopies(16, null));
      int mask = 0;
      for (Floating f : cands) {
        int nib = nibble(f.leaf().keyHash(), depth);
        if (groups.get(nib) == null) {
          groups.set(nib, new ArrayList<>(2));
        }
        groups.get(nib).add(f);
        mask |= 1 << nib;
      }
      Object[] results = new Object[16];
      for (int nib = 0; nib < 16; nib++) {
        if (groups.get(nib) != null) {
          results[nib] = build(depth + 1, groups.get(nib));
        }
      }
      return finish(null, null, depth, cands.get(0).leaf().keyHash(), mask, results);
    }

    // The node at `depth` on `path` with the changed children; collapses a lone leaf upwards.
    Object finish(
        Node.Internal base,
        NodeKey baseKey,
        int depth,
        byte[] path,
        int changed,
        Object[] results) {
      int present = 0;
      int lastNib = -1;
      for (int nib = 0; nib < 16; nib++) {
        boolean has =
            (changed & (1 << nib)) != 0 ? results[nib] != null : base != null && base.hasChild(nib);
        if (has) {
          present++;
          lastNib = nib;
        }
      }
      if (present == 0) {
        return null;
      }
      if (present == 1) {
        Object only;
        if ((changed & (1 << lastNib)) != 0) {
          only = results[lastNib];
        } else {
          only =
              new Ptr(
                  NodeKey.of(base.version(lastNib), childPath(path, depth, lastNib), depth + 1),
                  base.childHash(lastNib),
                  base.isLeaf(lastNib));
        }
        if (only instanceof Floating) {
          return only;
        }
        Ptr p = (Ptr) only;
        if (p.leaf()) {
          return new Floating((Node.Leaf) src.require(p.key()), p.key());
        }
        // One internal child: this node stays (its subtree holds two leaves or more).
      }
      long[] versions = new long[16];
      byte[][] hashes = new byte[16][];
      int leaves = 0;
      for (int nib = 0; nib < 16; nib++) {
        if ((changed & (1 << nib)) == 0) {
          continue;
        }
        Object r = results[nib];
        if (r instanceof Floating f) {
          r = place(f, depth + 1);
        }
        if (r instanceof Ptr p) {
          versions[nib] = p.key().version();
          hashes[nib] = p.hash();
          if (p.leaf()) {
            leaves |= 1 << nib;
          }
        }
      }
      Node.Internal node =
          base == null
              ? new Node.Internal(versions, hashes, leaves)
              : base.with(changed, versions, hashes, leaves);
      NodeKey key = NodeKey.of(version, path, depth);
      written.put(key, node);
      return new Ptr(key, node.hash(), false);
    }

    Ptr place(Floating f, int depth) {
      if (f.origin() != null) {
        if (f.origin().depth() == depth) {
          return new Ptr(f.origin(), f.leaf().hash(), true);
        }
        stale.add(f.origin());
      }
      NodeKey key = NodeKey.of(version, f.leaf().keyHash(), depth);
      written.put(key, f.leaf());
      return new Ptr(key, f.leaf().hash(), true);
    }

    private static byte[] childPath(byte[] path, int depth, int nib) {
      byte[] p = Arrays.copyOf(path, 32);
      setNibble(p, depth, nib);
      return p;
    }
  }
}

package org.gridtrade.ledger.internal.state;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import org.gridtrade.ledger.internal.Digests;

/**
 * A node of the state tree: a {@link Leaf} holding one key and its value, or an {@link Internal}
 * node with up to 16 children, one per nibble.
 *
 * <p>Hashes: the tree is a binary sparse Merkle tree over the 256 bits of the key hashes, with
 * every subtree that holds a single leaf replaced by that leaf, and the empty subtree hashing to 32
 * zero bytes. A leaf hashes to {@code SHA-256(0x00 ‖ keyHash ‖ SHA-256(value))}, a binary node to
 * {@code SHA-256(0x01 ‖ left ‖ right)}. An internal node stores four binary levels (16 children);
 * its hash is the binary root over them.
 */
public sealed interface Node permits Node.Leaf, Node.Internal {
  /** Tag byte of an encoded internal node. */
  byte INTERNAL = 1;

  /** Tag byte of an encoded leaf. */
  byte LEAF = 2;

  /** Largest key, in bytes. */
  int MAX_KEY = 1024;

  /** Largest value, in bytes. */
  int MAX_VALUE = 1 << 20;

  /**
   * The node's hash.
   *
   * @return 32 bytes (not a copy)
   */
  byte[] hash();

  /**
   * The canonical encoding.
   *
   * @return new bytes
   */
  byte[] encode();

  /**
   * Decodes a node.
   *
   * @param b the encoding
   * @return the node
   * @throws IllegalArgumentException if the bytes are not a node
   */
  static Node decode(byte[] b) {
    Objects.requireNonNull(b, "bytes");
    try {
      ByteBuffer in = ByteBuffer.wrap(b);
      byte tag = in.get();
      if (tag == LEAF) {
        byte[] keyHash = new byte[32];
        in.get(keyHash);
        int kl = in.getShort() & 0xFFFF;
        if (kl > MAX_KEY) {
          throw new IllegalArgumentException("leaf key length %d > %d".formatted(kl, MAX_KEY));
        }
        byte[] key = new byte[kl];
        in.get(key);
        int vl = in.getInt();
        if (vl < 0 || vl > MAX_VALUE) {
          throw new IllegalArgumentException(
              "leaf value length %d not in 0..%d".formatted(vl, MAX_VALUE));
        }
        byte[] value = new byte[vl];
        in.get(value);
        expectEnd(in);
        if (!Arrays.equals(keyHash, Digests.sha256(key))) {
          throw new IllegalArgumentException("leaf key hash is not the SHA-256 of its key");
        }
        return new Leaf(keyHash, key, value);
      } else if (tag == INTERNAL) {
        int exists = in.getShort() & 0xFFFF;
        int leaves = in.getShort() & 0xFFFF;
        if ((leaves & ~exists) != 0 || exists == 0) {
          throw new IllegalArgumentException(
              "internal node bitmaps %04x/%04x are inconsistent".formatted(exists, leaves));
        }
        long[] versions = new long[16];
        byte[][] hashes = new byte[16][];
        for (int i = 0; i < 16; i++) {
          if ((exists & (1 << i)) != 0) {
            versions[i] = in.getLong();
            if (versions[i] < 1) {
              throw new IllegalArgumentException(
                  "child %d has version %d, not >= 1".formatted(i, versions[i]));
            }
            hashes[i] = new byte[32];
            in.get(hashes[i]);
          }
        }
        expectEnd(in);
        return new Internal(versions, hashes, leaves);
      }
      throw new IllegalArgumentException(
          "node tag %d is neither %d nor %d".formatted(tag, INTERNAL, LEAF));
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("node of %d bytes is truncated".formatted(b.length), e);
    }
  }

  private static void expectEnd(ByteBuffer in) {
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("%d bytes after the node".formatted(in.remaining()));
    }
  }

  /** This thread's digest for node hashes, reset by each {@code digest()} that ends its use. */
  ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Digests::newSha256);

  /** The hash of a leaf. */
  static byte[] leafHash(byte[] keyHash, byte[] valueHash) {
    MessageDigest md = DIGEST.get(); // always left reset: every use ends with digest()
    md.update((byte) 0);
    md.update(keyHash);
    md.update(valueHash);
    return md.digest();
  }

  /** The hash of a binary node. */
  static byte[] branchHash(byte[] left, byte[] right) {
    MessageDigest md = DIGEST.get();
    md.update((byte) 1);
    md.update(left);
    md.update(right);
    return md.digest();
  }

  /** The hash of the empty subtree. */
  byte[] EMPTY_HASH = new byte[32];

  /** One key and its value; its path is the SHA-256 of the key. */
  final class Leaf implements Node {
    private final byte[] keyHash;
    private final byte[] key;
    private final byte[] value;
    // Computed when first needed: a read of an account never needs it.
    private volatile byte[] hash;

    /**
     * A leaf.
     *
     * @param keyHash SHA-256 of the key
     * @param key the key
     * @param value the value
     */
    public Leaf(byte[] keyHash, byte[] key, byte[] value) {
      if (keyHash.length != 32) {
        throw new IllegalArgumentException("keyHash length %d != 32".formatted(keyHash.length));
      }
      if (key.length > MAX_KEY) {
        throw new IllegalArgumentException("key length %d > %d".formatted(key.length, MAX_KEY));
      }
      if (value.length > MAX_VALUE) {
        throw new IllegalArgumentException(
            "value length %d > %d".formatted(value.length, MAX_VALUE));
      }
      this.keyHash = keyHash;
      this.key = key;
      this.value = value;
    }

    /** The key's SHA-256 (not a copy). */
    public byte[] keyHash() {
      return keyHash;
    }

    /** The key (not a copy). */
    public byte[] key() {
      return key;
    }

    /** The value (not a copy). */
    public byte[] value() {
      return value;
    }

    @Override
    public byte[] hash() {
      byte[] h = hash;
      if (h == null) {
        h = leafHash(keyHash, DIGEST.get().digest(value));
        hash = h;
      }
      return h;
    }

    @Override
    public byte[] encode() {
      return ByteBuffer.allocate(1 + 32 + 2 + key.length + 4 + value.length)
          .put(LEAF)
          .put(keyHash)
          .putShort((short) key.length)
          .put(key)
          .putInt(value.length)
          .put(value)
          .array();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Leaf l
          && Arrays.equals(keyHash, l.keyHash)
          && Arrays.equals(key, l.key)
          && Arrays.equals(value, l.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(keyHash);
    }

    @Override
    public String toString() {
      return "Leaf[" + org.gridtrade.ledger.Hash.of(keyHash) + "]";
    }
  }

  /**
   * Up to 16 children, each named by the version that wrote it, with its hash and whether it is a
   * leaf. Keeps the four binary levels above the children (a heap of 31 positions: 1 is the root,
   * 16 + i is child i), so a change of one child rehashes 4 binary nodes, not 15.
   */
  final class Internal implements Node {
    private final long[] versions;
    private final byte[][] hashes;
    private final int leaves;
    private final int exists;
    // The four binary levels, computed when first needed (a read of a child needs none of them).
    private volatile Heap heap;

    // Heap positions 1..31: hash, number of children below, whether that one child is a leaf.
    private record Heap(byte[][] hash, byte[] count, boolean[] lone) {
      Heap() {
        this(new byte[32][], new byte[32], new boolean[32]);
      }

      Heap copy() {
        return new Heap(hash.clone(), count.clone(), lone.clone());
      }
    }

    Internal(long[] versions, byte[][] hashes, int leaves) {
      this.versions = versions;
      this.hashes = hashes;
      int e = 0;
      for (int i = 0; i < 16; i++) {
        if (hashes[i] != null) {
          e |= 1 << i;
        }
      }
      this.exists = e;
      this.leaves = leaves & e;
    }

    // A copy of base with some children changed; rehashes only their ancestors.
    private Internal(Internal base, long[] versions, byte[][] hashes, int leaves, int changed) {
      this(versions, hashes, leaves);
      Heap h = base.heap().copy();
      int dirty = 0; // bit p set: heap position p (1..15) must be rehashed
      for (int i = 0; i < 16; i++) {
        if ((changed & (1 << i)) != 0) {
          setLeafPosition(h, i);
          for (int p = (16 + i) >>> 1; p >= 1; p >>>= 1) {
            dirty |= 1 << p;
          }
        }
      }
      for (int p = 15; p >= 1; p--) {
        if ((dirty & (1 << p)) != 0) {
          rehash(h, p);
        }
      }
      this.heap = h;
    }

    private Heap heap() {
      Heap h = heap;
      if (h == null) {
        h = new Heap();
        for (int i = 0; i < 16; i++) {
          setLeafPosition(h, i);
        }
        for (int p = 15; p >= 1; p--) {
          rehash(h, p);
        }
        heap = h;
      }
      return h;
    }

    private void setLeafPosition(Heap h, int i) {
      int p = 16 + i;
      boolean present = hashes[i] != null;
      h.hash[p] = present ? hashes[i] : EMPTY_HASH;
      h.count[p] = (byte) (present ? 1 : 0);
      h.lone[p] = present && (leaves & (1 << i)) != 0;
    }

    private static void rehash(Heap h, int p) {
      int l = 2 * p;
      int r = l + 1;
      int c = h.count[l] + h.count[r];
      h.count[p] = (byte) c;
      if (c == 0) {
        h.hash[p] = EMPTY_HASH;
        h.lone[p] = false;
      } else if (c == 1 && (h.lone[l] || h.lone[r])) {
        h.hash[p] = h.lone[l] ? h.hash[l] : h.hash[r];
        h.lone[p] = true;
      } else {
        h.hash[p] = branchHash(h.hash[l], h.hash[r]);
        h.lone[p] = false;
      }
    }

    /**
     * A node with the given children changed.
     *
     * @param changedMask bit i set: child i is replaced by the i-th entries of the arrays
     * @param newVersions versions of the changed children
     * @param newHashes hashes of the changed children (null: the child is removed)
     * @param newLeaves bit i set: changed child i is a leaf
     * @return the new node
     */
    Internal with(int changedMask, long[] newVersions, byte[][] newHashes, int newLeaves) {
      long[] v = versions.clone();
      byte[][] h = hashes.clone();
      int lf = leaves;
      for (int i = 0; i < 16; i++) {
        if ((changedMask & (1 << i)) != 0) {
          v[i] = newHashes[i] == null ? 0 : newVersions[i];
          h[i] = newHashes[i];
          lf = (lf & ~(1 << i)) | (newLeaves & (1 << i));
        }
      }
      return new Internal(this, v, h, lf, changedMask);
    }

    /** Number of children. */
    int childCount() {
      return Integer.bitCount(exists);
    }

    boolean hasChild(int i) {
      return (exists & (1 << i)) != 0;
    }

    boolean isLeaf(int i) {
      return (leaves & (1 << i)) != 0;
    }

    long version(int i) {
      return versions[i];
    }

    byte[] childHash(int i) {
      return hashes[i];
    }

    // Heap accessors for proofs.
    int count(int p) {
      return heap().count[p];
    }

    boolean lone(int p) {
      return heap().lone[p];
    }

    byte[] heapHash(int p) {
      return heap().hash[p];
    }

    @Override
    public byte[] hash() {
      return heap().hash[1];
    }

    @Override
    public byte[] encode() {
      int n = childCount();
      ByteBuffer b = ByteBuffer.allocate(1 + 2 + 2 + n * 40);
      b.put(INTERNAL).putShort((short) exists).putShort((short) leaves);
      for (int i = 0; i < 16; i++) {
        if (hasChild(i)) {
          b.putLong(versions[i]).put(hashes[i]);
        }
      }
      return b.array();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Internal in
          && exists == in.exists
          && leaves == in.leaves
          && Arrays.equals(versions, in.versions)
          && Arrays.deepEquals(hashes, in.hashes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(hash());
    }

    @Override
    public String toString() {
      return "Internal[" + Integer.toHexString(exists) + "]";
    }
  }
}

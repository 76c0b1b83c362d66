package org.gridtrade.ledger.internal.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The state tree's hash transcribed from its definition, naively and recursively, sharing no code
 * with {@link SparseMerkleTree} or {@link Node}: a binary sparse Merkle tree over the 256 bits of
 * SHA-256(key), most significant bit first; the empty subtree hashes to 32 zero bytes; a subtree
 * holding one entry is that entry's leaf, {@code SHA-256(0x00 ‖ keyHash ‖ SHA-256(value))}; any
 * other subtree is {@code SHA-256(0x01 ‖ left ‖ right)}.
 */
final class SparseMerkleTreeOracle {
  static final byte[] EMPTY = new byte[32];

  private SparseMerkleTreeOracle() {}

  static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        md.update(p);
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] keyHash(String key) {
    return sha256(key.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] leafHash(byte[] keyHash, byte[] value) {
    return sha256(new byte[] {0}, keyHash, sha256(value));
  }

  static byte[] branch(byte[] left, byte[] right) {
    return sha256(new byte[] {1}, left, right);
  }

  /** Bit {@code i} (0 = most significant bit of byte 0) of a key hash. */
  static int bit(byte[] keyHash, int i) {
    return (keyHash[i / 8] >>> (7 - i % 8)) & 1;
  }

  /** One entry: the key's hash and the value. */
  private record Entry(byte[] keyHash, byte[] value) {}

  /**
   * The root hash of a key-value map.
   *
   * @param content keys (hashed as UTF-8) to values
   * @return 32 bytes
   */
  static byte[] root(Map<String, byte[]> content) {
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : content.entrySet()) {
      entries.add(new Entry(keyHash(e.getKey()), e.getValue()));
    }
    entries.sort((a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash()));
    return subtree(entries, 0);
  }

  // The hash of the subtree at depth `depth` bits holding these entries (sorted, sharing the
  // first `depth` bits).
  private static byte[] subtree(List<Entry> entries, int depth) {
    if (entries.isEmpty()) {
      return EMPTY;
    }
    if (entries.size() == 1) {
      return leafHash(entries.get(0).keyHash(), entries.get(0).value());
    }
    if (depth == 256) {
      throw new AssertionError("two entries with the same key hash");
    }
    List<Entry> left = new ArrayList<>();
    List<Entry> right = new ArrayList<>();
    for (Entry e : entries) {
      (bit(e.keyHash(), depth) == 0 ? left : right).add(e);
    }
    return branch(subtree(left, depth + 1), subtree(right, depth + 1));
  }

  /**
   * Checks a proof from the definition: that under {@code root}, {@code keyHash} maps to {@code
   * value} (or is absent if {@code value} is null).
   *
   * <p>The path's length in bits is the number of siblings (root first). It ends in the empty
   * subtree, or in a leaf whose key hash shares those first bits with {@code keyHash}: if that leaf
   * has {@code keyHash}, the key is present with the leaf's value, otherwise it is absent. The
   * end's hash (32 zeros, or the leaf hash) is folded upwards with the siblings, on the side given
   * by {@code keyHash}'s bits, and must give {@code root}.
   *
   * @param root the trusted root hash
   * @param keyHash the key hash asked about
   * @param value the claimed value, or null to claim absence
   * @param siblings sibling hashes, root first
   * @param leafKeyHash the key hash of the leaf at the end of the path, or null if it ends empty
   * @param leafValue that leaf's value, or null if it ends empty
   * @return whether the proof shows the claim
   */
  static boolean verify(
      byte[] root,
      byte[] keyHash,
      byte[] value,
      List<byte[]> siblings,
      byte[] leafKeyHash,
      byte[] leafValue) {
    int n = siblings.size();
    if (n > 256 || (leafKeyHash == null) != (leafValue == null)) {
      return false;
    }
    for (byte[] s : siblings) {
      if (s.length != 32) {
        return false;
      }
    }
    byte[] h;
    if (leafKeyHash == null) {
      if (value != null) {
        return false;
      }
      h = EMPTY;
    } else {
      if (leafKeyHash.length != 32) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (bit(leafKeyHash, i) != bit(keyHash, i)) {
          return false; // the leaf does not sit on the key's path
        }
      }
      boolean same = Arrays.equals(leafKeyHash, keyHash);
      if (value == null ? same : !same || !Arrays.equals(value, leafValue)) {
        return false;
      }
      h = leafHash(leafKeyHash, leafValue);
    }
    for (int i = n - 1; i >= 0; i--) {
      h = bit(keyHash, i) == 0 ? branch(h, siblings.get(i)) : branch(siblings.get(i), h);
    }
    return Arrays.equals(h, root);
  }
}

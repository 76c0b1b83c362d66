package org.gridtrade.ledger.internal.state;

import java.util.Arrays;
import java.util.Objects;

/**
 * Where a tree node is stored: the version that wrote it and its nibble path from the root.
 *
 * <p>Encoded as {@code version (8 bytes, big-endian) ‖ depth (1 byte) ‖ the path's nibbles packed
 * two per byte, high nibble first}, so keys sort by version first (unsigned byte order), which
 * makes "every node written after version v" one range. Versions are never reused, so a key names
 * one node forever. Immutable.
 */
public final class NodeKey implements Comparable<NodeKey> {
  private final byte[] bytes;
  private final int hash;

  private NodeKey(byte[] bytes) {
    this.bytes = bytes;
    // Cheaper than Arrays.hashCode: the version, the depth and up to 8 bytes of the path (paths
    // are prefixes of SHA-256 hashes, so their first bytes are well spread), mixed.
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (bytes[i] & 0xFF);
    }
    long p = bytes[8];
    for (int i = 9; i < Math.min(bytes.length, 17); i++) {
      p = (p << 8) | (bytes[i] & 0xFF);
    }
    long x = h * 0x9E3779B97F4A7C15L ^ p * 0xC2B2AE3D27D4EB4FL;
    this.hash = (int) (x ^ (x >>> 32));
  }

  /**
   * The key of the root position written by {@code version}.
   *
   * @param version the writing version, 1 or more
   * @return the key
   */
  public static NodeKey root(long version) {
    return of(version, null, 0);
  }

  /**
   * The key of the node at the first {@code depth} nibbles of {@code keyHash}.
   *
   * @param version the writing version
   * @param keyHash a 32-byte key hash whose prefix is the path (null only for depth 0)
   * @param depth the path length in nibbles, 0..64
   * @return the key
   */
  public static NodeKey of(long version, byte[] keyHash, int depth) {
    if (version < 1) {
      throw new IllegalArgumentException("version %d must be >= 1".formatted(version));
    }
    if (depth < 0 || depth > 64) {
      throw new IllegalArgumentException("depth %d not in 0..64".formatted(depth));
    }
    int packed = (depth + 1) / 2;
    byte[] b = new byte[9 + packed];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (version >>> (56 - 8 * i));
    }
    b[8] = (byte) depth;
    if (packed > 0) {
      System.arraycopy(keyHash, 0, b, 9, packed);
      if ((depth & 1) == 1) {
        b[9 + packed - 1] &= (byte) 0xF0;
      }
    }
    return new NodeKey(b);
  }

  /**
   * Decodes a key written by {@link #bytes()}.
   *
   * @param bytes the encoding
   * @return the key
   * @throws IllegalArgumentException if the bytes are not a valid key
   */
  public static NodeKey decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < 9) {
      throw new IllegalArgumentException("node key length %d < 9".formatted(bytes.length));
    }
    int depth = bytes[8] & 0xFF;
    if (depth > 64 || bytes.length != 9 + (depth + 1) / 2) {
      throw new IllegalArgumentException(
          "node key of depth %d has length %d".formatted(depth, bytes.length));
    }
    NodeKey k = new NodeKey(bytes.clone());
    if (k.version() < 1) {
      throw new IllegalArgumentException("node key version %d must be >= 1".formatted(k.version()));
    }
    if ((depth & 1) == 1 && (bytes[bytes.length - 1] & 0x0F) != 0) {
      throw new IllegalArgumentException(
          "node key of odd depth %d has a non-zero unused low nibble".formatted(depth));
    }
    return k;
  }

  /**
   * The version that wrote the node.
   *
   * @return the version
   */
  public long version() {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (bytes[i] & 0xFF);
    }
    return v;
  }

  /**
   * The path length in nibbles.
   *
   * @return 0..64
   */
  public int depth() {
    return bytes[8] & 0xFF;
  }

  /**
   * The encoding (not a copy: do not modify).
   *
   * @return the bytes
   */
  public byte[] bytes() {
    return bytes;
  }

  @Override
  public int compareTo(NodeKey o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder().append(version()).append(':');
    for (int i = 0; i < depth(); i++) {
      int b = bytes[9 + i / 2] & 0xFF;
      s.append(Character.forDigit((i & 1) == 0 ? b >>> 4 : b & 0xF, 16));
    }
    return s.toString();
  }
}

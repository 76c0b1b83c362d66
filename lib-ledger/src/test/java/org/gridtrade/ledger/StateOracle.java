package org.gridtrade.ledger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The documented state root, recomputed naively from a model of the state: the key/value encodings
 * of {@link StateKey} written out again here, and the binary sparse Merkle tree over the SHA-256 of
 * the keys (most significant bit first; a subtree holding one key is its leaf; empty is 32 zeros)
 * computed by plain recursion over the sorted key hashes. Shares no code with the ledger's tree.
 */
final class StateOracle {
  private StateOracle() {}

  /** An open trade of the model. */
  record OpenTrade(Address seller, Address buyer, boolean sellerRated, boolean buyerRated) {}

  static Hash root(Map<Address, Account> accounts, Map<Hash, OpenTrade> trades, Set<Hash> used) {
    return root(accounts, trades, used, Map.of());
  }

  /**
   * The root with extra keys, e.g. an on-chain module's: each entry is a full key (namespace byte
   * first) and its value.
   */
  static Hash root(
      Map<Address, Account> accounts,
      Map<Hash, OpenTrade> trades,
      Set<Hash> used,
      Map<String, byte[]> extraByHexKey) {
    List<byte[][]> entries = new ArrayList<>(); // {keyHash, valueHash}
    extraByHexKey.forEach(
        (hex, value) -> add(entries, java.util.HexFormat.of().parseHex(hex), value));
    long supply = 0;
    for (Map.Entry<Address, Account> e : accounts.entrySet()) {
      Account a = e.getValue();
      supply += a.balance() + a.stake();
      byte[] value =
          ByteBuffer.allocate(56)
              .putLong(a.balance())
              .putLong(a.nonce())
              .putLong(a.stake())
              .put(a.lastPayment().bytes())
              .array();
      add(entries, key(1, e.getKey().bytes()), value);
    }
    for (Map.Entry<Hash, OpenTrade> e : trades.entrySet()) {
      OpenTrade t = e.getValue();
      byte[] value =
          ByteBuffer.allocate(41)
              .put(t.seller().bytes())
              .put(t.buyer().bytes())
              .put((byte) ((t.sellerRated() ? 1 : 0) | (t.buyerRated() ? 2 : 0)))
              .array();
      add(entries, key(2, e.getKey().bytes()), value);
    }
    for (Hash h : used) {
      add(entries, key(3, h.bytes()), new byte[] {1});
    }
    if (!accounts.isEmpty()) {
      add(entries, meta("accounts"), ByteBuffer.allocate(8).putLong(accounts.size()).array());
    }
    if (supply != 0) {
      add(entries, meta("supply"), ByteBuffer.allocate(8).putLong(supply).array());
    }
    if (!trades.isEmpty()) {
      add(entries, meta("trades"), ByteBuffer.allocate(8).putLong(trades.size()).array());
    }
    entries.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
    return Hash.of(subtree(entries, 0));
  }

  private static byte[] key(int namespace, byte[] rest) {
    byte[] k = new byte[rest.length + 1];
    k[0] = (byte) namespace;
    System.arraycopy(rest, 0, k, 1, rest.length);
    return k;
  }

  private static byte[] meta(String name) {
    return key(0, name.getBytes(StandardCharsets.US_ASCII));
  }

  private static void add(List<byte[][]> entries, byte[] key, byte[] value) {
    entries.add(new byte[][] {sha256(key), sha256(value)});
  }

  private static byte[] subtree(List<byte[][]> sorted, int bit) {
    if (sorted.isEmpty()) {
      return new byte[32];
    }
    if (sorted.size() == 1) {
      return sha256(new byte[] {0}, sorted.get(0)[0], sorted.get(0)[1]);
    }
    int split = 0;
    while (split < sorted.size() && bitOf(sorted.get(split)[0], bit) == 0) {
      split++;
    }
    return sha256(
        new byte[] {1},
        subtree(sorted.subList(0, split), bit + 1),
        subtree(sorted.subList(split, sorted.size()), bit + 1));
  }

  private static int bitOf(byte[] h, int i) {
    return (h[i / 8] >> (7 - i % 8)) & 1;
  }

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
}

package org.gridtrade.ledger;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import org.gridtrade.ledger.internal.Digests;
import org.gridtrade.ledger.internal.state.SparseMerkleTree;

/**
 * A key of the chain's state: one namespace byte, then the namespace's own bytes. The state tree
 * places a key at the path {@code SHA-256(key)}.
 *
 * <table>
 *   <caption>Namespaces and values</caption>
 *   <tr><th>namespace</th><th>key</th><th>value</th></tr>
 *   <tr><td>0 counters</td><td>{@code 0x00 ‖ ASCII name}: {@code accounts}, {@code supply},
 *       {@code trades}</td><td>8-byte big-endian count (accounts ever touched, total supply in
 *       micro-coins, open trades); absent when zero</td></tr>
 *   <tr><td>1 accounts</td><td>{@code 0x01 ‖ address (20 bytes)}</td><td>{@code balance ‖ nonce ‖
 *       stake} (8 bytes each, big-endian) {@code ‖ lastPayment (32 bytes)}</td></tr>
 *   <tr><td>2 open trades</td><td>{@code 0x02 ‖ trade transaction id (32 bytes)}</td><td>{@code
 *       seller ‖ buyer ‖ flags} (bit 0: seller rated, bit 1: buyer rated)</td></tr>
 *   <tr><td>3 used evidence</td><td>{@code 0x03 ‖ evidence hash (32 bytes)}</td><td>{@code
 *       0x01}</td></tr>
 * </table>
 *
 * <p>Namespaces 16 and above belong to on-chain modules. Immutable.
 */
public final class StateKey {
  static final int META = 0;
  static final int ACCOUNT = 1;
  static final int TRADE = 2;
  static final int EVIDENCE = 3;

  /** Largest key, in bytes. */
  public static final int MAX_LENGTH = 1024;

  static final StateKey ACCOUNT_COUNT = meta("accounts");
  static final StateKey SUPPLY = meta("supply");
  static final StateKey TRADE_COUNT = meta("trades");

  static final Comparator<SparseMerkleTree.Update> UPDATE_ORDER =
      (a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash());

  private final byte[] bytes;
  private final byte[] hash;

  private StateKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Digests.sha256(bytes);
  }

  /**
   * The key of an account.
   *
   * @param address the account
   * @return {@code 0x01 ‖ address}
   */
  public static StateKey account(Address address) {
    return of(ACCOUNT, Objects.requireNonNull(address, "address").unsafeBytes());
  }

  /**
   * The key of an open energy trade.
   *
   * @param trade the trade transaction's id
   * @return {@code 0x02 ‖ id}
   */
  public static StateKey trade(Hash trade) {
    return of(TRADE, Objects.requireNonNull(trade, "trade").unsafeBytes());
  }

  /**
   * The key that marks a slash's evidence as used.
   *
   * @param evidence the evidence hash
   * @return {@code 0x03 ‖ evidence}
   */
  public static StateKey evidence(Hash evidence) {
    return of(EVIDENCE, Objects.requireNonNull(evidence, "evidence").unsafeBytes());
  }

  private static StateKey meta(String name) {
    return of(META, name.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * A key in a namespace.
   *
   * @param namespace 0..255
   * @param key the namespace's key bytes, at most {@code MAX_LENGTH - 1}
   * @return {@code namespace ‖ key}
   * @throws IllegalArgumentException if the namespace or the length is out of range
   */
  public static StateKey of(int namespace, byte[] key) {
    Objects.requireNonNull(key, "key");
    if (namespace < 0 || namespace > 255) {
      throw new IllegalArgumentException("namespace %d not in 0..255".formatted(namespace));
    }
    if (key.length > MAX_LENGTH - 1) {
      throw new IllegalArgumentException(
          "key length %d > %d".formatted(key.length, MAX_LENGTH - 1));
    }
    byte[] b = new byte[key.length + 1];
    b[0] = (byte) namespace;
    System.arraycopy(key, 0, b, 1, key.length);
    return new StateKey(b);
  }

  /**
   * A key from its full encoding (namespace byte first).
   *
   * @param bytes the key
   * @return the key
   * @throws IllegalArgumentException if empty or longer than {@link #MAX_LENGTH}
   */
  public static StateKey decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < 1 || bytes.length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "state key length %d not in 1..%d".formatted(bytes.length, MAX_LENGTH));
    }
    return new StateKey(bytes.clone());
  }

  static int namespaceOf(byte[] key) {
    return key.length == 0 ? -1 : key[0] & 0xFF;
  }

  /**
   * The namespace.
   *
   * @return 0..255
   */
  public int namespace() {
    return bytes[0] & 0xFF;
  }

  /**
   * The key's bytes, namespace first.
   *
   * @return a copy
   */
  public byte[] bytes() {
    return bytes.clone();
  }

  byte[] unsafeBytes() {
    return bytes;
  }

  /** SHA-256 of the key: its path in the tree (not a copy). */
  byte[] hash() {
    return hash;
  }

  SparseMerkleTree.Update put(byte[] value) {
    return new SparseMerkleTree.Update(hash, bytes, value);
  }

  SparseMerkleTree.Update delete() {
    return new SparseMerkleTree.Update(hash, bytes, null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateKey k && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("StateKey[").append(namespace()).append(':');
    for (int i = 1; i < bytes.length; i++) {
      s.append(Character.forDigit((bytes[i] >> 4) & 0xF, 16))
          .append(Character.forDigit(bytes[i] & 0xF, 16));
    }
    return s.append(']').toString();
  }
}

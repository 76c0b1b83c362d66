package org.gridtrade.ledger;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gridtrade.ledger.internal.ByteWriter;

/**
 * What every node of a chain agrees on before the first block: the chain id, the initial balances
 * and the authorities (the accounts that may mint rewards and slash stake).
 *
 * <p>Immutable; maps and sets are copied into sorted, unmodifiable form so that equal
 * configurations encode and hash identically.
 *
 * @param chainId the chain id every transaction must carry
 * @param allocations initial balances in micro-coins (each more than 0)
 * @param authorities accounts allowed to send {@link Payload.Reward} and {@link Payload.Slash}
 * @param timestamp the genesis block's time, epoch milliseconds
 */
public record Genesis(
    int chainId, Map<Address, Long> allocations, Set<Address> authorities, long timestamp) {

  /** The proposer recorded in the genesis block: twenty zero bytes. */
  public static final Address NO_PROPOSER = Address.ofBytes(new byte[Address.LENGTH]);

  public Genesis {
    Objects.requireNonNull(allocations, "allocations");
    Objects.requireNonNull(authorities, "authorities");
    TreeMap<Address, Long> sorted = new TreeMap<>();
    long total = 0;
    for (Map.Entry<Address, Long> e : allocations.entrySet()) {
      Address a = Objects.requireNonNull(e.getKey(), "allocations key");
      long v = Objects.requireNonNull(e.getValue(), "allocations value");
      if (v <= 0) {
        throw new IllegalArgumentException("allocations[%s] %d must be > 0".formatted(a, v));
      }
      try {
        total = Math.addExact(total, v);
      } catch (ArithmeticException x) {
        throw new IllegalArgumentException("allocations total overflows a long", x);
      }
      sorted.put(a, v);
    }
    allocations = Collections.unmodifiableMap(sorted);
    authorities = Collections.unmodifiableSet(new TreeSet<>(authorities));
    if (timestamp < 0) {
      throw new IllegalArgumentException("timestamp %d must be >= 0".formatted(timestamp));
    }
  }

  /**
   * The state before block 1.
   *
   * @return the genesis state
   */
  public LedgerState state() {
    return LedgerState.genesis(this);
  }

  /**
   * Hash of the canonical encoding of this configuration.
   *
   * @return the configuration hash, recorded in the genesis block's seal
   */
  public Hash configHash() {
    return Hash.sha256(encode());
  }

  private static final byte[] MAGIC =
      "GridTrade/genesis/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * The canonical encoding, for a genesis file every node of the chain shares: a magic and version
   * tag, chain id, time, the allocations sorted by address, the authorities sorted.
   *
   * @return a fresh array
   */
  public byte[] encode() {
    ByteWriter w = new ByteWriter(64 + allocations.size() * 28 + authorities.size() * 20);
    w.raw(MAGIC);
    w.i32(chainId).i64(timestamp).i32(allocations.size());
    allocations.forEach((a, v) -> w.raw(a.unsafeBytes()).i64(v));
    w.i32(authorities.size());
    authorities.forEach(a -> w.raw(a.unsafeBytes()));
    return w.toByteArray();
  }

  /**
   * Decodes {@link #encode()}'s form, accepting only the canonical one (sorted, no duplicates).
   *
   * @param bytes the encoded genesis
   * @return the genesis
   * @throws DecodeException if the bytes are not exactly one canonical genesis encoding
   */
  public static Genesis decode(byte[] bytes) throws DecodeException {
    java.util.Objects.requireNonNull(bytes, "bytes");
    org.gridtrade.ledger.internal.ByteReader r =
        new org.gridtrade.ledger.internal.ByteReader(bytes);
    if (!java.util.Arrays.equals(
        r.raw(Math.min(MAGIC.length, r.remaining()), "genesis.magic"), MAGIC)) {
      throw new DecodeException("genesis.magic: not a GridTrade genesis (version 1)");
    }
    int chainId = r.i32("genesis.chainId");
    long timestamp = r.i64("genesis.timestamp");
    int n = r.i32("genesis.allocations.count");
    if (n < 0 || (long) n * (Address.LENGTH + 8) > r.remaining()) {
      throw new DecodeException(
          "genesis.allocations.count %d cannot fit in %d bytes".formatted(n, r.remaining()));
    }
    TreeMap<Address, Long> alloc = new TreeMap<>();
    Address previous = null;
    for (int i = 0; i < n; i++) {
      Address a = Address.ofBytes(r.raw(Address.LENGTH, "genesis.allocations[" + i + "]"));
      if (previous != null && previous.compareTo(a) >= 0) {
        throw new DecodeException("genesis.allocations[%d]: not sorted or duplicate".formatted(i));
      }
      alloc.put(a, r.i64("genesis.allocations[" + i + "].amount"));
      previous = a;
    }
    int m = r.i32("genesis.authorities.count");
    if (m < 0 || (long) m * Address.LENGTH > r.remaining()) {
      throw new DecodeException(
          "genesis.authorities.count %d cannot fit in %d bytes".formatted(m, r.remaining()));
    }
    TreeSet<Address> auth = new TreeSet<>();
    previous = null;
    for (int i = 0; i < m; i++) {
      Address a = Address.ofBytes(r.raw(Address.LENGTH, "genesis.authorities[" + i + "]"));
      if (previous != null && previous.compareTo(a) >= 0) {
        throw new DecodeException("genesis.authorities[%d]: not sorted or duplicate".formatted(i));
      }
      auth.add(a);
      previous = a;
    }
    r.expectEnd("genesis");
    try {
      return new Genesis(chainId, alloc, auth, timestamp);
    } catch (IllegalArgumentException e) {
      throw new DecodeException("genesis: " + e.getMessage());
    }
  }

  /**
   * The genesis block: height 0, no transactions, the genesis state root, and the configuration
   * hash as its seal, so two nodes with different genesis files disagree from block 0.
   *
   * @return block 0
   */
  public Block block() {
    return block(state().root());
  }

  /** The genesis block for a state root computed by the caller. */
  Block block(Hash stateRoot) {
    BlockHeader h =
        new BlockHeader(
            0,
            Hash.ZERO,
            MerkleTree.root(java.util.List.of()),
            0,
            stateRoot,
            timestamp,
            NO_PROPOSER,
            configHash().bytes());
    return new Block(h, java.util.List.of());
  }
}

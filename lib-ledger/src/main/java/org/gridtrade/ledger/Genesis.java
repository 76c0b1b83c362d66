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
    ByteWriter w = new ByteWriter(64 + allocations.size() * 28 + authorities.size() * 20);
    w.raw("GridTrade/genesis/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    w.i32(chainId).i64(timestamp).i32(allocations.size());
    allocations.forEach((a, v) -> w.raw(a.unsafeBytes()).i64(v));
    w.i32(authorities.size());
    authorities.forEach(a -> w.raw(a.unsafeBytes()));
    return Hash.sha256(w.toByteArray());
  }

  /**
   * The genesis block: height 0, no transactions, the genesis state root, and the configuration
   * hash as its seal, so two nodes with different genesis files disagree from block 0.
   *
   * @return block 0
   */
  public Block block() {
    BlockHeader h =
        new BlockHeader(
            0,
            Hash.ZERO,
            MerkleTree.root(java.util.List.of()),
            0,
            state().root(),
            timestamp,
            NO_PROPOSER,
            configHash().bytes());
    return new Block(h, java.util.List.of());
  }
}

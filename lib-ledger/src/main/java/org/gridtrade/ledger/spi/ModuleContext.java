package org.gridtrade.ledger.spi;

import java.util.Optional;
import java.util.Set;
import org.gridtrade.ledger.Account;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.TxResult;

/**
 * What a {@link LedgerModule} sees of the block being applied and the state: reads of any key,
 * writes to its own namespace, and coin movements that conserve the supply. Writes are staged: the
 * chain keeps them only if the transaction (or the end-of-block hook) completes, and commits a
 * block's writes to the state tree together. Valid only during the call it is passed to; not
 * thread-safe.
 */
public interface ModuleContext {

  /** The largest value a module may store under one key, in bytes. */
  int MAX_VALUE_BYTES = 64 * 1024;

  /**
   * The height of the block being applied.
   *
   * @return 1 or more
   */
  long height();

  /**
   * The time of the block being applied, epoch milliseconds (the header's, the same on every node).
   *
   * @return the block time
   */
  long blockTime();

  /**
   * The block's proposer (it receives the block's fees after the end-of-block hooks).
   *
   * @return the proposer
   */
  Address proposer();

  /**
   * The chain id.
   *
   * @return the chain id
   */
  int chainId();

  /**
   * The chain's authorities, as in its genesis.
   *
   * @return an unmodifiable sorted set
   */
  Set<Address> authorities();

  /**
   * The value under a key now: with the writes of the block's earlier transactions and of this
   * call. Account keys read the account as {@link #account} does; the chain's counters (namespace
   * 0) read their value at the start of the block.
   *
   * @param key any key
   * @return a copy of the value, or empty if absent
   */
  Optional<byte[]> get(StateKey key);

  /**
   * The value under a key at the start of the block, before any of its transactions.
   *
   * @param key any key
   * @return a copy of the value, or empty if absent
   */
  Optional<byte[]> committed(StateKey key);

  /**
   * Stores a value.
   *
   * @param key a key in the module's own namespace
   * @param value 0 to {@value #MAX_VALUE_BYTES} bytes (copied)
   * @throws IllegalArgumentException if the key is in another namespace or the value too large
   */
  void put(StateKey key, byte[] value);

  /**
   * Removes a key (nothing happens if it is absent).
   *
   * @param key a key in the module's own namespace
   * @throws IllegalArgumentException if the key is in another namespace
   */
  void delete(StateKey key);

  /**
   * An account now, with the block's earlier transactions and this call applied.
   *
   * @param address the account
   * @return its state, or {@link Account#EMPTY}
   */
  Account account(Address address);

  /**
   * Moves coins between balances; the total supply does not change.
   *
   * @param from the transaction's sender or the module's own account ({@link
   *     LedgerModule#account(String)}); in {@link LedgerModule#endBlock} only the module's account
   * @param to any account
   * @param amount micro-coins, more than 0
   * @return empty if moved, or {@code INSUFFICIENT_FUNDS} naming the balance and the amount
   * @throws IllegalArgumentException if {@code from} is neither, or the amount is not positive
   */
  Optional<TxResult.Rejected> transfer(Address from, Address to, long amount);
}

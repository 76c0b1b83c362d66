package org.gridtrade.ledger.spi;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;

/**
 * An on-chain module: a deterministic state machine over a key namespace of its own, run by every
 * node on every block, so that no single party decides its outcome.
 *
 * <p>A transaction reaches a module as a {@link Payload.Call} naming it; the chain first checks the
 * chain id and the nonce, then hands the transaction to {@link #execute}, which checks it against
 * the state, writes its changes through the {@link ModuleContext}, or rejects it; then the chain
 * charges the fee and advances the sender's nonce. A rejected call changes nothing: the context
 * discards every write it made. After the block's transactions, {@link #endBlock} runs for every
 * module, in the order of their names (a market clears at its gate closure there), and then the
 * proposer receives the fees. The chain's own payloads (transfers, stakes, trades, ratings, meter
 * readings, demand-response settlements) run through the same steps as the built-in modules {@code
 * coins}, {@code trades}, {@code metering} and {@code demand-response}.
 *
 * <p>The modules a chain runs are part of its configuration ({@link
 * org.gridtrade.ledger.Genesis#modules()}): every node must run the same ones, at the same version,
 * or the nodes compute different state roots and disagree at the first block that uses them.
 *
 * <p><b>Determinism.</b> Every node must compute bit-identical state from the same blocks, on any
 * JVM, in any locale and time zone. So a module: reads only the context and the transaction (never
 * the clock, the environment, a random source or a file); does integer arithmetic (exact, e.g.
 * {@link Math#addExact}; an {@link ArithmeticException} rejects the transaction as {@code
 * OVERFLOW}); never iterates a hash-ordered collection into its state; formats with {@code
 * Locale.ROOT}; breaks ties by a stable id (the transaction id). The state tree places keys by
 * their hash, so it has no key order to scan: a module that needs to enumerate its records keeps
 * its own index (a counter and numbered keys, as an on-chain contract does). A module must be
 * stateless itself (its state lives in the context), and thread-safe.
 */
public interface LedgerModule {

  /** The lowest namespace a module may own; 0 to 15 belong to the chain itself. */
  int FIRST_NAMESPACE = 16;

  /**
   * The module's name, as {@link Payload.Call#module()} and {@link
   * org.gridtrade.ledger.Genesis#modules()} give it: 1 to 32 characters of {@code a-z}, {@code 0-9}
   * and {@code -}, starting with a letter.
   *
   * @return the name
   */
  String name();

  /**
   * The namespace of the state keys this module writes (it may read any key).
   *
   * @return {@value #FIRST_NAMESPACE} to 255, different from every other module of the chain
   */
  int namespace();

  /**
   * Checks one transaction against the state and applies it.
   *
   * @param ctx the block being applied and the state so far (earlier transactions of the block
   *     included)
   * @param tx the transaction, its signature checked; its payload is a {@link Payload.Call} naming
   *     this module (the built-in modules receive their own payload types)
   * @return empty if applied, or why not (the context's writes are then discarded). A {@link
   *     RuntimeException} thrown here rejects the transaction too, with its message
   */
  Optional<TxResult.Rejected> execute(ModuleContext ctx, Transaction tx);

  /**
   * Runs after the block's transactions, on every block (whether or not it holds calls to this
   * module): for work due at a height, such as a market's gate closure. The context has no sender:
   * {@link ModuleContext#transfer} may only move coins out of {@link #account(String) the module's
   * account}. It must not fail: a hook that throws makes the block invalid, so a proposer could not
   * build one.
   *
   * @param ctx the block being applied, after its transactions
   */
  default void endBlock(ModuleContext ctx) {}

  /**
   * The account a module holds coins in (escrow, deposits): {@code SHA-256("GridTrade/module/" ‖
   * name)}'s first 20 bytes. No key signs for it; only the module moves its coins.
   *
   * @param moduleName the module's name
   * @return its account
   */
  static Address account(String moduleName) {
    byte[] h =
        Hash.sha256(("GridTrade/module/" + moduleName).getBytes(StandardCharsets.US_ASCII)).bytes();
    return Address.ofBytes(java.util.Arrays.copyOf(h, Address.LENGTH));
  }
}

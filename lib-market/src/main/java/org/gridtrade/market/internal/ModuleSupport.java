package org.gridtrade.market.internal;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.RejectReason;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.ModuleContext;

/** What the market modules share: escrow payouts, refusals, lists of ids due at a height. */
public final class ModuleSupport {
  private ModuleSupport() {}

  /**
   * Pays out of a module's escrow; an amount of 0 moves nothing. The modules only pay what their
   * records say the escrow holds, so a refusal here is a broken invariant, not a business outcome:
   * it makes the block unbuildable rather than settle wrongly.
   *
   * @param ctx the module's context
   * @param from the escrow account
   * @param to the payee
   * @param amount micro-coins, 0 or more
   * @throws IllegalStateException if the escrow cannot pay
   */
  public static void move(ModuleContext ctx, Address from, Address to, long amount) {
    if (amount > 0) {
      ctx.transfer(from, to, amount)
          .ifPresent(
              r -> {
                throw new IllegalStateException("escrow invariant broken: " + r);
              });
    }
  }

  /**
   * A refusal by a module's own rules.
   *
   * @param module the module's name, which starts the message
   * @param detail the rule, the field and the value
   * @return the refusal
   */
  public static Optional<TxResult.Rejected> refused(String module, String detail) {
    return Optional.of(new TxResult.Rejected(RejectReason.MODULE_RULE, module + ": " + detail));
  }

  /**
   * A list of 8-byte ids (the markets, auctions or rounds due at one height) with one more.
   *
   * @param ids the list so far, possibly empty
   * @param id the id to add
   * @return the longer list
   */
  public static byte[] appended(byte[] ids, long id) {
    return ByteBuffer.allocate(ids.length + 8).put(ids).putLong(id).array();
  }

  /**
   * The data of a transaction's call to a module with one operation and length, for the modules'
   * rating decoders.
   *
   * @param tx a transaction
   * @param module the module's name
   * @param op the operation byte
   * @param length the call data's exact length
   * @return the data, or empty if the transaction is no such call
   */
  public static Optional<byte[]> callData(Transaction tx, String module, byte op, int length) {
    if (!(tx.body().payload() instanceof Payload.Call c) || !c.module().equals(module)) {
      return Optional.empty();
    }
    byte[] d = c.data();
    return d.length == length && d[0] == op ? Optional.of(d) : Optional.empty();
  }
}

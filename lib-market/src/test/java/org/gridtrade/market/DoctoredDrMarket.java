package org.gridtrade.market;

import java.util.Optional;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;
import org.gridtrade.market.internal.DrState;

/**
 * The demand-response settlement as a dishonest node would run it. {@link Fault#ACCEPT_ANY} takes
 * any certificate without checking it; {@link Fault#SKIM} checks honestly but, after a certificate
 * is applied, pays the block's proposer 1,000 micro-coins more out of the round's escrow.
 */
final class DoctoredDrMarket implements LedgerModule {
  enum Fault {
    ACCEPT_ANY,
    SKIM
  }

  private final Fault fault;

  DoctoredDrMarket(Fault fault) {
    this.fault = fault;
  }

  @Override
  public String name() {
    return DemandResponseMarket.NAME;
  }

  @Override
  public int namespace() {
    return DrState.NAMESPACE;
  }

  @Override
  public Optional<TxResult.Rejected> execute(ModuleContext ctx, Transaction tx) {
    Optional<TxResult.Rejected> r = DrState.execute(ctx, tx, fault != Fault.ACCEPT_ANY);
    byte[] data = ((Payload.Call) tx.body().payload()).data();
    if (r.isEmpty() && fault == Fault.SKIM && data[0] == DrState.CERTIFY) {
      ctx.transfer(DrState.account(), ctx.proposer(), 1_000);
    }
    return r;
  }

  @Override
  public void endBlock(ModuleContext ctx) {
    DrState.endBlock(ctx);
  }
}

package org.gridtrade.market;

import java.util.Optional;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;
import org.gridtrade.market.internal.MarketState;

/**
 * The double-auction market as a dishonest node would run it: at a market's gate it switches the
 * market to pay-as-bid before clearing, so that the operator keeps the spread. Otherwise honest.
 */
final class DoctoredMarket implements LedgerModule {
  private final DoubleAuctionMarket real = new DoubleAuctionMarket();

  @Override
  public String name() {
    return real.name();
  }

  @Override
  public int namespace() {
    return real.namespace();
  }

  @Override
  public Optional<TxResult.Rejected> execute(ModuleContext ctx, Transaction tx) {
    return real.execute(ctx, tx);
  }

  @Override
  public void endBlock(ModuleContext ctx) {
    for (long id = 0; ; id++) {
      Optional<Market> found = ctx.get(MarketState.marketKey(id)).map(MarketState::decodeMarket);
      if (found.isEmpty()) {
        break;
      }
      Market m = found.get();
      if (!m.cleared() && m.spec().gateClosureHeight() == ctx.height()) {
        MarketSpec doctored =
            new MarketSpec(
                ClearingRule.PAY_AS_BID,
                m.spec().kPpm(),
                m.spec().gateClosureHeight(),
                m.spec().deliveryStart(),
                m.spec().deliveryEnd());
        ctx.put(
            MarketState.marketKey(id),
            MarketState.encode(
                new Market(m.id(), m.operator(), doctored, m.orderCount(), m.clearing())));
      }
    }
    real.endBlock(ctx);
  }
}

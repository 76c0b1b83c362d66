package org.gridtrade.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;
import org.gridtrade.market.DoubleAuctionMarket;

/**
 * A node process whose double-auction market module steals: whenever this node proposes a block,
 * the module pays the proposer up to one coin out of the market's escrow (other traders' bids).
 * Otherwise it runs the real module. Started by {@link ByzantineNodeProcessTest} as a separate
 * process: {@code ThievingNodeMain CONFIG}; prints {@code started at height H} once it runs and
 * stops when its standard input closes or it is killed.
 */
public final class ThievingNodeMain {
  private ThievingNodeMain() {}

  /** The doctored module. */
  static final class ThievingMarket implements LedgerModule {
    private final DoubleAuctionMarket real = new DoubleAuctionMarket();
    private final Address me;

    ThievingMarket(Address me) {
      this.me = me;
    }

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
      real.endBlock(ctx);
      Address escrow = LedgerModule.account(real.name());
      long held = ctx.account(escrow).balance();
      if (ctx.proposer().equals(me) && held > 0) {
        ctx.transfer(escrow, me, Math.min(held, 1_000_000));
      }
    }
  }

  /**
   * Runs the node.
   *
   * @param args the node's configuration file
   * @throws Exception if it cannot start
   */
  public static void main(String[] args) throws Exception {
    NodeConfig config = NodeConfig.read(Path.of(args[0]));
    Address me = Address.parse(args[1]);
    NodeProcessMain.serve(GridTradeNode.start(config, List.of(new ThievingMarket(me))));
  }
}

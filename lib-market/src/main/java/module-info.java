/**
 * GridTrade markets on chain: deterministic ledger modules that hold orders with escrow and clear
 * them at gate closure on every node, in integer units (docs/markets.md).
 */
module org.gridtrade.market {
  requires transitive org.gridtrade.ledger;
  requires transitive org.gridtrade.auction;

  exports org.gridtrade.market;
}

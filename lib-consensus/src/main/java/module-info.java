/** GridTrade consensus (not yet implemented: this module exports nothing). */
module org.gridtrade.consensus {
  requires transitive org.gridtrade.ledger;
}

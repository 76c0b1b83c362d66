/** GridTrade Stackelberg game (not yet implemented: this module exports nothing). */
module org.gridtrade.game {
  requires org.gridtrade.auction;
}

/** One small program per GridTrade library, written against the public API only. */
module com.example.consumer {
  requires transitive org.gridtrade.ledger;
  requires transitive org.gridtrade.consensus;
  requires transitive org.gridtrade.auction;
  requires transitive org.gridtrade.market;
  requires transitive org.gridtrade.game;
  requires transitive org.gridtrade.coalition;
  requires org.gridtrade.testkit;

  exports com.example.consumer;
}

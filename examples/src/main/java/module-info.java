/**
 * The {@code gridtrade} command, its demos and studies: written against the GridTrade libraries'
 * public API only, which this module declaration makes the compiler enforce (a library's internal
 * packages are not exported, so using one does not compile).
 */
module org.gridtrade.examples {
  requires org.gridtrade.ledger;
  requires org.gridtrade.consensus;
  requires org.gridtrade.testkit;
  requires org.gridtrade.node;
  requires org.gridtrade.auction;
  requires org.gridtrade.market;
  requires org.gridtrade.game;
  requires org.gridtrade.coalition;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;
  requires org.knowm.xchart;
  requires java.desktop;
  requires java.net.http;

  // picocli reads the commands' annotated fields reflectively
  opens org.gridtrade.examples.cli to
      info.picocli;
  opens org.gridtrade.examples.auction to
      info.picocli;
  opens org.gridtrade.examples.cluster to
      info.picocli;
}

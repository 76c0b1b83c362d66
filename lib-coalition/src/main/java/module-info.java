/**
 * GridTrade coalitions: a line-loss model, loss-minimising transfers inside a coalition of
 * prosumers, merge-and-split formation to a stable partition, Proof of Energy Generation scores,
 * miner selection, mining rewards, Shapley values and payoffs (Moniruzzaman Ch. 3;
 * docs/coalition.md).
 *
 * <p>Units: energy in kWh, distances in km, prices in cents/kWh ({@code double}). Results are plain
 * records; this module does not depend on the ledger or on consensus.
 */
module org.gridtrade.coalition {
  requires ojalgo;
  requires org.slf4j;

  exports org.gridtrade.coalition;
}

/**
 * GridTrade consensus: a block engine that turns pending transactions into sealed blocks, a
 * consensus SPI small enough to implement a protocol in one class, a consensus schedule that
 * switches protocol at a given height, Proof of Authority (Clique, EIP-225), Proof of Energy
 * Generation, Proof of State of Charge, and an in-process network for running several nodes in one
 * JVM.
 *
 * <p>API: {@link org.gridtrade.consensus}; protocol SPI: {@link org.gridtrade.consensus.spi}; one
 * package per protocol: {@link org.gridtrade.consensus.poa}, {@link org.gridtrade.consensus.poeg},
 * {@link org.gridtrade.consensus.posoc} and {@link org.gridtrade.consensus.trust}.
 */
module org.gridtrade.consensus {
  requires transitive org.gridtrade.ledger;
  requires org.slf4j;

  exports org.gridtrade.consensus;
  exports org.gridtrade.consensus.spi;
  exports org.gridtrade.consensus.poa;
  exports org.gridtrade.consensus.poeg;
  exports org.gridtrade.consensus.posoc;
  exports org.gridtrade.consensus.cluster;
  exports org.gridtrade.consensus.trust;
}

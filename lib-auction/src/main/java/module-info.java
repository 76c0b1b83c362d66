/**
 * GridTrade auctions: sealed-bid reverse auctions, one-shot double auctions, a continuous order
 * book, the iterative demand-response double auction with a direct social-welfare solver,
 * supply–demand-ratio pricing, surplus-share (MES) allocation and trust-rated market access.
 *
 * <p>Units: energy in kWh, prices in cents/kWh ({@code double}). Results are plain records; this
 * module does not depend on the ledger.
 */
module org.gridtrade.auction {
  requires ojalgo;
  requires org.slf4j;

  exports org.gridtrade.auction;
}

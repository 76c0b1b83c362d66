/**
 * Haider's trust layer (docs/trust.md): the trust formulas ({@link
 * org.gridtrade.consensus.trust.TrustScores}, Alg. 1–4), the trust rating points lib-auction's
 * trust-rated access takes, and a {@link org.gridtrade.consensus.trust.TrustIndex} that folds the
 * ledger's blocks (first appearances, confirmed energy trades, {@link
 * org.gridtrade.ledger.Payload.Rating ratings}) into every trader's trust, so any node recomputes
 * the same numbers from the chain. The trust-stake consensus protocol is {@link
 * org.gridtrade.consensus.trust.TrustStake}.
 */
package org.gridtrade.consensus.trust;

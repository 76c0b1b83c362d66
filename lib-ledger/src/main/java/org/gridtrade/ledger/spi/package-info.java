/**
 * Service-provider interfaces of the ledger: {@link org.gridtrade.ledger.spi.BlockStore}, to keep
 * blocks in a database of the integrator's choice, and {@link
 * org.gridtrade.ledger.spi.LedgerModule}, for on-chain modules (markets, for one) that every node
 * runs as part of the chain's state transition, with {@link org.gridtrade.ledger.spi.RatingDecoder}
 * to let trust be computed from the ratings a module accepts.
 */
package org.gridtrade.ledger.spi;

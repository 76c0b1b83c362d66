/**
 * Service-provider interfaces of the ledger: {@link org.gridtrade.ledger.spi.BlockStore}, to keep
 * blocks in a database of the integrator's choice.
 */
package org.gridtrade.ledger.spi;

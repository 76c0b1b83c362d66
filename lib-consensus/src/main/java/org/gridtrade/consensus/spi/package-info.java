/**
 * The consensus SPI: what a protocol implements ({@link
 * org.gridtrade.consensus.spi.ConsensusProtocol}) and what it may read ({@link
 * org.gridtrade.consensus.spi.ChainView}).
 *
 * <p>A new protocol is one class implementing {@code ConsensusProtocol}; the block engine and the
 * {@link org.gridtrade.consensus.ConsensusSchedule} do the rest (building, appending, networking,
 * switching protocol at a height).
 */
package org.gridtrade.consensus.spi;

/**
 * The GridTrade ledger API: hashes and Merkle proofs, keys and signatures, transactions, blocks,
 * account state, the mempool, chain verification and block stores.
 *
 * <p>Units: energy in watt-hours ({@code long}), money in micro-coins ({@code long}); {@link
 * org.gridtrade.ledger.Units} converts from the optimisation modules' kWh and cents.
 */
package org.gridtrade.ledger;

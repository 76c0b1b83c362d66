/**
 * Proof of State of Charge as a consensus protocol: {@link
 * org.gridtrade.consensus.posoc.ProofOfStateOfCharge}: the period aggregator drawn by the daily
 * state-of-charge scores (Moniruzzaman Ch. 4), with the recorded global model hash.
 */
package org.gridtrade.consensus.posoc;

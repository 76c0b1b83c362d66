/**
 * Proof of Energy Generation as a consensus protocol: {@link
 * org.gridtrade.consensus.poeg.ProofOfEnergyGeneration}: coalitions drawn by their energy proof
 * scores (Moniruzzaman Ch. 3), with rewards and stake slashing.
 */
package org.gridtrade.consensus.poeg;

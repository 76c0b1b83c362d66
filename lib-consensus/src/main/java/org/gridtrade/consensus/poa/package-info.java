/**
 * Proof of Authority as a consensus protocol: {@link org.gridtrade.consensus.poa.ProofOfAuthority}:
 * Clique (EIP-225) sealers, votes, checkpoints, in-turn and out-of-turn sealing.
 */
package org.gridtrade.consensus.poa;

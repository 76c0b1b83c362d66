/**
 * GridTrade consensus: the {@link org.gridtrade.consensus.BlockEngine}, the {@link
 * org.gridtrade.consensus.ConsensusSchedule}, {@link org.gridtrade.consensus.poa.ProofOfAuthority},
 * {@link org.gridtrade.consensus.poeg.ProofOfEnergyGeneration}, {@link
 * org.gridtrade.consensus.posoc.ProofOfStateOfCharge} (with {@link
 * org.gridtrade.consensus.StateOfChargeScores} and {@link
 * org.gridtrade.consensus.FederatedAveraging}), equivocation {@link
 * org.gridtrade.consensus.Evidence}, and the {@link org.gridtrade.consensus.Transport} with its
 * in-process {@link org.gridtrade.consensus.InMemoryNetwork}. The rules of each protocol, and where
 * they depart from the source documents, are in docs/consensus.md and docs/trust.md.
 *
 * <pre>{@code
 * ProofOfAuthority poa = ProofOfAuthority.builder().sealers(sealerAddresses).build();
 * try (BlockEngine node = BlockEngine.builder()
 *     .genesis(genesis)
 *     .store(BlockStores.openDurable(Path.of("data/chain.mv")))
 *     .schedule(ConsensusSchedule.of(poa))
 *     .sealingKey(myKey)
 *     .build()) {
 *   node.start();
 *   node.submit(signedTransaction);
 * }
 * }</pre>
 */
package org.gridtrade.consensus;

/**
 * Cluster attestation of meter readings (Ahmad et al. §IV–V; docs/security.md, "Cluster
 * attestation") and the installed-capacity check (Ahmad et al. §IV; docs/auction.md, "Magnitude of
 * energy share").
 *
 * <p>Smart meters are grouped in {@link org.gridtrade.consensus.cluster.MeterCluster clusters},
 * each with a parent node; a {@link org.gridtrade.consensus.cluster.ClusterTopology} gives every
 * cluster up to three neighbour nodes (the parents of the nearest other clusters). Meters send each
 * signed reading, a {@link org.gridtrade.ledger.Payload.MeterReading} transaction, to the parent
 * and to the neighbours. The parent signs a {@link org.gridtrade.consensus.cluster.ReadingBatch};
 * the neighbours sign {@link org.gridtrade.consensus.cluster.NeighbourCopy copies} of what they
 * received; {@link org.gridtrade.consensus.cluster.ClusterAttestation} accepts the batch only when
 * the copies agree (the first layer), and the attested readings are then submitted to the {@link
 * org.gridtrade.consensus.BlockEngine} like any transaction (the second layer).
 *
 * <pre>{@code
 * ClusterTopology topology = ClusterTopology.of(clusters);
 * ClusterAttestation layer1 = ClusterAttestation.of(topology);
 * AttestationResult r = layer1.attest(batch, copiesFromNeighbours);
 * if (r instanceof AttestationResult.Attested a) {
 *   a.batch().readings().forEach(engine::submit);
 * }
 * }</pre>
 *
 * <p>Every type is immutable and thread-safe; decisions on data from the network are results with
 * reasons, not exceptions. See {@code docs/security.md} for the attacks this layer stops.
 */
package org.gridtrade.consensus.cluster;

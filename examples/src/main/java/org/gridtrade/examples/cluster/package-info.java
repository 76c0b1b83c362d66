/**
 * Runnable example of seed 003's cluster attestation ({@code org.gridtrade.consensus.cluster}):
 * {@code ./gridtrade example cluster-attestation}.
 */
package org.gridtrade.examples.cluster;

/**
 * Runnable example of Ahmad et al.'s cluster attestation ({@code org.gridtrade.consensus.cluster}):
 * {@code ./gridtrade example cluster-attestation}.
 */
package org.gridtrade.examples.cluster;

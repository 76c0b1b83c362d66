package org.gridtrade.consensus;

import org.gridtrade.ledger.Block;

/**
 * A block received from a peer.
 *
 * @param block the decoded block
 * @param from the peer's id
 * @param bytes the length of its encoding
 */
record Received(Block block, String from, long bytes) {}

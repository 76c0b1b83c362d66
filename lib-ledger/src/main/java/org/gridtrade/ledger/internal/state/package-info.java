/**
 * The authenticated, versioned state tree: a 256-bit sparse Merkle tree stored as 16-ary nodes in
 * the style of the Jellyfish Merkle Tree. Not exported, not API.
 */
package org.gridtrade.ledger.internal.state;

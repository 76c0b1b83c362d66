/** Implementation of the consensus module; not exported, not API. */
package org.gridtrade.consensus.internal;

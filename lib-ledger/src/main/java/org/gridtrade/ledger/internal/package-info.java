/** Implementation of the ledger; not exported, not API. */
package org.gridtrade.ledger.internal;

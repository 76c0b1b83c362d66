/** Implementation of the auctions; not exported, not API. */
package org.gridtrade.auction.internal;

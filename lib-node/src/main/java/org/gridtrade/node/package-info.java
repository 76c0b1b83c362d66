/** A GridTrade node over the network: transport, identities, wire codec. */
package org.gridtrade.node;

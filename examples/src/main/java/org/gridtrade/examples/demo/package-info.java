/**
 * The flagship community day as explicit stages: the markets of the day ({@code CommunityDay}), the
 * leader election on chain ({@code DemoElection}), one set-up per consensus protocol, and the
 * network that carries the day's transactions ({@code DemoChain}); and the ledger's own demo.
 */
package org.gridtrade.examples.demo;

/**
 * The {@code gridtrade} command and its demos: runnable programs that use the GridTrade libraries
 * only through their public API, as a user would.
 *
 * <ul>
 *   <li>{@code cli}: the thin commands; start with {@link
 *       org.gridtrade.examples.cli.GridTradeCommand} ({@code ./gridtrade --help} at the repository
 *       root lists them).
 *   <li>{@code demo}: the flagship community day as explicit stages, one set-up per consensus
 *       protocol, and the ledger's own demo.
 *   <li>{@code study}: the studies (demand-response comparisons, V2V learning, the trust
 *       simulation).
 *   <li>{@code report}: charts and reports built from the records the demos and studies return.
 *   <li>{@code auction}, {@code cluster}: short example programs, one per mechanism.
 * </ul>
 */
package org.gridtrade.examples;

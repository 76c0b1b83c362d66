/**
 * The {@code gridtrade} command and its demos: runnable programs that use the GridTrade libraries
 * only through their public API, as a user would.
 *
 * <ul>
 *   <li>{@link org.gridtrade.examples.cli}: the thin commands; start with {@link
 *       org.gridtrade.examples.cli.GridTradeCommand} ({@code ./gridtrade --help} at the repository
 *       root lists them).
 *   <li>{@link org.gridtrade.examples.demo}: the flagship community day as explicit stages, one
 *       set-up per consensus protocol, and the ledger's own demo.
 *   <li>{@link org.gridtrade.examples.study}: the studies (demand-response comparisons, V2V
 *       learning, the trust simulation).
 *   <li>{@link org.gridtrade.examples.report}: charts and reports built from the records the demos
 *       and studies return.
 *   <li>{@link org.gridtrade.examples.auction}, {@link org.gridtrade.examples.cluster}: short
 *       example programs, one per mechanism.
 * </ul>
 */
package org.gridtrade.examples;

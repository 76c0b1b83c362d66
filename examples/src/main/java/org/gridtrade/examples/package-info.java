/**
 * The {@code gridtrade} command and its demos: runnable programs that use the GridTrade libraries
 * only through their public API, as a user would.
 *
 * <p>Start with {@link org.gridtrade.examples.GridTradeCommand}; {@code ./gridtrade --help} at the
 * repository root lists the demos.
 */
package org.gridtrade.examples;

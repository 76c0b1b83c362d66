/**
 * Runnable example programs, one per auction mechanism of {@code org.gridtrade.auction}. Each has a
 * {@code main} and prints a readable account of what the mechanism did; run one with {@code
 * ./gridtrade example NAME} ({@code ./gridtrade example --list} names them all).
 */
package org.gridtrade.examples.auction;

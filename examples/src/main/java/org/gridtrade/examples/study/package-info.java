/**
 * The studies and simulations behind the documentation's figures and the commands: demand-response
 * comparisons, V2V learning and the algorithms' comparison, the trust simulation, and the market
 * simulation on an in-process network. Each returns records; the commands print them and {@code
 * report} draws them.
 */
package org.gridtrade.examples.study;

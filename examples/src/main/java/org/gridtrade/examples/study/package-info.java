/**
 * The studies behind the documentation's figures: demand-response comparisons, V2V learning and the
 * trust simulation. Each returns records; {@code report} draws them.
 */
package org.gridtrade.examples.study;

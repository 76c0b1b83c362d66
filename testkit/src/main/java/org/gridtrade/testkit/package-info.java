/**
 * A manual clock, the simulated-network driver, test keys and transfers; see the module
 * description.
 */
package org.gridtrade.testkit;

/**
 * Market mechanisms for peer-to-peer energy trading (docs/auction.md and docs/demand-response.md
 * state the rules and where they depart from the source documents). Energy in kWh, prices in
 * cents/kWh. Every mechanism validates its input at the boundary and returns a result record that
 * carries its evidence (trades, welfare, budget, reasons for no trade).
 */
package org.gridtrade.auction;

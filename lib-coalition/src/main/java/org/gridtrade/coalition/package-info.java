/**
 * Coalition formation among prosumers with Proof of Energy Generation (Moniruzzaman Ch. 3; the
 * model as implemented, with its departures from the text, is in docs/coalition.md).
 *
 * <p>Start with a {@link org.gridtrade.coalition.Community} (prosumers in an {@link
 * org.gridtrade.coalition.Area} with a {@link org.gridtrade.coalition.LineLossModel}), form
 * coalitions with {@link org.gridtrade.coalition.CoalitionFormation}, then draw the miner and pay
 * rewards with {@link org.gridtrade.coalition.MiningRound}. {@link org.gridtrade.coalition.Shapley}
 * is a general Shapley-value and core tool for any transferable-utility game; {@link
 * org.gridtrade.coalition.ProfileGenerator} and {@link org.gridtrade.coalition.ProsumerCsv} produce
 * inputs.
 *
 * <p>Units: energy in kWh, distances in km, prices in cents/kWh.
 */
package org.gridtrade.coalition;

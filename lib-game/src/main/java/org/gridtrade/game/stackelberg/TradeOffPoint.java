package org.gridtrade.game.stackelberg;

/**
 * One point of the profit-versus-PAR trade-off curve: the leader's solution for one load-shaping
 * weight {@code w} (objective {@code profit − w·PAR}).
 *
 * @param weight w, cents per unit of PAR
 * @param profit the leader's profit at that weight, cents
 * @param par the PAR of the induced load
 * @param parReduction {@code 1 − par / parUnscheduled}
 * @param relativeGap the profit's gap to the upper bound
 */
public record TradeOffPoint(
    double weight, double profit, double par, double parReduction, double relativeGap) {}

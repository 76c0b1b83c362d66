package org.gridtrade.game.v2v;

/**
 * The outcome of one slot of a {@link V2vEnvironment}.
 *
 * @param hour clock hour of the slot
 * @param requestedKwh the action asked for, kWh
 * @param appliedKwh the action applied after clipping to the feasible interval, kWh (positive =
 *     charge)
 * @param socAfter SOC at the end of the slot
 * @param reward the reward {@code R_t} of Eq. 4.14: {@code tradeReward + departurePenalty}
 * @param tradeReward {@code −δ_t · A_t · (p_v2v,t + Ω_t)}
 * @param departurePenalty {@code −η · (SOC_dep − SOC_max)²} on the departing slot, else 0
 * @param profit money saved or earned by trading V2V instead of with the grid, cents: {@code A ·
 *     (p_Gsell − p_v2v)} for a purchase, {@code |A| · (p_v2v − p_Gbuy)} for a sale
 * @param done whether this was the departing slot
 */
public record V2vStep(
    int hour,
    double requestedKwh,
    double appliedKwh,
    double socAfter,
    double reward,
    double tradeReward,
    double departurePenalty,
    double profit,
    boolean done) {}

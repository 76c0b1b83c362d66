package org.gridtrade.game.v2v;

/**
 * What an EV observes at the start of a slot, before it acts: the state of Moniruzzaman Eq. 4.10,
 * {@code s_t = (δ_t, SOC_t, p_v2v,t, p_Gbuy,t, p_Gsell,t, Ω_t)}, plus the hour and the hours left
 * to departure (the chapter's state omits them, but without them an agent cannot plan for the
 * departure penalty).
 *
 * @param hour clock hour of the slot, 0..23
 * @param hoursToDeparture slots left including this one, 1 or more
 * @param soc state of charge
 * @param delta price factor {@code δ_t} (Eq. 4.3–4.4)
 * @param v2vPrice {@code p_v2v,t}, cents/kWh
 * @param feedInPrice {@code p_Gbuy,t}, cents/kWh
 * @param retailPrice {@code p_Gsell,t}, cents/kWh
 * @param omega service cost {@code Ω_t} (Eq. 4.16), cents/kWh
 */
public record V2vState(
    int hour,
    int hoursToDeparture,
    double soc,
    double delta,
    double v2vPrice,
    double feedInPrice,
    double retailPrice,
    double omega) {}

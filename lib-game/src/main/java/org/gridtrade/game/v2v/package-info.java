/**
 * Vehicle-to-vehicle (V2V) energy trading at a parking hotspot, after Moniruzzaman Ch. 4
 * (docs/v2v.md): the per-EV Markov decision process of Moniruzzaman Eq. 4.10–4.16 ({@link
 * org.gridtrade.game.v2v.V2vEnvironment}), its scenarios and populations (Table 4.1), the exact
 * yardsticks every learner is measured against (the optimal causal policy and the perfect-foresight
 * optimum by dynamic programming), a rule-based policy, a seeded PPO learner, and federated
 * training of a fleet ({@link org.gridtrade.game.v2v.FederatedTraining}, Alg. 4, Eq. 4.17–4.19)
 * with the chapter's baselines; and the hotspot whose V2V trades are cleared each hour by
 * lib-auction's double auction ({@link org.gridtrade.game.v2v.V2vHotspot}), with the fleet's joint
 * perfect-foresight bound and learners trained together there ({@link
 * org.gridtrade.game.v2v.HotspotTraining}).
 *
 * <p>Hours are clock hours 0..23 (hour {@code h} is the slot {@code h:00–h+1:00}); energy in kWh,
 * prices and rewards in cents (prices in cents/kWh); state of charge (SOC) as a fraction of the
 * battery capacity. Every randomised step takes an explicit seed or {@link
 * java.util.random.RandomGenerator}.
 */
package org.gridtrade.game.v2v;

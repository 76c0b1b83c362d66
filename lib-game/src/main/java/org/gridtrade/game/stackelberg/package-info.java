/**
 * The PETS Stackelberg scheme (Aggarwal Ch. 3; docs/stackelberg.md, "The model"): {@link
 * org.gridtrade.game.stackelberg.Ev} followers, the leader's {@link
 * org.gridtrade.game.stackelberg.GenerationCost}, exact follower best responses ({@link
 * org.gridtrade.game.stackelberg.FollowerBestResponse}), the leader's genetic algorithm and the
 * whole game ({@link org.gridtrade.game.stackelberg.StackelbergGame}).
 *
 * <p>Hour index 0 is 08:00; the scheduling day runs from 08:00 to 08:00 the next day, so index 23
 * is 07:00–08:00. Energy in kWh, prices in cents/kWh. Every randomised step takes an explicit seed.
 */
package org.gridtrade.game.stackelberg;

package org.gridtrade.game.v2v;

import java.util.Objects;
import java.util.Optional;

/**
 * What one round of {@link HotspotTraining} did: every EV played the round's days at the cleared
 * hotspot with its exploring policy, trained one PPO update on them, and, when the fleet federates,
 * the local models were averaged.
 *
 * @param round the round, 0 first
 * @param daysPerEv days (episodes) each EV has trained in total after this round
 * @param meanReturn the fleet's mean return per EV and day in the round, under clearing, with the
 *     exploration noise of training
 * @param meanProfit the fleet's mean V2V profit per EV and day in the round
 * @param matchedShare the share of the energy the EVs offered that the auction matched in the round
 * @param globalModelHash the SHA-256 of the averaged model ({@link FederatedTraining#modelHash}),
 *     lowercase hex; empty when the fleet does not federate
 */
public record HotspotRound(
    int round,
    long daysPerEv,
    double meanReturn,
    double meanProfit,
    double matchedShare,
    Optional<String> globalModelHash) {

  /**
   * Checks the hash is present or empty.
   *
   * @throws NullPointerException when globalModelHash is null
   */
  public HotspotRound {
    Objects.requireNonNull(globalModelHash, "globalModelHash");
  }
}

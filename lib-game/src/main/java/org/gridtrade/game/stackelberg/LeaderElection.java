package org.gridtrade.game.stackelberg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The outcome of the leader election (seed 000 Alg. 1, SPEC.md §2): a sealed second-price reverse
 * auction among the SPs with reserve {@code pMax}. The lowest bid wins (ties: the earlier bid); the
 * winner is paid the second-lowest bid, or the reserve when it bids alone. The leader's price cap
 * is {@code min(pMax, second-lowest bid)} ("the price announced by SP_L must be less than all the
 * other SPs").
 *
 * @param leader the winning SP, empty when there is no trade
 * @param payment the second price, empty when there is no trade
 * @param priceCap the leader's cap in cents/kWh ({@code NaN} when there is no trade)
 * @param ranking the admitted bids, lowest first
 * @param noTradeReason why there is no leader; empty when there is one
 */
public record LeaderElection(
    Optional<String> leader,
    OptionalDouble payment,
    double priceCap,
    List<SpBid> ranking,
    String noTradeReason) {

  /**
   * Copies the ranking.
   *
   * @throws NullPointerException on a null component
   */
  public LeaderElection {
    Objects.requireNonNull(leader, "leader");
    Objects.requireNonNull(payment, "payment");
    ranking = List.copyOf(ranking);
    Objects.requireNonNull(noTradeReason, "noTradeReason");
  }

  /**
   * Runs the election.
   *
   * <p>Implemented directly: the second-lowest bid of the admitted bids (a bid above {@code pMax}
   * is not admitted). A cap below {@code pMin} is no trade: the leader could not price within its
   * range below every other SP.
   *
   * @param bids the sealed bids in submission order
   * @param bounds the price range; {@code pMax} is the reserve
   * @return the outcome
   */
  public static LeaderElection run(List<SpBid> bids, PriceBounds bounds) {
    Objects.requireNonNull(bids, "bids");
    Objects.requireNonNull(bounds, "bounds");
    List<SpBid> admitted = new ArrayList<>();
    for (SpBid b : bids) {
      if (b.price() <= bounds.pMax()) {
        admitted.add(b);
      }
    }
    // List.sort is stable: equal bids keep submission order, so the earlier bid wins a tie.
    admitted.sort((a, b) -> Double.compare(a.price(), b.price()));
    if (admitted.isEmpty()) {
      return new LeaderElection(
          Optional.empty(),
          OptionalDouble.empty(),
          Double.NaN,
          admitted,
          "no bid at or below the reserve pMax %s".formatted(bounds.pMax()));
    }
    double second = admitted.size() > 1 ? admitted.get(1).price() : bounds.pMax();
    double cap = Math.min(bounds.pMax(), second);
    if (cap < bounds.pMin()) {
      return new LeaderElection(
          Optional.empty(),
          OptionalDouble.empty(),
          Double.NaN,
          admitted,
          "second-lowest bid %s is below pMin %s: the leader cannot price within [pMin, pMax]"
                  .formatted(second, bounds.pMin())
              + " below every other SP");
    }
    return new LeaderElection(
        Optional.of(admitted.get(0).id()), OptionalDouble.of(second), cap, admitted, "");
  }
}

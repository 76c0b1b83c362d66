package org.gridtrade.game.stackelberg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.ReverseAuction;
import org.gridtrade.auction.ReverseAuctionResult;

/**
 * The outcome of the leader election (Aggarwal Alg. 1; docs/stackelberg.md, "The model"): a sealed
 * second-price reverse auction among the SPs with reserve {@code pMax}. The lowest bid wins (ties:
 * the earlier bid); the winner is paid the second-lowest bid, or the reserve when it bids alone.
 * The leader's price cap is {@code min(pMax, second-lowest bid)} ("the price announced by SP_L must
 * be less than all the other SPs").
 *
 * @param leader the winning SP, empty when there is no trade
 * @param payment the second price, empty when there is no trade
 * @param priceCap the leader's cap in cents/kWh, empty when there is no trade
 * @param ranking the admitted bids, lowest first
 * @param noTradeReason why there is no leader; empty when there is one
 */
public record LeaderElection(
    Optional<String> leader,
    OptionalDouble payment,
    OptionalDouble priceCap,
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
    Objects.requireNonNull(priceCap, "priceCap");
    ranking = List.copyOf(ranking);
    Objects.requireNonNull(noTradeReason, "noTradeReason");
  }

  /**
   * Runs the election on lib-auction's {@link ReverseAuction#secondPrice()} with reserve {@code
   * pMax} (each bid is a one-lot ask). A cap below {@code pMin} is no trade: the leader could not
   * price within its range below every other SP.
   *
   * @param bids the sealed bids in submission order, ids unique
   * @param bounds the price range; {@code pMax} is the reserve
   * @return the outcome
   * @throws IllegalArgumentException when two bids share an id
   */
  public static LeaderElection run(List<SpBid> bids, PriceBounds bounds) {
    Objects.requireNonNull(bids, "bids");
    Objects.requireNonNull(bounds, "bounds");
    List<Order> asks = new ArrayList<>(bids.size());
    for (SpBid b : bids) {
      asks.add(new Order(b.id(), b.price(), 1.0));
    }
    ReverseAuctionResult r = ReverseAuction.secondPrice().withReserve(bounds.pMax()).run(asks);
    List<SpBid> ranking = new ArrayList<>(r.ranking().size());
    for (Order o : r.ranking()) {
      ranking.add(new SpBid(o.id(), o.price()));
    }
    if (!r.traded()) {
      return new LeaderElection(
          Optional.empty(),
          OptionalDouble.empty(),
          OptionalDouble.empty(),
          ranking,
          r.noTradeReason());
    }
    double second = r.payment().getAsDouble();
    double cap = Math.min(bounds.pMax(), second);
    if (cap < bounds.pMin()) {
      return new LeaderElection(
          Optional.empty(),
          OptionalDouble.empty(),
          OptionalDouble.empty(),
          ranking,
          "second-lowest bid %s is below pMin %s: the leader cannot price within [pMin, pMax]"
                  .formatted(second, bounds.pMin())
              + " below every other SP");
    }
    return new LeaderElection(
        r.winner(), OptionalDouble.of(second), OptionalDouble.of(cap), ranking, "");
  }
}

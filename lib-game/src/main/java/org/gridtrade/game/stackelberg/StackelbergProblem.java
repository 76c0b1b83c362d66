package org.gridtrade.game.stackelberg;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One day of the PETS game: the followers, the leader's cost model, its price bounds and its price
 * cap.
 *
 * @param evs the EVs: at least one, ids unique
 * @param cost the leader's generation cost and capacity
 * @param bounds the price range {@code [pMin, pMax]}
 * @param priceCap the leader's cap, {@code min(pMax, second-lowest SP bid)} after the election
 *     (Aggarwal Alg. 1; docs/stackelberg.md, "The model"); within {@code [pMin, pMax]}
 */
public record StackelbergProblem(
    List<Ev> evs, GenerationCost cost, PriceBounds bounds, double priceCap) {

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException on an empty fleet, duplicate EV ids or a cap outside {@code
   *     [pMin, pMax]}
   */
  public StackelbergProblem {
    evs = List.copyOf(evs);
    if (evs.isEmpty()) {
      throw new IllegalArgumentException(
          "evs is empty; the game needs at least one EV (an empty fleet has no load to price)");
    }
    Objects.requireNonNull(cost, "cost");
    Objects.requireNonNull(bounds, "bounds");
    Set<String> ids = new HashSet<>();
    for (Ev ev : evs) {
      if (!ids.add(ev.id())) {
        throw new IllegalArgumentException("EV id %s appears twice".formatted(ev.id()));
      }
    }
    if (!Double.isFinite(priceCap) || priceCap < bounds.pMin() || priceCap > bounds.pMax()) {
      throw new IllegalArgumentException(
          "priceCap %s must lie in [pMin %s, pMax %s]"
              .formatted(priceCap, bounds.pMin(), bounds.pMax()));
    }
  }

  /**
   * A problem without an election: the cap is {@code pMax}.
   *
   * @param evs the EVs
   * @param cost the cost model
   * @param bounds the price range
   * @return the problem
   */
  public static StackelbergProblem of(List<Ev> evs, GenerationCost cost, PriceBounds bounds) {
    return new StackelbergProblem(evs, cost, bounds, bounds.pMax());
  }

  /**
   * This problem with the cap set by a leader election.
   *
   * @param election an election with a leader
   * @return the problem with the election's cap
   * @throws IllegalArgumentException when the election has no leader
   */
  public StackelbergProblem withElection(LeaderElection election) {
    if (election.leader().isEmpty()) {
      throw new IllegalArgumentException("no leader was elected: " + election.noTradeReason());
    }
    return new StackelbergProblem(evs, cost, bounds, election.priceCap().orElseThrow());
  }

  /**
   * {@code Σ_j E_j}.
   *
   * @return total energy in kWh
   */
  public double totalEnergy() {
    return evs.stream().mapToDouble(Ev::energy).sum();
  }
}

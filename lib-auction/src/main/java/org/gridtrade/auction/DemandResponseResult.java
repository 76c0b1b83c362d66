package org.gridtrade.auction;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of the iterative demand-response double auction (Aggarwal Alg. 8;
 * docs/demand-response.md), with its evidence: the bid trace, the welfare gap to the SWM optimum,
 * and the IR and WBB checks.
 *
 * <p>Payments: EV i pays {@code Σ_j min(b_ij, q_i s_ji)} (Eq. 4.15, never more per kWh than its
 * maximum buying price {@code q_i}); SP j is paid {@code Σ_i p_ji s_ji²} (marginal price ×
 * quantity, at least its minimum selling price × quantity). When the EVs' payments fall short of
 * the SPs' revenues (WBB fails, which happens when an {@code e_i^min} bound binds), the settlement
 * rule {@link Settlement#DEFICIT_CHARGED_TO_EVS} charges the deficit to the EVs in proportion to
 * the energy they receive, none past its maximum price, so the auctioneer never loses money; {@code
 * settledEvPayments} carries the result.
 *
 * @param iterations rounds run (one OAP solve plus one bid update by everyone per round)
 * @param converged true if every bid's relative change fell below ξ; false if the auction stopped
 *     at its round or time limit (the other fields then describe the last round)
 * @param trace one entry per round
 * @param allocation the final allocation, every (EV, SP) cell in EV-major order
 * @param evPayments what each EV pays before settlement, in instance order
 * @param spRevenues what each SP is paid, in instance order
 * @param welfare social welfare of the final allocation
 * @param optimalWelfare the SWM optimum from {@link SocialWelfareSolver}
 * @param welfareGap {@code (optimalWelfare − welfare) / |optimalWelfare|} (the denominator at least
 *     {@code 1e-12 · max(1, |welfare|)}, so that the gap stays finite when the optimum is 0)
 * @param individuallyRational every EV's utility covers its settled payment and every SP's revenue
 *     covers its cost
 * @param weaklyBudgetBalanced Σ EV payments ≥ Σ SP revenues before settlement
 * @param settlement the settlement rule applied
 * @param settledEvPayments what each EV pays after settlement, in instance order
 * @param optimumConverged true if the SWM solver met its tolerance; false if it stopped at its
 *     sweep or time limit, in which case {@code optimalWelfare} is its last iterate's welfare
 */
public record DemandResponseResult(
    int iterations,
    boolean converged,
    List<Round> trace,
    List<DrFlow> allocation,
    List<Payment> evPayments,
    List<Payment> spRevenues,
    double welfare,
    double optimalWelfare,
    double welfareGap,
    boolean individuallyRational,
    boolean weaklyBudgetBalanced,
    Settlement settlement,
    List<Payment> settledEvPayments,
    boolean optimumConverged) {

  public DemandResponseResult {
    trace = List.copyOf(Objects.requireNonNull(trace, "trace"));
    allocation = List.copyOf(Objects.requireNonNull(allocation, "allocation"));
    evPayments = List.copyOf(Objects.requireNonNull(evPayments, "evPayments"));
    spRevenues = List.copyOf(Objects.requireNonNull(spRevenues, "spRevenues"));
    settledEvPayments = List.copyOf(Objects.requireNonNull(settledEvPayments, "settledEvPayments"));
    Objects.requireNonNull(settlement, "settlement");
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations %s must be >= 1".formatted(iterations));
    }
    if (!Double.isFinite(welfare) || !Double.isFinite(optimalWelfare)) {
      throw new IllegalArgumentException(
          "welfare %s and optimalWelfare %s must be finite".formatted(welfare, optimalWelfare));
    }
  }

  /** How the payments were settled. */
  public enum Settlement {
    /** WBB held; payments as bid. */
    NONE,
    /**
     * The deficit Σ SP revenue − Σ EV payment was charged to the EVs pro rata to energy, none past
     * its maximum buying price.
     */
    DEFICIT_CHARGED_TO_EVS
  }

  /**
   * One round of the auction.
   *
   * @param round the round number, from 1
   * @param welfare social welfare of this round's allocation
   * @param maxRelativeChange the largest relative change of a bid in the update after this round
   *     (cells with an allocation below the absolute tolerance excluded)
   * @param bids the bids this round's allocation was computed from, EV-major
   */
  public record Round(int round, double welfare, double maxRelativeChange, List<Bid> bids) {
    public Round {
      bids = List.copyOf(Objects.requireNonNull(bids, "bids"));
      if (round < 1) {
        throw new IllegalArgumentException("round %s must be >= 1".formatted(round));
      }
    }
  }

  /**
   * The bids of one (EV, SP) pair.
   *
   * @param evId the EV
   * @param spId the SP
   * @param evBid b_ij, more than 0
   * @param spBid p_ji, more than 0
   */
  public record Bid(String evId, String spId, double evBid, double spBid) {
    public Bid {
      Objects.requireNonNull(evId, "evId");
      Objects.requireNonNull(spId, "spId");
      if (!(evBid > 0) || !(spBid > 0)) {
        throw new IllegalArgumentException(
            "bid %s/%s: evBid %s and spBid %s must be > 0".formatted(evId, spId, evBid, spBid));
      }
    }
  }

  /**
   * A payment by or to one participant.
   *
   * @param id the participant
   * @param amount the amount, finite
   */
  public record Payment(String id, double amount) {
    public Payment {
      Objects.requireNonNull(id, "id");
      if (!Double.isFinite(amount)) {
        throw new IllegalArgumentException(
            "payment %s: amount %s must be finite".formatted(id, amount));
      }
    }
  }
}

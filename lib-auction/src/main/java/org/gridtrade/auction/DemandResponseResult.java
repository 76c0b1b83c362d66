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
 * @param individuallyRational every participant is individually rational against its outside option
 *     under the selected payment rule ({@code payments().individuallyRational()})
 * @param weaklyBudgetBalanced under Eq. 4.15: Σ EV payments ≥ Σ SP revenues before settlement
 * @param settlement the settlement rule applied
 * @param settledEvPayments what each EV pays after settlement, in instance order
 * @param optimumConverged true if the SWM solver met its tolerance; false if it stopped at its
 *     sweep or time limit, in which case {@code optimalWelfare} is its last iterate's welfare
 * @param payments the settlement by the selected payment rule ({@link
 *     DemandResponseAuction.Builder#paymentRule}), per participant, with its IR and WBB checks
 * @param comparedPayments the settlement of the same allocation by the other payment rule, checked
 *     the same way (so Eq. 4.15 is always reported beside the default rule)
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
    boolean optimumConverged,
    Payments payments,
    Payments comparedPayments) {

  public DemandResponseResult {
    trace = List.copyOf(Objects.requireNonNull(trace, "trace"));
    allocation = List.copyOf(Objects.requireNonNull(allocation, "allocation"));
    evPayments = List.copyOf(Objects.requireNonNull(evPayments, "evPayments"));
    spRevenues = List.copyOf(Objects.requireNonNull(spRevenues, "spRevenues"));
    settledEvPayments = List.copyOf(Objects.requireNonNull(settledEvPayments, "settledEvPayments"));
    Objects.requireNonNull(settlement, "settlement");
    Objects.requireNonNull(payments, "payments");
    Objects.requireNonNull(comparedPayments, "comparedPayments");
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

  /**
   * The settlement of an allocation by one payment rule (docs/demand-response.md, "Individual
   * rationality"), every participant judged against its outside option: an EV buys its {@code
   * e_i^min} from the grid at the retail price (utility 0), an SP sells nothing.
   *
   * @param rule the payment rule
   * @param evs one entry per EV, in instance order
   * @param sps one entry per SP, in instance order
   * @param individuallyRational every EV and every SP is individually rational
   * @param weaklyBudgetBalanced Σ EV payments ≥ Σ SP revenues (the auctioneer never loses money),
   *     as paid
   * @param budgetSurplus Σ EV payments − Σ SP revenues, as paid
   */
  public record Payments(
      DemandResponseAuction.PaymentRule rule,
      List<EvOutcome> evs,
      List<SpOutcome> sps,
      boolean individuallyRational,
      boolean weaklyBudgetBalanced,
      double budgetSurplus) {
    public Payments {
      Objects.requireNonNull(rule, "rule");
      evs = List.copyOf(Objects.requireNonNull(evs, "evs"));
      sps = List.copyOf(Objects.requireNonNull(sps, "sps"));
      if (!Double.isFinite(budgetSurplus)) {
        throw new IllegalArgumentException(
            "budgetSurplus %s must be finite".formatted(budgetSurplus));
      }
    }

    /**
     * How many participants (EVs and SPs) are not individually rational.
     *
     * @return 0 or more
     */
    public int irViolations() {
      int n = 0;
      for (EvOutcome e : evs) {
        n += e.individuallyRational() ? 0 : 1;
      }
      for (SpOutcome s : sps) {
        n += s.individuallyRational() ? 0 : 1;
      }
      return n;
    }
  }

  /**
   * One EV's outcome under a payment rule.
   *
   * @param id the EV
   * @param energy the energy it stores, {@code η ρ Σ_j s_ji}, kWh
   * @param utility its utility {@code U_i} (Eq. 4.1) of that energy
   * @param payment what it pays
   * @param outsideOption its payoff without the auction: {@code −retailPrice · e_i^min} (it buys
   *     its minimum from the grid; utility 0)
   * @param individuallyRational {@code utility − payment ≥ outsideOption} (within 1e-9 relative)
   */
  public record EvOutcome(
      String id,
      double energy,
      double utility,
      double payment,
      double outsideOption,
      boolean individuallyRational) {
    public EvOutcome {
      Objects.requireNonNull(id, "id");
      if (!Double.isFinite(energy)
          || !Double.isFinite(utility)
          || !Double.isFinite(payment)
          || !Double.isFinite(outsideOption)) {
        throw new IllegalArgumentException(
            "ev %s: energy %s, utility %s, payment %s and outsideOption %s must be finite"
                .formatted(id, energy, utility, payment, outsideOption));
      }
    }
  }

  /**
   * One SP's outcome under a payment rule.
   *
   * @param id the SP
   * @param supply the energy it supplies, {@code Σ_i s_ji}, kWh
   * @param cost its cost {@code L_j} (Eq. 4.2 with its minimum price per kWh)
   * @param revenue what it is paid
   * @param outsideOption its payoff without the auction: 0 (it sells nothing)
   * @param individuallyRational {@code revenue − cost ≥ outsideOption} (within 1e-9 relative)
   */
  public record SpOutcome(
      String id,
      double supply,
      double cost,
      double revenue,
      double outsideOption,
      boolean individuallyRational) {
    public SpOutcome {
      Objects.requireNonNull(id, "id");
      if (!Double.isFinite(supply)
          || !Double.isFinite(cost)
          || !Double.isFinite(revenue)
          || !Double.isFinite(outsideOption)) {
        throw new IllegalArgumentException(
            "sp %s: supply %s, cost %s, revenue %s and outsideOption %s must be finite"
                .formatted(id, supply, cost, revenue, outsideOption));
      }
    }
  }
}

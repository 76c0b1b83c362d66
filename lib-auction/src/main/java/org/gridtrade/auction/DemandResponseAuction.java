package org.gridtrade.auction;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.gridtrade.auction.internal.Budget;
import org.gridtrade.auction.internal.DrModel;
import org.gridtrade.auction.internal.IterativeAuctionEngine;

/**
 * The iterative double auction for demand response (Aggarwal Alg. 8; docs/demand-response.md).
 *
 * <p>Each round the auctioneer solves OAP, {@code max Σ_ij [b_ij ln e_ij − (p_ji/2) s_ji²]} under
 * the constraints of Eq. 4.4; then every EV bids {@code b_ij = η w_i e_ij / (η Σ_j e_ij − e_i^min +
 * 1)} (Eq. 4.18) and every SP bids {@code p_ji = (2 c1 s_ji + c2) / s_ji}. Aggarwal's Eq. 4.12,
 * 4.14 and 4.20 are garbled; these are the updates (docs/demand-response.md, "Bid updates") whose
 * fixed point makes OAP's optimality conditions those of SWM. It stops when every bid's relative
 * change is below ξ (cells allocated less than 1e-9 of the largest capacity are exempt: their bids
 * tend to 0).
 *
 * <p>{@link BidUpdate#SECANT} (the default) keeps Aggarwal's information model: participants report
 * only their bids. A bid reveals one number at the allocation it answers (EV i's marginal value
 * {@code b_ij / s_ji}, SP j's marginal cost {@code p_ji s_ji}); the auctioneer fits to the last two
 * reports of each participant a secant model of that response and allocates at the model's welfare
 * optimum (OAP on the model's bids, which returns exactly that allocation). Where the allocation
 * repeats, the model reproduces the reported marginal values there, so the allocation meets SWM's
 * optimality conditions: the fixed point is SWM's optimum (docs/demand-response.md, "Why the fixed
 * point is SWM's optimum").
 *
 * <p>{@link BidUpdate#NEWTON}: each participant submits the literal bid evaluated at a predicted
 * allocation {@code y} instead of at the last one. The prediction is one Newton step on SWM's
 * optimality conditions from the previous prediction: every EV also reports the derivative of its
 * marginal value at its predicted total, one more private number per round than Alg. 8 asks for.
 * The round's OAP allocation {@code x} on the submitted bids is what the auction reports and what
 * the stopping rule tests. Same fixed point.
 *
 * <p>{@link BidUpdate#ACCELERATED} applies Anderson acceleration to the logarithms of the bid
 * vector: the submitted bids are an affine combination of the last few literal updates chosen to
 * minimise the update residual, with a restart when the residual grows. It uses the bids only. Same
 * fixed point. {@link BidUpdate#LITERAL} is Aggarwal's plain iteration, kept for comparison (it can
 * oscillate when capacity or {@code e_max} bounds bind). Instances are immutable and thread-safe; a
 * run is deterministic unless it hits its time limit.
 *
 * <p>A run is bounded by {@link Builder#maxRounds(int)} and {@link Builder#timeLimit(Duration)}
 * (which also bounds the direct SWM solve); hitting a limit is reported in the result ({@link
 * DemandResponseResult#converged()}, {@link DemandResponseResult#optimumConverged()}), never by an
 * exception or a hang.
 */
public final class DemandResponseAuction {

  /** The default {@link Builder#timeLimit(Duration)}: one minute. */
  public static final Duration DEFAULT_TIME_LIMIT = Duration.ofMinutes(1);

  /**
   * The default {@link Builder#retailPrice(double)}: 75 per kWh stored, above the dearest cost of a
   * stored kWh in Aggarwal's parameter ranges (docs/demand-response.md, "Individual rationality").
   */
  public static final double DEFAULT_RETAIL_PRICE = 75;

  /** How the final allocation is paid for (docs/demand-response.md, "Individual rationality"). */
  public enum PaymentRule {
    /**
     * The default: every EV pays the SPs' marginal prices × quantities up to what keeps it
     * individually rational against its outside option and within its maximum price; the relief
     * comes first out of the SPs' rents (never below cost), then from EVs with room. Individually
     * rational for every participant and weakly budget balanced whenever any rule that keeps the
     * allocation is, which at SWM's optimum holds whenever the retail price covers the market's
     * dearest cost of a stored kWh.
     */
    INDIVIDUALLY_RATIONAL,
    /**
     * Aggarwal Eq. 4.15: EV i pays {@code Σ_j min(b_ij, q_i s_ji)}, SP j is paid {@code Σ_i p_ji
     * s_ji²}; a deficit is charged to the EVs pro rata to energy (never past their maximum price).
     * Not individually rational in general.
     */
    EQ_4_15
  }

  /** How participants turn the last allocation into their next bids. */
  public enum BidUpdate {
    /** The literal fixed-point update (docs/demand-response.md, "Bid updates"). */
    LITERAL,
    /** Anderson-accelerated update on the log-bid vector; same fixed point. */
    ACCELERATED,
    /**
     * The literal update evaluated at the allocation predicted by a Newton step on SWM's optimality
     * conditions; same fixed point. It asks more of participants than Aggarwal's Alg. 8: every EV
     * also reports the derivative of its marginal value each round.
     */
    NEWTON,
    /**
     * Bids only (the default): participants report only their bids; the auctioneer fits a secant
     * model of each participant's response to the bids reported so far and allocates at the model's
     * welfare optimum; same fixed point as the literal update, SWM's optimum.
     */
    SECANT
  }

  private final BidUpdate update;
  private final int memory;
  private final int maxRounds;
  private final Duration timeLimit;
  private final PaymentRule paymentRule;
  private final double retailPrice;

  private DemandResponseAuction(Builder b) {
    this.paymentRule = b.paymentRule;
    this.retailPrice = b.retailPrice;
    this.update = b.update;
    this.memory = b.memory;
    this.maxRounds = b.maxRounds;
    this.timeLimit = b.timeLimit;
  }

  /**
   * A builder with the defaults: {@link BidUpdate#SECANT}, {@link
   * PaymentRule#INDIVIDUALLY_RATIONAL} at the retail price {@link #DEFAULT_RETAIL_PRICE}, Anderson
   * memory 5, at most 500 rounds, at most one minute.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the auction on an instance and compares it with the SWM optimum.
   *
   * @param instance the market
   * @return the outcome with its evidence
   */
  public DemandResponseResult run(DrInstance instance) {
    Objects.requireNonNull(instance, "instance");
    Budget budget = Budget.of(timeLimit);
    // the direct optimum gets at most half the time, so the auction always gets the rest
    SocialWelfareSolution optimum =
        SocialWelfareSolver.solve(instance, Budget.of(timeLimit.dividedBy(2)));
    IterativeAuctionEngine.Outcome out =
        new IterativeAuctionEngine(instance)
            .run(
                switch (update) {
                  case LITERAL -> IterativeAuctionEngine.Rule.LITERAL;
                  case ACCELERATED -> IterativeAuctionEngine.Rule.ANDERSON;
                  case NEWTON -> IterativeAuctionEngine.Rule.NEWTON;
                  case SECANT -> IterativeAuctionEngine.Rule.SECANT;
                },
                memory,
                maxRounds,
                budget);
    int n = instance.evs().size();
    int m = instance.sps().size();
    List<DemandResponseResult.Round> trace = new ArrayList<>();
    int r = 0;
    for (IterativeAuctionEngine.RoundState s : out.rounds()) {
      List<DemandResponseResult.Bid> bids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          bids.add(
              new DemandResponseResult.Bid(
                  instance.evs().get(i).id(),
                  instance.sps().get(j).id(),
                  s.b()[i][j],
                  s.p()[i][j]));
        }
      }
      trace.add(
          new DemandResponseResult.Round(
              ++r, DrModel.welfare(instance, s.x()), s.maxRelativeChange(), bids));
    }
    double[][] x = out.x();
    double[][] b = out.b();
    double[][] p = out.p();
    double[] t = DrModel.rowTotals(x);
    List<DemandResponseResult.Payment> evPay = new ArrayList<>();
    List<DemandResponseResult.Payment> spPay = new ArrayList<>();
    double evSum = 0;
    double spSum = 0;
    double[] pay = new double[n];
    double[] limit = new double[n];
    for (int i = 0; i < n; i++) {
      double q = instance.evs().get(i).maxPrice();
      for (int j = 0; j < m; j++) {
        // Eq. 4.15, never more per kWh of supply than the EV's maximum buying price
        pay[i] += Double.isInfinite(q) ? b[i][j] : Math.min(b[i][j], q * x[i][j]);
      }
      limit[i] = t[i] > 0 ? q * t[i] : 0;
      evSum += pay[i];
      evPay.add(new DemandResponseResult.Payment(instance.evs().get(i).id(), pay[i]));
    }
    for (int j = 0; j < m; j++) {
      DrInstance.Sp sp = instance.sps().get(j);
      double rev = 0;
      for (int i = 0; i < n; i++) {
        // marginal price × quantity, i.e. the SP's bid p_ji s_ji² at the final allocation (also on
        // cells below the absolute tolerance, whose submitted bids were floored)
        rev += sp.marginalPrice(x[i][j]) * x[i][j];
      }
      spSum += rev;
      spPay.add(new DemandResponseResult.Payment(sp.id(), rev));
    }
    boolean wbb = evSum >= spSum;
    DemandResponseResult.Settlement settlement =
        wbb
            ? DemandResponseResult.Settlement.NONE
            : DemandResponseResult.Settlement.DEFICIT_CHARGED_TO_EVS;
    double[] due = wbb ? pay.clone() : chargeDeficit(pay, t, limit, spSum - evSum);
    List<DemandResponseResult.Payment> settled = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      settled.add(new DemandResponseResult.Payment(instance.evs().get(i).id(), due[i]));
    }
    double[] revenue = new double[m];
    for (int j = 0; j < m; j++) {
      revenue[j] = spPay.get(j).amount();
    }
    DemandResponseResult.Payments source =
        PaymentRules.settle(instance, x, retailPrice, PaymentRule.EQ_4_15, due, revenue);
    DemandResponseResult.Payments rational =
        PaymentRules.individuallyRational(instance, x, retailPrice);
    DemandResponseResult.Payments chosen = paymentRule == PaymentRule.EQ_4_15 ? source : rational;
    DemandResponseResult.Payments other = paymentRule == PaymentRule.EQ_4_15 ? rational : source;
    double welfare = DrModel.welfare(instance, x);
    double opt = optimum.welfare();
    return new DemandResponseResult(
        out.rounds().size(),
        out.converged(),
        trace,
        SocialWelfareSolver.flows(instance, x),
        evPay,
        spPay,
        welfare,
        opt,
        (opt - welfare) / Math.max(Math.abs(opt), 1e-12 * Math.max(1, Math.abs(welfare))),
        chosen.individuallyRational(),
        wbb,
        settlement,
        settled,
        optimum.converged(),
        chosen,
        other);
  }

  /**
   * Charges a deficit to the EVs in proportion to the energy they receive, none beyond its maximum
   * buying price: a share that would pass an EV's limit is capped there and the rest spread over
   * the others the same way (water-filling). Every SP's price on a cell is at most the EV's maximum
   * (the cell's capacity keeps it there), so the limits together cover the SPs' revenues and the
   * deficit always fits.
   */
  private static double[] chargeDeficit(double[] pay, double[] energy, double[] limit, double due) {
    int n = pay.length;
    double[] out = pay.clone();
    boolean[] full = new boolean[n];
    double left = due;
    for (int pass = 0; pass <= n && left > 0; pass++) {
      double weight = 0;
      int open = 0;
      for (int i = 0; i < n; i++) {
        if (!full[i]) {
          weight += energy[i];
          open++;
        }
      }
      if (open == 0) {
        break;
      }
      double charged = 0;
      for (int i = 0; i < n; i++) {
        if (full[i]) {
          continue;
        }
        double share = weight > 0 ? left * energy[i] / weight : left / open;
        double room = limit[i] - out[i];
        if (share >= room) {
          share = Math.max(0, room);
          full[i] = true;
        }
        out[i] += share;
        charged += share;
      }
      left -= charged;
    }
    return out;
  }

  static Duration requirePositive(Duration timeLimit) {
    Objects.requireNonNull(timeLimit, "timeLimit");
    if (timeLimit.isNegative() || timeLimit.isZero()) {
      throw new IllegalArgumentException("timeLimit %s must be positive".formatted(timeLimit));
    }
    return timeLimit;
  }

  /** Builds a {@link DemandResponseAuction}. Not thread-safe. */
  public static final class Builder {
    private BidUpdate update = BidUpdate.SECANT;
    private int memory = 5;
    private int maxRounds = 500;
    private Duration timeLimit = DEFAULT_TIME_LIMIT;
    private PaymentRule paymentRule = PaymentRule.INDIVIDUALLY_RATIONAL;
    private double retailPrice = DEFAULT_RETAIL_PRICE;

    private Builder() {}

    /**
     * The payment rule the result's {@link DemandResponseResult#payments()} uses; the other one is
     * reported beside it. Default {@link PaymentRule#INDIVIDUALLY_RATIONAL}.
     *
     * @param paymentRule the rule
     * @return this builder
     */
    public Builder paymentRule(PaymentRule paymentRule) {
      this.paymentRule = Objects.requireNonNull(paymentRule, "paymentRule");
      return this;
    }

    /**
     * The grid's retail price per kWh stored, which prices the EVs' outside option (buying {@code
     * e_i^min} from the grid); default {@link #DEFAULT_RETAIL_PRICE}.
     *
     * @param retailPrice finite, 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder retailPrice(double retailPrice) {
      if (!(retailPrice >= 0 && retailPrice <= 1e9)) {
        throw new IllegalArgumentException(
            "retailPrice %s must be in [0, 1e9]".formatted(retailPrice));
      }
      this.retailPrice = retailPrice;
      return this;
    }

    /**
     * The most wall-clock time of a run, the SWM solve included (the run then stops after the
     * current round and the result says not converged); default one minute.
     *
     * @param timeLimit positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeLimit(Duration timeLimit) {
      this.timeLimit = requirePositive(timeLimit);
      return this;
    }

    /**
     * The bid update rule; default {@link BidUpdate#SECANT}.
     *
     * @param update the rule
     * @return this builder
     */
    public Builder update(BidUpdate update) {
      this.update = Objects.requireNonNull(update, "update");
      return this;
    }

    /**
     * Anderson memory (past updates combined); default 5.
     *
     * @param memory 1 to 20
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder memory(int memory) {
      if (memory < 1 || memory > 20) {
        throw new IllegalArgumentException("memory %s must be in [1, 20]".formatted(memory));
      }
      this.memory = memory;
      return this;
    }

    /**
     * The most rounds before giving up (the result then says not converged); default 500.
     *
     * @param maxRounds at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxRounds(int maxRounds) {
      if (maxRounds < 1) {
        throw new IllegalArgumentException("maxRounds %s must be >= 1".formatted(maxRounds));
      }
      this.maxRounds = maxRounds;
      return this;
    }

    /**
     * The auction.
     *
     * @return a new auction
     */
    public DemandResponseAuction build() {
      return new DemandResponseAuction(this);
    }
  }
}

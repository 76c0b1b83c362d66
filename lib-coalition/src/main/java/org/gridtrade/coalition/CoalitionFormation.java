package org.gridtrade.coalition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.gridtrade.coalition.internal.Evaluation;
import org.gridtrade.coalition.internal.Evaluator;
import org.gridtrade.coalition.internal.FormationEngine;
import org.gridtrade.coalition.internal.MinCostFlowSolver;
import org.gridtrade.coalition.internal.Network;
import org.gridtrade.coalition.internal.OjAlgoLpSolver;
import org.gridtrade.coalition.internal.TransportSolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalition formation among prosumers (Moniruzzaman Alg. 3; docs/coalition.md, "The model"):
 * singletons, an initial pairing of a seller and a buyer that are closer to each other than to the
 * EDC (nearest first, neither losing), then merge-and-split rounds under the Pareto order until a
 * round changes nothing. Immutable and thread-safe; each {@link #form} call is independent and
 * deterministic.
 *
 * <p><b>Termination.</b> A member's proof score is its singleton score plus its standalone loss
 * minus its attributed loss, so a coalition's score sum is a constant minus its total loss. A
 * Pareto improvement raises that sum. A split of S into A and B can never do so, because the union
 * of A's and B's transfers is feasible for S and S's transfers minimise its loss; so every accepted
 * operation is a merge and lowers the number of coalitions by one, and a run performs at most
 * {@code n − 1} merges. Each merge is accepted only if no member loses more than the tolerance and
 * one gains more than it. A hard cap ({@link Builder#maxOperations}) guards against numerical
 * surprises: reaching it ends the run with {@link FormationResult#converged()} false, never a loop.
 *
 * <p><b>Cost.</b> Coalition LPs are cached by member set. A merge of S and T is solved only when
 * their optimal LP duals violate dual feasibility on some cross seller–buyer pair ({@code gain_ij >
 * u_i + v_j}); otherwise the duals prove that merging cannot lower the joint loss, so it cannot be
 * a Pareto improvement. A merged coalition is solved by inserting the smaller side's members one at
 * a time into the larger side's optimal transfers (shortest augmenting paths from each new member,
 * warm-started with the larger side's optimal potentials), which is exact and far cheaper than
 * solving from scratch when a singleton or a pair meets a large coalition, the common case. The
 * insertion stops as soon as it proves that some member would end below its current score (a
 * member's internal trade can only move one way at the EDC end of each augmenting path, which
 * bounds its final loss from below; the argument is in docs/coalition.md), so most rejected merges
 * cost a fraction of a solve; the partition, the trace and every score are bit for bit those of
 * solving each merge to the end. Pairs found not to improve are remembered until one side changes.
 * Splits are enumerated in full (all {@code 2^(m−1) − 1} two-part splits) for coalitions of at most
 * {@link Builder#maxSplitEnumeration} members and skipped for larger ones, which by the argument
 * above loses nothing.
 *
 * <pre>{@code
 * Community c = Community.of(Area.square(20), prosumers);
 * FormationResult r = CoalitionFormation.builder().build().form(c);
 * }</pre>
 */
public final class CoalitionFormation {
  private static final Logger LOG = LoggerFactory.getLogger(CoalitionFormation.class);

  private final double tolerance;
  private final int maxSplitEnumeration;
  private final int maxOperations;
  private final TransferSolver solver;
  private final boolean countDeviations;

  private CoalitionFormation(Builder b) {
    this.tolerance = b.tolerance;
    this.maxSplitEnumeration = b.maxSplitEnumeration;
    this.maxOperations = b.maxOperations;
    this.solver = b.solver;
    this.countDeviations = b.countDeviations;
  }

  /**
   * A builder with the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Forms coalitions.
   *
   * @param community the prosumers
   * @return the partition, trace and transfers
   */
  public FormationResult form(Community community) {
    Objects.requireNonNull(community, "community");
    Network net = community.network();
    Evaluator ev = new Evaluator(net, transportSolver(solver));
    int cap = maxOperations > 0 ? maxOperations : 2 * net.size() + 16;
    FormationEngine engine = new FormationEngine(ev, tolerance, maxSplitEnumeration, cap);
    engine.run();
    if (!engine.converged) {
      LOG.warn("coalition formation stopped at the cap of {} operations without converging", cap);
    }
    int deviations = countDeviations ? engine.profitableDeviations() : -1;
    List<Coalition> coalitions = new ArrayList<>();
    for (Evaluation e : engine.result) {
      coalitions.add(toCoalition(community, e));
    }
    List<Iteration> its = new ArrayList<>();
    for (int k = 0; k < engine.iterationPartitions.size(); k++) {
      int[][] p = engine.iterationPartitions.get(k);
      double[] sc = engine.iterationScores.get(k);
      List<List<String>> part = new ArrayList<>();
      List<Double> cs = new ArrayList<>();
      for (int[] c : p) {
        List<String> ids = new ArrayList<>();
        double sum = 0;
        for (int i : c) {
          ids.add(net.id(i));
          sum += sc[i];
        }
        part.add(ids);
        cs.add(sum);
      }
      its.add(
          new Iteration(
              k + 1, engine.iterationSteps.get(k), part, cs, Arrays.stream(sc).boxed().toList()));
    }
    if (LOG.isDebugEnabled()) {
      long[] w = ev.work();
      LOG.debug(
          "formed {} coalitions from {} prosumers: {} merges, {} LPs; merge candidates: {} dual"
              + " checks, {} unions evaluated, {} of them given up early; {} insertions, {}"
              + " shortest paths, {} nodes settled",
          coalitions.size(),
          net.size(),
          engine.merges,
          ev.solves(),
          engine.dualChecks,
          engine.unionChecks,
          engine.givenUp,
          w[0],
          w[1],
          w[2]);
    }
    return new FormationResult(
        coalitions, its, engine.converged, engine.merges, engine.splits, deviations, ev.solves());
  }

  /**
   * Solves one given coalition: its loss-minimising transfers and its members' scores. Any set of
   * prosumers is allowed (a coalition without both a seller and a buyer trades only with the EDC).
   *
   * @param community the community
   * @param memberIds the members' ids, at least one, all known
   * @return the coalition
   * @throws IllegalArgumentException if the set is empty or an id is unknown or repeated
   */
  public Coalition evaluate(Community community, Collection<String> memberIds) {
    Objects.requireNonNull(community, "community");
    if (memberIds.isEmpty()) {
      throw new IllegalArgumentException("memberIds: empty; a coalition needs a member");
    }
    int[] m = memberIds.stream().mapToInt(community::indexOf).sorted().toArray();
    for (int k = 1; k < m.length; k++) {
      if (m[k] == m[k - 1]) {
        throw new IllegalArgumentException(
            "memberIds: '%s' appears twice".formatted(community.network().id(m[k])));
      }
    }
    Evaluator ev = new Evaluator(community.network(), transportSolver(solver));
    return toCoalition(community, ev.solve(m));
  }

  private static TransportSolver transportSolver(TransferSolver s) {
    return s == TransferSolver.LP ? OjAlgoLpSolver.INSTANCE : MinCostFlowSolver.INSTANCE;
  }

  static Coalition toCoalition(Community community, Evaluation e) {
    Network net = community.network();
    List<MemberScore> ms = new ArrayList<>();
    List<Transfer> ts = new ArrayList<>();
    for (int f = 0; f < e.flows(); f++) {
      int i = e.flowSeller(f);
      int j = e.flowBuyer(f);
      double x = e.flowEnergy(f);
      ts.add(new Transfer(net.id(i), net.id(j), x, x * net.rate(i, j)));
    }
    for (int k = 0; k < e.size(); k++) {
      int i = e.member(k);
      Prosumer p = community.prosumers().get(i);
      double r = e.residual(k);
      ms.add(
          new MemberScore(
              p.id(),
              p.role(),
              net.singletonScore(i),
              e.score(k),
              net.standaloneLoss(i),
              e.loss(k),
              r));
      if (r > 1e-12) {
        double loss = r * net.edcRate(i);
        ts.add(
            net.role(i) == Network.SELLER
                ? new Transfer(p.id(), Transfer.EDC, r, loss)
                : new Transfer(Transfer.EDC, p.id(), r, loss));
      }
    }
    return new Coalition(ms, ts);
  }

  /** Settings of a {@link CoalitionFormation}; each has a default. Not thread-safe. */
  public static final class Builder {
    private double tolerance = 1e-9;
    private int maxSplitEnumeration = 10;
    private int maxOperations = 0;
    private TransferSolver solver = TransferSolver.MIN_COST_FLOW;
    private boolean countDeviations = true;

    private Builder() {}

    /**
     * The Pareto tolerance: a member "gains" when its score rises by more than this and "loses"
     * when it falls by more. Default {@code 1e-9} kWh.
     *
     * @param tolerance finite, 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder tolerance(double tolerance) {
      if (!Double.isFinite(tolerance) || tolerance < 0) {
        throw new IllegalArgumentException(
            "tolerance %s must be finite and >= 0".formatted(tolerance));
      }
      this.tolerance = tolerance;
      return this;
    }

    /**
     * The largest coalition whose two-part splits are all checked. Default 10 (511 splits).
     *
     * @param members 1 to 30
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxSplitEnumeration(int members) {
      if (members < 1 || members > 30) {
        throw new IllegalArgumentException(
            "maxSplitEnumeration %d must be in 1..30".formatted(members));
      }
      this.maxSplitEnumeration = members;
      return this;
    }

    /**
     * Hard cap on merges plus splits. Default 0, meaning {@code 2n + 16} for n prosumers (a run
     * needs at most {@code n − 1}).
     *
     * @param operations 0 for the default, or more than 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder maxOperations(int operations) {
      if (operations < 0) {
        throw new IllegalArgumentException("maxOperations %d must be >= 0".formatted(operations));
      }
      this.maxOperations = operations;
      return this;
    }

    /**
     * The transfer solver. Default {@link TransferSolver#MIN_COST_FLOW}.
     *
     * @param solver the solver
     * @return this builder
     */
    public Builder solver(TransferSolver solver) {
      this.solver = Objects.requireNonNull(solver, "solver");
      return this;
    }

    /**
     * Whether to count profitable single-prosumer moves (Def. 3 read strictly). Default true; it
     * costs extra LPs after formation.
     *
     * @param count true to count
     * @return this builder
     */
    public Builder countDeviations(boolean count) {
      this.countDeviations = count;
      return this;
    }

    /**
     * Builds the formation.
     *
     * @return the formation
     */
    public CoalitionFormation build() {
      return new CoalitionFormation(this);
    }
  }
}

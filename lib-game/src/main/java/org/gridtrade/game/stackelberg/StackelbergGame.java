package org.gridtrade.game.stackelberg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.gridtrade.game.stackelberg.internal.Fleet;
import org.gridtrade.game.stackelberg.internal.Leader;
import org.gridtrade.game.stackelberg.internal.MinimumCost;
import org.gridtrade.game.stackelberg.internal.OrderSearch;
import org.gridtrade.game.stackelberg.internal.PriceGa;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PETS Stackelberg game (Aggarwal Ch. 3; docs/stackelberg.md, "The model"): the leader's prices
 * by a genetic algorithm over the followers' exact best responses, with the upper bound, the gap
 * and the baselines.
 *
 * <p>Deterministic: the same problem and configuration (including its random seed) give the same
 * solution bit for bit. Stateless and thread-safe; each call works on its own buffers.
 */
public final class StackelbergGame {
  private static final Logger LOG = LoggerFactory.getLogger(StackelbergGame.class);

  /** Relative accuracy of the minimum generation cost. */
  private static final double MIN_COST_TOLERANCE = 1e-7;

  private static final int MIN_COST_ITERATIONS = 3000;

  private StackelbergGame() {}

  /**
   * Elects the leader (Aggarwal Alg. 1): a sealed second-price reverse auction among the SPs.
   *
   * @param bids the SPs' sealed bids in submission order
   * @param bounds the price range; {@code pMax} is the reserve
   * @return the leader, its payment and its price cap, or no trade with a reason
   */
  public static LeaderElection electLeader(List<SpBid> bids, PriceBounds bounds) {
    return LeaderElection.run(bids, bounds);
  }

  /**
   * Solves the leader's problem.
   *
   * @param problem the day
   * @param config GA and polish settings
   * @return the leader's prices with upper bound, gap, baselines and convergence trace
   */
  public static StackelbergSolution solve(StackelbergProblem problem, LeaderConfig config) {
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(config, "config");
    double pMin = problem.bounds().pMin();
    double cap = problem.priceCap();
    Leader leader = leader(problem, config.loadShapingWeight());
    MinimumCost minCost =
        MinimumCost.solve(leader(problem, 0), MIN_COST_TOLERANCE, MIN_COST_ITERATIONS);
    OrderSearch search = new OrderSearch(leader, pMin, cap);
    List<double[]> initial = new ArrayList<>();
    if (config.seededPopulation()) {
      initial.addAll(seeds(search, minCost.prices(), config));
    }
    PriceGa ga = new PriceGa(leader, pMin, cap);
    PriceGa.Result run =
        ga.run(
            new PriceGa.Params(
                config.populationSize(),
                config.maxGenerations(),
                config.steadyGenerations(),
                config.tournamentSize(),
                config.crossoverProbability(),
                config.swapProbability(),
                config.mutationProbability(),
                config.eliteCount(),
                config.randomSeed()),
            initial);
    double[] prices = run.prices();
    if (config.localSearch()) {
      // Multi-start: the GA's best, the load-flattening order and the identity order (the first
      // two seeds); keep the fittest polished result.
      double[] best = search.polish(prices, 100);
      double bestFit = leader.fitness(best);
      for (double[] start : initial.subList(0, Math.min(2, initial.size()))) {
        double[] p = search.polish(start, 100);
        double f = leader.fitness(p);
        if (f > bestFit) {
          best = p;
          bestFit = f;
        }
      }
      prices = best;
    }
    Outcome outcome = evaluate(problem, prices);
    double upperBound = cap * problem.totalEnergy() - minCost.lowerBound();
    double gap = upperBound > 0 ? (upperBound - outcome.profit()) / upperBound : 0;
    double ratio = minCost.lowerBound() > 0 ? outcome.generationCost() / minCost.lowerBound() : 1.0;
    List<Double> trace = new ArrayList<>();
    for (double f : run.trace()) {
      trace.add(f);
    }
    LOG.debug(
        "PETS solve: {} EVs, {} generations, profit {}, upper bound {}, gap {}",
        problem.evs().size(),
        trace.size(),
        outcome.profit(),
        upperBound,
        gap);
    return new StackelbergSolution(
        outcome,
        upperBound,
        minCost.lowerBound(),
        gap,
        ratio,
        unscheduled(problem),
        timeOfUse(problem),
        trace,
        trace.size(),
        leader.evaluations(),
        config);
  }

  /**
   * The profit-versus-PAR trade-off: one solve per load-shaping weight.
   *
   * @param problem the day
   * @param config settings; its weight is replaced by each of {@code weights}
   * @param weights the weights w, cents per unit of PAR
   * @return one point per weight, in order
   */
  public static List<TradeOffPoint> tradeOff(
      StackelbergProblem problem, LeaderConfig config, List<Double> weights) {
    List<TradeOffPoint> points = new ArrayList<>();
    for (double w : weights) {
      StackelbergSolution s = solve(problem, config.withLoadShapingWeight(w));
      points.add(new TradeOffPoint(w, s.profit(), s.par(), s.parReduction(), s.relativeGap()));
    }
    return List.copyOf(points);
  }

  /**
   * The certified lower bound on {@code min Σ_h Cost_h(P_h)} over all feasible follower schedules
   * (the convex QP of docs/stackelberg.md, "Upper bound and gaps").
   *
   * @param problem the day
   * @return the bound in cents
   */
  public static double minimumCost(StackelbergProblem problem) {
    return MinimumCost.solve(leader(problem, 0), MIN_COST_TOLERANCE, MIN_COST_ITERATIONS)
        .lowerBound();
  }

  /**
   * What a price vector does: every EV's best response, the load, profit and PAR.
   *
   * @param problem the day
   * @param prices 24 prices
   * @return the outcome
   */
  public static Outcome evaluate(StackelbergProblem problem, List<Double> prices) {
    return evaluate(problem, FollowerBestResponse.checkPrices(prices));
  }

  private static Outcome evaluate(StackelbergProblem problem, double[] prices) {
    Fleet fleet = fleet(problem.evs());
    int n = fleet.size();
    double[][] x = new double[n][Fleet.H];
    fleet.schedules(prices, new Fleet.Workspace(), x);
    double[] load = new double[Fleet.H];
    List<Schedule> schedules = new ArrayList<>(n);
    for (int j = 0; j < n; j++) {
      double bill = 0;
      List<Double> row = new ArrayList<>(Fleet.H);
      for (int h = 0; h < Fleet.H; h++) {
        load[h] += x[j][h];
        bill += prices[h] * x[j][h];
        row.add(x[j][h]);
      }
      schedules.add(new Schedule(problem.evs().get(j).id(), row, bill));
    }
    GenerationCost cost = problem.cost();
    double revenue = 0;
    double genCost = 0;
    boolean feasible = true;
    List<Double> p = new ArrayList<>();
    List<Double> l = new ArrayList<>();
    for (int h = 0; h < Fleet.H; h++) {
      revenue += prices[h] * load[h];
      genCost += cost.cost(h, load[h]);
      feasible &= load[h] <= cost.capacity().get(h) * (1 + 1e-12);
      p.add(prices[h]);
      l.add(load[h]);
    }
    return new Outcome(
        p, l, schedules, revenue, genCost, revenue - genCost, Leader.par(load), feasible);
  }

  /**
   * The unscheduled baseline: every EV charges as early as it can from arrival within its own
   * bounds, i.e. its best response to flat prices (ties go to the earlier hour). With {@code
   * alphaMin = 0} that is {@code alphaMax} from arrival until the energy is met. Billed at the cap.
   *
   * @param problem the day
   * @return the outcome
   */
  public static Outcome unscheduled(StackelbergProblem problem) {
    double[] flat = new double[Fleet.H];
    java.util.Arrays.fill(flat, problem.priceCap());
    return evaluate(problem, flat);
  }

  /**
   * Time-of-use prices on the bands of Aggarwal Table 3.1 (weekday, Tue–Thu): peak 16:00–20:00
   * (hour indices 8..11) at the cap; day 07:00–16:00 (indices 0..7 and 23) at the midpoint of
   * {@code [pMin, cap]} rounded to 0.01; off-peak 20:00–07:00 (indices 12..22) at {@code pMin}.
   * Aggarwal gives the bands but not their prices; these are ours.
   *
   * @param problem the day
   * @return 24 prices
   */
  public static List<Double> timeOfUsePrices(StackelbergProblem problem) {
    double lo = problem.bounds().pMin();
    double hi = problem.priceCap();
    double mid = Math.round((lo + hi) / 2 * 100) / 100.0;
    List<Double> p = new ArrayList<>();
    for (int h = 0; h < Fleet.H; h++) {
      p.add(h >= 8 && h <= 11 ? hi : h >= 12 && h <= 22 ? lo : mid);
    }
    return List.copyOf(p);
  }

  /**
   * The time-of-use baseline: every EV's best response to {@link #timeOfUsePrices}.
   *
   * @param problem the day
   * @return the outcome
   */
  public static Outcome timeOfUse(StackelbergProblem problem) {
    return evaluate(problem, timeOfUsePrices(problem));
  }

  private static List<double[]> seeds(OrderSearch search, double[] lambda, LeaderConfig config) {
    List<double[]> seeds = new ArrayList<>();
    int[] order = new int[Fleet.H];
    Fleet.rank(lambda, order);
    double[] p = new double[Fleet.H];
    search.compress(order, p);
    seeds.add(p.clone());
    int[] identity = new int[Fleet.H];
    for (int h = 0; h < Fleet.H; h++) {
      identity[h] = h;
    }
    search.compress(identity, p);
    seeds.add(p.clone());
    SplittableRandom rng = new SplittableRandom(config.randomSeed() ^ 0x5DEECE66DL);
    double scale = 0;
    for (double v : lambda) {
      scale = Math.max(scale, Math.abs(v));
    }
    int extra = Math.max(0, Math.min(8, config.populationSize() / 5) - 2);
    double[] noisy = new double[Fleet.H];
    for (int k = 0; k < extra; k++) {
      for (int h = 0; h < Fleet.H; h++) {
        noisy[h] = lambda[h] + (rng.nextDouble() - 0.5) * 0.1 * (k + 1) * scale;
      }
      Fleet.rank(noisy, order);
      search.compress(order, p);
      seeds.add(p.clone());
    }
    return seeds;
  }

  static Fleet fleet(List<Ev> evs) {
    int n = evs.size();
    int[] s = new int[n];
    int[] e = new int[n];
    double[] en = new double[n];
    double[] lo = new double[n];
    double[] hi = new double[n];
    for (int j = 0; j < n; j++) {
      Ev ev = evs.get(j);
      s[j] = ev.start();
      e[j] = ev.end();
      en[j] = ev.energy();
      lo[j] = ev.alphaMin();
      hi[j] = ev.alphaMax();
    }
    return new Fleet(s, e, en, lo, hi);
  }

  static Leader leader(StackelbergProblem problem, double weight) {
    GenerationCost c = problem.cost();
    return new Leader(
        fleet(problem.evs()),
        toArray(c.quadratic()),
        toArray(c.linear()),
        toArray(c.constant()),
        toArray(c.capacity()),
        weight);
  }

  private static double[] toArray(List<Double> v) {
    double[] a = new double[v.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = v.get(i);
    }
    return a;
  }
}

package org.gridtrade.benchmarks;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.gridtrade.game.stackelberg.Ev;
import org.gridtrade.game.stackelberg.EvGenerator;
import org.gridtrade.game.stackelberg.FleetResponse;
import org.gridtrade.game.stackelberg.GenerationCost;
import org.gridtrade.game.stackelberg.LeaderConfig;
import org.gridtrade.game.stackelberg.PriceBounds;
import org.gridtrade.game.stackelberg.StackelbergGame;
import org.gridtrade.game.stackelberg.StackelbergProblem;
import org.gridtrade.game.stackelberg.StackelbergSolution;
import org.gridtrade.game.stackelberg.internal.Fleet;
import org.gridtrade.game.stackelberg.internal.Leader;
import org.gridtrade.game.stackelberg.internal.PriceGa;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The PETS Stackelberg game on one core (Aggarwal Ch. 3).
 *
 * <ul>
 *   <li>{@code bestResponses}: every EV's exact best response (Alg. 2) and the aggregate load for
 *       one price vector, 10,000 EVs × 24 h: the GA's inner loop. Target: under 5 ms. Baseline
 *       {@code bestResponsesBaseline}: one pass adding each EV's energy to its first hour, the
 *       least any per-EV evaluation must touch.
 *   <li>{@code gaGeneration}: one generation of the leader's GA (population 50: selection,
 *       crossover, mutation, 50 fitness evaluations) at 100 and 1,000 EVs; measured as 20
 *       generations per invocation divided by 20.
 *   <li>{@code fullSolve}: {@link StackelbergGame#solve} with the default configuration (GA with
 *       seeded population, local search, minimum-cost bound, baselines) at Aggarwal's test sizes
 *       24, 90, 91 EVs and at 1,000 EVs.
 * </ul>
 *
 * {@code gaTwentyGenerations} alone reaches into lib-game's internal package (benchmarks run on the
 * class path): the public API does not expose a single generation, and timing whole solves would
 * bury it under the bound and baseline computations. Run: {@code benchmarks/run.sh quick
 * Stackelberg}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StackelbergBenchmark {

  /** Best responses at 10,000 EVs. */
  @State(Scope.Thread)
  public static class Responses {
    FleetResponse fleet;
    final double[][] prices = new double[64][Fleet.H];
    final double[] load = new double[Fleet.H];
    int[] start;
    double[] energy;
    int next;

    /** Creates 10,000 EVs and 64 random price vectors. */
    @Setup
    public void setup() {
      List<Ev> evs = EvGenerator.random(10_000, 42);
      int n = evs.size();
      start = new int[n];
      energy = new double[n];
      for (int j = 0; j < n; j++) {
        start[j] = evs.get(j).start();
        energy[j] = evs.get(j).energy();
      }
      fleet = FleetResponse.of(evs);
      SplittableRandom r = new SplittableRandom(1);
      for (double[] p : prices) {
        for (int h = 0; h < Fleet.H; h++) {
          p[h] = Math.round((8 + 6 * r.nextDouble()) * 100) / 100.0;
        }
      }
    }
  }

  /**
   * Best responses of 10,000 EVs to one price vector.
   *
   * @param s state
   * @return the peak load
   */
  @Benchmark
  public double bestResponses(Responses s) {
    double[] p = s.prices[s.next++ & 63];
    s.fleet.load(p, s.load);
    return s.load[0] + s.load[12];
  }

  /**
   * Baseline: one pass over the 10,000 EVs.
   *
   * @param s state
   * @return the sum
   */
  @Benchmark
  public double bestResponsesBaseline(Responses s) {
    double[] load = s.load;
    java.util.Arrays.fill(load, 0);
    for (int j = 0; j < s.start.length; j++) {
      load[s.start[j]] += s.energy[j];
    }
    return load[0] + load[12];
  }

  /** One GA per fleet size. */
  @State(Scope.Thread)
  public static class Ga {
    @Param({"100", "1000"})
    int evs;

    PriceGa ga;
    long seed;

    /** Builds the leader and its GA. */
    @Setup
    public void setup() {
      List<Ev> fleet = EvGenerator.random(evs, 7);
      int n = fleet.size();
      int[] s = new int[n];
      int[] e = new int[n];
      double[] en = new double[n];
      double[] lo = new double[n];
      double[] hi = new double[n];
      for (int j = 0; j < n; j++) {
        Ev v = fleet.get(j);
        s[j] = v.start();
        e[j] = v.end();
        en[j] = v.energy();
        lo[j] = v.alphaMin();
        hi[j] = v.alphaMax();
      }
      GenerationCost c = GenerationCost.thesisDefaults();
      double[] m = new double[Fleet.H];
      double[] zero = new double[Fleet.H];
      double[] cap = new double[Fleet.H];
      for (int h = 0; h < Fleet.H; h++) {
        m[h] = c.quadratic().get(h);
        cap[h] = Double.POSITIVE_INFINITY;
      }
      Leader leader = new Leader(new Fleet(s, e, en, lo, hi), m, zero, zero, cap, 0);
      ga = new PriceGa(leader, 8, 14);
    }
  }

  /**
   * Twenty generations of Aggarwal's GA (population 50); the score divided by 20 is one generation.
   *
   * @param g state
   * @return the best fitness
   */
  @Benchmark
  public double gaTwentyGenerations(Ga g) {
    PriceGa.Result r =
        g.ga.run(new PriceGa.Params(50, 20, 1000, 2, 1.0, 0.25, 1.0 / 240, 1, g.seed++), List.of());
    return r.fitness();
  }

  /** One problem per size. */
  @State(Scope.Thread)
  public static class Solve {
    @Param({"24", "90", "91", "1000"})
    int evs;

    StackelbergProblem problem;

    /** Builds the problem. */
    @Setup
    public void setup() {
      problem =
          StackelbergProblem.of(
              EvGenerator.random(evs, 11),
              GenerationCost.thesisDefaults(),
              PriceBounds.thesisDefaults());
    }
  }

  /**
   * The whole leader problem with the default configuration.
   *
   * @param s state
   * @return the profit
   */
  @Benchmark
  public double fullSolve(Solve s) {
    StackelbergSolution sol = StackelbergGame.solve(s.problem, LeaderConfig.defaults());
    return sol.profit();
  }
}

package org.gridtrade.benchmarks;

import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.gridtrade.coalition.Area;
import org.gridtrade.coalition.CoalitionFormation;
import org.gridtrade.coalition.Community;
import org.gridtrade.coalition.FormationResult;
import org.gridtrade.coalition.ProfileGenerator;
import org.gridtrade.coalition.Shapley;
import org.gridtrade.coalition.ShapleyResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Coalition formation (Moniruzzaman Alg. 3) on seeded random communities of Moniruzzaman's profile
 * (normal, 20 km × 20 km, EDC at the centre), from singletons to a stable partition, on one core;
 * plus exact Shapley values for 20 players and sampled Shapley values for 100 players of a random
 * game. Goals: 1,000 prosumers under 2 s; exact Shapley (20) under 1 s. The baseline is {@link
 * #communitySetup}: the cost of evaluating every prosumer's singleton and the community setup,
 * which any formation must pay. Run: {@code benchmarks/run.sh quick Coalition}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CoalitionBenchmark {
  @Param({"50", "200", "1000"})
  int prosumers;

  @Param({"NORMAL", "UNIFORM", "LOGNORMAL"})
  String distribution;

  private Community community;
  private CoalitionFormation formation;

  /** Builds the community and the games. */
  @Setup
  public void setup() {
    Area area = Area.square(20);
    community =
        Community.of(
            area,
            ProfileGenerator.thesisDefaults()
                .generate(prosumers, ProfileGenerator.Distribution.valueOf(distribution), area, 1));
    formation = CoalitionFormation.builder().countDeviations(false).build();
  }

  // A game with structure: v(S) = (Σ_{i∈S} w_i)^1.5, superadditive, every coalition distinct.
  private static ToDoubleFunction<BitSet> weightedMajority(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = 1 + 9 * r.nextDouble();
    }
    return s -> {
      double t = 0;
      for (int i = s.nextSetBit(0); i >= 0; i = s.nextSetBit(i + 1)) {
        t += w[i];
      }
      return Math.pow(t, 1.5);
    };
  }

  /**
   * Forms a stable partition.
   *
   * @return the result
   */
  @Benchmark
  public FormationResult form() {
    return formation.form(community);
  }

  /**
   * Baseline: building the community (distance and loss-rate matrices), which formation needs
   * first.
   *
   * @return the community
   */
  @Benchmark
  public Community communitySetup() {
    return Community.of(community.area(), community.prosumers());
  }

  /** Shapley values of a random game, independent of the community size. */
  @State(Scope.Thread)
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public static class Games {
    private ToDoubleFunction<BitSet> game20;
    private ToDoubleFunction<BitSet> game100;

    /** Builds the games. */
    @Setup
    public void setup() {
      game20 = weightedMajority(20, 7);
      game100 = weightedMajority(100, 8);
    }

    /**
     * Exact Shapley values of a 20-player game (2^20 worths).
     *
     * @return the values
     */
    @Benchmark
    public ShapleyResult shapleyExact20() {
      return Shapley.exact(20, game20);
    }

    /**
     * Sampled Shapley values of a 100-player game, 10,000 permutations (standard error at most 0.4
     * % of each value).
     *
     * @return the estimates
     */
    @Benchmark
    public ShapleyResult shapleySampled100() {
      return Shapley.sample(100, game100, 10_000, 9);
    }
  }
}

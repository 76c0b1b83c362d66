package org.gridtrade.game.stackelberg.internal;

import io.jenetics.BitChromosome;
import io.jenetics.BitGene;
import io.jenetics.EliteSelector;
import io.jenetics.Genotype;
import io.jenetics.Mutator;
import io.jenetics.TournamentSelector;
import io.jenetics.UniformCrossover;
import io.jenetics.engine.Engine;
import io.jenetics.engine.EvolutionResult;
import io.jenetics.engine.Limits;
import io.jenetics.util.RandomRegistry;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The leader's genetic algorithm on the Jenetics engine (Aggarwal §3.3.2, Alg. 3–6).
 *
 * <p>Genotype: one {@link BitChromosome} of 240 bits, ten bits per hour (bit {@code 10h + i} is bit
 * {@code i} of hour {@code h}'s code). One chromosome rather than 24: Jenetics' crossover
 * recombines one chromosome of a genotype per pair, so 24 chromosomes would confine each crossover
 * to a single hour. Operators: offspring by {@link TournamentSelector} of size 2 (Alg. 3);
 * survivors by {@link EliteSelector} keeping the {@code eliteCount} best (Alg. 4, every other
 * individual is replaced each generation); {@link UniformCrossover} whose per-bit swap probability
 * is Aggarwal's crossover rate {@code R_c} (Alg. 5) applied to each selected pair with probability
 * {@code crossoverProbability}; bit-flip mutation (a {@link Mutator} whose gene mutation inverts
 * the bit; Jenetics' default would draw a new random bit, flipping only half the time). Runs on the
 * calling thread with a {@code L64X256MixRandom} seeded from the configuration, scoped by {@link
 * RandomRegistry#with}, so the same seed gives the same run bit for bit.
 */
public final class PriceGa {

  /** Bits per hour. */
  public static final int BITS = 10;

  private static final int MAX_CODE = (1 << BITS) - 1;

  /**
   * GA parameters.
   *
   * @param populationSize individuals per generation
   * @param maxGenerations generation limit
   * @param steadyGenerations stop after this many generations without improvement
   * @param tournamentSize tournament size
   * @param crossoverProbability probability that a pair is crossed
   * @param swapProbability per-bit swap probability of uniform crossover
   * @param mutationProbability per-bit flip probability
   * @param eliteCount individuals kept unchanged
   * @param seed random seed
   */
  public record Params(
      int populationSize,
      int maxGenerations,
      int steadyGenerations,
      int tournamentSize,
      double crossoverProbability,
      double swapProbability,
      double mutationProbability,
      int eliteCount,
      long seed) {}

  /**
   * A GA run.
   *
   * @param prices best prices
   * @param fitness their fitness
   * @param trace best fitness after each generation
   */
  public record Result(double[] prices, double fitness, double[] trace) {}

  private final Leader leader;
  private final double pMin;
  private final double upper;
  private final double gridMin;
  private final double gridMax;

  /**
   * A GA for one leader.
   *
   * @param leader the objective
   * @param pMin lowest price
   * @param upper highest price (the cap)
   */
  public PriceGa(Leader leader, double pMin, double upper) {
    this.leader = leader;
    this.pMin = pMin;
    this.upper = upper;
    this.gridMin = Math.ceil(pMin * 100 - 1e-9) / 100;
    this.gridMax = Math.floor(upper * 100 + 1e-9) / 100;
  }

  /**
   * Decodes hour codes: {@code p = pMin + code·(upper − pMin)/1023}, rounded to 0.01 and kept on
   * the grid inside {@code [pMin, upper]}.
   *
   * @param code a 10-bit code
   * @return the price
   */
  public double decode(int code) {
    double p = pMin + code * (upper - pMin) / MAX_CODE;
    p = Math.round(p * 100) / 100.0;
    return Math.max(gridMin, Math.min(gridMax, p));
  }

  /**
   * The code whose decoded price is nearest to {@code price}.
   *
   * @param price a price
   * @return a code 0..1023
   */
  public int encode(double price) {
    if (upper <= pMin) {
      return 0;
    }
    long c = Math.round((price - pMin) / (upper - pMin) * MAX_CODE);
    return (int) Math.max(0, Math.min(MAX_CODE, c));
  }

  private void decode(Genotype<BitGene> gt, double[] prices) {
    BitChromosome ch = gt.chromosome().as(BitChromosome.class);
    for (int h = 0; h < Fleet.H; h++) {
      int code = 0;
      for (int i = 0; i < BITS; i++) {
        if (ch.booleanValue(h * BITS + i)) {
          code |= 1 << i;
        }
      }
      prices[h] = decode(code);
    }
  }

  /**
   * Decodes a genotype into 24 prices.
   *
   * @param gt a genotype
   * @return prices
   */
  public double[] prices(Genotype<BitGene> gt) {
    double[] p = new double[Fleet.H];
    decode(gt, p);
    return p;
  }

  /**
   * The genotype encoding 24 prices.
   *
   * @param prices prices
   * @return the genotype
   */
  public Genotype<BitGene> genotype(double[] prices) {
    BitSet bits = new BitSet(Fleet.H * BITS);
    for (int h = 0; h < Fleet.H; h++) {
      int code = encode(prices[h]);
      for (int i = 0; i < BITS; i++) {
        if ((code >> i & 1) == 1) {
          bits.set(h * BITS + i);
        }
      }
    }
    return Genotype.of(BitChromosome.of(bits, Fleet.H * BITS));
  }

  /**
   * Runs the GA.
   *
   * @param params parameters
   * @param initial price vectors to put in the first population (may be empty)
   * @return the best prices, fitness and trace
   */
  public Result run(Params params, List<double[]> initial) {
    RandomGenerator random = RandomGeneratorFactory.of("L64X256MixRandom").create(params.seed());
    return RandomRegistry.with(random, r -> evolve(params, initial));
  }

  private Result evolve(Params params, List<double[]> initial) {
    double[] scratch = new double[Fleet.H];
    Engine<BitGene, Double> engine =
        Engine.builder(
                (Genotype<BitGene> gt) -> {
                  decode(gt, scratch);
                  return leader.fitness(scratch);
                },
                Genotype.of(BitChromosome.of(Fleet.H * BITS, 0.5)))
            .maximizing()
            .executor(Runnable::run)
            .populationSize(params.populationSize())
            .survivorsSize(params.eliteCount())
            .survivorsSelector(new EliteSelector<>(Math.max(1, params.eliteCount())))
            .offspringSelector(new TournamentSelector<>(params.tournamentSize()))
            .alterers(
                new UniformCrossover<>(params.crossoverProbability(), params.swapProbability()),
                new BitFlipMutator(params.mutationProbability()))
            .maximalPhenotypeAge(Long.MAX_VALUE / 4)
            .build();
    List<Genotype<BitGene>> start = new ArrayList<>();
    for (double[] p : initial) {
      if (start.size() < params.populationSize()) {
        start.add(genotype(p));
      }
    }
    List<Double> trace = new ArrayList<>();
    EvolutionResult<BitGene, Double> best =
        engine.stream(start)
            .limit(Limits.bySteadyFitness(params.steadyGenerations()))
            .limit(params.maxGenerations())
            .peek(er -> trace.add(er.bestFitness()))
            .collect(EvolutionResult.toBestEvolutionResult());
    double[] t = new double[trace.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = trace.get(i);
    }
    Genotype<BitGene> gt = best.bestPhenotype().genotype();
    return new Result(prices(gt), best.bestFitness(), t);
  }

  /** Bit-flip mutation: a mutated gene is inverted. */
  static final class BitFlipMutator extends Mutator<BitGene, Double> {
    BitFlipMutator(double probability) {
      super(probability);
    }

    @Override
    protected BitGene mutate(BitGene gene, RandomGenerator random) {
      return BitGene.of(!gene.bit());
    }
  }
}

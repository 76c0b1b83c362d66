package org.gridtrade.game.stackelberg;

/**
 * Settings of the leader's genetic algorithm (Aggarwal §3.3.2) and of the polish after it.
 *
 * <p>{@link #thesisDefaults()} is Aggarwal's GA as published (tournament 2, elitism, uniform
 * crossover rate 0.25, bit-flip mutation, random first population, no polish); {@link #defaults()}
 * adds a first population seeded with load-flattening price orders and a local search over price
 * orders after the GA. Values Aggarwal leaves open (population, generations, mutation rate) are
 * ours and named below. Immutable; change a setting with the {@code with...} methods.
 *
 * @param populationSize individuals per generation, 2 or more (ours: 50)
 * @param maxGenerations generation limit, 1 or more (ours: 200)
 * @param steadyGenerations convergence rule: stop after this many generations without a better best
 *     fitness, 1 or more (ours: 25)
 * @param tournamentSize tournament selection size, 2 or more (Aggarwal: 2)
 * @param crossoverProbability probability that a selected pair is crossed, in [0, 1] (ours: 1, Alg.
 *     5 crosses every pair)
 * @param swapProbability per-bit swap probability of uniform crossover, in [0, 1] (Aggarwal: R_c =
 *     0.25)
 * @param mutationProbability per-bit flip probability, in [0, 1] (ours: 1/240, one bit per
 *     individual on average)
 * @param eliteCount individuals carried over unchanged, 1..populationSize−1 (Aggarwal: 1)
 * @param seededPopulation start from load-flattening price orders as well as random individuals
 * @param localSearch polish the GA's best prices by local search over price orders
 * @param loadShapingWeight {@code w} in the leader's objective {@code profit − w·PAR}, cents per
 *     unit of PAR, finite and 0 or more (0 = pure profit, Aggarwal's objective)
 * @param randomSeed seed of the GA's random generator
 */
public record LeaderConfig(
    int populationSize,
    int maxGenerations,
    int steadyGenerations,
    int tournamentSize,
    double crossoverProbability,
    double swapProbability,
    double mutationProbability,
    int eliteCount,
    boolean seededPopulation,
    boolean localSearch,
    double loadShapingWeight,
    long randomSeed) {

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException naming the setting, its value and the rule
   */
  public LeaderConfig {
    atLeast("populationSize", populationSize, 2);
    atLeast("maxGenerations", maxGenerations, 1);
    atLeast("steadyGenerations", steadyGenerations, 1);
    atLeast("tournamentSize", tournamentSize, 2);
    probability("crossoverProbability", crossoverProbability);
    probability("swapProbability", swapProbability);
    probability("mutationProbability", mutationProbability);
    if (eliteCount < 1 || eliteCount >= populationSize) {
      throw new IllegalArgumentException(
          "eliteCount %d must be in 1..populationSize-1 (%d)"
              .formatted(eliteCount, populationSize - 1));
    }
    if (!Double.isFinite(loadShapingWeight) || loadShapingWeight < 0) {
      throw new IllegalArgumentException(
          "loadShapingWeight %s must be finite and >= 0".formatted(loadShapingWeight));
    }
  }

  private static void atLeast(String name, int v, int min) {
    if (v < min) {
      throw new IllegalArgumentException("%s %d must be >= %d".formatted(name, v, min));
    }
  }

  private static void probability(String name, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException("%s %s must be in [0, 1]".formatted(name, v));
    }
  }

  /**
   * The GA as Aggarwal's thesis publishes it: random first population, no polish, random seed 1.
   *
   * @return the thesis's configuration
   */
  public static LeaderConfig thesisDefaults() {
    return new LeaderConfig(50, 200, 25, 2, 1.0, 0.25, 1.0 / 240, 1, false, false, 0, 1);
  }

  /**
   * The default: Aggarwal's GA with a seeded first population and a local search after it.
   *
   * @return the default configuration
   */
  public static LeaderConfig defaults() {
    return thesisDefaults().withSeededPopulation(true).withLocalSearch(true);
  }

  /**
   * This configuration with another random seed.
   *
   * @param seed the seed
   * @return the new configuration
   */
  public LeaderConfig withRandomSeed(long seed) {
    return new LeaderConfig(
        populationSize,
        maxGenerations,
        steadyGenerations,
        tournamentSize,
        crossoverProbability,
        swapProbability,
        mutationProbability,
        eliteCount,
        seededPopulation,
        localSearch,
        loadShapingWeight,
        seed);
  }

  /**
   * This configuration with another load-shaping weight.
   *
   * @param w cents per unit of PAR, 0 or more
   * @return the new configuration
   */
  public LeaderConfig withLoadShapingWeight(double w) {
    return new LeaderConfig(
        populationSize,
        maxGenerations,
        steadyGenerations,
        tournamentSize,
        crossoverProbability,
        swapProbability,
        mutationProbability,
        eliteCount,
        seededPopulation,
        localSearch,
        w,
        randomSeed);
  }

  /**
   * This configuration with or without a seeded first population.
   *
   * @param on whether to seed
   * @return the new configuration
   */
  public LeaderConfig withSeededPopulation(boolean on) {
    return new LeaderConfig(
        populationSize,
        maxGenerations,
        steadyGenerations,
        tournamentSize,
        crossoverProbability,
        swapProbability,
        mutationProbability,
        eliteCount,
        on,
        localSearch,
        loadShapingWeight,
        randomSeed);
  }

  /**
   * This configuration with or without the local search after the GA.
   *
   * @param on whether to polish
   * @return the new configuration
   */
  public LeaderConfig withLocalSearch(boolean on) {
    return new LeaderConfig(
        populationSize,
        maxGenerations,
        steadyGenerations,
        tournamentSize,
        crossoverProbability,
        swapProbability,
        mutationProbability,
        eliteCount,
        seededPopulation,
        on,
        loadShapingWeight,
        randomSeed);
  }

  /**
   * This configuration with other generation limits.
   *
   * @param populationSize individuals per generation
   * @param maxGenerations generation limit
   * @param steadyGenerations generations without improvement before stopping
   * @return the new configuration
   */
  public LeaderConfig withGenerations(
      int populationSize, int maxGenerations, int steadyGenerations) {
    return new LeaderConfig(
        populationSize,
        maxGenerations,
        steadyGenerations,
        tournamentSize,
        crossoverProbability,
        swapProbability,
        mutationProbability,
        eliteCount,
        seededPopulation,
        localSearch,
        loadShapingWeight,
        randomSeed);
  }
}

package org.gridtrade.game.v2v;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * Federated reinforcement learning of a fleet of EVs (Moniruzzaman Alg. 4, Eq. 4.17–4.19), and the
 * chapter's baselines.
 *
 * <p>One {@link #round() round}: every EV trains its own PPO learner on its own scenario (its
 * arrival, departure and initial SOC, a fresh day of prices every episode) for {@link
 * Config#stepsPerRound()} environment steps (Alg. 4 lines 4–10); every EV then plays the round's
 * day (one day of prices shared by the hotspot) with its learned policy, and its proof score of
 * that day is computed from those actions ({@link #dailyScore}, Eq. 4.17); a pluggable {@link
 * AggregatorDraw} picks the aggregator (mLAG, Eq. 4.18; by default the highest score, as Fig. 4.8
 * shows), which averages the real network weights element-wise ({@link #average}, Eq. 4.19) and
 * broadcasts the global model: every EV starts the next round from it (Alg. 4 lines 25–32).
 *
 * <p>Alg. 4 averages after every episode; a PPO update needs a batch of episodes, so a round here
 * is {@code stepsPerRound} steps ({@link Config#fleet}: 2,048 steps, four PPO updates) and the
 * averaging happens once a round. Every EV starts from the same initial model (EV 0's seed), as the
 * aggregator would broadcast it; EV {@code i}'s learner draws its own prices, noise and minibatches
 * from seed {@code ppo.seed + i}. Everything is sequential and seeded: the same configuration and
 * EVs give the same rounds bit for bit.
 *
 * <p>Variants ({@link Variant}): {@link Variant#FEDERATED} (Alg. 4), {@link Variant#INDEPENDENT}
 * (baseline 1: the same learners, never averaged) and {@link Variant#FEDERATED_UNIT_DELTA}
 * (baseline 2: federated, but learning from the reward with {@code δ ≡ 1}, no price factor). Every
 * variant is measured with the real reward of Eq. 4.14.
 *
 * <p>Not thread-safe.
 */
public final class FederatedTraining {

  private static final byte[] DOMAIN =
      "GridTrade/posoc/model/v1".getBytes(StandardCharsets.US_ASCII);

  /** Which training of the fleet (Moniruzzaman Fig. 4.11–4.12). */
  public enum Variant {
    /** Alg. 4: local PPO, then the aggregator's element-wise mean is every EV's next model. */
    FEDERATED,
    /** Baseline 1: independent learners, the same local training, never averaged. */
    INDEPENDENT,
    /** Baseline 2: federated, but the learners' reward has no price factor ({@code δ ≡ 1}). */
    FEDERATED_UNIT_DELTA;

    /**
     * Whether the variant averages the models.
     *
     * @return false only for {@link #INDEPENDENT}
     */
    public boolean federates() {
      return this != INDEPENDENT;
    }
  }

  /** Picks the round's aggregator (mLAG) from the EVs' proof scores (Eq. 4.18). */
  @FunctionalInterface
  public interface AggregatorDraw {

    /**
     * The aggregator of a round.
     *
     * @param round the round, 0 first
     * @param dailyScores each EV's proof score of the round's day, by EV index
     * @return the aggregator's index, in {@code 0..dailyScores.size() − 1}
     */
    int draw(int round, List<Double> dailyScores);

    /**
     * The EV with the highest score; ties go to the lowest index.
     *
     * @return the draw
     */
    static AggregatorDraw highestScore() {
      return (round, scores) -> {
        int best = 0;
        for (int i = 1; i < scores.size(); i++) {
          if (scores.get(i) > scores.get(best)) {
            best = i;
          }
        }
        return best;
      };
    }
  }

  /**
   * How to train the fleet.
   *
   * @param variant the proposed method or a baseline
   * @param stepsPerRound the least number of environment steps each EV trains per round (whole
   *     updates of {@code ppo.stepsPerUpdate}), 1..100,000,000
   * @param ppo each EV's PPO configuration; EV {@code i} uses seed {@code ppo.seed + i}
   * @param serverStep the server's step {@code s} in (0, 10]: the new global model is {@code w + s
   *     · (mean − w)}, {@code w} the model the round started from and {@code mean} the element-wise
   *     mean of the local models; 1 is Eq. 4.19 (the global model is the mean), larger steps are
   *     federated averaging with a server learning rate (Reddi et al., "Adaptive Federated
   *     Optimization", 2021), which takes the averaged update further
   */
  public record Config(Variant variant, long stepsPerRound, PpoConfig ppo, double serverStep) {

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException naming the field, its value and the rule
     */
    public Config {
      Objects.requireNonNull(variant, "variant");
      Objects.requireNonNull(ppo, "ppo");
      if (stepsPerRound < 1 || stepsPerRound > 100_000_000) {
        throw new IllegalArgumentException(
            "FederatedTraining.Config: stepsPerRound %d must be in 1..100000000"
                .formatted(stepsPerRound));
      }
      if (!(serverStep > 0 && serverStep <= 10)) {
        throw new IllegalArgumentException(
            "FederatedTraining.Config: serverStep %s must be in (0, 10]".formatted(serverStep));
      }
    }

    /**
     * The configuration of Eq. 4.19: the global model is the mean of the local models (server step
     * 1).
     *
     * @param variant the proposed method or a baseline
     * @param stepsPerRound the least number of environment steps each EV trains per round
     * @param ppo each EV's PPO configuration
     */
    public Config(Variant variant, long stepsPerRound, PpoConfig ppo) {
      this(variant, stepsPerRound, ppo, 1);
    }

    /**
     * The same configuration with another server step.
     *
     * @param step the server step, in (0, 10]
     * @return the configuration
     * @throws IllegalArgumentException when the step is out of range
     */
    public Config withServerStep(double step) {
      return new Config(variant, stepsPerRound, ppo, step);
    }

    /**
     * One PPO update per round.
     *
     * @param variant the variant
     * @param ppo the PPO configuration
     * @return the configuration
     */
    public static Config of(Variant variant, PpoConfig ppo) {
      return new Config(variant, Objects.requireNonNull(ppo, "ppo").stepsPerUpdate(), ppo);
    }

    /**
     * The fleet's defaults: rounds of {@link #ROUND_STEPS} steps, each four local updates of {@link
     * PpoConfig#fleet}, and the mean as the global model (Eq. 4.19).
     *
     * @param variant the variant
     * @param seed the seed of EV 0's learner
     * @return the configuration
     */
    public static Config fleet(Variant variant, long seed) {
      return new Config(variant, ROUND_STEPS, PpoConfig.fleet(seed));
    }
  }

  /**
   * The environment steps of a round's local training in {@link Config#fleet}: 2,048, about 190
   * days of an EV that parks 11 hours.
   */
  public static final long ROUND_STEPS = 2048;

  private final Config config;
  private final List<V2vScenario> evs;
  private final AggregatorDraw draw;
  private final List<PpoLearner> learners = new ArrayList<>();
  private final SplittableRandom days;
  private double[] global;
  // the model every EV started the round from (the last global model, or the initial weights)
  private double[] broadcast;
  private int round;

  /**
   * A fleet ready for its first round.
   *
   * @param config how to train
   * @param evs the EVs' scenarios (heterogeneous windows; e.g. drawn from a {@link V2vPopulation}),
   *     1..1,000, all with the same tariff (one hotspot)
   * @param draw the aggregator draw
   * @throws IllegalArgumentException when there are no EVs, too many, or their tariffs differ
   */
  public FederatedTraining(Config config, List<V2vScenario> evs, AggregatorDraw draw) {
    this.config = Objects.requireNonNull(config, "config");
    this.evs = List.copyOf(evs);
    this.draw = Objects.requireNonNull(draw, "draw");
    if (this.evs.isEmpty() || this.evs.size() > 1000) {
      throw new IllegalArgumentException(
          "FederatedTraining: evs %d must be in 1..1000".formatted(this.evs.size()));
    }
    for (int i = 1; i < this.evs.size(); i++) {
      if (!this.evs.get(i).prices().equals(this.evs.get(0).prices())) {
        throw new IllegalArgumentException(
            "FederatedTraining: evs[%d].prices must equal evs[0].prices (one hotspot, one tariff)"
                .formatted(i));
      }
    }
    learners.addAll(learners(config.ppo(), this.evs.size()));
    this.broadcast = learners.get(0).parameters();
    this.days = days(config.ppo());
  }

  /**
   * One learner per EV, EV {@code i} seeded with {@code ppo.seed + i}, all from EV 0's initial
   * weights.
   */
  static List<PpoLearner> learners(PpoConfig ppo, int evs) {
    List<PpoLearner> out = new ArrayList<>(evs);
    for (int i = 0; i < evs; i++) {
      out.add(new PpoLearner(withSeed(ppo, ppo.seed() + i)));
    }
    double[] initial = out.get(0).parameters();
    for (PpoLearner l : out) {
      l.setParameters(initial);
    }
    return out;
  }

  /** The generator of a fleet's days of prices, its own stream of the seed. */
  static SplittableRandom days(PpoConfig ppo) {
    return new SplittableRandom(ppo.seed() ^ 0x5F3759DFL);
  }

  /** Averages the learners' models (Eq. 4.19) and sets every learner to the mean, returned. */
  static double[] federate(List<PpoLearner> learners) {
    return federate(learners, null, 1);
  }

  /**
   * Sets every learner to the new global model {@code start + step · (mean − start)} and returns
   * it; with step 1, exactly the mean of the learners' models (Eq. 4.19).
   */
  static double[] federate(List<PpoLearner> learners, double[] start, double step) {
    List<double[]> local = new ArrayList<>(learners.size());
    for (PpoLearner l : learners) {
      local.add(l.parameters());
    }
    double[] global = average(local);
    if (step != 1) {
      for (int k = 0; k < global.length; k++) {
        global[k] = start[k] + step * (global[k] - start[k]);
      }
    }
    for (PpoLearner l : learners) {
      l.setParameters(global);
    }
    return global;
  }

  /**
   * The configuration.
   *
   * @return how the fleet trains
   */
  public Config config() {
    return config;
  }

  /**
   * The EVs.
   *
   * @return their scenarios, by index
   */
  public List<V2vScenario> evs() {
    return evs;
  }

  /**
   * Runs one round (local training, the day's proof scores, and for a federating variant the draw,
   * the average and the broadcast).
   *
   * @return what it did
   */
  public FederatedRound round() {
    boolean unitDelta = config.variant() == Variant.FEDERATED_UNIT_DELTA;
    int n = evs.size();
    List<Double> training = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      PpoTraining t = learners.get(i).train(evs.get(i), config.stepsPerRound(), unitDelta);
      training.add(t.meanReturns().stream().mapToDouble(Double::doubleValue).average().orElse(0));
    }
    double[] day = evs.get(0).prices().sampleDay(days);
    List<Double> scores = new ArrayList<>(n);
    List<Double> returns = new ArrayList<>(n);
    List<Double> profits = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      V2vScenario s = evs.get(i);
      V2vEpisode e = V2vEpisode.play(s, learners.get(i).policy(s), day);
      scores.add(dailyScore(s, e));
      returns.add(e.totalReward());
      profits.add(e.totalProfit());
    }
    OptionalInt aggregator = OptionalInt.empty();
    Optional<String> hash = Optional.empty();
    if (config.variant().federates()) {
      int a = draw.draw(round, List.copyOf(scores));
      if (a < 0 || a >= n) {
        throw new IllegalStateException(
            "FederatedTraining: the draw returned aggregator %d, must be in 0..%d"
                .formatted(a, n - 1));
      }
      global = federate(learners, broadcast, config.serverStep());
      broadcast = global;
      aggregator = OptionalInt.of(a);
      hash = Optional.of(modelHash(global));
    }
    PpoLearner first = learners.get(0);
    return new FederatedRound(
        round++,
        first.stepsTrained(),
        first.episodesTrained(),
        scores,
        returns,
        profits,
        training,
        aggregator,
        hash);
  }

  /**
   * Runs rounds.
   *
   * @param rounds how many, 0 or more
   * @return what each did
   * @throws IllegalArgumentException when rounds is negative
   */
  public List<FederatedRound> run(int rounds) {
    if (rounds < 0) {
      throw new IllegalArgumentException("rounds %d must be >= 0".formatted(rounds));
    }
    List<FederatedRound> out = new ArrayList<>(rounds);
    for (int r = 0; r < rounds; r++) {
      out.add(round());
    }
    return out;
  }

  /**
   * Personalises the fleet after its federated rounds: every EV goes on training its own model from
   * where it is (after a federated round, the global model), and nothing is averaged any more. This
   * is federated averaging followed by local adaptation, the usual remedy when one global model
   * fits heterogeneous clients worse than their own models would; in Alg. 4 each EV already acts on
   * the day with the model it trained locally from the broadcast one. The global model and the
   * rounds are unchanged; {@link #model} and {@link #policy} then give each EV's own model.
   *
   * @param stepsPerEv environment steps each EV trains (whole PPO updates, as in a round),
   *     1..100,000,000
   * @return each EV's training curve, in EV order
   * @throws IllegalArgumentException when stepsPerEv is out of range
   */
  public List<PpoTraining> personalise(long stepsPerEv) {
    if (stepsPerEv < 1 || stepsPerEv > 100_000_000) {
      throw new IllegalArgumentException(
          "stepsPerEv %d must be in 1..100000000".formatted(stepsPerEv));
    }
    boolean unitDelta = config.variant() == Variant.FEDERATED_UNIT_DELTA;
    List<PpoTraining> out = new ArrayList<>(evs.size());
    for (int i = 0; i < evs.size(); i++) {
      out.add(learners.get(i).train(evs.get(i), stepsPerEv, unitDelta));
    }
    return List.copyOf(out);
  }

  /**
   * Rounds run so far.
   *
   * @return the count
   */
  public int rounds() {
    return round;
  }

  /**
   * The last global model: the aggregator's average, or with a server step other than 1 the step
   * taken towards it.
   *
   * @return a copy; empty before the first round and for {@link Variant#INDEPENDENT}
   */
  public Optional<double[]> globalModel() {
    return global == null ? Optional.empty() : Optional.of(global.clone());
  }

  /**
   * EV {@code i}'s current model (after a federated round, the global model).
   *
   * @param ev the EV's index
   * @return a copy of its parameters
   * @throws IndexOutOfBoundsException when there is no such EV
   */
  public double[] model(int ev) {
    return learners.get(Objects.checkIndex(ev, evs.size())).parameters();
  }

  /**
   * Writes EV {@code i}'s current model to a file ({@link PpoLearner#writeModel}); after a round of
   * a federated variant it is the global model, whose hash the round reports.
   *
   * @param ev the EV's index
   * @param file where to write
   * @throws IOException if the file cannot be written
   * @throws IndexOutOfBoundsException when there is no such EV
   */
  public void writeModel(int ev, Path file) throws IOException {
    learners.get(Objects.checkIndex(ev, evs.size())).writeModel(file);
  }

  /**
   * EV {@code i}'s current deterministic policy (a snapshot, see {@link PpoLearner#policy}).
   *
   * @param ev the EV's index
   * @return the policy, for that EV's scenario
   * @throws IndexOutOfBoundsException when there is no such EV
   */
  public V2vPolicy policy(int ev) {
    Objects.checkIndex(ev, evs.size());
    return learners.get(ev).policy(evs.get(ev));
  }

  /**
   * The proof score of an EV's day (Moniruzzaman Eq. 4.17, the sum of Eq. 4.1 over its hours):
   * {@code Σ_t δ_t (D_t − C_t)} over its slots plus {@code SOC_max − SOC_dep} once, in the
   * departing slot, with {@code D − C = −A_t} the energy discharged minus charged, {@code δ_t} the
   * tariff's price factor of the hour and {@code SOC_dep} the SOC it leaves with.
   *
   * @param scenario the EV
   * @param episode its day
   * @return the score; may be negative
   */
  public static double dailyScore(V2vScenario scenario, V2vEpisode episode) {
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(episode, "episode");
    double sum = 0;
    for (V2vStep s : episode.steps()) {
      double trade = scenario.prices().delta(s.hour()) * -s.appliedKwh();
      sum += s.done() ? (scenario.socMax() - s.socAfter()) + trade : trade;
    }
    return sum;
  }

  /**
   * The global model of Eq. 4.19: the element-wise mean of the local models, summed in one
   * canonical order (the models sorted lexicographically by {@link Double#compare}), so the result
   * does not depend on the order the models come in.
   *
   * @param localModels at least one model, all of the same length (1 or more), every weight finite;
   *     not modified
   * @return the mean, a new array
   * @throws IllegalArgumentException when there is no model, a model is empty, the lengths differ
   *     or a weight is not finite
   */
  public static double[] average(List<double[]> localModels) {
    Objects.requireNonNull(localModels, "localModels");
    if (localModels.isEmpty()) {
      throw new IllegalArgumentException("localModels is empty: nothing to average");
    }
    List<double[]> models = new ArrayList<>(localModels.size());
    int length = -1;
    for (int n = 0; n < localModels.size(); n++) {
      double[] w = Objects.requireNonNull(localModels.get(n), "localModels[" + n + "]");
      if (length < 0) {
        length = w.length;
        if (length == 0) {
          throw new IllegalArgumentException("localModels[0] has no weights");
        }
      } else if (w.length != length) {
        throw new IllegalArgumentException(
            "localModels[%d] has %d weights, localModels[0] has %d: all must have the same length"
                .formatted(n, w.length, length));
      }
      requireFinite("localModels[" + n + "]", w);
      models.add(w.clone());
    }
    models.sort(Arrays::compare);
    double[] mean = new double[length];
    for (double[] w : models) {
      for (int j = 0; j < length; j++) {
        mean[j] += w[j];
      }
    }
    for (int j = 0; j < length; j++) {
      mean[j] /= models.size();
    }
    return mean;
  }

  /**
   * The hash the chain records for a global model: {@code SHA-256("GridTrade/posoc/model/v1" ‖ n ‖
   * w_0 ‖ … ‖ w_{n−1})}, {@code n} the number of weights as a 4-byte big-endian integer, each
   * weight its 8-byte big-endian IEEE-754 bits with {@code −0.0} written as {@code +0.0}: the
   * encoding of Proof of State of Charge's model hash in the consensus module.
   *
   * @param model the weights, 1 or more, all finite; not modified
   * @return the hash, 64 lowercase hex digits
   * @throws IllegalArgumentException when the model is empty or a weight is not finite
   */
  public static String modelHash(double[] model) {
    Objects.requireNonNull(model, "model");
    if (model.length == 0) {
      throw new IllegalArgumentException("model has no weights");
    }
    requireFinite("model", model);
    ByteBuffer b = ByteBuffer.allocate(4 + 8 * model.length).putInt(model.length);
    for (double w : model) {
      b.putLong(Double.doubleToLongBits(w == 0 ? 0.0 : w));
    }
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(DOMAIN);
      md.update(b.array());
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static void requireFinite(String field, double[] w) {
    for (int j = 0; j < w.length; j++) {
      if (!Double.isFinite(w[j])) {
        throw new IllegalArgumentException("%s[%d] = %s must be finite".formatted(field, j, w[j]));
      }
    }
  }

  private static PpoConfig withSeed(PpoConfig p, long seed) {
    return new PpoConfig(
        p.hiddenLayers(),
        p.hiddenUnits(),
        p.learningRate(),
        p.stepsPerUpdate(),
        p.epochs(),
        p.minibatchSize(),
        p.gamma(),
        p.gaeLambda(),
        p.clipRange(),
        p.entropyCoef(),
        p.valueCoef(),
        p.maxGradNorm(),
        p.initialLogStd(),
        p.rewardScale(),
        seed);
  }
}

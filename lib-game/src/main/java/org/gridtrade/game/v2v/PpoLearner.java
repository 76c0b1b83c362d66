package org.gridtrade.game.v2v;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.gridtrade.game.v2v.internal.Ppo;
import org.gridtrade.game.v2v.internal.V2vTask;

/**
 * One EV's PPO learner for V2V trading (Moniruzzaman Alg. 4 lines 4–10): an actor and a critic,
 * each a small tanh network of our own, and a learned log standard deviation, all in one flat
 * parameter vector ({@link #parameters()}), so that federated averaging of real models (Eq. 4.19)
 * is an element-wise mean of vectors.
 *
 * <p>The policy sees the state of Eq. 4.10 plus the hours to departure, the clock hour and the
 * feasible interval; its action in [−1, 1] is a fraction of the most energy it may discharge (−) or
 * charge (+) in the hour. Training is seeded by {@link PpoConfig#seed()}: the same configuration,
 * calls and scenarios give the same parameters bit for bit.
 *
 * <p>Not thread-safe; one learner per thread.
 */
public final class PpoLearner {

  /**
   * The first line of a model file ({@link #writeModel}). Version 2 is a network whose inputs
   * include the look-ahead over the rest of the EV's stay; a version 1 file (ten inputs) is
   * refused.
   */
  public static final String MODEL_FORMAT = "gridtrade-v2v-model/2";

  // The longest header line read from a model file; longer ones are refused, not buffered.
  private static final int MAX_LINE = 200;

  private final PpoConfig config;
  private final Ppo ppo;

  /**
   * A learner with freshly initialised networks.
   *
   * @param config the hyperparameters and seed
   */
  public PpoLearner(PpoConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.ppo = new Ppo(config, V2vTask.FEATURES);
  }

  /** The learner itself, for training several EVs in one environment ({@link HotspotTraining}). */
  Ppo ppo() {
    return ppo;
  }

  /**
   * The configuration.
   *
   * @return the hyperparameters
   */
  public PpoConfig config() {
    return config;
  }

  /**
   * Trains on one EV's scenario with a fresh day of prices every episode.
   *
   * @param scenario the EV's day
   * @param steps the least number of environment steps to collect (whole updates)
   * @return what the run did
   * @throws IllegalArgumentException when steps is negative
   */
  public PpoTraining train(V2vScenario scenario, long steps) {
    Objects.requireNonNull(scenario, "scenario");
    return train(rng -> scenario, steps);
  }

  /**
   * Trains on EVs drawn from a population, a fresh EV and day every episode.
   *
   * @param population the population
   * @param steps the least number of environment steps to collect (whole updates)
   * @return what the run did
   * @throws IllegalArgumentException when steps is negative
   */
  public PpoTraining train(V2vPopulation population, long steps) {
    Objects.requireNonNull(population, "population");
    return train(population::sample, steps);
  }

  private PpoTraining train(Function<RandomGenerator, V2vScenario> scenarios, long steps) {
    return train(scenarios, steps, false);
  }

  /**
   * Trains on one EV's scenario, optionally with the reward of {@code δ ≡ 1} (baseline 2 of
   * Moniruzzaman Fig. 4.11–4.12); the curve then holds that reward's returns.
   */
  PpoTraining train(V2vScenario scenario, long steps, boolean unitDelta) {
    Objects.requireNonNull(scenario, "scenario");
    return train(rng -> scenario, steps, unitDelta);
  }

  private PpoTraining train(
      Function<RandomGenerator, V2vScenario> scenarios, long steps, boolean unitDelta) {
    if (steps < 0) {
      throw new IllegalArgumentException("steps %d must be >= 0".formatted(steps));
    }
    long s0 = ppo.steps();
    long e0 = ppo.episodes();
    List<Double> curve = new ArrayList<>();
    for (double r : ppo.train(new V2vTask(scenarios, config.rewardScale(), unitDelta), steps)) {
      curve.add(r / config.rewardScale());
    }
    return new PpoTraining(ppo.steps() - s0, ppo.episodes() - e0, curve);
  }

  /**
   * Environment steps trained so far.
   *
   * @return the count
   */
  public long stepsTrained() {
    return ppo.steps();
  }

  /**
   * Episodes (days) trained so far.
   *
   * @return the count
   */
  public long episodesTrained() {
    return ppo.episodes();
  }

  /**
   * The deterministic policy of the current parameters (the Gaussian's mean), for evaluation. It
   * keeps a copy of the parameters: later training does not change it. Like the learner it is not
   * thread-safe (it reuses its buffers); take one per thread.
   *
   * @param scenario the scenario it will act in (for the feasible interval)
   * @return the policy
   */
  public V2vPolicy policy(V2vScenario scenario) {
    Objects.requireNonNull(scenario, "scenario");
    Ppo snapshot = new Ppo(config, V2vTask.FEATURES);
    System.arraycopy(ppo.parameters(), 0, snapshot.parameters(), 0, parameterCount());
    double[] x = new double[V2vTask.FEATURES];
    return state -> {
      V2vTask.features(state, scenario, x);
      return V2vTask.energy(snapshot.mean(x), scenario, state.soc());
    };
  }

  /**
   * Number of parameters: actor, critic and the log standard deviation.
   *
   * @return the length of {@link #parameters()}
   */
  public int parameterCount() {
    return ppo.parameters().length;
  }

  /**
   * A copy of the flat parameter vector {@code [actor | critic | log std]}.
   *
   * @return the parameters
   */
  public double[] parameters() {
    return ppo.parameters().clone();
  }

  /**
   * Replaces the parameters (e.g. by the federated average); the optimiser's moments are kept.
   *
   * @param parameters a vector of {@link #parameterCount()} finite values; copied
   * @throws IllegalArgumentException when the length is wrong or a value is not finite (nothing
   *     changes)
   */
  public void setParameters(double[] parameters) {
    Objects.requireNonNull(parameters, "parameters");
    if (parameters.length != parameterCount()) {
      throw new IllegalArgumentException(
          "parameters length %d must be %d".formatted(parameters.length, parameterCount()));
    }
    for (int i = 0; i < parameters.length; i++) {
      if (!Double.isFinite(parameters[i])) {
        throw new IllegalArgumentException(
            "parameters[%d] %s must be finite".formatted(i, parameters[i]));
      }
    }
    System.arraycopy(parameters, 0, ppo.parameters(), 0, parameters.length);
  }

  /**
   * The hash the chain records for this model ({@link FederatedTraining#modelHash}).
   *
   * @return 64 lowercase hex digits
   */
  public String modelHash() {
    return FederatedTraining.modelHash(ppo.parameters());
  }

  /**
   * Writes the trained model to {@code file}: a text file whose first line is {@value
   * #MODEL_FORMAT}, then the configuration ({@code name=value}, one per line), the counts of steps
   * and episodes trained, {@code parameters=n} followed by the n parameters (each the 16 hex digits
   * of its IEEE-754 bits, one per line) and {@code sha256=} the {@linkplain #modelHash() model
   * hash}. The file is written beside its final name and moved into place, so a crash leaves the
   * old file or the new one. Adam's moments are not kept: training a model read back starts them
   * afresh.
   *
   * @param file where to write
   * @throws IOException if the file cannot be written
   */
  public void writeModel(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    Path target = file.toAbsolutePath();
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write(MODEL_FORMAT + "\n");
      for (Map.Entry<String, String> e : configFields(config).entrySet()) {
        w.write(e.getKey() + "=" + e.getValue() + "\n");
      }
      w.write("stepsTrained=" + ppo.steps() + "\n");
      w.write("episodesTrained=" + ppo.episodes() + "\n");
      double[] p = ppo.parameters();
      w.write("parameters=" + p.length + "\n");
      for (double v : p) {
        w.write(String.format(Locale.ROOT, "%016x\n", Double.doubleToRawLongBits(v)));
      }
      w.write("sha256=" + modelHash() + "\n");
    }
    try {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Reads a model written by {@link #writeModel}: a learner with its configuration, parameters and
   * counts (and fresh optimiser moments), whose {@link #policy} acts as the written one did.
   *
   * @param file the model file
   * @return the learner
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the file, the line and the rule when the content is not
   *     a valid model (another format, a missing or bad field, a parameter count that does not fit
   *     the configuration, a hash that does not match the parameters); nothing is kept
   */
  public static PpoLearner readModel(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int[] line = {0};
      String first = line(r, file, line);
      if (!MODEL_FORMAT.equals(first)) {
        throw bad(file, 1, "first line '%s' is not '%s'".formatted(first, MODEL_FORMAT));
      }
      Map<String, String> fields = new LinkedHashMap<>();
      List<String> names = new ArrayList<>(configFields(PpoConfig.defaults(0)).keySet());
      names.add("stepsTrained");
      names.add("episodesTrained");
      names.add("parameters");
      for (String name : names) {
        String l = line(r, file, line);
        if (!l.startsWith(name + "=")) {
          throw bad(file, line[0], "expected '%s=...', found '%s'".formatted(name, l));
        }
        fields.put(name, l.substring(name.length() + 1));
      }
      PpoConfig config;
      try {
        config =
            new PpoConfig(
                wholeInt(file, fields, "hiddenLayers"),
                wholeInt(file, fields, "hiddenUnits"),
                real(file, fields, "learningRate"),
                wholeInt(file, fields, "stepsPerUpdate"),
                wholeInt(file, fields, "epochs"),
                wholeInt(file, fields, "minibatchSize"),
                real(file, fields, "gamma"),
                real(file, fields, "gaeLambda"),
                real(file, fields, "clipRange"),
                real(file, fields, "entropyCoef"),
                real(file, fields, "valueCoef"),
                real(file, fields, "maxGradNorm"),
                real(file, fields, "initialLogStd"),
                real(file, fields, "rewardScale"),
                whole(file, fields, "seed"));
      } catch (IllegalArgumentException e) {
        if (e.getMessage().startsWith("model file ")) {
          throw e;
        }
        throw new IllegalArgumentException("model file %s: %s".formatted(file, e.getMessage()), e);
      }
      long steps = whole(file, fields, "stepsTrained");
      long episodes = whole(file, fields, "episodesTrained");
      if (steps < 0 || episodes < 0) {
        throw bad(
            file,
            0,
            "stepsTrained %d and episodesTrained %d must be >= 0".formatted(steps, episodes));
      }
      PpoLearner learner = new PpoLearner(config);
      long n = whole(file, fields, "parameters");
      if (n != learner.parameterCount()) {
        throw bad(
            file,
            line[0],
            "parameters=%d, but this configuration has %d".formatted(n, learner.parameterCount()));
      }
      double[] p = new double[(int) n];
      for (int i = 0; i < n; i++) {
        String l = line(r, file, line);
        if (l.length() != 16) {
          throw bad(file, line[0], "parameter %d '%s' is not 16 hex digits".formatted(i, l));
        }
        try {
          p[i] = Double.longBitsToDouble(Long.parseUnsignedLong(l, 16));
        } catch (NumberFormatException e) {
          throw bad(file, line[0], "parameter %d '%s' is not 16 hex digits".formatted(i, l));
        }
        if (!Double.isFinite(p[i])) {
          throw bad(file, line[0], "parameter %d is %s, not finite".formatted(i, p[i]));
        }
      }
      String last = line(r, file, line);
      String hash = FederatedTraining.modelHash(p);
      if (!last.equals("sha256=" + hash)) {
        throw bad(
            file,
            line[0],
            "'%s' does not match the parameters, whose hash is %s".formatted(last, hash));
      }
      if (r.read() != -1) {
        throw bad(file, line[0] + 1, "content after the hash");
      }
      learner.setParameters(p);
      learner.ppo.restoreCounts(steps, episodes);
      return learner;
    }
  }

  private static Map<String, String> configFields(PpoConfig c) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("hiddenLayers", Integer.toString(c.hiddenLayers()));
    m.put("hiddenUnits", Integer.toString(c.hiddenUnits()));
    m.put("learningRate", Double.toString(c.learningRate()));
    m.put("stepsPerUpdate", Integer.toString(c.stepsPerUpdate()));
    m.put("epochs", Integer.toString(c.epochs()));
    m.put("minibatchSize", Integer.toString(c.minibatchSize()));
    m.put("gamma", Double.toString(c.gamma()));
    m.put("gaeLambda", Double.toString(c.gaeLambda()));
    m.put("clipRange", Double.toString(c.clipRange()));
    m.put("entropyCoef", Double.toString(c.entropyCoef()));
    m.put("valueCoef", Double.toString(c.valueCoef()));
    m.put("maxGradNorm", Double.toString(c.maxGradNorm()));
    m.put("initialLogStd", Double.toString(c.initialLogStd()));
    m.put("rewardScale", Double.toString(c.rewardScale()));
    m.put("seed", Long.toString(c.seed()));
    return m;
  }

  // The next line, at most MAX_LINE characters (a longer one is refused, not buffered).
  private static String line(BufferedReader r, Path file, int[] line) throws IOException {
    line[0]++;
    StringBuilder b = new StringBuilder();
    while (true) {
      int c = r.read();
      if (c == -1) {
        if (b.length() == 0) {
          throw bad(file, line[0], "the file ends early");
        }
        return b.toString();
      }
      if (c == '\n') {
        return b.toString();
      }
      if (b.length() == MAX_LINE) {
        throw bad(file, line[0], "line longer than %d characters".formatted(MAX_LINE));
      }
      b.append((char) c);
    }
  }

  private static long whole(Path file, Map<String, String> fields, String name) {
    return field(file, fields, name, Long::parseLong, "a whole number");
  }

  private static int wholeInt(Path file, Map<String, String> fields, String name) {
    return field(file, fields, name, Integer::parseInt, "a whole number in the int range");
  }

  private static double real(Path file, Map<String, String> fields, String name) {
    return field(file, fields, name, Double::parseDouble, "a number");
  }

  private static <T> T field(
      Path file, Map<String, String> fields, String name, Function<String, T> parse, String kind) {
    String v = fields.get(name);
    try {
      return parse.apply(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "model file %s: field %s: '%s' is not %s".formatted(file, name, v, kind), e);
    }
  }

  private static IllegalArgumentException bad(Path file, int line, String why) {
    return new IllegalArgumentException(
        line > 0
            ? "model file %s, line %d: %s".formatted(file, line, why)
            : "model file %s: %s".formatted(file, why));
  }
}

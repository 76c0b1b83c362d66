package org.gridtrade.benchmarks.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.gridtrade.game.v2v.PpoConfig;
import org.gridtrade.game.v2v.PpoLearner;
import org.gridtrade.game.v2v.V2vScenario;

/**
 * The V2V learners' choice of network library, by measurement: DJL with the PyTorch CPU engine
 * against the small network GridTrade's {@code PpoLearner} runs on plain arrays.
 *
 * <ul>
 *   <li>Ours: the wall time of {@code PpoLearner.train} for 100,000 steps of the default EV with the
 *       default configuration (2 × 32 tanh units, rollouts of 2,048 steps, 10 epochs of minibatches
 *       of 64), median of 3 after a warm-up run.
 *   <li>DJL: the same actor and critic shapes in float32. What PPO does per environment step (one
 *       forward pass of the actor and of the critic on one observation) and per minibatch (both
 *       networks forward on 64 observations, a squared-error loss on each, backward by the
 *       engine's autograd, and a plain gradient step on the 12 parameter arrays), each timed after
 *       a warm-up. PPO for 100,000 steps needs 100,000 of the first and 48 updates × 10 epochs × 32
 *       minibatches = 15,360 of the second; their sum is a lower bound on a DJL PPO (it leaves out
 *       the environment, the advantages, the clipped ratio and Adam).
 *   <li>Determinism: the same 50 minibatch steps from the same weights twice, compared bit for bit.
 *   <li>Install size: the jars DJL adds to the class path.
 * </ul>
 *
 * <pre>
 * benchmarks/djl-comparison.sh
 * </pre>
 */
public final class DjlComparison {
  private static final int OBS = 10;
  private static final int HIDDEN = 32;
  private static final int BATCH = 64;
  private static final long PPO_STEPS = 100_000;

  private DjlComparison() {}

  /**
   * Runs the measurement.
   *
   * @param args none
   * @throws Exception if the engine cannot start
   */
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    double oursSeconds = ours();
    Engine engine = Engine.getEngine("PyTorch");
    engine.setRandomSeed(7);
    double actMicros;
    double gradMicros;
    boolean deterministic;
    try (NDManager manager = engine.newBaseManager()) {
      NDList actor = network(manager);
      NDList critic = network(manager);
      actMicros = act(manager, actor, critic, 5_000, 20_000);
      gradMicros = grad(manager, actor, critic, 500, 2_000);
      deterministic = deterministic(engine);
    }
    long gradSteps = PPO_STEPS / 2048 * 10 * (2048 / BATCH);
    double djlLowerBound = (PPO_STEPS * actMicros + gradSteps * gradMicros) / 1e6;
    long djlBytes = djlJarBytes();
    System.out.printf(
        Locale.ROOT,
        "engine %s %s, OMP_NUM_THREADS=%s, %d cores%n",
        engine.getEngineName(),
        engine.getVersion(),
        System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "| | GridTrade's network (double) | DJL, PyTorch CPU (float32) |%n");
    System.out.printf(Locale.ROOT, "|---|---|---|%n");
    System.out.printf(
        Locale.ROOT,
        "| one step's forward passes (actor + critic, 1 observation) | | %.1f µs |%n",
        actMicros);
    System.out.printf(
        Locale.ROOT,
        "| one minibatch gradient step (64 observations, both networks) | | %.1f µs |%n",
        gradMicros);
    System.out.printf(
        Locale.ROOT,
        "| PPO, 100,000 steps of the default EV | %.1f s (measured) | ≥ %.1f s (%,d × the first + %,d × the second) |%n",
        oursSeconds,
        djlLowerBound,
        PPO_STEPS,
        gradSteps);
    System.out.printf(
        Locale.ROOT,
        "| same seed, same weights bit for bit | yes (PpoLearnerTest) | %s (50 minibatch steps twice) |%n",
        deterministic ? "yes" : "no");
    System.out.printf(
        Locale.ROOT,
        "| added to the class path | 0 (plain Java) | %.1f MB |%n",
        djlBytes / 1e6);
  }

  /** Median wall time of 3 runs of 100,000 PPO steps, after a warm-up run. */
  private static double ours() {
    new PpoLearner(PpoConfig.defaults(1)).train(V2vScenario.defaults(), PPO_STEPS);
    double[] s = new double[3];
    for (int i = 0; i < s.length; i++) {
      PpoLearner learner = new PpoLearner(PpoConfig.defaults(2 + i));
      long t0 = System.nanoTime();
      learner.train(V2vScenario.defaults(), PPO_STEPS);
      s[i] = (System.nanoTime() - t0) / 1e9;
    }
    Arrays.sort(s);
    return s[1];
  }

  /** {@code [W1, b1, W2, b2, W3, b3]} of a 10 → 32 → 32 → 1 network, requiring gradients. */
  private static NDList network(NDManager m) {
    NDList p = new NDList();
    int[] sizes = {OBS, HIDDEN, HIDDEN, 1};
    for (int l = 0; l + 1 < sizes.length; l++) {
      NDArray w =
          m.randomNormal(new Shape(sizes[l], sizes[l + 1])).mul(Math.sqrt(1.0 / sizes[l]));
      NDArray b = m.zeros(new Shape(sizes[l + 1]));
      w.setRequiresGradient(true);
      b.setRequiresGradient(true);
      p.add(w);
      p.add(b);
    }
    return p;
  }

  private static NDArray forward(NDList p, NDArray x) {
    NDArray h = x.matMul(p.get(0)).add(p.get(1)).tanh();
    h = h.matMul(p.get(2)).add(p.get(3)).tanh();
    return h.matMul(p.get(4)).add(p.get(5));
  }

  /** Microseconds per environment step's forward passes. */
  private static double act(NDManager m, NDList actor, NDList critic, int warm, int n) {
    float[] obs = new float[OBS];
    for (int i = 0; i < warm + n; i++) {
      if (i == warm) {
        long t0 = System.nanoTime();
        for (int k = 0; k < n; k++) {
          actOnce(m, actor, critic, obs, k);
        }
        return (System.nanoTime() - t0) / 1e3 / n;
      }
      actOnce(m, actor, critic, obs, i);
    }
    throw new IllegalStateException("unreachable");
  }

  private static void actOnce(NDManager m, NDList actor, NDList critic, float[] obs, int k) {
    obs[k % OBS] = (k % 7) / 7f;
    try (NDManager step = m.newSubManager()) {
      NDArray x = step.create(obs, new Shape(1, OBS));
      float a = forward(actor, x).getFloat(0, 0);
      float v = forward(critic, x).getFloat(0, 0);
      if (Float.isNaN(a + v)) {
        throw new IllegalStateException("NaN");
      }
    }
  }

  /** Microseconds per minibatch gradient step. */
  private static double grad(NDManager m, NDList actor, NDList critic, int warm, int n) {
    for (int i = 0; i < warm; i++) {
      gradOnce(m, actor, critic, i);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      gradOnce(m, actor, critic, i);
    }
    return (System.nanoTime() - t0) / 1e3 / n;
  }

  private static void gradOnce(NDManager m, NDList actor, NDList critic, int seed) {
    try (NDManager step = m.newSubManager()) {
      NDArray x = step.randomUniform(-1, 1, new Shape(BATCH, OBS));
      NDArray ya = step.randomUniform(-1, 1, new Shape(BATCH, 1));
      NDArray yv = step.randomUniform(-1, 1, new Shape(BATCH, 1));
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray la = forward(actor, x).sub(ya).square().mean();
        NDArray lv = forward(critic, x).sub(yv).square().mean();
        gc.backward(la.add(lv));
      }
      for (NDList net : List.of(actor, critic)) {
        for (NDArray p : net) {
          p.subi(p.getGradient().mul(1e-3));
        }
      }
    }
  }

  /** Whether the same 50 minibatch steps from the same weights give the same weights. */
  private static boolean deterministic(Engine engine) {
    List<float[]> first = null;
    for (int run = 0; run < 2; run++) {
      engine.setRandomSeed(11);
      try (NDManager m = engine.newBaseManager()) {
        NDList actor = network(m);
        NDList critic = network(m);
        for (int i = 0; i < 50; i++) {
          gradOnce(m, actor, critic, i);
        }
        List<float[]> out = new ArrayList<>();
        for (NDArray p : actor) {
          out.add(p.toFloatArray());
        }
        for (NDArray p : critic) {
          out.add(p.toFloatArray());
        }
        if (first == null) {
          first = out;
        } else {
          for (int i = 0; i < out.size(); i++) {
            if (!Arrays.equals(first.get(i), out.get(i))) {
              return false;
            }
          }
        }
      }
    }
    return true;
  }

  /** Bytes of the DJL and PyTorch jars on the class path. */
  private static long djlJarBytes() throws Exception {
    long sum = 0;
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e);
      String name = p.getFileName().toString();
      if (Files.isRegularFile(p) && (name.startsWith("api-") || name.startsWith("pytorch-"))) {
        sum += Files.size(p);
      }
    }
    return sum;
  }
}

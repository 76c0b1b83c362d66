package org.gridtrade.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.InMemoryNetwork;
import org.gridtrade.consensus.Transport;

/**
 * Runs block engines on an in-process network in simulated time: one {@link ManualClock}, an {@link
 * InMemoryNetwork} that delivers on that clock (with a seeded delay and loss), and a driver that,
 * at each {@link #step()}, moves the clock by the step, delivers every message that is due and
 * ticks every engine in the order they were added. Nothing runs on its own threads, so a run with
 * the same seed, engines and inputs is the same run: the tests, the demo and the benchmarks drive
 * their networks this way.
 *
 * <pre>{@code
 * try (SimulatedNetwork sim = SimulatedNetwork.builder().start(genesisTime + 1_000).seed(7).build()) {
 *   for (int i = 0; i < 3; i++) {
 *     KeyPair k = sealers.get(i);
 *     sim.node("n" + i, b -> b.genesis(genesis).store(BlockStores.inMemory())
 *         .schedule(ConsensusSchedule.of(poa)).sealingKey(k));
 *   }
 *   sim.engines().get(0).submit(tx);
 *   sim.runUntil(() -> sim.engines().stream().allMatch(e -> e.ledger().height() >= 5),
 *       Duration.ofMinutes(1));
 * }
 * }</pre>
 *
 * Not thread-safe: one thread drives it. {@link #close()} closes every engine and the network.
 */
public final class SimulatedNetwork implements AutoCloseable {
  private final ManualClock clock;
  private final InMemoryNetwork network;
  private final long stepMillis;
  // Ticked in this order; a stopped node leaves a hole (null) that its restart under the same id
  // fills again, so stopping and restarting a node does not change the others' order.
  private final List<BlockEngine> engines = new ArrayList<>();
  private final List<String> stopped = new ArrayList<>();

  private SimulatedNetwork(Builder b) {
    this.clock = new ManualClock(b.start);
    this.stepMillis = b.stepMillis;
    this.network = b.network.clock(clock).build();
  }

  /**
   * A builder: start at epoch 1,700,000,001,000 ms, steps of 10 ms, seed 1, delays of 1 to 50 ms,
   * no loss.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The clock every engine of this network must be given (as {@link #node} does).
   *
   * @return the clock
   */
  public ManualClock clock() {
    return clock;
  }

  /**
   * The network underneath, for what the driver does not offer (leaving, counting messages).
   *
   * @return the network
   */
  public InMemoryNetwork network() {
    return network;
  }

  /**
   * Connects a node to the network, for an engine built by hand (then {@link #add} it).
   *
   * @param id the node's id, unique in this network
   * @return its transport
   * @throws IllegalArgumentException if a node with this id is connected
   */
  public Transport join(String id) {
    return network.join(id);
  }

  /**
   * Adds an engine built by hand, with this network's {@link #clock()} and a transport from {@link
   * #join}; from the next step on it is ticked.
   *
   * @param engine the engine
   * @return the engine
   */
  public BlockEngine add(BlockEngine engine) {
    Objects.requireNonNull(engine, "engine");
    for (int i = 0; i < engines.size(); i++) {
      if (engines.get(i) == null && engine.id().equals(stopped.get(i))) {
        engines.set(i, engine);
        stopped.set(i, null);
        return engine;
      }
    }
    engines.add(engine);
    stopped.add(null);
    return engine;
  }

  /**
   * Stops a node as a crash would: it leaves the network (messages to it are dropped), is no longer
   * ticked, and its engine is closed (a durable store keeps what it had committed). A node started
   * again under the same id ({@link #node} or {@link #add}) takes its place in the tick order.
   *
   * @param id the node's id
   * @return the stopped engine
   * @throws IllegalArgumentException if no running node has this id
   */
  public BlockEngine stop(String id) {
    for (int i = 0; i < engines.size(); i++) {
      BlockEngine e = engines.get(i);
      if (e != null && e.id().equals(id)) {
        engines.set(i, null);
        stopped.set(i, id);
        network.leave(id);
        e.close();
        return e;
      }
    }
    throw new IllegalArgumentException("no running node has the id " + id);
  }

  /**
   * Builds an engine on this network and adds it: {@code configure} gets a builder that already has
   * the id, this network's clock and a transport joined under {@code id}, and sets the rest
   * (genesis, store, schedule, key, policy, listeners).
   *
   * @param id the node's id, unique in this network
   * @param configure sets the engine's other parts
   * @return the engine, ticked from the next step on
   * @throws IllegalArgumentException if a node with this id is connected
   * @throws RuntimeException what the engine's builder throws (the node leaves the network again)
   */
  public BlockEngine node(String id, UnaryOperator<BlockEngine.Builder> configure) {
    Objects.requireNonNull(configure, "configure");
    Transport t = network.join(id);
    try {
      return add(configure.apply(BlockEngine.builder().id(id).clock(clock).transport(t)).build());
    } catch (RuntimeException e) {
      network.leave(id);
      throw e;
    }
  }

  /**
   * The running engines, in tick order (the order they were added; a restarted node keeps its
   * place).
   *
   * @return a copy
   */
  public List<BlockEngine> engines() {
    return engines.stream().filter(Objects::nonNull).toList();
  }

  /** One step: moves the clock by the step, delivers every message due and ticks every engine. */
  public void step() {
    clock.advanceMillis(stepMillis);
    network.deliverDue();
    for (BlockEngine e : engines) {
      if (e != null) {
        e.tick();
      }
    }
  }

  /**
   * Steps through {@code d} of simulated time (rounded up to whole steps).
   *
   * @param d how long, zero or more
   * @throws IllegalArgumentException if {@code d} is negative
   */
  public void run(Duration d) {
    long ms = nonNegative(d, "run");
    for (long t = 0; t < ms; t += stepMillis) {
      step();
    }
  }

  /**
   * Steps until {@code done} holds (checked before each step) or {@code limit} of simulated time
   * has passed.
   *
   * @param done the condition
   * @param limit the most simulated time to run
   * @return whether {@code done} held
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  public boolean runUntil(BooleanSupplier done, Duration limit) {
    Objects.requireNonNull(done, "done");
    long end = clock.millis() + nonNegative(limit, "limit");
    while (!done.getAsBoolean()) {
      if (clock.millis() >= end) {
        return false;
      }
      step();
    }
    return true;
  }

  private static long nonNegative(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException("%s %s must not be negative".formatted(what, d));
    }
    return d.toMillis();
  }

  @Override
  public void close() {
    engines.stream().filter(Objects::nonNull).forEach(BlockEngine::close);
    network.close();
  }

  /** Builds a {@link SimulatedNetwork}. Not thread-safe. */
  public static final class Builder {
    private long start = 1_700_000_001_000L;
    private long stepMillis = 10;
    // The network's own builder checks the delays, the loss rate and the seed.
    private final InMemoryNetwork.Builder network =
        InMemoryNetwork.builder()
            .manualDelivery()
            .seed(1)
            .delay(Duration.ofMillis(1), Duration.ofMillis(50))
            .lossRate(0);

    private Builder() {}

    /**
     * Where the clock starts.
     *
     * @param epochMillis milliseconds since the epoch
     * @return this builder
     */
    public Builder start(long epochMillis) {
      this.start = epochMillis;
      return this;
    }

    /**
     * How far each {@link #step()} moves the clock (default 10 ms).
     *
     * @param step at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException if shorter than 1 ms
     */
    public Builder step(Duration step) {
      long ms = Objects.requireNonNull(step, "step").toMillis();
      if (ms < 1) {
        throw new IllegalArgumentException("step %s must be at least 1 ms".formatted(step));
      }
      this.stepMillis = ms;
      return this;
    }

    /**
     * The seed of the network's delays and losses (default 1).
     *
     * @param s the seed
     * @return this builder
     */
    public Builder seed(long s) {
      network.seed(s);
      return this;
    }

    /**
     * The range each message's delay is drawn from, uniformly (default 1 to 50 ms).
     *
     * @param least the shortest, 0 or more
     * @param most the longest, at least {@code least}
     * @return this builder
     * @throws IllegalArgumentException if the range is empty or negative
     */
    public Builder delay(Duration least, Duration most) {
      network.delay(least, most);
      return this;
    }

    /**
     * The probability that a message is lost (default 0).
     *
     * @param p in [0, 1)
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder lossRate(double p) {
      network.lossRate(p);
      return this;
    }

    /**
     * Builds the network, with no engines yet. Build one network per builder.
     *
     * @return the network
     */
    public SimulatedNetwork build() {
      return new SimulatedNetwork(this);
    }
  }
}

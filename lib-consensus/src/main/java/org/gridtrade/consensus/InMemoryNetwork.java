package org.gridtrade.consensus;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes in one process connected by simulated links: each message is delayed by a uniform random
 * time in {@code [minDelay, maxDelay]} and lost with probability {@code lossRate}, drawn from a
 * seeded generator so a run repeats exactly.
 *
 * <p>Time is the injected {@link Clock}; messages become due at send time plus delay and are handed
 * to their receivers by {@link #deliverDue()}, which the caller drives (a test loop that advances a
 * manual clock, or a thread). Thread-safe.
 *
 * <pre>{@code
 * InMemoryNetwork net = InMemoryNetwork.builder().clock(clock).seed(42)
 *     .delayMillis(5, 80).lossRate(0.01).build();
 * Transport t1 = net.join("n1");
 * }</pre>
 */
public final class InMemoryNetwork {
  private static final Logger LOG = LoggerFactory.getLogger(InMemoryNetwork.class);

  private record InFlight(long due, long seq, String from, String to, ConsensusMessage message) {}

  private final Clock clock;
  private final long minDelay;
  private final long maxDelay;
  private final double lossRate;
  private final SplittableRandom random;
  private final Map<String, Transport.Receiver> receivers = new ConcurrentHashMap<>();
  private final PriorityQueue<InFlight> queue =
      new PriorityQueue<>(
          (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long seq;
  private long sent;
  private long lost;

  private InMemoryNetwork(Builder b) {
    this.clock = b.clock;
    this.minDelay = b.minDelay;
    this.maxDelay = b.maxDelay;
    this.lossRate = b.lossRate;
    this.random = new SplittableRandom(b.seed);
  }

  /**
   * A builder.
   *
   * @return a builder with the defaults stated on its setters
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Connects a node.
   *
   * @param id the node's id, unique on this network
   * @return the node's transport
   * @throws IllegalArgumentException if a node with this id is connected
   */
  public Transport join(String id) {
    Objects.requireNonNull(id, "id");
    if (receivers.containsKey(id)) {
      throw new IllegalArgumentException("node %s is already connected".formatted(id));
    }
    receivers.put(id, (from, m) -> {});
    return new Endpoint(id);
  }

  /**
   * Disconnects a node (a crash): messages to it, in flight or later, are dropped.
   *
   * @param id the node's id
   */
  public void leave(String id) {
    receivers.remove(id);
  }

  /**
   * Hands every message due by the clock's time to its receiver, in due-time order.
   *
   * @return how many messages were delivered
   */
  public int deliverDue() {
    long now = clock.millis();
    List<InFlight> due = new ArrayList<>();
    synchronized (this) {
      while (!queue.isEmpty() && queue.peek().due <= now) {
        due.add(queue.poll());
      }
    }
    int n = 0;
    for (InFlight f : due) {
      Transport.Receiver r = receivers.get(f.to);
      if (r != null) {
        r.onMessage(f.from, f.message);
        n++;
      }
    }
    return n;
  }

  /**
   * When the next message is due.
   *
   * @return its due time, epoch ms, or empty if none is in flight
   */
  public synchronized OptionalLong nextDue() {
    return queue.isEmpty() ? OptionalLong.empty() : OptionalLong.of(queue.peek().due);
  }

  /**
   * Messages sent so far (to one receiver each; a broadcast counts once per receiver).
   *
   * @return the count
   */
  public synchronized long sent() {
    return sent;
  }

  /**
   * Messages lost so far by the loss rate.
   *
   * @return the count
   */
  public synchronized long lost() {
    return lost;
  }

  private synchronized void enqueue(String from, String to, ConsensusMessage m) {
    sent++;
    if (lossRate > 0 && random.nextDouble() < lossRate) {
      lost++;
      LOG.trace("lost {} from {} to {}", m.getClass().getSimpleName(), from, to);
      return;
    }
    long delay = minDelay == maxDelay ? minDelay : random.nextLong(minDelay, maxDelay + 1);
    queue.add(new InFlight(clock.millis() + delay, seq++, from, to, m));
  }

  private final class Endpoint implements Transport {
    private final String id;

    Endpoint(String id) {
      this.id = id;
    }

    @Override
    public String localId() {
      return id;
    }

    @Override
    public void broadcast(ConsensusMessage message) {
      Objects.requireNonNull(message, "message");
      for (String peer : new java.util.TreeSet<>(receivers.keySet())) {
        if (!peer.equals(id)) {
          enqueue(id, peer, message);
        }
      }
    }

    @Override
    public void send(String peer, ConsensusMessage message) {
      Objects.requireNonNull(message, "message");
      if (receivers.containsKey(peer)) {
        enqueue(id, peer, message);
      }
    }

    @Override
    public void listen(Receiver receiver) {
      Objects.requireNonNull(receiver, "receiver");
      receivers.replace(id, receiver);
    }
  }

  /** Builds an {@link InMemoryNetwork}. Not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private long seed;
    private long minDelay;
    private long maxDelay;
    private double lossRate;

    private Builder() {}

    /**
     * The clock that stamps and releases messages (default the system UTC clock).
     *
     * @param c the clock
     * @return this builder
     */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /**
     * The seed of the delay and loss draws (default 0).
     *
     * @param s the seed
     * @return this builder
     */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /**
     * The delay range (default 0 to 0 ms: delivered at the next {@link #deliverDue()}).
     *
     * @param min the least delay, 0 or more
     * @param max the largest delay, at least {@code min}
     * @return this builder
     * @throws IllegalArgumentException if {@code min < 0} or {@code max < min}
     */
    public Builder delayMillis(long min, long max) {
      if (min < 0 || max < min) {
        throw new IllegalArgumentException(
            "delay range [%d, %d] must have 0 <= min <= max".formatted(min, max));
      }
      this.minDelay = min;
      this.maxDelay = max;
      return this;
    }

    /**
     * The probability that a message is lost (default 0).
     *
     * @param p a probability in [0, 1)
     * @return this builder
     * @throws IllegalArgumentException if not in [0, 1)
     */
    public Builder lossRate(double p) {
      if (!(p >= 0 && p < 1)) {
        throw new IllegalArgumentException("lossRate %s not in [0, 1)".formatted(p));
      }
      this.lossRate = p;
      return this;
    }

    /**
     * Builds the network.
     *
     * @return the network, with no nodes
     */
    public InMemoryNetwork build() {
      return new InMemoryNetwork(this);
    }
  }
}

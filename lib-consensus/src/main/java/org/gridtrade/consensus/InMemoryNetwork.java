package org.gridtrade.consensus;

import java.time.Clock;
import java.time.Duration;
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
 * <p>Time is the injected {@link Clock}; messages become due at send time plus delay. By default
 * the network delivers them by itself: one daemon thread hands each message to its receiver when
 * the clock reaches its due time, which is what engines running on the system clock ({@link
 * BlockEngine#start()}) need. A simulation that advances a manual clock builds the network with
 * {@link Builder#manualDelivery()} and calls {@link #deliverDue()} from its own loop, so that a run
 * repeats exactly; such a network fails fast (an {@link IllegalStateException} from the sending
 * node) when messages have been due for {@value #STALL_MILLIS} ms of its clock and {@link
 * #deliverDue()} was never called. Thread-safe. {@link #close()} stops the delivery thread.
 *
 * <pre>{@code
 * try (InMemoryNetwork net = InMemoryNetwork.builder().seed(42)
 *     .delay(Duration.ofMillis(5), Duration.ofMillis(80)).lossRate(0.01).build()) {
 *   Transport t1 = net.join("n1");
 *   ...
 * }
 * }</pre>
 */
public final class InMemoryNetwork implements AutoCloseable {
  /**
   * How long, in ms of the network's clock, messages may stay due in a {@link
   * Builder#manualDelivery() manual} network whose {@link #deliverDue()} has never been called
   * before sending fails. (Once it has been called, the caller drives the network and may jump its
   * clock ahead freely.)
   */
  public static final long STALL_MILLIS = 60_000;

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
  private final boolean manual;
  private final Thread deliverer;
  private long seq;
  private long sent;
  private long lost;
  private boolean driven;
  private boolean closed;

  private InMemoryNetwork(Builder b) {
    this.clock = b.clock;
    this.minDelay = b.minDelay;
    this.maxDelay = b.maxDelay;
    this.lossRate = b.lossRate;
    this.random = new SplittableRandom(b.seed);
    this.manual = b.manual;
    if (manual) {
      this.deliverer = null;
    } else {
      this.deliverer = new Thread(this::deliverLoop, "gridtrade-in-memory-network");
      deliverer.setDaemon(true);
      deliverer.start();
    }
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
   * Hands every message due by the clock's time to its receiver, in due-time order. Only for a
   * network built with {@link Builder#manualDelivery()}: the default network delivers by itself.
   *
   * @return how many messages were delivered
   * @throws IllegalStateException if the network delivers by itself
   */
  public int deliverDue() {
    if (!manual) {
      throw new IllegalStateException(
          "this InMemoryNetwork delivers messages by itself; build it with manualDelivery() to"
              + " drive it with deliverDue()");
    }
    synchronized (this) {
      driven = true;
    }
    return deliver();
  }

  private int deliver() {
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

  /**
   * Stops the delivery thread of a network that delivers by itself; messages still in flight are
   * dropped. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      queue.clear();
      notifyAll();
    }
    if (deliverer != null && Thread.currentThread() != deliverer) {
      try {
        deliverer.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void deliverLoop() {
    while (true) {
      synchronized (this) {
        while (!closed) {
          long now = clock.millis();
          if (!queue.isEmpty() && queue.peek().due <= now) {
            break;
          }
          // Poll at least every 50 ms so that a clock other than the system clock is followed too.
          long wait = queue.isEmpty() ? 50 : Math.min(50, queue.peek().due - now);
          try {
            wait(Math.max(1, wait));
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
      }
      try {
        deliver();
      } catch (RuntimeException e) {
        LOG.warn("a receiver failed on a delivered message", e);
      }
    }
  }

  private synchronized void enqueue(String from, String to, ConsensusMessage m) {
    if (closed) {
      return;
    }
    long now = clock.millis();
    if (manual && !driven && !queue.isEmpty() && now - queue.peek().due > STALL_MILLIS) {
      throw new IllegalStateException(
          ("InMemoryNetwork: messages have been due for %d ms and deliverDue() was never called;"
                  + " call it from the loop that advances the clock, or build the network without"
                  + " manualDelivery() so that it delivers by itself")
              .formatted(now - queue.peek().due));
    }
    sent++;
    if (lossRate > 0 && random.nextDouble() < lossRate) {
      lost++;
      LOG.trace("lost {} from {} to {}", m.getClass().getSimpleName(), from, to);
      return;
    }
    long delay = minDelay == maxDelay ? minDelay : random.nextLong(minDelay, maxDelay + 1);
    queue.add(new InFlight(now + delay, seq++, from, to, m));
    if (!manual) {
      notifyAll();
    }
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
    private boolean manual;

    private Builder() {}

    /**
     * The caller delivers messages by calling {@link #deliverDue()} (default: the network delivers
     * by itself on its own thread). For simulations on a manual clock, where a run must repeat
     * exactly.
     *
     * @return this builder
     */
    public Builder manualDelivery() {
      this.manual = true;
      return this;
    }

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
     * The delay range (default 0 to 0 ms: delivered as soon as possible).
     *
     * @param least the least delay, 0 or more
     * @param most the largest delay, at least {@code least}
     * @return this builder
     * @throws IllegalArgumentException if {@code least < 0} or {@code most < least}
     */
    public Builder delay(Duration least, Duration most) {
      long min = Objects.requireNonNull(least, "least").toMillis();
      long max = Objects.requireNonNull(most, "most").toMillis();
      if (min < 0 || max < min) {
        throw new IllegalArgumentException(
            "delay range [%d, %d] ms must have 0 <= least <= most".formatted(min, max));
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

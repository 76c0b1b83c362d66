package org.gridtrade.consensus;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.gridtrade.consensus.EngineListener.Rejection.Kind;
import org.gridtrade.consensus.internal.StoreChainView;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Mempool;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.BlockStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a chain: takes transactions into its mempool, builds blocks by a {@link BlockPolicy}
 * when the active protocol of the {@link ConsensusSchedule} says this node may propose, seals them,
 * validates and appends them through the {@link Ledger}, and exchanges blocks with peers over a
 * {@link Transport}.
 *
 * <p><b>Threading.</b> {@link #submit} and {@link #receive} may be called from any thread: the
 * first goes straight into the thread-safe mempool, the second into an inbox. Every change to the
 * chain happens in {@link #tick()}, which is serialised (one tick at a time): it drains the inbox
 * (validating and appending received blocks, answering block requests), announces the head, and
 * proposes a block if it is time. {@link #start()} runs {@code tick()} on one daemon scheduler
 * thread per engine; tests instead call {@code tick()} themselves after advancing a manual {@link
 * Clock}, which makes a multi-node run deterministic and fast.
 *
 * <p>Transactions gossiped by peers and queued together are decoded and their signatures checked in
 * parallel, then admitted in arrival order, so a node's mempool order (fee, then arrival) and the
 * blocks it builds do not depend on thread scheduling.
 *
 * <p><b>Timing.</b> A node becomes ready for the next height when a transaction waits (or at once,
 * if empty blocks are allowed). It proposes at {@code max(parent time + block period, ready time) +
 * delay}, with the delay from the protocol's {@link Eligibility} (0 in turn, Clique's out-of-turn
 * delay otherwise).
 *
 * <p><b>Received blocks.</b> A block for the next height is checked by the protocol ({@link
 * ConsensusProtocol#checkBlock}) and fully validated by the ledger before it is appended; a
 * rejected block changes nothing and is reported to listeners. A block claiming height 0 is
 * rejected ({@link EngineListener.Rejection.Kind#INVALID}) unless it is this node's genesis block,
 * which is ignored: block 0 is fixed by configuration. Nothing a peer sends makes {@link #tick()}
 * throw: a message whose handling fails even so is dropped and logged as an error. Among competing
 * blocks for the next height received in one tick, the engine tries the highest {@link
 * ConsensusProtocol#weight} first (then the lowest hash). A block dated more than {@link
 * BlockPolicy#maxFutureMillis()} ahead of the local clock is refused for now (it is fetched again
 * later). A block for a later height is buffered and the missing blocks requested. A different
 * block at a height this node already stored is compared with the stored one: if the same proposer
 * signed both, the pair becomes {@link Evidence}. Otherwise, if the stored block is the head and
 * the newcomer has the same parent and weighs more (or as much, with a lower hash), the newcomer is
 * validated against the parent and replaces the head ({@link Ledger#replaceHead}, a one-block
 * reorganisation; the old head's transactions return to the mempool). This settles the common race
 * of two proposers sealing one height at about the same time, the same way on every node.
 *
 * <p><b>Reorganisations.</b> A longer split is healed by the heaviest branch. A node that gets a
 * block not building on its head, or a status whose head differs from its own block at that height,
 * asks that peer for its blocks from {@link Ledger#REORG_DEPTH} below its head. A linked run of
 * blocks forking at most that deep replaces the blocks above the fork if it weighs more: the sum of
 * the protocol weights above the fork, then the longer, then the lower hash of its first block (one
 * total order, so all nodes choose alike). The switch happens only once every block of the run
 * validates, with the protocol seeing the branch as the chain, and the store is replaced in one
 * step ({@link Ledger#reorganise}). Listeners get {@link EngineListener#onRemoved}, then {@link
 * EngineListener#onBlock} for the new blocks; the removed blocks' other transactions return to the
 * mempool. Blocks deeper than {@link Ledger#REORG_DEPTH} are final.
 *
 * <p><b>Evidence.</b> New evidence, found here or received in a {@link
 * ConsensusMessage.EvidenceNotice} and verified with {@link Evidence#problem}, is reported to
 * listeners once and gossiped once. With {@link Builder#slashEquivocation} the node also submits
 * (and gossips) {@code Slash(offender, min(amount, stake), evidence.id())} signed by an authority
 * key, one at a time, resubmitting after each block until the chain records that evidence id; the
 * ledger applies at most one slash per evidence id, so several nodes slashing the same evidence
 * slash once.
 *
 * <p>Closing the engine stops its thread and closes the ledger (and so its store).
 *
 * <p><b>Structure.</b> This class is a facade: it owns the ledger, the mempool, the inbox and the
 * listeners, and its {@link #tick()} hands the work to package-private parts that share them under
 * the engine's lock: the proposer (building and sealing blocks), sync (buffering received blocks,
 * appending them in order, requests, peer strikes), fork choice (head replacement, reorganisations,
 * conflicts) and the evidence desk (equivocation evidence and slashing).
 */
public final class BlockEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BlockEngine.class);
  static final int SYNC_BATCH = 64;
  static final int MAX_BUFFERED_AHEAD = 1_024;
  static final int MAX_CANDIDATES_PER_HEIGHT = 16;
  private static final int MAX_INBOX = 100_000;
  static final int GIVE_UP_SYNC_INTERVALS = 5;

  private record Incoming(String from, ConsensusMessage message) {}

  /** Bytes of received blocks one peer may have buffered ahead of the head. */
  static final long MAX_BUFFERED_BYTES_PER_PEER = 64L << 20;

  /** Bytes of received blocks buffered ahead of the head, from all peers together. */
  static final long MAX_BUFFERED_BYTES = 256L << 20;

  /** Invalid blocks after which a peer's blocks are ignored for {@link #BAN_MILLIS}. */
  static final int MAX_STRIKES = 8;

  /** How long a peer that sent {@link #MAX_STRIKES} invalid blocks is ignored. */
  static final long BAN_MILLIS = 60_000;

  final String id;
  private long failedMessages;
  final ConsensusSchedule schedule;
  final StoreChainView chain;
  final Ledger ledger;
  final Mempool mempool;
  final KeyPair key;
  final BlockPolicy policy;
  final Clock clock;
  final Transport transport;
  final CopyOnWriteArrayList<EngineListener> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Incoming> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inboxSize = new AtomicInteger();
  final BlockStore store;

  // The engine's parts, each guarded by this (tick): they share the fields above.
  final Sync sync;
  final ForkChoice forkChoice;
  final EvidenceDesk evidenceDesk;
  final Proposer proposer;

  // Guarded by this (tick).
  private long lastStatus = Long.MIN_VALUE / 2;
  private ScheduledExecutorService executor;
  private volatile Throwable failure;
  private volatile boolean closed;

  private BlockEngine(Builder b) {
    this.id = b.id;
    this.schedule = b.schedule;
    this.store = b.store;
    this.chain = new StoreChainView(b.store);
    this.ledger =
        Ledger.open(
            b.genesis,
            b.store,
            schedule.sealVerifier(chain),
            Ledger.DEFAULT_STATE_RETENTION,
            b.modules);
    this.mempool = b.mempool != null ? b.mempool : Mempool.create(100_000, 256L << 20, 64);
    this.key = b.key;
    this.policy = b.policy;
    this.clock = b.clock;
    this.transport = b.transport;
    for (EngineListener l : b.listeners) {
      this.listeners.addIfAbsent(l);
    }
    // A protocol's own listeners (e.g. trust stake's evidence reporter) are wired here, so that an
    // integrator cannot forget them.
    for (ConsensusProtocol p : schedule.entries().values()) {
      for (EngineListener l : p.engineListeners()) {
        this.listeners.addIfAbsent(Objects.requireNonNull(l, "engine listener of " + p.name()));
      }
    }
    this.sync = new Sync(this);
    this.forkChoice = new ForkChoice(this);
    this.evidenceDesk = new EvidenceDesk(this, b.slasher, b.slashAmount);
    this.proposer = new Proposer(this);
    if (transport != null) {
      transport.listen(this::receive);
    }
    LOG.info(
        "engine {} opened chain {} at height {} ({} sealing)",
        id,
        b.genesis.chainId(),
        ledger.height(),
        key == null ? "not" : key.address());
    sealingProblem()
        .ifPresent(
            why ->
                LOG.warn(
                    "engine {}: its sealing key cannot seal: {}; this node validates and relays"
                        + " blocks but proposes none",
                    id,
                    why));
  }

  /**
   * What a node is doing, for operators and health checks.
   *
   * @param id the node's id
   * @param height the head's height
   * @param head the head's hash
   * @param role whether the node seals
   * @param detail why a node with a key cannot seal, or empty
   */
  public record Status(String id, long height, Hash head, Role role, Optional<String> detail) {
    /**
     * Validates the fields.
     *
     * @throws NullPointerException if a field is null
     */
    public Status {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(head, "head");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** Whether a node seals blocks. */
  public enum Role {
    /** The node has a sealing key that its protocol accepts (or may accept) as a proposer. */
    SEALER,
    /**
     * The node has a sealing key that its protocol cannot use now (not a Proof of Authority sealer,
     * no trust-stake deposit, too little stake); {@link Status#detail()} says why.
     */
    NOT_A_SEALER,
    /** The node has no sealing key: it only validates and relays. */
    OBSERVER
  }

  /**
   * The node's status at its current head: height, head hash and whether its sealing key can seal
   * under the protocol of the next height. A node built with a key that its protocol does not
   * accept also logs a warning when it is built.
   *
   * @return the status
   */
  public synchronized Status status() {
    BlockHeader head = ledger.head();
    if (key == null) {
      return new Status(id, head.height(), head.hash(), Role.OBSERVER, Optional.empty());
    }
    Optional<String> problem = sealingProblem();
    return new Status(
        id,
        head.height(),
        head.hash(),
        problem.isPresent() ? Role.NOT_A_SEALER : Role.SEALER,
        problem);
  }

  /**
   * The highest height this node has heard of from its peers (or its own height, if higher): a node
   * whose height is below it is catching up.
   *
   * @return the height
   */
  public synchronized long bestKnownHeight() {
    return Math.max(sync.bestKnownHeight, ledger.height());
  }

  private Optional<String> sealingProblem() {
    if (key == null) {
      return Optional.empty();
    }
    long next = ledger.height() + 1;
    try {
      return schedule
          .protocolAt(next)
          .sealingProblem(
              schedule.viewFor(chain, next), ledger.head(), ledger.state(), key.address());
    } catch (RuntimeException e) {
      LOG.debug("engine {}: could not check its sealing key", id, e);
      return Optional.empty();
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
   * This node's id (its transport id, or the one set on the builder).
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * The ledger, for reading (head, state, blocks, proofs). Append only through the engine.
   *
   * @return the ledger
   */
  public Ledger ledger() {
    return ledger;
  }

  /**
   * The mempool.
   *
   * @return the pool
   */
  public Mempool mempool() {
    return mempool;
  }

  /**
   * The consensus schedule.
   *
   * @return the schedule
   */
  public ConsensusSchedule schedule() {
    return schedule;
  }

  /**
   * The chain as protocols read it.
   *
   * @return the view of the stored chain
   */
  public ChainView chain() {
    return chain;
  }

  /**
   * Adds a listener; adding one already registered (such as a protocol's own {@link
   * ConsensusProtocol#engineListeners}, which the engine registers itself) does nothing.
   *
   * @param listener the listener
   */
  public void addListener(EngineListener listener) {
    listeners.addIfAbsent(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Submits a transaction: admitted to the mempool against the current state, and gossiped to the
   * peers if accepted. Any thread.
   *
   * @param tx the transaction
   * @return accepted, or rejected with the reason (nothing changed)
   */
  public TxResult submit(Transaction tx) {
    Objects.requireNonNull(tx, "tx");
    tx.signatureProblem(); // the expensive check, outside the lock; the object remembers it
    TxResult r;
    try {
      r = mempool.submit(tx, ledger.state(), clock.millis());
    } catch (IllegalStateException headMoved) {
      // A reorganisation rolled back the state version this check was reading: check again
      // against the new head, which cannot move while the engine's lock is held.
      synchronized (this) {
        r = mempool.submit(tx, ledger.state(), clock.millis());
      }
    }
    if (r.accepted()) {
      gossip(tx);
    }
    return r;
  }

  /** Sends a transaction this node holds to its peers (none without a transport). */
  void gossip(Transaction tx) {
    if (transport != null) {
      transport.broadcast(new ConsensusMessage.NewTransaction(tx.encode()));
    }
  }

  /**
   * Queues a message from a peer; it is handled by the next {@link #tick()}. Any thread.
   *
   * @param from the sender's id
   * @param message the message
   */
  public void receive(String from, ConsensusMessage message) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(message, "message");
    if (inboxSize.incrementAndGet() > MAX_INBOX) {
      inboxSize.decrementAndGet();
      LOG.warn("engine {}: inbox full ({} messages), dropped one from {}", id, MAX_INBOX, from);
      return;
    }
    inbox.add(new Incoming(from, message));
  }

  /**
   * How many peer messages (or batches of received blocks) were dropped because handling them threw
   * instead of ending in a rejection: 0 unless the engine has a bug. For tests.
   */
  synchronized long failedMessages() {
    return failedMessages;
  }

  /**
   * Equivocation evidence this node has found or received (and verified), in the order learnt.
   *
   * @return an immutable list
   */
  public synchronized List<Evidence> evidence() {
    return evidenceDesk.evidence();
  }

  /**
   * Does one round of work at the clock's current time: handles queued messages, announces the head
   * when due, and proposes a block if this node may. Serialised; called by the engine's thread
   * after {@link #start()}, or directly by a caller driving a manual clock.
   */
  public synchronized void tick() {
    if (closed) {
      return;
    }
    long now = clock.millis();
    handleInbox(now);
    if (transport != null && now - lastStatus >= policy.statusIntervalMillis()) {
      lastStatus = now;
      transport.broadcast(new ConsensusMessage.Status(ledger.height(), ledger.head().hash()));
    }
    try {
      proposer.maybePropose(now);
    } catch (RuntimeException e) {
      LOG.warn("engine {} failed to propose at height {}", id, ledger.height() + 1, e);
    }
  }

  /**
   * Runs {@link #tick()} on one daemon thread every {@code period}.
   *
   * @param period the tick period, at least 1 ms
   * @throws IllegalArgumentException if {@code period} is shorter than 1 ms
   * @throws IllegalStateException if already started or closed
   */
  public synchronized void start(Duration period) {
    long periodMillis = Objects.requireNonNull(period, "period").toMillis();
    if (periodMillis < 1) {
      throw new IllegalArgumentException("period %s must be at least 1 ms".formatted(period));
    }
    if (executor != null || closed) {
      throw new IllegalStateException(
          "engine %s already %s".formatted(id, closed ? "closed" : "started"));
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gridtrade-engine-" + id);
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            tick();
          } catch (RuntimeException e) {
            LOG.error("engine {} tick failed", id, e);
          } catch (Error e) {
            // Out of memory, say: the engine cannot go on safely. Say so loudly and stop, so
            // that whoever runs it sees failure() and restarts the node from its store.
            failure = e;
            LOG.error("engine {} stopped: {}", id, e.toString(), e);
            throw e;
          }
        },
        0,
        periodMillis,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Why the engine's thread stopped, if it did: an {@link Error} (such as {@link OutOfMemoryError})
   * thrown by a tick ends the thread, since the engine's state can no longer be trusted. An
   * exception of a tick is logged and the next tick runs. A process that embeds the engine should
   * treat a failure as fatal and restart from its store.
   *
   * @return the error, or empty while the engine runs (or was never started)
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /** Runs {@link #tick()} every 10 ms on the engine's thread (see {@link #start(Duration)}). */
  public void start() {
    start(Duration.ofMillis(10));
  }

  /**
   * Stops the engine's thread, if started, and closes the ledger and its store. Idempotent; later
   * ticks do nothing.
   */
  @Override
  public void close() {
    ScheduledExecutorService ex;
    synchronized (this) {
      ex = executor;
      executor = null;
    }
    if (ex != null) {
      ex.shutdown();
      try {
        ex.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      ledger.close();
    }
    LOG.info("engine {} closed at height {}", id, ledger.height());
  }

  private void handleInbox(long now) {
    List<Received> blocks = new ArrayList<>();
    List<byte[]> gossiped = new ArrayList<>();
    Incoming in;
    while ((in = inbox.poll()) != null) {
      inboxSize.decrementAndGet();
      try {
        take(in, blocks, gossiped, now);
      } catch (RuntimeException e) {
        // A peer's message must never stop the engine: whatever it made fail, it is dropped.
        failedMessages++;
        LOG.error(
            "engine {}: dropped a {} from {}: handling it failed",
            id,
            in.message().getClass().getSimpleName(),
            in.from(),
            e);
      }
    }
    if (!gossiped.isEmpty()) {
      // Decoding and signature checks are the expensive part: spread them over the cores (a
      // transaction remembers a passed check), then admit in arrival order, so the mempool's
      // order, and so the blocks this node builds, do not depend on thread scheduling.
      LedgerState state = ledger.state();
      Stream<byte[]> stream = gossiped.size() >= 16 ? gossiped.parallelStream() : gossiped.stream();
      List<Optional<Transaction>> decoded =
          stream
              .map(
                  bytes -> {
                    try {
                      Transaction tx = Transaction.decode(bytes);
                      tx.hasValidSignatures();
                      return Optional.of(tx);
                    } catch (DecodeException e) {
                      return Optional.<Transaction>empty();
                    }
                  })
              .toList();
      long refused = 0;
      for (Optional<Transaction> tx : decoded) {
        if (tx.isEmpty() || !mempool.submit(tx.get(), state, now).accepted()) {
          refused++;
        }
      }
      if (refused > 0) {
        LOG.trace("engine {}: {} gossiped transactions refused", id, refused);
      }
    }
    if (!blocks.isEmpty()) {
      try {
        sync.handleBlocks(blocks, now);
      } catch (RuntimeException e) {
        // Each append is atomic: the blocks not yet handled are dropped (peers send them again).
        failedMessages++;
        LOG.error("engine {}: handling {} received blocks failed", id, blocks.size(), e);
      }
    }
  }

  /** Sorts one peer message: blocks and transactions are collected, the rest is handled now. */
  private void take(Incoming in, List<Received> blocks, List<byte[]> gossiped, long now) {
    ConsensusMessage m = in.message();
    if (m instanceof ConsensusMessage.NewTransaction t) {
      gossiped.add(t.encoded());
    } else if (m instanceof ConsensusMessage.NewBlock b) {
      decode(b.encoded(), in.from()).ifPresent(blocks::add);
    } else if (m instanceof ConsensusMessage.BlockResponse r) {
      for (byte[] e : r.encoded()) {
        decode(e, in.from()).ifPresent(blocks::add);
      }
    } else if (m instanceof ConsensusMessage.BlockRequest q) {
      sync.answer(in.from(), q);
    } else if (m instanceof ConsensusMessage.Status s) {
      if (s.height() > ledger.height()) {
        sync.bestKnownHeight = Math.max(sync.bestKnownHeight, s.height());
        sync.requestFrom(in.from(), now);
      } else if (s.height() >= ledger.height() - Ledger.REORG_DEPTH
          && chain.header(s.height()).map(h -> !h.hash().equals(s.head())).orElse(false)) {
        sync.requestBranch(in.from(), now); // the peer's head is on another branch
      }
    } else if (m instanceof ConsensusMessage.EvidenceNotice n) {
      evidenceDesk.receiveEvidence(in.from(), n);
    }
  }

  private Optional<Received> decode(byte[] encoded, String from) {
    Block block;
    try {
      block = Block.decode(encoded);
    } catch (DecodeException e) {
      LOG.debug("engine {}: undecodable block from {}: {}", id, from, e.getMessage());
      return Optional.empty();
    }
    if (block.height() < 1) {
      // Block 0 is the genesis block, fixed by configuration: no peer can send another one.
      if (!block.hash().equals(ledger.block(0).map(Block::hash).orElse(null))) {
        reject(
            block,
            from,
            "block height %d: only blocks from height 1 are received (height 0 is the genesis"
                    .formatted(block.height())
                + " block, fixed by configuration)",
            Kind.INVALID);
      }
      return Optional.empty();
    }
    return Optional.of(new Received(block, from, encoded.length));
  }

  /** Bytes of received blocks buffered ahead of the head. For tests. */
  synchronized long bufferedBytes() {
    return sync.aheadTotal;
  }

  /** Whether a peer's blocks are ignored now. For tests. */
  synchronized boolean isIgnored(String peer) {
    Long until = sync.bannedUntil.get(peer);
    return until != null && clock.millis() < until;
  }

  /**
   * The block with each transaction replaced by the mempool's instance of the same bytes, if
   * pending: those instances remember that their signatures verified at admission, so validation
   * does not check the gossiped transactions' signatures a second time. Same bytes, same block.
   */
  Block withPendingInstances(Block block) {
    List<Transaction> txs = block.transactions();
    List<Transaction> out = null;
    for (int i = 0; i < txs.size(); i++) {
      Transaction t = txs.get(i);
      Optional<Transaction> pending = mempool.get(t.id());
      if (pending.isPresent() && pending.get() != t && pending.get().equals(t)) {
        if (out == null) {
          out = new ArrayList<>(txs);
        }
        out.set(i, pending.get());
      }
    }
    return out == null ? block : new Block(block.header(), out);
  }

  void appended(Block block, boolean local) {
    chain.remember(block.header());
    proposer.behindSince = -1;
    mempool.removeAll(block.transactions());
    mempool.prune(ledger.state(), clock.millis());
    proposer.readySince = -1;
    evidenceDesk.slashNext();
    LOG.debug(
        "engine {}: appended block {} at height {} with {} transactions ({})",
        id,
        block.hash(),
        block.height(),
        block.transactions().size(),
        local ? "sealed here" : "received");
    for (EngineListener l : listeners) {
      try {
        l.onBlock(block, local);
      } catch (RuntimeException x) {
        LOG.warn("engine {}: listener failed on block {}", id, block.height(), x);
      }
    }
  }

  void reject(Block block, String from, String reason, Kind kind) {
    LOG.info(
        "engine {}: rejected block {} at height {} from {}: {}",
        id,
        block.hash(),
        block.height(),
        from,
        reason);
    EngineListener.Rejection rej = new EngineListener.Rejection(block, from, reason, kind);
    for (EngineListener l : listeners) {
      try {
        l.onRejected(rej);
      } catch (RuntimeException x) {
        LOG.warn("engine {}: listener failed on rejection", id, x);
      }
    }
  }

  /** Builds a {@link BlockEngine}. Not thread-safe. */
  public static final class Builder {
    private String id;
    private Genesis genesis;
    private BlockStore store;
    private ConsensusSchedule schedule;
    private Mempool mempool;
    private KeyPair key;
    private BlockPolicy policy = BlockPolicy.DEFAULT;
    private Clock clock = Clock.systemUTC();
    private Transport transport;
    private KeyPair slasher;
    private long slashAmount;
    private final List<EngineListener> listeners = new ArrayList<>();
    private List<org.gridtrade.ledger.spi.LedgerModule> modules = List.of();

    private Builder() {}

    /**
     * The on-chain modules the chain runs: one implementation per name in the genesis's {@link
     * Genesis#modules()} (default: none).
     *
     * @param m the modules
     * @return this builder
     */
    public Builder modules(List<? extends org.gridtrade.ledger.spi.LedgerModule> m) {
      this.modules = List.copyOf(Objects.requireNonNull(m, "modules"));
      return this;
    }

    /**
     * The chain's genesis (required).
     *
     * @param g the genesis
     * @return this builder
     */
    public Builder genesis(Genesis g) {
      this.genesis = Objects.requireNonNull(g, "genesis");
      return this;
    }

    /**
     * The block store (required); the engine opens the ledger on it and closes it on {@link
     * BlockEngine#close()}, or when {@link #build()} fails. A non-empty store is replayed and
     * verified with the schedule.
     *
     * @param s the store
     * @return this builder
     */
    public Builder store(BlockStore s) {
      this.store = Objects.requireNonNull(s, "store");
      return this;
    }

    /**
     * The consensus schedule (required).
     *
     * @param s the schedule
     * @return this builder
     */
    public Builder schedule(ConsensusSchedule s) {
      this.schedule = Objects.requireNonNull(s, "schedule");
      return this;
    }

    /**
     * The mempool (default: 100,000 transactions, 256 MiB, nonces up to 64 ahead).
     *
     * @param m the pool
     * @return this builder
     */
    public Builder mempool(Mempool m) {
      this.mempool = Objects.requireNonNull(m, "mempool");
      return this;
    }

    /**
     * This node's sealing key (default none: the node validates and relays but never proposes).
     *
     * @param k the key
     * @return this builder
     */
    public Builder sealingKey(KeyPair k) {
      this.key = Objects.requireNonNull(k, "key");
      return this;
    }

    /**
     * The block policy (default {@link BlockPolicy#DEFAULT}).
     *
     * @param p the policy
     * @return this builder
     */
    public Builder policy(BlockPolicy p) {
      this.policy = Objects.requireNonNull(p, "policy");
      return this;
    }

    /**
     * The clock for block times and delays (default the system UTC clock).
     *
     * @param c the clock
     * @return this builder
     */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /**
     * The transport to peers (default none: a single node).
     *
     * @param t the transport
     * @return this builder
     */
    public Builder transport(Transport t) {
      this.transport = Objects.requireNonNull(t, "transport");
      return this;
    }

    /**
     * The node id for logs (default the transport's id, or {@code "node"}).
     *
     * @param nodeId the id
     * @return this builder
     */
    public Builder id(String nodeId) {
      this.id = Objects.requireNonNull(nodeId, "id");
      return this;
    }

    /**
     * Slashes equivocation (default off: evidence is only reported and gossiped). For each new
     * evidence this node finds or receives, it submits {@code Slash(offender, min(amount, stake),
     * evidence.id())} signed by {@code authority} with fee 0, and resubmits after each block until
     * the chain has used that evidence id (a slash that fails, e.g. because the offender unstaked
     * meanwhile, is rebuilt against the new state; an offender without stake is not slashed).
     * Several nodes may slash the same evidence, with the same or different authority keys: the
     * ledger applies only the first. The key must be an authority of the genesis, and must not be a
     * key that signs other transactions on its own schedule, such as a Proof of Energy Generation
     * treasury, whose settlement the protocol requires to be exactly its own.
     *
     * @param authority an authority key of the chain
     * @param amount micro-coins to slash per evidence at most, 1 or more
     * @return this builder
     * @throws IllegalArgumentException if {@code amount < 1}
     */
    public Builder slashEquivocation(KeyPair authority, long amount) {
      Objects.requireNonNull(authority, "authority");
      if (amount < 1) {
        throw new IllegalArgumentException("slash amount %d must be >= 1".formatted(amount));
      }
      this.slasher = authority;
      this.slashAmount = amount;
      return this;
    }

    /**
     * Adds a listener.
     *
     * @param l the listener
     * @return this builder
     */
    public Builder listener(EngineListener l) {
      listeners.add(Objects.requireNonNull(l, "listener"));
      return this;
    }

    /**
     * Opens the ledger on the store (verifying a stored chain) and builds the engine.
     *
     * <p>The engine owns the store from here on. If building fails for any reason (a missing
     * setting, a stored chain of another genesis or one the schedule's seals reject, a failing
     * transport), the store, if one was set, is closed before the exception propagates, so a
     * durable store's file is not left locked; an exception from that close is added to the
     * propagating one as suppressed.
     *
     * @return the engine, not yet started
     * @throws IllegalStateException if a required setting is missing (the message names each
     *     missing one) or the stored chain does not verify; the store is closed
     */
    public BlockEngine build() {
      try {
        List<String> missing = new ArrayList<>();
        if (genesis == null) {
          missing.add("genesis");
        }
        if (store == null) {
          missing.add("store");
        }
        if (schedule == null) {
          missing.add("schedule");
        }
        if (!missing.isEmpty()) {
          throw new IllegalStateException(
              "%s not set: genesis, store and schedule are required"
                  .formatted(String.join(", ", missing)));
        }
        if (id == null) {
          id = transport != null ? transport.localId() : "node";
        }
        return new BlockEngine(this);
      } catch (RuntimeException | Error e) {
        if (store != null) {
          try {
            store.close();
          } catch (RuntimeException | Error c) {
            e.addSuppressed(c);
          }
        }
        throw e;
      }
    }
  }
}

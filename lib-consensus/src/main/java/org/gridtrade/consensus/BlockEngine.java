package org.gridtrade.consensus;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.gridtrade.consensus.EngineListener.Rejection.Kind;
import org.gridtrade.consensus.internal.BranchView;
import org.gridtrade.consensus.internal.StoreChainView;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Mempool;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.RejectReason;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.BlockCheck;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.SealVerifier;
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
 */
public final class BlockEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BlockEngine.class);
  private static final int SYNC_BATCH = 64;
  private static final int MAX_BUFFERED_AHEAD = 1_024;
  private static final int MAX_CANDIDATES_PER_HEIGHT = 16;
  private static final int MAX_INBOX = 100_000;
  private static final int GIVE_UP_SYNC_INTERVALS = 5;

  private record Incoming(String from, ConsensusMessage message) {}

  private record Received(Block block, String from, long bytes) {}

  /** Bytes of received blocks one peer may have buffered ahead of the head. */
  static final long MAX_BUFFERED_BYTES_PER_PEER = 64L << 20;

  /** Bytes of received blocks buffered ahead of the head, from all peers together. */
  static final long MAX_BUFFERED_BYTES = 256L << 20;

  /** Invalid blocks after which a peer's blocks are ignored for {@link #BAN_MILLIS}. */
  static final int MAX_STRIKES = 8;

  /** How long a peer that sent {@link #MAX_STRIKES} invalid blocks is ignored. */
  static final long BAN_MILLIS = 60_000;

  /**
   * A competing branch: the blocks above {@code fork}, the last height it shares with this node.
   */
  private record Branch(long fork, List<Block> blocks) {}

  private final String id;
  private long failedMessages;
  private final ConsensusSchedule schedule;
  private final StoreChainView chain;
  private final Ledger ledger;
  private final Mempool mempool;
  private final KeyPair key;
  private final BlockPolicy policy;
  private final Clock clock;
  private final Transport transport;
  private final CopyOnWriteArrayList<EngineListener> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Incoming> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inboxSize = new AtomicInteger();
  private final BlockStore store;
  private final long startedAt;

  // Guarded by this (tick).
  private final TreeMap<Long, List<Received>> ahead = new TreeMap<>();
  // Bytes buffered in `ahead`, per peer and in all; invalid blocks per peer; banned peers' ends.
  private final java.util.HashMap<String, Long> aheadBytes = new java.util.HashMap<>();
  private long aheadTotal;
  private final java.util.HashMap<String, Integer> strikes = new java.util.HashMap<>();
  private final java.util.HashMap<String, Long> bannedUntil = new java.util.HashMap<>();
  private final Map<Hash, Evidence> evidence = new LinkedHashMap<>();
  private final Map<Hash, Address> toSlash = new LinkedHashMap<>();
  private final KeyPair slasher;
  private final long slashAmount;
  private Hash pendingSlash;
  private long readySince = -1;
  private long lastStatus = Long.MIN_VALUE / 2;
  private long lastRequest = Long.MIN_VALUE / 2;
  private final Map<String, Long> lastBranchRequest = new HashMap<>();
  private long bestKnownHeight;
  private long behindSince = -1;
  private ScheduledExecutorService executor;
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
    this.slasher = b.slasher;
    this.slashAmount = b.slashAmount;
    this.startedAt = clock.millis();
    this.bestKnownHeight = ledger.height();
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
    return Math.max(bestKnownHeight, ledger.height());
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
    TxResult r = mempool.submit(tx, ledger.state(), clock.millis());
    if (r.accepted() && transport != null) {
      transport.broadcast(new ConsensusMessage.NewTransaction(tx.encode()));
    }
    return r;
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
    return List.copyOf(evidence.values());
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
      maybePropose(now);
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
          }
        },
        0,
        periodMillis,
        TimeUnit.MILLISECONDS);
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
        handleBlocks(blocks, now);
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
      answer(in.from(), q);
    } else if (m instanceof ConsensusMessage.Status s) {
      if (s.height() > ledger.height()) {
        bestKnownHeight = Math.max(bestKnownHeight, s.height());
        requestFrom(in.from(), now);
      } else if (s.height() >= ledger.height() - Ledger.REORG_DEPTH
          && chain.header(s.height()).map(h -> !h.hash().equals(s.head())).orElse(false)) {
        requestBranch(in.from(), now); // the peer's head is on another branch
      }
    } else if (m instanceof ConsensusMessage.EvidenceNotice n) {
      receiveEvidence(in.from(), n);
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

  private void answer(String peer, ConsensusMessage.BlockRequest q) {
    List<byte[]> out = new ArrayList<>();
    for (long h = q.fromHeight();
        h <= ledger.height() && out.size() < Math.min(q.max(), SYNC_BATCH);
        h++) {
      store.read(h).ifPresent(b -> out.add(b.encoded()));
    }
    if (!out.isEmpty()) {
      transport.send(peer, new ConsensusMessage.BlockResponse(out));
    }
  }

  private void requestFrom(String peer, long now) {
    if (transport != null && now - lastRequest >= policy.statusIntervalMillis() / 2) {
      lastRequest = now;
      transport.send(peer, new ConsensusMessage.BlockRequest(ledger.height() + 1, SYNC_BATCH));
    }
  }

  /**
   * Asks {@code peer} for its blocks from {@link Ledger#REORG_DEPTH} below this node's head, to
   * find where its branch forks from this chain (at most once per status interval per peer).
   */
  private void requestBranch(String peer, long now) {
    if (transport == null
        || now - lastBranchRequest.getOrDefault(peer, Long.MIN_VALUE / 2)
            < policy.statusIntervalMillis()) {
      return;
    }
    lastBranchRequest.put(peer, now);
    long from = Math.max(1, ledger.height() - Ledger.REORG_DEPTH + 1);
    transport.send(peer, new ConsensusMessage.BlockRequest(from, SYNC_BATCH));
  }

  /**
   * Fork choice below the head: for each peer's blocks, the first linked run that forks from this
   * node's chain at most {@link Ledger#REORG_DEPTH} below the head replaces the blocks above the
   * fork if it weighs more (the sum of the protocol weights of its blocks against that of the
   * replaced ones; on a tie, the longer; then the lower hash of its first block), once every block
   * of it validates.
   */
  private void tryReorganise(List<Received> blocks, long now) {
    Map<String, TreeMap<Long, Block>> byPeer = new LinkedHashMap<>();
    for (Received r : blocks) {
      byPeer
          .computeIfAbsent(r.from(), k -> new TreeMap<>())
          .putIfAbsent(r.block().height(), r.block());
    }
    for (Map.Entry<String, TreeMap<Long, Block>> e : byPeer.entrySet()) {
      List<Block> run = new ArrayList<>();
      for (Block b : e.getValue().values()) {
        if (!run.isEmpty()) {
          Block last = run.get(run.size() - 1);
          if (b.height() != last.height() + 1 || !b.header().previousHash().equals(last.hash())) {
            break;
          }
        }
        run.add(b);
      }
      Optional<Branch> branch = branchOf(run);
      if (branch.isPresent() && heavier(branch.get())) {
        reorganise(branch.get(), e.getKey(), now);
      }
    }
  }

  /** Where a linked run of blocks forks from this chain, if below the head and not too deep. */
  private Optional<Branch> branchOf(List<Block> run) {
    long head = ledger.height();
    for (int i = 0; i < run.size(); i++) {
      Block b = run.get(i);
      long h = b.height();
      if (h < 1 || h > head) {
        return Optional.empty(); // nothing to replace: the usual path appends or buffers it
      }
      Optional<BlockHeader> parent = chain.header(h - 1);
      if (parent.isEmpty() || !parent.get().hash().equals(b.header().previousHash())) {
        return Optional.empty(); // forks below the run
      }
      if (chain.header(h).map(mine -> mine.hash().equals(b.hash())).orElse(false)) {
        continue; // shared
      }
      long fork = h - 1;
      if (fork == head - 1 && i == run.size() - 1) {
        return Optional.empty(); // one competitor of the head: replaceHead decides
      }
      if (fork < head - Ledger.REORG_DEPTH) {
        LOG.info(
            "engine {}: a branch forks at height {}, more than {} below the head {}; ignored",
            id,
            fork,
            Ledger.REORG_DEPTH,
            head);
        return Optional.empty();
      }
      return Optional.of(new Branch(fork, List.copyOf(run.subList(i, run.size()))));
    }
    return Optional.empty();
  }

  /**
   * Whether a branch weighs more than this chain above its fork (ties: the longer, then the lower
   * hash of its first block): one total order, so every node prefers the same of two branches.
   */
  private boolean heavier(Branch branch) {
    long ours = 0;
    for (long h = branch.fork() + 1; h <= ledger.height(); h++) {
      BlockHeader mine = chain.header(h).orElseThrow();
      ours += Math.max(0, weightOf(schedule.protocolAt(h), schedule.viewFor(chain, h), mine));
    }
    BranchView view = new BranchView(chain, branch.fork(), branch.blocks());
    long theirs = 0;
    for (Block b : branch.blocks()) {
      long h = b.height();
      theirs +=
          Math.max(
              0,
              weightOf(schedule.protocolAt(h), schedule.viewFor(view.upTo(h - 1), h), b.header()));
    }
    if (theirs != ours) {
      return theirs > ours;
    }
    long mine = ledger.height() - branch.fork();
    if (branch.blocks().size() != mine) {
      return branch.blocks().size() > mine;
    }
    Hash mineFirst = chain.header(branch.fork() + 1).orElseThrow().hash();
    return branch.blocks().get(0).hash().compareTo(mineFirst) < 0;
  }

  /**
   * Switches to a heavier branch: every block validated on the branch (protocol content checks and
   * seals seeing the branch as the chain, then the ledger's checks), the store replaced in one
   * step; the removed blocks' transactions that the branch lacks go back to the mempool.
   */
  private void reorganise(Branch branch, String from, long now) {
    long fork = branch.fork();
    long oldHead = ledger.height();
    List<Block> blocks = branch.blocks().stream().map(this::withPendingInstances).toList();
    BranchView view = new BranchView(chain, fork, blocks);
    SealVerifier seals =
        (header, parent, state) -> {
          long h = header.height();
          try {
            return schedule
                .protocolAt(h)
                .verifySeal(schedule.viewFor(view.upTo(h - 1), h), header, parent, state);
          } catch (RuntimeException e) {
            return Optional.of("seal check failed at height %d: %s".formatted(h, e));
          }
        };
    BlockCheck contents =
        (block, parent, state) -> {
          long h = block.height();
          try {
            return schedule
                .protocolAt(h)
                .checkBlock(schedule.viewFor(view.upTo(h - 1), h), block, parent, state);
          } catch (RuntimeException e) {
            return Optional.of("content check failed at height %d: %s".formatted(h, e));
          }
        };
    List<Block> removed = new ArrayList<>();
    for (long h = fork + 1; h <= oldHead; h++) {
      removed.add(ledger.block(h).orElseThrow());
    }
    BlockResult result;
    try {
      result = ledger.reorganise(fork, blocks, seals, contents);
    } catch (UnsupportedOperationException e) {
      LOG.info("engine {}: cannot reorganise: {}", id, e.getMessage());
      return;
    }
    if (result instanceof BlockResult.Rejected rej) {
      reject(
          blocks.get(0),
          from,
          "branch forking at height %d refused: %s".formatted(fork, rej.reason()),
          Kind.DETACHED);
      return;
    }
    chain.forgetFrom(fork + 1);
    LOG.info(
        "engine {}: reorganised from height {} to the branch of {} forking at {} ({} blocks"
            + " replaced by {})",
        id,
        oldHead,
        from,
        fork,
        removed.size(),
        blocks.size());
    for (Block old : removed) {
      int i = (int) (old.height() - fork - 1);
      if (i < blocks.size()) {
        Block replacement = blocks.get(i);
        Evidence e = new Evidence(old.header(), replacement.header());
        try {
          e.offender(schedule.protocolAt(old.height()))
              .ifPresent(o -> recordEvidence(e, o, "found in a reorganisation"));
        } catch (RuntimeException x) {
          // not evidence under this protocol
        }
      }
    }
    notifyRemoved(removed);
    for (Block b : blocks) {
      appended(b, false);
    }
    resubmit(removed, blocks, now);
  }

  /** Listeners learn that blocks were taken off the chain. */
  private void notifyRemoved(List<Block> removed) {
    for (EngineListener l : listeners) {
      try {
        l.onRemoved(removed);
      } catch (RuntimeException x) {
        LOG.warn("engine {}: listener failed on removed blocks", id, x);
      }
    }
  }

  /** The removed blocks' transactions that the new blocks lack go back to the mempool. */
  private void resubmit(List<Block> removed, List<Block> added, long now) {
    Set<Hash> kept = new HashSet<>();
    added.forEach(b -> b.transactions().forEach(tx -> kept.add(tx.id())));
    LedgerState state = ledger.state();
    for (Block old : removed) {
      for (Transaction tx : old.transactions()) {
        if (!kept.contains(tx.id())) {
          mempool.submit(tx, state, now); // refused if the new chain made it invalid
        }
      }
    }
  }

  private void handleBlocks(List<Received> all, long now) {
    List<Received> blocks = new ArrayList<>(all.size());
    for (Received r : all) {
      Long until = bannedUntil.get(r.from());
      if (until != null && now < until) {
        continue; // a peer that sent too many invalid blocks: ignored for a while
      }
      bannedUntil.remove(r.from());
      blocks.add(r);
    }
    tryReorganise(blocks, now);
    List<Received> stale = new ArrayList<>();
    for (Received r : blocks) {
      long h = r.block().height();
      if (h <= ledger.height()) {
        stale.add(r);
      } else if (h <= ledger.height() + MAX_BUFFERED_AHEAD) {
        bestKnownHeight = Math.max(bestKnownHeight, h);
        List<Received> at = ahead.computeIfAbsent(h, k -> new ArrayList<>());
        long peerBytes = aheadBytes.getOrDefault(r.from(), 0L);
        if (peerBytes + r.bytes() > MAX_BUFFERED_BYTES_PER_PEER
            || aheadTotal + r.bytes() > MAX_BUFFERED_BYTES) {
          LOG.debug(
              "engine {}: dropped block {} from {}: {} bytes buffered from it, {} in all",
              id,
              h,
              r.from(),
              peerBytes,
              aheadTotal);
        } else if (at.size() < MAX_CANDIDATES_PER_HEIGHT
            && at.stream().noneMatch(x -> x.block().hash().equals(r.block().hash()))) {
          at.add(r);
          aheadBytes.put(r.from(), peerBytes + r.bytes());
          aheadTotal += r.bytes();
        }
        if (at.isEmpty()) {
          ahead.remove(h);
        }
      }
    }
    while (true) {
      long next = ledger.height() + 1;
      for (List<Received> old : ahead.headMap(next).values()) {
        old.forEach(this::release);
        stale.addAll(old);
      }
      ahead.headMap(next).clear();
      List<Received> candidates = ahead.remove(next);
      if (candidates == null) {
        break;
      }
      candidates.forEach(this::release);
      ChainView view = schedule.viewFor(chain, next);
      ConsensusProtocol p = schedule.protocolAt(next);
      candidates.sort(
          Comparator.comparingLong((Received r) -> -weightOf(p, view, r.block().header()))
              .thenComparing(r -> r.block().hash()));
      boolean appended = false;
      for (Received r : candidates) {
        long early = r.block().header().timestamp() - now;
        if (early > policy.maxFutureMillis()) {
          LOG.debug(
              "engine {}: block {} from {} is dated {} ms ahead; refused for now",
              id,
              r.block().height(),
              r.from(),
              early);
          continue;
        }
        if (!appended && appendReceived(r, p, view, now)) {
          appended = true;
        } else {
          stale.add(r);
        }
      }
      if (!appended) {
        // Nothing valid arrived for the next height: a rejected block must not make this node
        // wait as if it were behind (a peer's status raises the mark again if it really is).
        bestKnownHeight = Math.max(ledger.height(), ahead.isEmpty() ? 0 : ahead.lastKey());
        break;
      }
    }
    if (!ahead.isEmpty() && ahead.firstKey() > ledger.height() + 1) {
      requestFrom(ahead.firstEntry().getValue().get(0).from(), now);
    }
    for (Received r : stale) {
      checkConflict(r, now);
    }
  }

  private void release(Received r) {
    aheadBytes.computeIfPresent(r.from(), (k, v) -> v - r.bytes() <= 0 ? null : v - r.bytes());
    aheadTotal -= r.bytes();
  }

  // An invalid block from a peer: after MAX_STRIKES, its buffered blocks go and it is ignored.
  private void strike(String peer, long now) {
    int n = strikes.merge(peer, 1, Integer::sum);
    if (n < MAX_STRIKES) {
      return;
    }
    strikes.remove(peer);
    bannedUntil.put(peer, now + BAN_MILLIS);
    for (java.util.Iterator<List<Received>> it = ahead.values().iterator(); it.hasNext(); ) {
      List<Received> at = it.next();
      at.removeIf(
          x -> {
            if (x.from().equals(peer)) {
              release(x);
              return true;
            }
            return false;
          });
      if (at.isEmpty()) {
        it.remove();
      }
    }
    LOG.warn(
        "engine {}: peer {} sent {} invalid blocks; its blocks are ignored for {} ms",
        id,
        peer,
        MAX_STRIKES,
        BAN_MILLIS);
  }

  /** Bytes of received blocks buffered ahead of the head. For tests. */
  synchronized long bufferedBytes() {
    return aheadTotal;
  }

  /** Whether a peer's blocks are ignored now. For tests. */
  synchronized boolean isIgnored(String peer) {
    Long until = bannedUntil.get(peer);
    return until != null && clock.millis() < until;
  }

  private long weightOf(ConsensusProtocol p, ChainView view, BlockHeader h) {
    try {
      return p.weight(view, h);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private boolean appendReceived(Received r, ConsensusProtocol p, ChainView view, long now) {
    Block block = withPendingInstances(r.block());
    BlockHeader head = ledger.head();
    if (!block.header().previousHash().equals(head.hash())) {
      reject(
          block,
          r.from(),
          "block %d builds on %s, not on this node's head %s"
              .formatted(block.height(), block.header().previousHash(), head.hash()),
          Kind.DETACHED);
      requestBranch(r.from(), now);
      return false;
    }
    Optional<String> content = p.checkBlock(view, block, head, ledger.state());
    if (content.isPresent()) {
      reject(block, r.from(), content.get(), Kind.INVALID);
      strike(r.from(), now);
      return false;
    }
    BlockResult result = ledger.append(block);
    if (result instanceof BlockResult.Rejected rej) {
      reject(block, r.from(), rej.reason(), Kind.INVALID);
      strike(r.from(), now);
      return false;
    }
    appended(block, false);
    return true;
  }

  /**
   * The block with each transaction replaced by the mempool's instance of the same bytes, if
   * pending: those instances remember that their signatures verified at admission, so validation
   * does not check the gossiped transactions' signatures a second time. Same bytes, same block.
   */
  private Block withPendingInstances(Block block) {
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

  private void checkConflict(Received r, long now) {
    Block block = r.block();
    if (block.height() > ledger.height()) {
      return;
    }
    Optional<Block> stored = ledger.block(block.height());
    if (stored.isEmpty() || stored.get().hash().equals(block.hash())) {
      return;
    }
    ConsensusProtocol p = schedule.protocolAt(block.height());
    Evidence e = new Evidence(stored.get().header(), block.header());
    Optional<Address> offender = e.offender(p);
    if (offender.isPresent()) {
      recordEvidence(e, offender.get(), "found here");
    } else if (!replaceHead(r, stored.get(), now)) {
      reject(
          block,
          r.from(),
          ("block %s conflicts with stored block %s at height %d (the stored block is heavier,"
                  + " or final because a block was built on it, or this node's store cannot"
                  + " replace it)")
              .formatted(block.hash(), stored.get().hash(), block.height()),
          Kind.SUPERSEDED);
    }
  }

  /**
   * Fork choice for the head: a competitor of the head block (same height, same parent) that weighs
   * more, or as much with a lower hash, replaces it if it is valid; the old head's transactions go
   * back to the mempool. Returns whether the competitor was handled (replaced the head, or was
   * rejected as invalid); false if the head stays because it is preferred or final.
   */
  private boolean replaceHead(Received r, Block head, long now) {
    Block block = r.block();
    long h = block.height();
    if (h != ledger.height()
        || h < 1
        || !block.header().previousHash().equals(head.header().previousHash())) {
      return false;
    }
    Optional<LedgerState> before = ledger.stateBeforeHead();
    if (before.isEmpty()) {
      return false;
    }
    ConsensusProtocol p = schedule.protocolAt(h);
    ChainView view = schedule.viewFor(chain, h);
    long wNew = weightOf(p, view, block.header());
    long wOld = weightOf(p, view, head.header());
    if (wNew < wOld || (wNew == wOld && block.hash().compareTo(head.hash()) >= 0)) {
      return false;
    }
    BlockHeader parent = ledger.block(h - 1).orElseThrow().header();
    Block candidate = withPendingInstances(block);
    Optional<String> content = p.checkBlock(view, candidate, parent, before.get());
    if (content.isPresent()) {
      reject(candidate, r.from(), content.get(), Kind.INVALID);
      return true;
    }
    BlockResult result;
    try {
      result = ledger.replaceHead(candidate);
    } catch (UnsupportedOperationException e) {
      LOG.info("engine {}: cannot replace the head: {}", id, e.getMessage());
      return false;
    }
    if (result instanceof BlockResult.Rejected rej) {
      reject(candidate, r.from(), rej.reason(), Kind.INVALID);
      return true;
    }
    LOG.info(
        "engine {}: replaced head {} (weight {}) by {} (weight {}) from {} at height {}",
        id,
        head.hash(),
        wOld,
        candidate.hash(),
        wNew,
        r.from(),
        h);
    notifyRemoved(List.of(head));
    appended(candidate, false);
    resubmit(List.of(head), List.of(candidate), now);
    return true;
  }

  private void receiveEvidence(String from, ConsensusMessage.EvidenceNotice n) {
    BlockHeader a;
    BlockHeader b;
    try {
      a = evidenceHeader(n.first());
      b = evidenceHeader(n.second());
    } catch (DecodeException x) {
      LOG.debug("engine {}: undecodable evidence from {}: {}", id, from, x.getMessage());
      return;
    }
    Evidence e = new Evidence(a, b);
    if (evidence.containsKey(e.id())) {
      return;
    }
    Optional<String> problem;
    ConsensusProtocol p;
    try {
      p = schedule.protocolAt(e.height());
      problem = e.problem(p);
    } catch (RuntimeException x) {
      problem = Optional.of(String.valueOf(x.getMessage()));
      p = null;
    }
    if (problem.isPresent()) {
      LOG.info("engine {}: refused evidence {} from {}: {}", id, e.id(), from, problem.get());
      return;
    }
    Address offender = p.signer(e.first()).orElseThrow();
    recordEvidence(e, offender, "from " + from);
  }

  /**
   * A header of an {@link ConsensusMessage.EvidenceNotice}: its canonical encoding, or a whole
   * block's, as nodes of earlier versions send.
   */
  private static BlockHeader evidenceHeader(byte[] encoded) throws DecodeException {
    try {
      return BlockHeader.decode(encoded);
    } catch (DecodeException asHeader) {
      try {
        return Block.decode(encoded).header();
      } catch (DecodeException asBlock) {
        throw asHeader;
      }
    }
  }

  /** Records verified evidence once: listeners, gossip, and the slash if this node slashes. */
  private void recordEvidence(Evidence e, Address offender, String source) {
    if (evidence.putIfAbsent(e.id(), e) != null) {
      return;
    }
    LOG.warn(
        "engine {}: {} signed two blocks at height {} (evidence {}, {})",
        id,
        offender,
        e.height(),
        e.id(),
        source);
    for (EngineListener l : listeners) {
      try {
        l.onEvidence(e);
      } catch (RuntimeException x) {
        LOG.warn("engine {}: listener failed on evidence", id, x);
      }
    }
    if (transport != null) {
      transport.broadcast(
          new ConsensusMessage.EvidenceNotice(e.first().encode(), e.second().encode()));
    }
    if (slasher != null) {
      toSlash.put(e.id(), offender);
      slashNext();
    }
  }

  /**
   * Submits the slash for the oldest evidence the chain has not recorded yet, unless this node's
   * previous slash still waits in the mempool.
   */
  private void slashNext() {
    if (slasher == null || toSlash.isEmpty()) {
      return;
    }
    if (pendingSlash != null && mempool.contains(pendingSlash)) {
      return;
    }
    pendingSlash = null;
    LedgerState state = ledger.state();
    Iterator<Map.Entry<Hash, Address>> it = toSlash.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Hash, Address> next = it.next();
      Hash evidenceId = next.getKey();
      Address offender = next.getValue();
      if (state.isEvidenceUsed(evidenceId)) {
        it.remove();
        continue;
      }
      long amount = Math.min(slashAmount, state.account(offender).stake());
      if (amount <= 0) {
        LOG.warn(
            "engine {}: evidence {} against {}: no stake left to slash; not recorded",
            id,
            evidenceId,
            offender);
        it.remove();
        continue;
      }
      Transaction tx =
          new TransactionBody(
                  state.chainId(),
                  slasher.publicKey(),
                  state.account(slasher.address()).nonce(),
                  0,
                  new Payload.Slash(offender, amount, evidenceId))
              .sign(slasher);
      TxResult r = submit(tx);
      if (r instanceof TxResult.Rejected rej && rej.reason() != RejectReason.DUPLICATE) {
        LOG.warn("engine {}: slash for evidence {} refused: {}", id, evidenceId, rej);
        if (rej.reason() == RejectReason.UNAUTHORIZED
            || rej.reason() == RejectReason.EVIDENCE_USED) {
          it.remove();
          continue;
        }
        return; // e.g. a nonce taken by another pending transaction: retry after the next block
      }
      pendingSlash = tx.id();
      LOG.info("engine {}: submitted slash of {} for evidence {}", id, amount, evidenceId);
      return;
    }
  }

  private void maybePropose(long now) {
    if (key == null) {
      return;
    }
    if (bestKnownHeight > ledger.height()) {
      // Behind a peer: catch up before proposing; but a peer that announced a height it cannot
      // deliver must not silence this node for ever.
      if (behindSince < 0) {
        behindSince = now;
      }
      if (now - behindSince < GIVE_UP_SYNC_INTERVALS * policy.statusIntervalMillis()) {
        return;
      }
      LOG.warn(
          "engine {}: announced height {} not delivered; resuming at {}",
          id,
          bestKnownHeight,
          ledger.height());
      bestKnownHeight = ledger.height();
    }
    behindSince = -1;
    if (transport != null && now - startedAt < 2 * policy.statusIntervalMillis()) {
      return; // learn the peers' heads first
    }
    if (policy.onlyWhenTransactionsWait() && mempool.size() == 0) {
      readySince = -1;
      return;
    }
    if (readySince < 0) {
      readySince = now;
    }
    BlockHeader parent = ledger.head();
    long h = parent.height() + 1;
    ConsensusProtocol p = schedule.protocolAt(h);
    ChainView view = schedule.viewFor(chain, h);
    Address me = key.address();
    Eligibility e = p.eligibility(view, parent, ledger.state(), me);
    if (!(e instanceof Eligibility.Eligible ok)) {
      return;
    }
    long at = Math.max(parent.timestamp() + policy.blockPeriodMillis(), readySince);
    if (now < at + ok.delayMillis()) {
      return;
    }
    List<Transaction> candidates =
        new ArrayList<>(p.rewardsAndPenalties(view, parent, ledger.state(), me));
    candidates.addAll(
        mempool.select(ledger.state(), Math.max(0, policy.maxTransactions() - candidates.size())));
    Ledger.Proposal proposal = ledger.propose(candidates, me, Math.max(now, parent.timestamp()));
    List<Transaction> refused = new ArrayList<>();
    for (Ledger.Proposal.Skipped s : proposal.skipped()) {
      if (s.rejection().reason() != RejectReason.BAD_BLOCK) {
        refused.add(s.transaction());
        LOG.debug("engine {}: dropped pending {}: {}", id, s.transaction().id(), s.rejection());
      }
    }
    mempool.removeAll(refused);
    Block unsealed = proposal.block();
    if (unsealed.transactions().isEmpty() && policy.onlyWhenTransactionsWait()) {
      return;
    }
    Block sealed = unsealed.withSeal(p.seal(view, unsealed.header(), key));
    BlockResult r = ledger.append(sealed);
    if (r instanceof BlockResult.Rejected rej) {
      reject(sealed, id, rej.reason(), Kind.INVALID);
      return;
    }
    appended(sealed, true);
    if (transport != null) {
      transport.broadcast(new ConsensusMessage.NewBlock(sealed.encode()));
    }
  }

  private void appended(Block block, boolean local) {
    chain.remember(block.header());
    behindSince = -1;
    mempool.removeAll(block.transactions());
    mempool.prune(ledger.state(), clock.millis());
    readySince = -1;
    slashNext();
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

  private void reject(Block block, String from, String reason, Kind kind) {
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

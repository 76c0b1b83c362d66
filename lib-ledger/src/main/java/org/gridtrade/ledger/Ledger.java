package org.gridtrade.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.ledger.internal.state.InMemoryNodeStore;
import org.gridtrade.ledger.internal.state.Layer;
import org.gridtrade.ledger.internal.state.NodeStore;
import org.gridtrade.ledger.internal.state.StateStorage;
import org.gridtrade.ledger.internal.state.StateView;
import org.gridtrade.ledger.spi.BlockCheck;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.SealVerifier;
import org.gridtrade.ledger.spi.StoredBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chain: the blocks in a {@link BlockStore}, the state after the last one, and the rules that let
 * a new block in.
 *
 * <p>The state lives in an authenticated, versioned state tree kept with the blocks (see {@link
 * StateKey} and {@link StateProof}): a store that keeps it (both built-in stores do) is reopened
 * from its stored state, without replaying the chain; {@link #verify()} replays everything.
 *
 * <p>Thread-safe: appends are serialised; {@link #state()} and {@link #head()} return immutable
 * snapshots. {@link #append} validates a block completely (link, roots, seal, signatures in
 * parallel, state transition) before it stores it; a rejected block changes nothing. {@link
 * #reorganise} switches to a competing branch that forks at most {@link #REORG_DEPTH} blocks below
 * the head. Closing the ledger closes the store.
 *
 * <pre>{@code
 * try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(path))) {
 *   Ledger.Proposal p = ledger.propose(pending, proposer, clock.millis());
 *   BlockResult r = ledger.append(p.block());
 * }
 * }</pre>
 */
public final class Ledger implements AutoCloseable {
  /**
   * How many blocks below the head a {@link #reorganise reorganisation} may start: the fork height
   * is at least {@code height() - REORG_DEPTH}. The ledger keeps the head and state after each of
   * the last {@code REORG_DEPTH + 1} blocks in memory (the fork point's among them, also right
   * after {@link #open} of a stored chain). After a reorganisation onto a branch shorter than the
   * blocks it replaced, fewer are kept until the chain has grown past its old height again (a fork
   * below the kept ones is rejected). The states are versions of one state tree, not copies: each
   * costs only the nodes its block wrote.
   */
  public static final int REORG_DEPTH = 32;

  private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);

  /**
   * How many heights of state a ledger keeps by default: the states after the last {@value} blocks
   * (at least {@code REORG_DEPTH + 1}); older versions of the state tree are pruned.
   */
  public static final long DEFAULT_STATE_RETENTION = 128;

  private final Genesis genesis;
  private final Modules modules;
  private final BlockStore store;
  private final SealVerifier seals;
  private final StateStorage states;
  private final long retention;

  // The state the last proposal computed, reused when that block (sealed) is appended.
  private volatile Proposed proposed;

  private record Proposed(BlockHeader header, LedgerState state) {}

  // Background pruning of state versions older than the retention; guarded by `pruning`.
  private final Object pruning = new Object();
  private java.util.concurrent.ExecutorService pruner;
  private long[] pruneBound;
  private boolean pruneQueued;
  private boolean pruneClosed;

  /** A block header and the state after that block. */
  record Tip(BlockHeader head, LedgerState state) {}

  // Head and state change together: one volatile reference keeps readers consistent.
  private volatile Tip tip;

  // The tips of the last blocks, oldest first, at most REORG_DEPTH + 1, the last one is tip.
  // Guarded by this.
  private final List<Tip> recent = new ArrayList<>();

  // Whether replaceHead may replace the head (false for genesis and after opening a stored chain,
  // until the next block is appended). Guarded by this.
  private boolean headReplaceable;

  private Ledger(
      Genesis genesis,
      Modules modules,
      BlockStore store,
      SealVerifier seals,
      StateStorage states,
      long retention,
      List<Tip> recent) {
    this.genesis = genesis;
    this.modules = modules;
    this.store = store;
    this.seals = seals;
    this.states = states;
    this.retention = retention;
    this.recent.addAll(recent);
    this.tip = recent.get(recent.size() - 1);
  }

  /**
   * Opens a chain with a permissive seal check ({@link SealVerifier#acceptAll()}).
   *
   * @param genesis the chain's genesis configuration
   * @param store the block store; an empty store gets the genesis block. The ledger owns it from
   *     here on: closing the ledger closes it, and so does a failure to open
   * @return the ledger
   * @throws IllegalStateException if the stored chain does not verify (for example, it was written
   *     with another genesis); the store is closed, so its file can be opened again
   * @throws NullPointerException if an argument is null; a non-null {@code store} is closed
   */
  public static Ledger open(Genesis genesis, BlockStore store) {
    return open(genesis, store, SealVerifier.acceptAll());
  }

  /**
   * Opens a chain: writes the genesis block into an empty store; for a non-empty one, reads the
   * stored state if the store keeps it (checking block 0, the last {@code REORG_DEPTH + 1} blocks'
   * links and state roots, and the head's seal: time independent of the chain's length), or else
   * verifies every stored block, replaying the state.
   *
   * <p>The ledger owns the store from here on: closing the ledger closes it, and if opening fails
   * for any reason (a chain that does not verify, a null argument, a store failure) the store is
   * closed before the exception propagates, so {@code try (Ledger l = Ledger.open(g,
   * BlockStores.openDurable(path)))} never leaves the file locked behind a failed open. An
   * exception from that close is added to the propagating one as suppressed.
   *
   * @param genesis the chain's genesis configuration
   * @param store the block store
   * @param seals the consensus seal check applied to every block after genesis
   * @return the ledger
   * @throws IllegalStateException if the stored chain does not verify (for example, it was written
   *     with another genesis); the message is the {@link ChainReport}; the store is closed
   * @throws NullPointerException if an argument is null; a non-null {@code store} is closed
   * @throws java.io.UncheckedIOException if the store fails while writing the genesis block or
   *     reading the chain; the store is closed
   */
  public static Ledger open(Genesis genesis, BlockStore store, SealVerifier seals) {
    return open(genesis, store, seals, DEFAULT_STATE_RETENTION);
  }

  /**
   * Opens a chain as {@link #open(Genesis, BlockStore, SealVerifier)} does, keeping the state of
   * the last {@code stateRetention} heights ({@code Long.MAX_VALUE}: an archive that keeps every
   * height's state, so {@link #proveState(StateKey, long)} answers for any height).
   *
   * @param genesis the chain's genesis configuration
   * @param store the block store
   * @param seals the consensus seal check applied to every block after genesis
   * @param stateRetention heights of state kept, at least {@code REORG_DEPTH + 1}
   * @return the ledger
   * @throws IllegalArgumentException if {@code stateRetention <= REORG_DEPTH}; the store is closed
   */
  public static Ledger open(
      Genesis genesis, BlockStore store, SealVerifier seals, long stateRetention) {
    return open(genesis, store, seals, stateRetention, List.of());
  }

  /**
   * Opens a chain that runs on-chain modules (see {@link LedgerModule}), as {@link #open(Genesis,
   * BlockStore, SealVerifier, long)} does otherwise.
   *
   * @param genesis the chain's genesis configuration; its {@link Genesis#modules()} name the
   *     modules
   * @param store the block store
   * @param seals the consensus seal check applied to every block after genesis
   * @param stateRetention heights of state kept, at least {@code REORG_DEPTH + 1}
   * @param modules one implementation per module the genesis names, no other
   * @return the ledger
   * @throws IllegalArgumentException if {@code stateRetention <= REORG_DEPTH}, or the modules do
   *     not match the genesis's (the message names the missing and the extra ones); the store is
   *     closed
   */
  public static Ledger open(
      Genesis genesis,
      BlockStore store,
      SealVerifier seals,
      long stateRetention,
      List<? extends LedgerModule> modules) {
    Objects.requireNonNull(store, "store");
    try {
      if (stateRetention <= REORG_DEPTH) {
        throw new IllegalArgumentException(
            "stateRetention %d must be > REORG_DEPTH %d: a reorganisation needs the fork's state"
                .formatted(stateRetention, REORG_DEPTH));
      }
      Objects.requireNonNull(genesis, "genesis");
      return openOwned(genesis, store, seals, stateRetention, Modules.of(genesis, modules));
    } catch (RuntimeException | Error e) {
      closeAfterFailure(store, e);
      throw e;
    }
  }

  /**
   * Closes {@code store} after {@code failure} was thrown, adding an exception from the close to
   * {@code failure} as suppressed.
   */
  private static void closeAfterFailure(BlockStore store, Throwable failure) {
    try {
      store.close();
    } catch (RuntimeException | Error e) {
      failure.addSuppressed(e);
    }
  }

  private static Ledger openOwned(
      Genesis genesis, BlockStore store, SealVerifier seals, long retention, Modules modules) {
    Objects.requireNonNull(genesis, "genesis");
    Objects.requireNonNull(seals, "seals");
    StateStorage states = stateStorage(store);
    NodeStore nodes = states.nodeStore();
    if (store.size() == 0) {
      nodes.clear(); // what a crash in an earlier genesis build left behind
      LedgerState state = LedgerState.genesis(genesis, nodes, modules);
      genesis.rememberStateRoot(state.root());
      Block g = genesis.block(state.root());
      Tip tip = new Tip(g.header(), state);
      commit(
          states.nodeStore(),
          List.of(tip),
          -1,
          Long.MAX_VALUE,
          retention,
          true,
          c -> states.append(new StoredBlock(0, g.hash(), g.encode()), c));
      LOG.debug("wrote genesis block {} for chain {}", g.hash(), genesis.chainId());
      return new Ledger(genesis, modules, store, seals, states, retention, List.of(tip));
    }
    long head = store.size() - 1;
    if (nodes.root(head).isPresent()) {
      List<Tip> recent = StateReopen.recent(store, genesis, modules, seals, nodes, REORG_DEPTH + 1);
      LOG.debug("opened chain {} at height {} from its stored state", genesis.chainId(), head);
      return new Ledger(genesis, modules, store, seals, states, retention, recent);
    }
    ChainVerifier.Replay replay =
        ChainVerifier.replay(store, genesis, modules, seals, REORG_DEPTH + 1, nodes, retention);
    if (!replay.report().valid()) {
      throw new IllegalStateException("stored chain does not verify: " + replay.report());
    }
    LOG.debug("opened chain {} by replaying it: {}", genesis.chainId(), replay.report());
    return new Ledger(genesis, modules, store, seals, states, retention, replay.recent());
  }

  // The store's own state storage, or the state kept in memory beside a store that has none.
  private static StateStorage stateStorage(BlockStore store) {
    if (store instanceof StateStorage s) {
      return s;
    }
    InMemoryNodeStore memory = new InMemoryNodeStore();
    return new StateStorage() {
      @Override
      public NodeStore nodeStore() {
        return memory;
      }

      @Override
      public void append(StoredBlock block, NodeStore.Commit commit) {
        store.append(block);
        memory.commit(commit);
      }

      @Override
      public void replaceFrom(long height, List<StoredBlock> blocks, NodeStore.Commit commit) {
        if (height == store.size()) {
          blocks.forEach(store::append);
        } else {
          store.replaceFrom(height, blocks);
        }
        memory.commit(commit);
      }
    };
  }

  /**
   * Builds the state commit for {@code tips} (consecutive heights, the last one the new head),
   * hands it to {@code write} (which stores it with the blocks), then lets the tips' states read
   * their nodes from the store. With {@code pruneInline}, the versions that fell out of {@code
   * retention} are pruned in the same commit; otherwise their bound is returned for a background
   * prune.
   *
   * @return {@code {pruneUpTo, keepFrom}} when something is due for pruning and not pruned inline,
   *     else null
   */
  static long[] commit(
      NodeStore nodes,
      List<Tip> tips,
      long rollbackAfter,
      long dropRootsFrom,
      long retention,
      boolean pruneInline,
      java.util.function.Consumer<NodeStore.Commit> write) {
    Tip last = tips.get(tips.size() - 1);
    List<Layer> layers = last.state().view().pendingLayers();
    List<NodeStore.RootRecord> roots = new ArrayList<>(tips.size());
    for (Tip t : tips) {
      roots.add(rootRecord(t.head().height(), t.state()));
    }
    long pruneUpTo = -1;
    long keepFrom = 0;
    long head = last.head().height();
    if (retention < Long.MAX_VALUE && head - retention + 1 > 0) {
      keepFrom = head - retention + 1;
      long k = keepFrom;
      Optional<NodeStore.RootRecord> oldest =
          roots.stream().filter(r -> r.height() == k).findFirst().or(() -> nodes.root(k));
      if (oldest.isPresent()) {
        pruneUpTo = oldest.get().version();
      }
    }
    write.accept(
        pruneInline
            ? new NodeStore.Commit(rollbackAfter, layers, roots, dropRootsFrom, pruneUpTo, keepFrom)
            : new NodeStore.Commit(rollbackAfter, layers, roots, dropRootsFrom, -1, 0));
    layers.forEach(Layer::markCommitted);
    return !pruneInline && pruneUpTo >= 0 ? new long[] {pruneUpTo, keepFrom} : null;
  }

  // Prunes in the background, one run at a time, always towards the newest bound.
  private void schedulePrune(long[] bound) {
    if (bound == null) {
      return;
    }
    synchronized (pruning) {
      if (pruneBound == null || bound[0] > pruneBound[0]) {
        pruneBound = bound;
      }
      if (pruneQueued || pruneClosed) {
        return;
      }
      pruneQueued = true;
      if (pruner == null) {
        pruner =
            java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> {
                  Thread th = new Thread(r, "gridtrade-state-pruner");
                  th.setDaemon(true);
                  return th;
                });
      }
      pruner.execute(this::pruneNow);
    }
  }

  private void pruneNow() {
    long[] b;
    synchronized (pruning) {
      pruneQueued = false;
      b = pruneBound;
    }
    try {
      states.nodeStore().prune(b[0], b[1]);
    } catch (RuntimeException e) {
      // The store closed or failed: the stale marks stay and the next prune takes them.
      LOG.debug("pruning state versions up to {} failed: {}", b[0], e.toString());
    }
  }

  static NodeStore.RootRecord rootRecord(long height, LedgerState s) {
    StateView v = s.view();
    return new NodeStore.RootRecord(
        height, v.version(), v.root() == null ? null : v.root().key(), v.rootHash());
  }

  /**
   * The genesis configuration.
   *
   * @return the genesis
   */
  public Genesis genesis() {
    return genesis;
  }

  /**
   * The header of the last block.
   *
   * @return the head
   */
  public BlockHeader head() {
    return tip.head();
  }

  /**
   * The height of the last block (0 when only genesis is stored).
   *
   * @return the height
   */
  public long height() {
    return tip.head().height();
  }

  /**
   * The state after the last block.
   *
   * <p>The snapshot reads its version of the state tree. It stays readable while that version is
   * kept, except that a reorganisation ({@link #reorganise}, {@link #replaceHead}) rolls back the
   * versions above the fork: a read of a rolled-back snapshot that needs a tree node then throws
   * {@link IllegalStateException}. A reader on another thread than the one that appends should read
   * again from a fresh snapshot when that happens.
   *
   * @return an immutable snapshot
   */
  public LedgerState state() {
    return tip.state();
  }

  /**
   * Reads a block.
   *
   * @param height the height
   * @return the block, or empty if there is none at that height
   * @throws IllegalStateException if the stored bytes no longer decode (the store was corrupted
   *     after opening)
   */
  public Optional<Block> block(long height) {
    if (height < 0) {
      throw new IllegalArgumentException("height %d must be >= 0".formatted(height));
    }
    Optional<StoredBlock> s = store.read(height);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Block.decode(s.get().encoded()));
    } catch (DecodeException e) {
      throw new IllegalStateException("stored block %d is corrupt: %s".formatted(height, e), e);
    }
  }

  /**
   * Builds the next block from candidate transactions, as {@link #propose(List, Address, long)}
   * does, dated {@code time} (at millisecond precision, the unit of block timestamps).
   *
   * @param candidates transactions to include, in order of preference
   * @param proposer the proposer, who receives the fees
   * @param time block time, not before the head's
   * @return the block and the rejected candidates
   * @throws IllegalArgumentException if {@code time} is before the head's time
   */
  public Proposal propose(List<Transaction> candidates, Address proposer, Instant time) {
    return propose(candidates, proposer, Objects.requireNonNull(time, "time").toEpochMilli());
  }

  /**
   * Builds the next block from candidate transactions: each candidate that applies on top of the
   * ones before it goes in, in order, the others are returned with their reasons. The block is
   * unsealed (empty seal): a consensus engine seals it with {@link Block#withSeal(byte[])}. This
   * overload takes the block header's own unit, epoch milliseconds, for the engine's hot path.
   *
   * @param candidates transactions to include, in order of preference
   * @param proposer the proposer, who receives the fees
   * @param timestamp block time, epoch ms, not before the head's
   * @return the block and the rejected candidates
   * @throws IllegalArgumentException if {@code timestamp} is before the head's time
   */
  public Proposal propose(List<Transaction> candidates, Address proposer, long timestamp) {
    Objects.requireNonNull(candidates, "candidates");
    Objects.requireNonNull(proposer, "proposer");
    Tip t = tip;
    BlockHeader parent = t.head();
    LedgerState base = t.state();
    if (timestamp < parent.timestamp()) {
      throw new IllegalArgumentException(
          "timestamp %d < head timestamp %d".formatted(timestamp, parent.timestamp()));
    }
    boolean[] badSig = new boolean[candidates.size()];
    java.util.stream.IntStream.range(0, candidates.size())
        .parallel()
        .forEach(i -> badSig[i] = !candidates.get(i).hasValidSignatures());
    LedgerState.Overlay o = new LedgerState.Overlay(base, proposer, timestamp);
    List<Transaction> included = new ArrayList<>();
    List<Proposal.Skipped> skipped = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < candidates.size(); i++) {
      Transaction tx = candidates.get(i);
      if (badSig[i]) {
        skipped.add(
            new Proposal.Skipped(
                tx,
                new TxResult.Rejected(
                    RejectReason.BAD_SIGNATURE, tx.signatureProblem().orElse("signature"))));
        continue;
      }
      if (included.size() == Block.MAX_TRANSACTIONS
          || bytes + tx.encodedLength() + 2 > Block.MAX_ENCODED_BYTES - 8192) {
        skipped.add(
            new Proposal.Skipped(
                tx, new TxResult.Rejected(RejectReason.BAD_BLOCK, "block is full")));
        continue;
      }
      TxResult.Rejected r = o.apply(tx);
      if (r != null) {
        skipped.add(new Proposal.Skipped(tx, r));
      } else {
        included.add(tx);
        bytes += tx.encodedLength() + 2;
      }
    }
    TxResult.Rejected fees = o.finish();
    if (fees != null) {
      throw new IllegalStateException(
          "cannot complete the block at height %d for proposer %s: %s"
              .formatted(parent.height() + 1, proposer, fees));
    }
    LedgerState next;
    try {
      next = o.commit();
    } catch (ArithmeticException e) {
      throw new IllegalStateException("the block's rewards overflow the total supply", e);
    }
    BlockHeader h =
        new BlockHeader(
            parent.height() + 1,
            parent.hash(),
            Block.transactionsRoot(included),
            included.size(),
            next.root(),
            timestamp,
            proposer,
            new byte[0]);
    proposed = new Proposed(h, next);
    return new Proposal(new Block(h, included), skipped);
  }

  /**
   * Checks whether {@code block} would be appended now, without storing anything: the same
   * validation as {@link #append} (e.g. to vote on a block received from a peer).
   *
   * @param block the candidate next block
   * @return empty if valid, else why not
   */
  public Optional<String> check(Block block) {
    Objects.requireNonNull(block, "block");
    Tip t = tip;
    BlockValidator.Result r = BlockValidator.validate(block, t.head(), t.state(), seals);
    return r instanceof BlockValidator.Result.Invalid inv
        ? Optional.of(inv.reason())
        : Optional.empty();
  }

  /**
   * Validates {@code block} against the head and, if valid, stores it and advances the state. A
   * rejected block changes nothing. For a durable store, the block survives a crash once this
   * returns {@link BlockResult.Appended}.
   *
   * @param block the next block
   * @return appended, or rejected with the reason
   * @throws java.io.UncheckedIOException if the store fails (nothing changed)
   */
  public synchronized BlockResult append(Block block) {
    Objects.requireNonNull(block, "block");
    Tip t = tip;
    BlockValidator.Result r =
        BlockValidator.validate(block, t.head(), t.state(), seals, executed(block, t));
    if (r instanceof BlockValidator.Result.Invalid inv) {
      LOG.debug("rejected block {} at height {}: {}", block.hash(), block.height(), inv.reason());
      return new BlockResult.Rejected(inv.reason());
    }
    Hash hash = block.hash();
    Tip next = new Tip(block.header(), ((BlockValidator.Result.Valid) r).state());
    long[] prune =
        commit(
            states.nodeStore(),
            List.of(next),
            -1,
            Long.MAX_VALUE,
            retention,
            false,
            c -> states.append(new StoredBlock(block.height(), hash, block.encode()), c));
    schedulePrune(prune);
    proposed = null;
    push(List.of(next));
    headReplaceable = true;
    LOG.debug("appended block {} at height {}", hash, block.height());
    return new BlockResult.Appended(block.height(), hash);
  }

  // The state this ledger's last proposal computed, if `block` is that proposal on the tip.
  private LedgerState executed(Block block, Tip t) {
    Proposed p = proposed;
    if (p == null) {
      return null;
    }
    BlockHeader a = p.header();
    BlockHeader b = block.header();
    boolean same =
        a.height() == b.height()
            && a.previousHash().equals(b.previousHash())
            && b.previousHash().equals(t.head().hash())
            && a.transactionsRoot().equals(b.transactionsRoot())
            && a.transactionCount() == b.transactionCount()
            && a.stateRoot().equals(b.stateRoot())
            && a.timestamp() == b.timestamp()
            && a.proposer().equals(b.proposer());
    return same ? p.state() : null;
  }

  /**
   * The state before the head block, while the head may still be {@link #replaceHead replaced}.
   *
   * @return the state after the head's parent; empty for the genesis block and, after opening a
   *     stored chain, until the next block is appended (or a reorganisation)
   */
  public synchronized Optional<LedgerState> stateBeforeHead() {
    return beforeHead().map(Tip::state);
  }

  // The tip before the head while the head may be replaced.
  private Optional<Tip> beforeHead() {
    return headReplaceable && recent.size() >= 2
        ? Optional.of(recent.get(recent.size() - 2))
        : Optional.empty();
  }

  // Appends tips after the current one (the last becomes the head), keeping REORG_DEPTH + 1.
  private void push(List<Tip> tips) {
    recent.addAll(tips);
    if (recent.size() > REORG_DEPTH + 1) {
      recent.subList(0, recent.size() - (REORG_DEPTH + 1)).clear();
    }
    tip = recent.get(recent.size() - 1);
  }

  /**
   * Replaces the head block by a competitor for the same height on the same parent (a one-block
   * reorganisation; the caller decides which block wins, e.g. by consensus weight). The competitor
   * is validated against the parent exactly as {@link #append} would; a rejected competitor changes
   * nothing.
   *
   * @param block a block for the head's height whose parent is the head's parent
   * @return appended (the new head), or rejected with the reason (for a block of the head's height
   *     that was validated, the rejection means the block is invalid against its parent's state)
   * @throws UnsupportedOperationException if the block store cannot replace records ({@link
   *     org.gridtrade.ledger.spi.BlockStore#replaceLast}); nothing changed
   * @throws java.io.UncheckedIOException if the store fails (nothing changed)
   */
  public synchronized BlockResult replaceHead(Block block) {
    Objects.requireNonNull(block, "block");
    Tip t = tip;
    Tip before = beforeHead().orElse(null);
    if (before == null) {
      return new BlockResult.Rejected(
          "the head at height %d cannot be replaced (genesis, or reopened since it was appended)"
              .formatted(t.head().height()));
    }
    if (block.height() != t.head().height()) {
      return new BlockResult.Rejected(
          "block height %d is not the head's height %d"
              .formatted(block.height(), t.head().height()));
    }
    BlockValidator.Result r = BlockValidator.validate(block, before.head(), before.state(), seals);
    if (r instanceof BlockValidator.Result.Invalid inv) {
      return new BlockResult.Rejected(inv.reason());
    }
    Hash hash = block.hash();
    Tip next = new Tip(block.header(), ((BlockValidator.Result.Valid) r).state());
    long[] prune =
        commit(
            states.nodeStore(),
            List.of(next),
            before.state().view().version(),
            block.height(),
            retention,
            false,
            c ->
                states.replaceFrom(
                    block.height(),
                    List.of(new StoredBlock(block.height(), hash, block.encode())),
                    c));
    schedulePrune(prune);
    proposed = null;
    recent.remove(recent.size() - 1);
    push(List.of(next));
    LOG.debug("replaced head {} by {} at height {}", t.head().hash(), hash, block.height());
    return new BlockResult.Appended(block.height(), hash);
  }

  /**
   * Replaces every block above {@code forkHeight} by {@code branch}, atomically: a reorganisation
   * onto a competing branch (the caller decides which branch wins, e.g. by consensus weight). With
   * {@code forkHeight == height()} it appends the branch's blocks.
   *
   * <p>Checks, in order, and rejects with the reason (changing nothing) at the first failure:
   * {@code height() - REORG_DEPTH <= forkHeight <= height()}, {@code forkHeight >= 0}, and the
   * state after block {@code forkHeight} is kept in memory (see {@link #REORG_DEPTH}); the branch
   * is non-empty, its heights run {@code forkHeight + 1, forkHeight + 2, ...} and each block links
   * to the hash of the previous one (the first to the stored block at {@code forkHeight}); then,
   * for each block in order, {@code contents} accepts it and it is valid exactly as {@link #append}
   * would find it on top of the branch's previous block (with {@code seals}). A rejection of a
   * block reads {@code "block i of the branch: reason"}, counting from 1.
   *
   * <p>Then the store replaces the records ({@link BlockStore#replaceFrom}; a durable store keeps
   * either the old chain or the new one across a crash) and the head and state become the branch's
   * last. The new head may again be {@link #replaceHead replaced}.
   *
   * @param forkHeight the height of the last block both chains share
   * @param branch the blocks that follow it on the competing branch
   * @param seals the consensus seal check for the branch's blocks
   * @param contents the consensus content check for the branch's blocks, applied before the
   *     ledger's own validation of each block
   * @return appended (height and hash of the new head), or rejected with the reason
   * @throws UnsupportedOperationException if the block store cannot replace these records; nothing
   *     changed
   * @throws java.io.UncheckedIOException if the store fails (nothing changed)
   */
  public synchronized BlockResult reorganise(
      long forkHeight, List<Block> branch, SealVerifier seals, BlockCheck contents) {
    Objects.requireNonNull(branch, "branch");
    Objects.requireNonNull(seals, "seals");
    Objects.requireNonNull(contents, "contents");
    for (int i = 0; i < branch.size(); i++) {
      Objects.requireNonNull(branch.get(i), "branch block " + (i + 1));
    }
    List<Block> blocks = List.copyOf(branch);
    Tip t = tip;
    long height = t.head().height();
    if (forkHeight < 0) {
      return reject("forkHeight %d < 0".formatted(forkHeight));
    }
    if (forkHeight > height) {
      return reject(
          "forkHeight %d > height %d: a branch forks at or below the head"
              .formatted(forkHeight, height));
    }
    if (forkHeight < height - REORG_DEPTH) {
      return reject(
          "forkHeight %d < height %d - REORG_DEPTH %d: the fork is too deep"
              .formatted(forkHeight, height, REORG_DEPTH));
    }
    long back = height - forkHeight;
    if (back >= recent.size()) {
      return reject(
          "forkHeight %d: the state after that block is not kept (kept: heights %d..%d)"
              .formatted(forkHeight, height - recent.size() + 1, height));
    }
    if (blocks.isEmpty()) {
      return reject("branch is empty: at least one block must follow forkHeight " + forkHeight);
    }
    Tip fork = recent.get(recent.size() - 1 - (int) back);
    Hash previous = fork.head().hash();
    for (int i = 0; i < blocks.size(); i++) {
      BlockHeader h = blocks.get(i).header();
      if (h.height() != forkHeight + 1 + i) {
        return reject(
            "block %d of the branch: height %d != %d: the heights must run from forkHeight + 1 = %d"
                .formatted(i + 1, h.height(), forkHeight + 1 + i, forkHeight + 1));
      }
      if (!h.previousHash().equals(previous)) {
        return reject(
            "block %d of the branch: previousHash %s != hash %s of block %d"
                .formatted(i + 1, h.previousHash(), previous, h.height() - 1));
      }
      previous = blocks.get(i).hash();
    }
    List<Tip> tips = new ArrayList<>();
    List<StoredBlock> records = new ArrayList<>();
    Tip parent = fork;
    for (int i = 0; i < blocks.size(); i++) {
      Block b = blocks.get(i);
      Optional<String> content;
      try {
        content = contents.check(b, parent.head(), parent.state());
      } catch (RuntimeException e) {
        content = Optional.of("content check failed: " + e);
      }
      if (content.isPresent()) {
        return reject("block %d of the branch: %s".formatted(i + 1, content.get()));
      }
      BlockValidator.Result r = BlockValidator.validate(b, parent.head(), parent.state(), seals);
      if (r instanceof BlockValidator.Result.Invalid inv) {
        return reject("block %d of the branch: %s".formatted(i + 1, inv.reason()));
      }
      parent = new Tip(b.header(), ((BlockValidator.Result.Valid) r).state());
      tips.add(parent);
      records.add(new StoredBlock(b.height(), b.hash(), b.encode()));
    }
    long[] prune =
        commit(
            states.nodeStore(),
            tips,
            fork.state().view().version(),
            forkHeight + 1,
            retention,
            false,
            c -> states.replaceFrom(forkHeight + 1, records, c));
    schedulePrune(prune);
    proposed = null;
    recent.subList(recent.size() - (int) back, recent.size()).clear();
    push(tips);
    headReplaceable = true;
    LOG.debug(
        "reorganised from height {}: {} blocks replaced by {}, head {} at height {}",
        forkHeight,
        back,
        blocks.size(),
        parent.head().hash(),
        parent.head().height());
    return new BlockResult.Appended(parent.head().height(), parent.head().hash());
  }

  private static BlockResult reject(String reason) {
    LOG.debug("rejected reorganisation: {}", reason);
    return new BlockResult.Rejected(reason);
  }

  /**
   * An inclusion proof of one transaction in one block, checkable with the block's header alone:
   * {@code proof.verifyTransaction(tx.encode(), header)} (see {@link
   * InclusionProof#verifyTransaction}), which takes the tree size from the header's {@link
   * BlockHeader#transactionCount()} and the root from its {@link BlockHeader#transactionsRoot()}.
   *
   * @param height the block height
   * @param index the transaction's index in the block
   * @return the proof
   * @throws IllegalArgumentException if there is no such block or transaction
   */
  public InclusionProof proveTransaction(long height, int index) {
    Block b =
        block(height)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "height %d > chain height %d".formatted(height, height())));
    if (index < 0 || index >= b.transactions().size()) {
      throw new IllegalArgumentException(
          "index %d not in 0..%d of block %d"
              .formatted(index, b.transactions().size() - 1, height));
    }
    return b.transactionsTree().inclusionProof(index);
  }

  /**
   * Verifies the whole stored chain again (see {@link ChainVerifier}).
   *
   * @return the report
   */
  public ChainReport verify() {
    return ChainVerifier.verifyWith(store, genesis, modules, seals, h -> {});
  }

  /**
   * Verifies the whole stored chain again, reporting progress (see {@link
   * ChainVerifier#verify(BlockStore, Genesis, SealVerifier, java.util.function.LongConsumer)}).
   *
   * @param progress called with each height once that block verified
   * @return the report
   */
  public ChainReport verify(java.util.function.LongConsumer progress) {
    return ChainVerifier.verifyWith(store, genesis, modules, seals, progress);
  }

  /**
   * A proof of a key's value, or of its absence, in the state after the head block, checkable with
   * the head's header alone ({@link StateProof#verify(BlockHeader, StateKey)}).
   *
   * @param key the key, e.g. {@link StateKey#account(Address)}
   * @return the proof
   */
  public StateProof proveState(StateKey key) {
    Tip t = tip;
    return StateProof.of(Objects.requireNonNull(key, "key"), t.state());
  }

  /**
   * A proof of a key's value, or of its absence, in the state after block {@code height}.
   *
   * @param key the key
   * @param height a height whose state is kept: one of the last {@code stateRetention} (see {@link
   *     #open(Genesis, BlockStore, SealVerifier, long)})
   * @return the proof, checkable against that block's header
   * @throws IllegalArgumentException if there is no such height, or its state was pruned
   */
  public StateProof proveState(StateKey key, long height) {
    Objects.requireNonNull(key, "key");
    return StateProof.of(key, stateAt(height));
  }

  // The state after block `height`, if it is kept.
  private LedgerState stateAt(long height) {
    Tip t = tip;
    if (height < 0 || height > t.head().height()) {
      throw new IllegalArgumentException(
          "height %d not in 0..%d".formatted(height, t.head().height()));
    }
    if (height == t.head().height()) {
      return t.state();
    }
    if (retention < Long.MAX_VALUE && height <= t.head().height() - retention) {
      throw new IllegalArgumentException(
          "the state after height %d is no longer kept (kept: the last %d heights, %d..%d)"
              .formatted(height, retention, t.head().height() - retention + 1, t.head().height()));
    }
    NodeStore.RootRecord r =
        states
            .nodeStore()
            .root(height)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "the state after height %d is no longer kept (pruned; kept: the last %d)"
                            .formatted(height, retention)));
    return LedgerState.committed(
        genesis, StateView.committed(states.nodeStore(), r), height, modules);
  }

  /**
   * Writes a snapshot of the state after block {@code height}: every key and value, in the order of
   * the keys' hashes, after a head naming the chain, the height, the block's hash and its state
   * root (format in the ledger documentation). A new node starts from it with {@link
   * #openFromSnapshot} instead of replaying the chain. The snapshot is as large as the state (about
   * 80 bytes per account).
   *
   * @param height a height whose state is kept (the head, or one of the last {@code
   *     stateRetention})
   * @param out where to write; not closed
   * @return the number of keys written
   * @throws IllegalArgumentException if the height is not kept
   * @throws java.io.UncheckedIOException if writing fails
   */
  public long exportStateSnapshot(long height, java.io.OutputStream out) {
    Objects.requireNonNull(out, "out");
    LedgerState s = stateAt(height);
    BlockHeader h =
        height == tip.head().height()
            ? tip.head()
            : block(height)
                .orElseThrow(() -> new IllegalArgumentException("no block " + height))
                .header();
    return StateSnapshots.write(genesis.chainId(), h, s, out);
  }

  /**
   * Starts a node from a state snapshot instead of replaying the chain (like CometBFT's state sync
   * with a trusted height and hash): the blocks are stored, but their transactions are not
   * executed.
   *
   * <p>The operator names the head it trusts, {@code trustedHead}, the hash of block {@code h}
   * (from a node it runs, or another source it trusts). Then, before anything is stored: {@code
   * blocks} (iterated twice, so it must be re-iterable) must be this genesis's block 0 and each
   * block must link to the one before and carry its transactions' root, the last being the trusted
   * one; the snapshot must be of that block, and the tree built from it must have that header's
   * state root. So the blocks are authenticated by the hash chain up to the trusted hash, and the
   * state by the header's root. Then the blocks are appended and the state is committed with block
   * {@code h}. The ledger continues from {@code h} like any other: later blocks are validated in
   * full, reorganisations reach back as far as the blocks since {@code h}, and {@link #verify()}
   * still replays everything from genesis.
   *
   * @param genesis the chain's genesis configuration
   * @param store an empty block store; the ledger owns it from here on, and closes it if this fails
   * @param seals the consensus seal check for the blocks after {@code h}
   * @param modules one implementation per module the genesis names
   * @param blocks blocks {@code 0..h}, in order
   * @param trustedHead the hash of block {@code h}
   * @param snapshot a snapshot of the state after block {@code h} ({@link #exportStateSnapshot});
   *     read to its end, not closed
   * @return the ledger, at height {@code h}
   * @throws IllegalArgumentException if the store is not empty, the blocks do not lead from this
   *     genesis to the trusted head, or the snapshot is malformed or not of that block's state (the
   *     message names the block or the entry and the rule); nothing was stored
   * @throws java.io.UncheckedIOException if reading the snapshot or the store fails
   */
  public static Ledger openFromSnapshot(
      Genesis genesis,
      BlockStore store,
      SealVerifier seals,
      List<? extends LedgerModule> modules,
      Iterable<Block> blocks,
      Hash trustedHead,
      java.io.InputStream snapshot) {
    Objects.requireNonNull(store, "store");
    try {
      Objects.requireNonNull(genesis, "genesis");
      Objects.requireNonNull(seals, "seals");
      Objects.requireNonNull(blocks, "blocks");
      Objects.requireNonNull(trustedHead, "trustedHead");
      Objects.requireNonNull(snapshot, "snapshot");
      Modules ms = Modules.of(genesis, modules);
      if (store.size() != 0) {
        throw new IllegalArgumentException(
            "the store holds %d blocks: a snapshot is restored into an empty store"
                .formatted(store.size()));
      }
      BlockHeader head = checkBlocks(genesis, blocks, trustedHead);
      StateStorage states = stateStorage(store);
      NodeStore nodes = states.nodeStore();
      nodes.clear();
      LedgerState state;
      try {
        StateSnapshots.Reader reader = new StateSnapshots.Reader(snapshot, genesis.chainId());
        StateSnapshots.Head sh = reader.head();
        if (sh.height() != head.height() || !sh.blockHash().equals(head.hash())) {
          throw new IllegalArgumentException(
              "snapshot of block %d %s, not of the trusted head, block %d %s"
                  .formatted(sh.height(), sh.blockHash(), head.height(), head.hash()));
        }
        if (!sh.stateRoot().equals(head.stateRoot())) {
          throw new IllegalArgumentException(
              "snapshot.stateRoot %s != stateRoot %s of block %d"
                  .formatted(sh.stateRoot(), head.stateRoot(), head.height()));
        }
        state =
            LedgerState.committed(genesis, StateSnapshots.build(reader, nodes), head.height(), ms);
        if (!state.root().equals(head.stateRoot())) {
          throw new IllegalArgumentException(
              "snapshot state root %s != stateRoot %s of block %d"
                  .formatted(state.root(), head.stateRoot(), head.height()));
        }
      } catch (RuntimeException e) {
        nodes.clear();
        throw e;
      }
      Tip tip = null;
      for (Block b : blocks) {
        StoredBlock stored = new StoredBlock(b.height(), b.hash(), b.encode());
        if (b.height() < head.height()) {
          store.append(stored);
        } else {
          tip = new Tip(b.header(), state);
          commit(
              nodes,
              List.of(tip),
              -1,
              Long.MAX_VALUE,
              DEFAULT_STATE_RETENTION,
              true,
              c -> states.append(stored, c));
          break;
        }
      }
      if (tip == null || !tip.head().hash().equals(head.hash())) {
        throw new IllegalStateException("the blocks changed between their two iterations");
      }
      LOG.debug(
          "restored chain {} at height {} from a state snapshot", genesis.chainId(), head.height());
      return new Ledger(genesis, ms, store, seals, states, DEFAULT_STATE_RETENTION, List.of(tip));
    } catch (RuntimeException | Error e) {
      closeAfterFailure(store, e);
      throw e;
    }
  }

  // Checks that `blocks` lead from the genesis to the trusted head; returns its header.
  private static BlockHeader checkBlocks(
      Genesis genesis, Iterable<Block> blocks, Hash trustedHead) {
    BlockHeader previous = null;
    for (Block b : blocks) {
      BlockHeader h = b.header();
      long expected = previous == null ? 0 : previous.height() + 1;
      if (h.height() != expected) {
        throw new IllegalArgumentException(
            "blocks: height %d where %d was expected".formatted(h.height(), expected));
      }
      if (previous == null) {
        if (!genesis.isBlockZero(h)) {
          throw new IllegalArgumentException(
              "blocks: block 0 is not this chain's genesis block (its configuration hash differs)");
        }
      } else if (!h.previousHash().equals(previous.hash())) {
        throw new IllegalArgumentException(
            "blocks: block %d previousHash %s != hash %s of block %d"
                .formatted(h.height(), h.previousHash(), previous.hash(), previous.height()));
      }
      if (!Block.transactionsRoot(b.transactions()).equals(h.transactionsRoot())
          || b.transactions().size() != h.transactionCount()) {
        throw new IllegalArgumentException(
            "blocks: block %d's transactions do not match its header's root".formatted(h.height()));
      }
      previous = h;
      if (h.hash().equals(trustedHead)) {
        return h;
      }
    }
    throw new IllegalArgumentException(
        previous == null
            ? "blocks: none given"
            : "blocks: the trusted head %s is not among blocks 0..%d"
                .formatted(trustedHead, previous.height()));
  }

  /**
   * Bytes the store uses.
   *
   * @return the store's {@link BlockStore#sizeInBytes()}
   */
  public long storeSizeInBytes() {
    return store.sizeInBytes();
  }

  /** Stops the background pruning (waiting for a run in progress) and closes the block store. */
  @Override
  public void close() {
    java.util.concurrent.ExecutorService p;
    synchronized (pruning) {
      pruneClosed = true;
      p = pruner;
    }
    if (p != null) {
      p.shutdown();
      try {
        if (!p.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)) {
          LOG.warn("state pruning did not stop within 60 s; closing the store anyway");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    store.close();
  }

  /**
   * A block built by {@link #propose}, and the candidates left out.
   *
   * @param block the unsealed block
   * @param skipped the candidates that did not go in, with why
   */
  public record Proposal(Block block, List<Skipped> skipped) {
    public Proposal {
      Objects.requireNonNull(block, "block");
      skipped = List.copyOf(skipped);
    }

    /**
     * A candidate left out of a block.
     *
     * @param transaction the candidate
     * @param rejection why it was left out
     */
    public record Skipped(Transaction transaction, TxResult.Rejected rejection) {
      public Skipped {
        Objects.requireNonNull(transaction, "transaction");
        Objects.requireNonNull(rejection, "rejection");
      }
    }
  }
}

package org.gridtrade.consensus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.gridtrade.consensus.EngineListener.Rejection.Kind;
import org.gridtrade.consensus.internal.BranchView;
import org.gridtrade.consensus.internal.StoreChainView;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Mempool;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.BlockCheck;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.SealVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's fork choice: a competitor of the head replaces it if heavier, a heavier branch
 * forking at most {@link Ledger#REORG_DEPTH} below the head replaces the blocks above the fork, and
 * a different block at a stored height is checked for equivocation. Guarded by the engine's lock.
 */
final class ForkChoice {
  private static final Logger LOG = LoggerFactory.getLogger(BlockEngine.class);

  private final BlockEngine engine;
  private final String id;
  private final ConsensusSchedule schedule;
  private final StoreChainView chain;
  private final Ledger ledger;
  private final Mempool mempool;
  private final BlockStore store;
  private final CopyOnWriteArrayList<EngineListener> listeners;

  /**
   * A competing branch: the blocks above {@code fork}, the last height it shares with this node.
   */
  private record Branch(long fork, List<Block> blocks) {}

  ForkChoice(BlockEngine engine) {
    this.engine = engine;
    this.id = engine.id;
    this.schedule = engine.schedule;
    this.chain = engine.chain;
    this.ledger = engine.ledger;
    this.mempool = engine.mempool;
    this.store = engine.store;
    this.listeners = engine.listeners;
  }

  /**
   * Fork choice below the head: for each peer's blocks, the first linked run that forks from this
   * node's chain at most {@link Ledger#REORG_DEPTH} below the head replaces the blocks above the
   * fork if it weighs more (the sum of the protocol weights of its blocks against that of the
   * replaced ones; on a tie, the longer; then the lower hash of its first block), once every block
   * of it validates.
   */
  void tryReorganise(List<Received> blocks, long now) {
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
  void reorganise(Branch branch, String from, long now) {
    long fork = branch.fork();
    long oldHead = ledger.height();
    List<Block> blocks = branch.blocks().stream().map(engine::withPendingInstances).toList();
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
      engine.reject(
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
              .ifPresent(
                  o -> engine.evidenceDesk.recordEvidence(e, o, "found in a reorganisation"));
        } catch (RuntimeException x) {
          // not evidence under this protocol
        }
      }
    }
    notifyRemoved(removed);
    for (Block b : blocks) {
      engine.appended(b, false);
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

  /**
   * The removed blocks' transactions that the new blocks lack go back to the mempool, and are
   * gossiped again: peers on the winning side of a partition may never have seen them, and when
   * only some nodes seal (trust committees, PoEG, PoSOC) a transaction pending only on nodes that
   * do not seal would never be included. Peers that hold one already drop the copy.
   */
  private void resubmit(List<Block> removed, List<Block> added, long now) {
    Set<Hash> kept = new HashSet<>();
    added.forEach(b -> b.transactions().forEach(tx -> kept.add(tx.id())));
    LedgerState state = ledger.state();
    for (Block old : removed) {
      for (Transaction tx : old.transactions()) {
        // refused if the new chain made it invalid
        if (!kept.contains(tx.id()) && mempool.submit(tx, state, now).accepted()) {
          engine.gossip(tx);
        }
      }
    }
  }

  static long weightOf(ConsensusProtocol p, ChainView view, BlockHeader h) {
    try {
      return p.weight(view, h);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  void checkConflict(Received r, long now) {
    Block block = r.block();
    if (block.height() > ledger.height()) {
      return;
    }
    // Most such blocks are copies of a stored block relayed by other peers: compare with the
    // stored header (cached) before decoding the whole stored block.
    Optional<BlockHeader> storedHeader = chain.header(block.height());
    if (storedHeader.isEmpty() || storedHeader.get().hash().equals(block.hash())) {
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
      engine.evidenceDesk.recordEvidence(e, offender.get(), "found here");
    } else if (!replaceHead(r, stored.get(), now)) {
      engine.reject(
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
  boolean replaceHead(Received r, Block head, long now) {
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
    BlockHeader parent = chain.header(h - 1).orElseThrow();
    Block candidate = engine.withPendingInstances(block);
    Optional<String> content = p.checkBlock(view, candidate, parent, before.get());
    if (content.isPresent()) {
      engine.reject(candidate, r.from(), content.get(), Kind.INVALID);
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
      engine.reject(candidate, r.from(), rej.reason(), Kind.INVALID);
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
    engine.appended(candidate, false);
    resubmit(List.of(head), List.of(candidate), now);
    return true;
  }
}

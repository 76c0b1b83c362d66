package org.gridtrade.consensus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.gridtrade.consensus.EngineListener.Rejection.Kind;
import org.gridtrade.consensus.internal.StoreChainView;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.spi.BlockStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's sync part: blocks received from peers are buffered ahead of the head (bounded per
 * peer and in all), appended in height order, and missing ones requested; peers that send invalid
 * blocks are struck and, after {@link BlockEngine#MAX_STRIKES}, ignored for a while. Guarded by the
 * engine's lock.
 */
final class Sync {
  private static final Logger LOG = LoggerFactory.getLogger(BlockEngine.class);

  private final BlockEngine engine;
  private final String id;
  private final ConsensusSchedule schedule;
  private final StoreChainView chain;
  private final Ledger ledger;
  private final BlockPolicy policy;
  private final Transport transport;
  private final BlockStore store;

  // Bytes buffered in `ahead`, per peer and in all; invalid blocks per peer; banned peers' ends.
  final TreeMap<Long, List<Received>> ahead = new TreeMap<>();
  private final HashMap<String, Long> aheadBytes = new HashMap<>();
  long aheadTotal;
  private final HashMap<String, Integer> strikes = new HashMap<>();
  final HashMap<String, Long> bannedUntil = new HashMap<>();
  private long lastRequest = Long.MIN_VALUE / 2;
  private final Map<String, Long> lastBranchRequest = new HashMap<>();

  /** The highest height heard of from peers. */
  long bestKnownHeight;

  Sync(BlockEngine engine) {
    this.engine = engine;
    this.id = engine.id;
    this.schedule = engine.schedule;
    this.chain = engine.chain;
    this.ledger = engine.ledger;
    this.policy = engine.policy;
    this.transport = engine.transport;
    this.store = engine.store;
    this.bestKnownHeight = ledger.height();
  }

  void answer(String peer, ConsensusMessage.BlockRequest q) {
    List<byte[]> out = new ArrayList<>();
    for (long h = q.fromHeight();
        h <= ledger.height() && out.size() < Math.min(q.max(), BlockEngine.SYNC_BATCH);
        h++) {
      store.read(h).ifPresent(b -> out.add(b.encoded()));
    }
    if (!out.isEmpty()) {
      transport.send(peer, new ConsensusMessage.BlockResponse(out));
    }
  }

  void requestFrom(String peer, long now) {
    if (transport != null && now - lastRequest >= policy.statusIntervalMillis() / 2) {
      lastRequest = now;
      transport.send(
          peer, new ConsensusMessage.BlockRequest(ledger.height() + 1, BlockEngine.SYNC_BATCH));
    }
  }

  /**
   * Asks {@code peer} for its blocks from {@link Ledger#REORG_DEPTH} below this node's head, to
   * find where its branch forks from this chain (at most once per status interval per peer).
   */
  void requestBranch(String peer, long now) {
    if (transport == null
        || now - lastBranchRequest.getOrDefault(peer, Long.MIN_VALUE / 2)
            < policy.statusIntervalMillis()) {
      return;
    }
    lastBranchRequest.put(peer, now);
    long from = Math.max(1, ledger.height() - Ledger.REORG_DEPTH + 1);
    transport.send(peer, new ConsensusMessage.BlockRequest(from, BlockEngine.SYNC_BATCH));
  }

  void handleBlocks(List<Received> all, long now) {
    List<Received> blocks = new ArrayList<>(all.size());
    for (Received r : all) {
      Long until = bannedUntil.get(r.from());
      if (until != null && now < until) {
        continue; // a peer that sent too many invalid blocks: ignored for a while
      }
      bannedUntil.remove(r.from());
      blocks.add(r);
    }
    engine.forkChoice.tryReorganise(blocks, now);
    List<Received> stale = new ArrayList<>();
    for (Received r : blocks) {
      long h = r.block().height();
      if (h <= ledger.height()) {
        stale.add(r);
      } else if (h <= ledger.height() + BlockEngine.MAX_BUFFERED_AHEAD) {
        bestKnownHeight = Math.max(bestKnownHeight, h);
        List<Received> at = ahead.computeIfAbsent(h, k -> new ArrayList<>());
        long peerBytes = aheadBytes.getOrDefault(r.from(), 0L);
        if (peerBytes + r.bytes() > BlockEngine.MAX_BUFFERED_BYTES_PER_PEER
            || aheadTotal + r.bytes() > BlockEngine.MAX_BUFFERED_BYTES) {
          LOG.debug(
              "engine {}: dropped block {} from {}: {} bytes buffered from it, {} in all",
              id,
              h,
              r.from(),
              peerBytes,
              aheadTotal);
        } else if (at.size() < BlockEngine.MAX_CANDIDATES_PER_HEIGHT
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
          Comparator.comparingLong(
                  (Received r) -> -ForkChoice.weightOf(p, view, r.block().header()))
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
      engine.forkChoice.checkConflict(r, now);
    }
  }

  private void release(Received r) {
    aheadBytes.computeIfPresent(r.from(), (k, v) -> v - r.bytes() <= 0 ? null : v - r.bytes());
    aheadTotal -= r.bytes();
  }

  // An invalid block from a peer: after BlockEngine.MAX_STRIKES, its buffered blocks go and it is
  // ignored.
  void strike(String peer, long now) {
    int n = strikes.merge(peer, 1, Integer::sum);
    if (n < BlockEngine.MAX_STRIKES) {
      return;
    }
    strikes.remove(peer);
    bannedUntil.put(peer, now + BlockEngine.BAN_MILLIS);
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
        BlockEngine.MAX_STRIKES,
        BlockEngine.BAN_MILLIS);
  }

  private boolean appendReceived(Received r, ConsensusProtocol p, ChainView view, long now) {
    Block block = engine.withPendingInstances(r.block());
    BlockHeader head = ledger.head();
    if (!block.header().previousHash().equals(head.hash())) {
      engine.reject(
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
      engine.reject(block, r.from(), content.get(), Kind.INVALID);
      strike(r.from(), now);
      return false;
    }
    BlockResult result = ledger.append(block);
    if (result instanceof BlockResult.Rejected rej) {
      engine.reject(block, r.from(), rej.reason(), Kind.INVALID);
      strike(r.from(), now);
      return false;
    }
    engine.appended(block, false);
    return true;
  }
}

package org.gridtrade.consensus;

import java.util.ArrayList;
import java.util.List;
import org.gridtrade.consensus.EngineListener.Rejection.Kind;
import org.gridtrade.consensus.internal.StoreChainView;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Mempool;
import org.gridtrade.ledger.RejectReason;
import org.gridtrade.ledger.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's proposer: when this node's key may propose the next block and it is time, it builds,
 * seals, appends and broadcasts the block. Guarded by the engine's lock.
 */
final class Proposer {
  private static final Logger LOG = LoggerFactory.getLogger(BlockEngine.class);

  private final BlockEngine engine;
  private final String id;
  private final ConsensusSchedule schedule;
  private final StoreChainView chain;
  private final Ledger ledger;
  private final Mempool mempool;
  private final KeyPair key;
  private final BlockPolicy policy;
  private final Transport transport;

  private final long startedAt;

  /** When this node became ready for the next height, or -1. */
  long readySince = -1;

  /** When this node found itself behind a peer's announced height, or -1. */
  long behindSince = -1;

  Proposer(BlockEngine engine) {
    this.engine = engine;
    this.id = engine.id;
    this.schedule = engine.schedule;
    this.chain = engine.chain;
    this.ledger = engine.ledger;
    this.mempool = engine.mempool;
    this.key = engine.key;
    this.policy = engine.policy;
    this.transport = engine.transport;
    this.startedAt = engine.clock.millis();
  }

  void maybePropose(long now) {
    if (key == null) {
      return;
    }
    if (engine.sync.bestKnownHeight > ledger.height()) {
      // Behind a peer: catch up before proposing; but a peer that announced a height it cannot
      // deliver must not silence this node for ever.
      if (behindSince < 0) {
        behindSince = now;
      }
      if (now - behindSince < BlockEngine.GIVE_UP_SYNC_INTERVALS * policy.statusIntervalMillis()) {
        return;
      }
      LOG.warn(
          "engine {}: announced height {} not delivered; resuming at {}",
          id,
          engine.sync.bestKnownHeight,
          ledger.height());
      engine.sync.bestKnownHeight = ledger.height();
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
      engine.reject(sealed, id, rej.reason(), Kind.INVALID);
      return;
    }
    engine.appended(sealed, true);
    if (transport != null) {
      transport.broadcast(new ConsensusMessage.NewBlock(sealed.encode()));
    }
  }
}

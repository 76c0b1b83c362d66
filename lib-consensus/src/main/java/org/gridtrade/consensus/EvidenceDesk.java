package org.gridtrade.consensus;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.gridtrade.consensus.internal.StoreChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.DecodeException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's evidence desk: equivocation found here or received from peers is verified, reported
 * to listeners and gossiped once, and, with {@link BlockEngine.Builder#slashEquivocation}, slashed
 * one evidence id at a time. Guarded by the engine's lock.
 */
final class EvidenceDesk {
  private static final Logger LOG = LoggerFactory.getLogger(BlockEngine.class);

  private final BlockEngine engine;
  private final String id;
  private final ConsensusSchedule schedule;
  private final StoreChainView chain;
  private final Ledger ledger;
  private final Mempool mempool;
  private final Transport transport;
  private final CopyOnWriteArrayList<EngineListener> listeners;

  private final Map<Hash, Evidence> evidence = new LinkedHashMap<>();
  private final Map<Hash, Address> toSlash = new LinkedHashMap<>();
  private final KeyPair slasher;
  private final long slashAmount;
  private Hash pendingSlash;

  EvidenceDesk(BlockEngine engine, KeyPair slasher, long slashAmount) {
    this.engine = engine;
    this.id = engine.id;
    this.schedule = engine.schedule;
    this.chain = engine.chain;
    this.ledger = engine.ledger;
    this.mempool = engine.mempool;
    this.transport = engine.transport;
    this.listeners = engine.listeners;
    this.slasher = slasher;
    this.slashAmount = slashAmount;
  }

  void receiveEvidence(String from, ConsensusMessage.EvidenceNotice n) {
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
  void recordEvidence(Evidence e, Address offender, String source) {
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
  void slashNext() {
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
      TxResult r = engine.submit(tx);
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

  /** The evidence found or received, in the order learnt. */
  List<Evidence> evidence() {
    return List.copyOf(evidence.values());
  }
}

package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gridtrade.consensus.internal.StoreChainView;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.BlockStore;

/**
 * A real ledger driven by hand, one block at a time, with the engine's chain view (headers and
 * blocks) and the engine's order of checks for a received block.
 */
final class LedgerChain {
  final BlockStore store = BlockStores.inMemory();
  final StoreChainView view = new StoreChainView(store);
  final ConsensusSchedule schedule;
  final Ledger ledger;

  LedgerChain(Genesis genesis, ConsensusSchedule schedule) {
    this.schedule = schedule;
    this.ledger = Ledger.open(genesis, store, schedule.sealVerifier(view));
  }

  ChainView viewAt(long height) {
    return schedule.viewFor(view, height);
  }

  long nextHeight() {
    return ledger.height() + 1;
  }

  /** The settlement the protocol prescribes for the next block by {@code k}. */
  List<Transaction> settlementFor(KeyPair k) {
    BlockHeader parent = ledger.head();
    long h = parent.height() + 1;
    return schedule
        .protocolAt(h)
        .rewardsAndPenalties(viewAt(h), parent, ledger.state(), k.address());
  }

  /** A sealed block by {@code k} with exactly {@code txs}, {@code afterMillis} after its parent. */
  Block exactly(KeyPair k, List<Transaction> txs, long afterMillis) {
    BlockHeader parent = ledger.head();
    long h = parent.height() + 1;
    ConsensusProtocol p = schedule.protocolAt(h);
    Ledger.Proposal prop = ledger.propose(txs, k.address(), parent.timestamp() + afterMillis);
    assertThat(prop.skipped()).as("skipped transactions").isEmpty();
    Block u = prop.block();
    return u.withSeal(p.seal(viewAt(h), u.header(), k));
  }

  /** A sealed block by {@code k}: the prescribed settlement, then {@code extra}. */
  Block build(KeyPair k, List<Transaction> extra, long afterMillis) {
    List<Transaction> txs = new ArrayList<>(settlementFor(k));
    txs.addAll(extra);
    return exactly(k, txs, afterMillis);
  }

  /** What the engine does with a received block: the protocol's content check, then append. */
  Optional<String> receive(Block b) {
    long h = b.height();
    ConsensusProtocol p = schedule.protocolAt(h);
    Optional<String> c = p.checkBlock(viewAt(h), b, ledger.head(), ledger.state());
    if (c.isPresent()) {
      return c;
    }
    BlockResult r = ledger.append(b);
    return r instanceof BlockResult.Rejected rej ? Optional.of(rej.reason()) : Optional.empty();
  }

  /** Builds and appends a block by {@code k}, 1 s after its parent. */
  Block next(KeyPair k, Transaction... extra) {
    Block b = build(k, List.of(extra), 1_000);
    assertThat(receive(b)).as("block %d by %s", b.height(), k.address()).isEmpty();
    return b;
  }
}

package org.gridtrade.benchmarks;

import java.util.Arrays;
import java.util.List;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.SealVerifier;

/** A ledger in memory driven block by block, as the on-chain market benchmarks drive it. */
final class InMemoryChain {
  private InMemoryChain() {}

  /** A ledger of the genesis running one module, blocks in memory, seals not checked. */
  static Ledger open(Genesis genesis, LedgerModule module) {
    return Ledger.open(
        genesis,
        BlockStores.inMemory(),
        SealVerifier.acceptAll(),
        Ledger.DEFAULT_STATE_RETENTION,
        List.of(module));
  }

  /** The next block with these transactions, one second after the one before (t0 at height 0). */
  static Ledger.Proposal propose(Ledger ledger, List<Transaction> txs, long t0) {
    return ledger.propose(txs, Genesis.NO_PROPOSER, t0 + (ledger.height() + 1) * 1_000L);
  }

  /** Proposes and appends a block that must take every transaction. */
  static void append(Ledger ledger, List<Transaction> txs, long t0) {
    Ledger.Proposal p = propose(ledger, txs, t0);
    if (!p.skipped().isEmpty()) {
      throw new IllegalStateException("refused: " + p.skipped().get(0));
    }
    check(ledger.append(p.block()));
  }

  /** Fails unless the block was appended. */
  static void check(BlockResult r) {
    if (!(r instanceof BlockResult.Appended)) {
      throw new IllegalStateException("block not appended: " + r);
    }
  }

  static double median(double[] xs) {
    double[] c = xs.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }
}

package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A durable ledger's file follows its live data (the blocks, and the state of the retained
 * heights), not the number of commits it has seen.
 */
class MvStoreGrowthTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final int BLOCKS = 2_000;

  @TempDir Path dir;

  // Regression: each block's commit wrote about 36 KB (the pages of the state maps beside the
  // block's), and a chunk holding a live block page was never freed, so the file grew by that much
  // per block whatever was pruned. The accounts here are fixed, so past the retention the live
  // state
  // no longer grows: the file may grow by the blocks' own bytes only (with MVStore's overheads).
  @Test
  void append_manyBlocksOverFixedAccounts_fileGrowsWithTheBlocksOnly() {
    List<KeyPair> keys = TestKit.keys(4);
    Genesis genesis = TestKit.genesis(keys, 1_000_000_000L);
    long half;
    long full;
    long secondHalfBlockBytes = 0;
    try (Ledger l = Ledger.open(genesis, BlockStores.openDurable(dir.resolve("chain.mv")))) {
      half = 0;
      for (int h = 1; h <= BLOCKS; h++) {
        KeyPair from = keys.get(h % keys.size());
        KeyPair to = keys.get((h + 1) % keys.size());
        long nonce = (h - 1) / keys.size();
        Transaction tx =
            new TransactionBody(
                    TestKit.CHAIN,
                    from.publicKey(),
                    nonce,
                    1,
                    new Payload.Transfer(to.address(), h))
                .sign(from);
        Ledger.Proposal p = l.propose(List.of(tx), keys.get(0).address(), T0 + h);
        assertThat(p.skipped()).isEmpty();
        assertThat(l.append(p.block()).appended()).isTrue();
        if (h == BLOCKS / 2) {
          half = l.storeSizeInBytes();
        } else if (h > BLOCKS / 2) {
          secondHalfBlockBytes += p.block().encode().length;
        }
      }
      full = l.storeSizeInBytes();
    }
    long blockBytes = secondHalfBlockBytes;
    // Before: about 36 KB per block, some 35 MB for these 1,000 blocks of about 300 bytes each
    // (over 100 times their bytes); now between 2 and 3 times.
    assertThat(full - half)
        .as("growth over the second %d blocks, which hold %d bytes", BLOCKS / 2, blockBytes)
        .isLessThan(8 * blockBytes);
  }
}

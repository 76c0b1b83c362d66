package org.gridtrade.ledger;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;
import org.gridtrade.ledger.internal.state.InMemoryNodeStore;
import org.gridtrade.ledger.internal.state.NodeStore;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.SealVerifier;
import org.gridtrade.ledger.spi.StoredBlock;

/**
 * Walks a stored chain from genesis and reports the first bad block and why.
 *
 * <p>Checks, for every block: it decodes; its recorded hash is the hash of its header; block 0 is
 * exactly the {@link Genesis#block() genesis block}; each later block links to its parent's hash,
 * has the next height and no earlier time, commits to its transactions by Merkle root, carries a
 * seal the {@link SealVerifier} accepts, has only transactions with valid signatures that apply to
 * the parent state, and commits to the resulting state root. A single flipped byte anywhere in a
 * stored block fails one of these. Stateless; thread-safe.
 */
public final class ChainVerifier {
  private ChainVerifier() {}

  /**
   * Verifies every block in {@code store}.
   *
   * @param store the blocks
   * @param genesis the chain's genesis configuration
   * @param seals the consensus seal check
   * @return the report; {@link ChainReport#valid()} tells whether the whole chain is valid
   */
  public static ChainReport verify(BlockStore store, Genesis genesis, SealVerifier seals) {
    return verify(store, genesis, seals, h -> {});
  }

  /**
   * Verifies every block in {@code store}, reporting progress: the full replay from genesis, in
   * memory bounded by the size of the state (each block's state is kept only until the next one is
   * verified).
   *
   * @param store the blocks
   * @param genesis the chain's genesis configuration
   * @param seals the consensus seal check
   * @param progress called with each height once that block verified (for a progress bar: the chain
   *     holds {@code store.size()} blocks)
   * @return the report; {@link ChainReport#valid()} tells whether the whole chain is valid
   */
  public static ChainReport verify(
      BlockStore store, Genesis genesis, SealVerifier seals, LongConsumer progress) {
    return verify(store, genesis, List.of(), seals, progress);
  }

  /**
   * Verifies every block of a chain that runs on-chain modules, as {@link #verify(BlockStore,
   * Genesis, SealVerifier, LongConsumer)} does.
   *
   * @param store the blocks
   * @param genesis the chain's genesis configuration
   * @param modules one implementation per module in {@link Genesis#modules()}
   * @param seals the consensus seal check
   * @param progress called with each height once that block verified
   * @return the report; {@link ChainReport#valid()} tells whether the whole chain is valid
   * @throws IllegalArgumentException if the modules do not match the genesis's
   */
  public static ChainReport verify(
      BlockStore store,
      Genesis genesis,
      List<? extends org.gridtrade.ledger.spi.LedgerModule> modules,
      SealVerifier seals,
      LongConsumer progress) {
    Objects.requireNonNull(genesis, "genesis");
    return verifyWith(store, genesis, Modules.of(genesis, modules), seals, progress);
  }

  static ChainReport verifyWith(
      BlockStore store,
      Genesis genesis,
      Modules modules,
      SealVerifier seals,
      LongConsumer progress) {
    Objects.requireNonNull(progress, "progress");
    return replay(store, genesis, modules, seals, 0, new InMemoryNodeStore(), 2, progress).report;
  }

  /**
   * The outcome of a replay: the report, the last valid head and its state, and the tips of the
   * last valid blocks, oldest first, ending with the head's.
   */
  record Replay(ChainReport report, BlockHeader head, LedgerState state, List<Ledger.Tip> recent) {}

  /**
   * Replays the stored chain, writing each block's state into {@code nodes} (keeping the state of
   * the last {@code retention} heights) and keeping the last {@code keep} tips.
   */
  static Replay replay(
      BlockStore store,
      Genesis genesis,
      Modules modules,
      SealVerifier seals,
      int keep,
      NodeStore nodes,
      long retention) {
    return replay(store, genesis, modules, seals, keep, nodes, retention, h -> {});
  }

  private static Replay replay(
      BlockStore store,
      Genesis genesis,
      Modules modules,
      SealVerifier seals,
      int keep,
      NodeStore nodes,
      long retention,
      LongConsumer progress) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(genesis, "genesis");
    Objects.requireNonNull(seals, "seals");
    long start = System.nanoTime();
    LedgerState state = LedgerState.genesis(genesis, nodes, modules);
    Block genesisBlock = genesis.block(state.root());
    BlockHeader head = null;
    List<Ledger.Tip> recent = new ArrayList<>();
    long txs = 0;
    long size = store.size();
    for (long h = 0; h < size; h++) {
      String problem = null;
      Block block = null;
      Optional<StoredBlock> stored = Optional.empty();
      try {
        stored = store.read(h);
        if (stored.isEmpty()) {
          problem = "block missing from the store";
        } else {
          block = Block.decode(stored.get().encoded());
        }
      } catch (UncheckedIOException e) {
        problem = "the store cannot read it: " + e.getMessage();
      } catch (DecodeException e) {
        problem = "does not decode: " + e.getMessage();
      }
      if (problem == null && block.height() != h) {
        problem = "stored at height %d but its header says %d".formatted(h, block.height());
      }
      if (problem == null && !block.hash().equals(stored.get().hash())) {
        problem =
            "recorded hash %s != hash %s of its header"
                .formatted(stored.get().hash(), block.hash());
      }
      if (problem == null && h == 0) {
        if (!Arrays.equals(block.encode(), genesisBlock.encode())) {
          problem = "block 0 is not this chain's genesis block";
        }
      } else if (problem == null) {
        BlockValidator.Result r = BlockValidator.validate(block, head, state, seals);
        if (r instanceof BlockValidator.Result.Invalid inv) {
          problem = inv.reason();
        } else {
          state = ((BlockValidator.Result.Valid) r).state();
        }
      }
      if (problem != null) {
        return new Replay(
            report(h, txs, OptionalLong.of(h), Optional.of(problem), head, state, start),
            head,
            state,
            List.copyOf(recent));
      }
      head = block.header();
      txs += block.transactions().size();
      Ledger.commit(
          nodes,
          List.of(new Ledger.Tip(head, state)),
          -1,
          Long.MAX_VALUE,
          retention,
          true,
          nodes::commit);
      progress.accept(h);
      if (keep > 0) {
        if (recent.size() == keep) {
          recent.remove(0);
        }
        recent.add(new Ledger.Tip(head, state));
      }
    }
    return new Replay(
        report(size, txs, OptionalLong.empty(), Optional.empty(), head, state, start),
        head,
        state,
        List.copyOf(recent));
  }

  private static ChainReport report(
      long valid,
      long txs,
      OptionalLong bad,
      Optional<String> problem,
      BlockHeader head,
      LedgerState state,
      long start) {
    return new ChainReport(
        valid,
        txs,
        bad,
        problem,
        head == null ? Hash.ZERO : head.hash(),
        state.root(),
        Duration.ofNanos(System.nanoTime() - start));
  }
}

package org.gridtrade.ledger;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gridtrade.ledger.internal.state.NodeStore;
import org.gridtrade.ledger.internal.state.StateView;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.SealVerifier;
import org.gridtrade.ledger.spi.StoredBlock;

/**
 * Opens a stored chain from its stored state, without replaying it: reads the last blocks and the
 * state roots recorded for them, and checks what can be checked in time independent of the chain's
 * length: block 0 is this genesis's, the last blocks link up and decode, each one's header commits
 * to the recorded state (the root node is read and rehashed), and the head's seal verifies. {@link
 * Ledger#verify()} still replays everything.
 */
final class StateReopen {
  private StateReopen() {}

  static List<Ledger.Tip> recent(
      BlockStore store,
      Genesis genesis,
      Modules modules,
      SealVerifier seals,
      NodeStore nodes,
      int keep) {
    long head = store.size() - 1;
    Block first = read(store, 0);
    if (!genesis.isBlockZero(first.header())) {
      throw new IllegalStateException(
          "stored chain does not verify: block 0 is not this chain's genesis block (its"
              + " configuration hash differs)");
    }
    List<Ledger.Tip> tips = new ArrayList<>();
    BlockHeader previous = null;
    for (long h = Math.max(0, head - keep + 1); h <= head; h++) {
      Block b = h == 0 ? first : read(store, h);
      if (previous != null && !b.header().previousHash().equals(previous.hash())) {
        throw fail(
            h,
            "previousHash %s != hash %s of block %d"
                .formatted(b.header().previousHash(), previous.hash(), h - 1));
      }
      previous = b.header();
      Optional<NodeStore.RootRecord> r = nodes.root(h);
      if (r.isEmpty()) {
        if (h == head) {
          throw fail(h, "the store has no state recorded for the head");
        }
        continue; // older than what the store keeps
      }
      LedgerState s;
      try {
        s = LedgerState.committed(genesis, StateView.committed(nodes, r.get()), h, modules);
      } catch (RuntimeException e) {
        throw fail(h, "its state cannot be read: " + e.getMessage());
      }
      if (!s.root().equals(b.header().stateRoot())) {
        throw fail(
            h,
            "header stateRoot %s != root %s of the stored state"
                .formatted(b.header().stateRoot(), s.root()));
      }
      tips.add(new Ledger.Tip(b.header(), s));
    }
    if (tips.size() >= 2) {
      Ledger.Tip parent = tips.get(tips.size() - 2);
      Ledger.Tip last = tips.get(tips.size() - 1);
      Optional<String> seal;
      try {
        seal = seals.check(last.head(), parent.head(), parent.state());
      } catch (RuntimeException e) {
        seal = Optional.of("seal verifier failed: " + e);
      }
      if (seal.isPresent()) {
        throw fail(head, "seal: " + seal.get());
      }
    }
    return tips;
  }

  private static Block read(BlockStore store, long h) {
    try {
      StoredBlock s = store.read(h).orElseThrow(() -> fail(h, "block missing from the store"));
      Block b = Block.decode(s.encoded());
      if (b.height() != h) {
        throw fail(h, "stored at height %d but its header says %d".formatted(h, b.height()));
      }
      if (!b.hash().equals(s.hash())) {
        throw fail(h, "recorded hash %s != hash %s of its header".formatted(s.hash(), b.hash()));
      }
      return b;
    } catch (DecodeException e) {
      throw fail(h, "does not decode: " + e.getMessage());
    } catch (UncheckedIOException e) {
      throw fail(h, "the store cannot read it: " + e.getMessage());
    }
  }

  private static IllegalStateException fail(long height, String why) {
    return new IllegalStateException(
        "stored chain does not verify: block %d: %s".formatted(height, why));
  }
}

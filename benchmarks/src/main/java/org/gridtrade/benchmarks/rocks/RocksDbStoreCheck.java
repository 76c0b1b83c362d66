package org.gridtrade.benchmarks.rocks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.ChainReport;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.StateProof;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.internal.state.MvNodeStore;
import org.gridtrade.ledger.internal.state.StateStorage;
import org.gridtrade.ledger.spi.BlockCheck;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.SealVerifier;

/**
 * A self-check of {@link RocksDbStore} under the ledger, run before trusting its numbers: the same
 * blocks go to a ledger on RocksDB and one on the MVStore store, in lockstep; blocks are built by a
 * third, in-memory ledger (so an append succeeds only if the stored state gives the block's state
 * root). Checked: 20 blocks, a reopen from the stored state (no replay), {@code verify()}, state
 * proofs of every account against the head, a one-block replacement of the head, a reorganisation
 * of three blocks forking two below the head, then enough blocks for pruning (retention {@code
 * REORG_DEPTH + 1}) with a reopen after; after each step both stores must hold the same number of
 * state-tree nodes, so rollback and pruning remove exactly what the MVStore store removes.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.gridtrade.benchmarks.rocks.RocksDbStoreCheck
 * </pre>
 *
 * Exits with status 1 and the failed check on failure.
 */
public final class RocksDbStoreCheck {
  private static final int CHAIN = 7;
  private static final long T0 = 1_700_000_000_000L;
  private static final long RETENTION = Ledger.REORG_DEPTH + 1;

  private final List<KeyPair> keys = new ArrayList<>();
  private final Genesis genesis;
  private final Random rnd = new Random(7);
  private final Path rocksDir;
  private final Path mvFile;
  private Ledger rocks;
  private Ledger mv;
  private RocksDbStore rocksStore;
  private BlockStore mvStore;

  private RocksDbStoreCheck(Path dir) {
    Map<Address, Long> alloc = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      byte[] seed = new byte[32];
      seed[0] = (byte) i;
      seed[31] = 9;
      KeyPair k = KeyPair.fromSeed(seed);
      keys.add(k);
      alloc.put(k.address(), 10_000_000L);
    }
    genesis = new Genesis(CHAIN, alloc, Set.of(keys.get(0).address()), T0);
    rocksDir = dir.resolve("chain.rocks");
    mvFile = dir.resolve("chain.mv");
  }

  /**
   * Runs the check in a temporary directory, which it deletes.
   *
   * @param args none
   * @throws IOException if the temporary directory cannot be made
   */
  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("gridtrade-rocks-check");
    try {
      new RocksDbStoreCheck(dir).run();
      System.out.println("RocksDbStore self-check passed");
    } catch (RuntimeException | AssertionError e) {
      System.out.println("RocksDbStore self-check FAILED: " + e);
      e.printStackTrace(System.out);
      System.exit(1);
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void run() {
    open();
    for (int i = 0; i < 20; i++) {
      appendBoth(buildOn(rocks, 0));
    }
    check(rocks.height() == 20, "height after 20 blocks: " + rocks.height());
    compareNodes("20 blocks");
    reopen("after 20 blocks");

    // One-block replacement of the head (a head appended since the reopen can be replaced).
    appendBoth(buildOn(rocks, 0));
    Block competitor = buildOnPrefix(rocks.height() - 1, 500);
    check(!competitor.hash().equals(rocks.head().hash()), "competitor equals the head");
    BlockResult r1 = rocks.replaceHead(competitor);
    BlockResult r2 = mv.replaceHead(competitor);
    check(r1.appended() && r2.appended(), "replaceHead: " + r1 + " / " + r2);
    check(rocks.head().hash().equals(competitor.hash()), "head after replaceHead");
    compareNodes("replaceHead");

    // Reorganisation: three blocks forking two below the head.
    appendBoth(buildOn(rocks, 0));
    long fork = rocks.height() - 2;
    List<Block> branch = new ArrayList<>();
    try (Ledger builder = prefix(fork)) {
      for (int i = 0; i < 3; i++) {
        Block b = buildOn(builder, 700);
        branch.add(b);
      }
    }
    r1 = rocks.reorganise(fork, branch, SealVerifier.acceptAll(), BlockCheck.acceptAll());
    r2 = mv.reorganise(fork, branch, SealVerifier.acceptAll(), BlockCheck.acceptAll());
    check(r1.appended() && r2.appended(), "reorganise: " + r1 + " / " + r2);
    check(
        rocks.head().hash().equals(branch.get(2).hash()) && rocks.height() == fork + 3,
        "head after reorganise");
    compareNodes("reorganise");
    reopen("after the reorganisation");

    // Past the retention: pruning of old roots and stale nodes.
    while (rocks.height() < 50) {
      appendBoth(buildOn(rocks, 0));
    }
    compareNodes("50 blocks with pruning");
    long pruned = rocks.height() - RETENTION;
    check(
        rocksStore.nodeStore().root(pruned).isEmpty(),
        "root of height %d was not pruned".formatted(pruned));
    check(
        rocksStore.nodeStore().root(pruned + 1).isPresent(),
        "root of height %d was pruned".formatted(pruned + 1));
    reopen("after pruning");
    rocks.close();
    mv.close();
  }

  private void open() {
    rocksStore = RocksDbStore.open(rocksDir);
    mvStore = BlockStores.openDurable(mvFile);
    long size = rocksStore.size();
    if (size > 0) {
      check(
          rocksStore.nodeStore().root(size - 1).isPresent(),
          "no stored root for the head %d: the ledger would replay".formatted(size - 1));
    }
    rocks = Ledger.open(genesis, rocksStore, SealVerifier.acceptAll(), RETENTION);
    mv = Ledger.open(genesis, mvStore, SealVerifier.acceptAll(), RETENTION);
  }

  private void reopen(String when) {
    var head = rocks.head();
    rocks.close();
    mv.close();
    open();
    check(rocks.head().equals(head), "head after reopen " + when);
    ChainReport report = rocks.verify();
    check(report.valid(), "verify() " + when + ": " + report);
    check(
        rocks.state().root().equals(mv.state().root()), "state root differs from MVStore " + when);
    for (KeyPair k : keys) {
      StateKey key = StateKey.account(k.address());
      StateProof p = rocks.proveState(key);
      check(p.verify(rocks.head(), key), "proof of " + k.address() + " " + when);
      check(
          rocks.state().account(k.address()).equals(mv.state().account(k.address())),
          "account " + k.address() + " differs " + when);
    }
    compareNodes("reopen " + when);
  }

  private void appendBoth(Block b) {
    BlockResult r1 = rocks.append(b);
    BlockResult r2 = mv.append(b);
    check(r1.appended() && r2.appended(), "append: " + r1 + " / " + r2);
  }

  /** A block of 0..5 random transfers built by an in-memory copy of {@code base}'s chain. */
  private Block buildOn(Ledger base, long offset) {
    if (base == rocks) {
      try (Ledger builder = prefix(base.height())) {
        return buildOn(builder, offset);
      }
    }
    Map<Integer, Long> nonces = new HashMap<>();
    List<Transaction> txs = new ArrayList<>();
    int n = rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      int from = rnd.nextInt(keys.size());
      KeyPair k = keys.get(from);
      long nonce =
          nonces.merge(from, 1L, Long::sum) - 1 + base.state().account(k.address()).nonce();
      txs.add(
          new TransactionBody(
                  CHAIN,
                  k.publicKey(),
                  nonce,
                  1,
                  new Payload.Transfer(
                      keys.get(rnd.nextInt(keys.size())).address(), 1 + rnd.nextInt(10_000)))
              .sign(k));
    }
    long time = T0 + (base.height() + 1) * 1_000 + offset;
    Block b = base.propose(txs, keys.get(rnd.nextInt(keys.size())).address(), time).block();
    check(base.append(b).appended(), "builder append");
    return b;
  }

  private Block buildOnPrefix(long height, long offset) {
    try (Ledger builder = prefix(height)) {
      return buildOn(builder, offset);
    }
  }

  /** An in-memory ledger holding the RocksDB ledger's blocks 1..height. */
  private Ledger prefix(long height) {
    Ledger builder = Ledger.open(genesis, BlockStores.inMemory());
    for (long h = 1; h <= height; h++) {
      check(builder.append(rocks.block(h).orElseThrow()).appended(), "prefix append " + h);
    }
    return builder;
  }

  private void compareNodes(String when) {
    // Each ledger prunes old versions on a background thread of its own: give both a moment to
    // reach the same point (the counts settle once no prune is pending).
    long r = rocksStore.nodeCount();
    long m = ((MvNodeStore) ((StateStorage) mvStore).nodeStore()).nodeCount();
    for (int i = 0; i < 200 && r != m; i++) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      r = rocksStore.nodeCount();
      m = ((MvNodeStore) ((StateStorage) mvStore).nodeStore()).nodeCount();
    }
    check(r == m, "%s: RocksDB holds %d nodes, MVStore %d".formatted(when, r, m));
    check(r > 0, when + ": no nodes");
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("check failed: " + what);
    }
  }
}

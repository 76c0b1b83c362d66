package org.gridtrade.ledger;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.gridtrade.ledger.internal.MvStoreBlockStore;
import org.gridtrade.ledger.spi.BlockCheck;
import org.gridtrade.ledger.spi.SealVerifier;

/**
 * Child process of {@link LedgerCrashTest}: opens a ledger on a durable store (from its stored
 * state) and changes the chain until it is killed, one operation at a time, chosen by a random
 * seeded with the process's seed, the head's height and the step: it appends a proposed block,
 * replaces the head by a competing block on the same parent ({@link Ledger#replaceHead}), or
 * reorganises onto a branch of 2 or 3 blocks forking at the head or up to two blocks below it
 * ({@link Ledger#reorganise}), which rolls the stored state back to the fork.
 *
 * <p>It logs {@code opened <height> <hash>} once open; before each operation {@code trying <op>
 * <from> <hash>...}, the first height the operation writes and the hashes of the blocks it writes
 * there; after the operation returns {@code acked <height> <hash>}, the new head. The log is a file
 * written with one unbuffered write per line, not the standard output: the bytes of a write that
 * returned survive the kill, while {@link Process#destroyForcibly()} closes the parent's end of a
 * pipe, losing the lines it has not read yet.
 */
public final class LedgerCrashChild {
  static final long T0 = 1_700_000_000_000L;
  static final int KEYS = 8;

  private LedgerCrashChild() {}

  static Genesis genesis() {
    return TestKit.genesis(TestKit.keys(KEYS), 1_000_000_000_000L);
  }

  /**
   * Runs the child.
   *
   * @param args the store file, the seed and the log file
   * @throws IOException if the log cannot be opened
   */
  public static void main(String[] args) throws IOException {
    DurableStoreCrashChild.startWatchdog();
    log = new FileOutputStream(args[2], true);
    long seed = Long.parseLong(args[1]);
    List<KeyPair> keys = TestKit.keys(KEYS);
    // 40 recent blocks (reorganisations reach 32 deep): every tenth append also moves ten blocks
    // to the archive, so kills land in the middle of archiving too.
    try (Ledger ledger =
        Ledger.open(
            genesis(),
            MvStoreBlockStore.open(Path.of(args[0]), MvStoreBlockStore.DEFAULT_CACHE_NODES, 40))) {
      print("opened " + ledger.height() + " " + ledger.head().hash());
      // The state after each of the last heights of the current chain seen since opening: the
      // fork points for a reorganisation.
      NavigableMap<Long, LedgerState> states = new TreeMap<>();
      states.put(ledger.height(), ledger.state());
      for (long step = 0; ; step++) {
        long height = ledger.height();
        Random rnd = new Random(seed * 1_000_003L + height * 1_009L + step);
        int roll = rnd.nextInt(10);
        BlockResult r;
        if (roll < 3 && ledger.stateBeforeHead().isPresent()) {
          BlockHeader parent = ledger.block(height - 1).orElseThrow().header();
          Block b = build(keys, parent, ledger.stateBeforeHead().get(), rnd, 1 + rnd.nextInt(499));
          print("trying replace " + height + " " + b.hash());
          r = ledger.replaceHead(b);
        } else if (roll < 5) {
          List<Long> forks =
              new ArrayList<>(states.subMap(height - 2, true, height, true).keySet());
          long fork = forks.get(rnd.nextInt(forks.size()));
          LedgerState state = states.get(fork);
          BlockHeader parent = ledger.block(fork).orElseThrow().header();
          List<Block> branch = new ArrayList<>();
          for (int i = 2 + rnd.nextInt(2); i > 0; i--) {
            Block b = build(keys, parent, state, rnd, 500 + rnd.nextInt(499));
            state = applied(state, b);
            branch.add(b);
            parent = b.header();
          }
          print(
              "trying reorg "
                  + (fork + 1)
                  + " "
                  + branch.stream().map(b -> b.hash().toString()).collect(Collectors.joining(" ")));
          r = ledger.reorganise(fork, branch, SealVerifier.acceptAll(), BlockCheck.acceptAll());
          states.tailMap(fork, false).clear();
        } else {
          List<Transaction> txs = transactions(keys, ledger.state(), height + 1, rnd);
          Ledger.Proposal prop =
              ledger.propose(txs, keys.get(rnd.nextInt(KEYS)).address(), T0 + (height + 1) * 1000);
          if (!prop.skipped().isEmpty()) {
            throw new IllegalStateException("skipped " + prop.skipped());
          }
          print("trying append " + (height + 1) + " " + prop.block().hash());
          r = ledger.append(prop.block());
        }
        if (!(r instanceof BlockResult.Appended a)) {
          throw new IllegalStateException("rejected " + r);
        }
        states.put(a.height(), ledger.state());
        states.headMap(a.height() - 2).clear();
        print("acked " + a.height() + " " + a.hash());
      }
    }
  }

  /**
   * An unsealed block of 1..4 random transactions on {@code parent}, whose state is {@code state},
   * dated {@code offset} ms after the main chain's time for its height.
   */
  private static Block build(
      List<KeyPair> keys, BlockHeader parent, LedgerState state, Random rnd, long offset) {
    long height = parent.height() + 1;
    List<Transaction> txs = transactions(keys, state, height, rnd);
    Address proposer = keys.get(rnd.nextInt(KEYS)).address();
    long time = T0 + height * 1000 + offset;
    LedgerState next = applied(state, txs, proposer, time);
    return new Block(
        new BlockHeader(
            height,
            parent.hash(),
            Block.transactionsRoot(txs),
            txs.size(),
            next.root(),
            time,
            proposer,
            new byte[0]),
        txs);
  }

  private static LedgerState applied(LedgerState state, Block b) {
    return applied(state, b.transactions(), b.header().proposer(), b.header().timestamp());
  }

  private static LedgerState applied(
      LedgerState state, List<Transaction> txs, Address proposer, long time) {
    LedgerState.Outcome o = state.apply(txs, proposer, time);
    if (!(o instanceof LedgerState.Outcome.Applied a)) {
      throw new IllegalStateException("own block rejected: " + o);
    }
    return a.state();
  }

  /** 1..4 random signed transfers, stakes and energy trades valid on {@code state}. */
  private static List<Transaction> transactions(
      List<KeyPair> keys, LedgerState state, long height, Random rnd) {
    Map<Address, Long> sent = new HashMap<>();
    List<Transaction> txs = new ArrayList<>();
    for (int i = 1 + rnd.nextInt(4); i > 0; i--) {
      KeyPair from = keys.get(rnd.nextInt(KEYS));
      Address to = keys.get(rnd.nextInt(KEYS)).address();
      long nonce =
          state.account(from.address()).nonce() + sent.merge(from.address(), 1L, Long::sum) - 1;
      Payload p =
          to.equals(from.address())
              ? new Payload.Stake(1 + rnd.nextInt(100))
              : rnd.nextBoolean()
                  ? new Payload.Transfer(to, 1 + rnd.nextInt(10_000))
                  : new Payload.EnergyTrade(
                      to, from.address(), 100 + rnd.nextInt(100), 150_000, "crash/" + height);
      txs.add(new TransactionBody(TestKit.CHAIN, from.publicKey(), nonce, 1, p).sign(from));
    }
    return txs;
  }

  private static FileOutputStream log;

  private static void print(String line) {
    try {
      log.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.gridtrade.ledger.internal.state.StateStorage;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a child JVM ({@link LedgerCrashChild}) that appends, replaces the head and
 * reorganises through {@link Ledger} on a durable store, which commits the ledger's state with each
 * block, at seeded moments chosen from what the child reported: in start-up, right after it opened,
 * in the middle of a seeded append, head replacement or reorganisation, or while it builds its next
 * block. After each kill the store is reopened and checked:
 *
 * <ul>
 *   <li>it holds the state of its head, so the ledger opens from the stored state, without replay;
 *   <li>its chain is, hash for hash, the one the child acknowledged last, or that chain with the
 *       one operation in flight at the kill done (nothing else, and nothing lost);
 *   <li>{@link Ledger#verify()} replays it, valid, to the root of the reopened state and of the
 *       head's header;
 *   <li>the reopened state equals, account for account, the state of an independent replay of the
 *       same blocks copied into an in-memory store (which records no state, so its ledger replays);
 *   <li>state proofs of a few accounts verify against the head and carry the replayed accounts.
 * </ul>
 *
 * <p>Every {@value #EPOCH} kills the child starts on a new file, which keeps the checks' replays
 * short. The default run makes {@value #CYCLES} kills; more (the same seed, then further cycles):
 *
 * <pre>{@code
 * ./mvnw -B -o -q -pl lib-ledger verify -Dtest='LedgerCrashTest' \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.skip=true -Dcrash.cycles=1000
 * }</pre>
 *
 * <p>({@code -Dcrash.seed=N} changes the seed, 77 by default.) The store-level {@link
 * DurableStoreCrashTest} and {@link ReorgCrashTest} kill with finer timing.
 */
class LedgerCrashTest {
  private static final int CYCLES = 50;
  private static final int EPOCH = 25;
  private static final List<String> OPS = List.of("append", "replace", "reorg");

  /** Where a cycle kills the child; {@code count} of the lines that match {@code line}. */
  private record KillPoint(String name, Predicate<String> line, int count) {}

  @Test
  void killedLedger_reopensFromStoredState_withAckedChainAndTheReplayedState(
      @TempDir Path dir, TestReporter reporter) throws Exception {
    int cycles = Integer.getInteger("crash.cycles", CYCLES);
    Random random = new Random(Long.getLong("crash.seed", 77));
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Genesis genesis = LedgerCrashChild.genesis();
    List<KeyPair> keys = TestKit.keys(LedgerCrashChild.KEYS);
    int[] inFlight = new int[OPS.size()];
    int[] inFlightDone = new int[OPS.size()];
    long maxHeight = 0;
    Path file = null;
    List<String> chain = List.of(); // hashes of the chain in file, as last checked
    for (int cycle = 0; cycle < cycles; cycle++) {
      boolean fresh = cycle % EPOCH == 0;
      if (fresh) {
        file = dir.resolve("chain-" + cycle / EPOCH + ".mv");
        chain = List.of();
      }
      KillPoint kill = killPoint(random, fresh);
      Path log = dir.resolve("child-" + cycle + ".log");
      Process child =
          new ProcessBuilder(
                  java,
                  "-Xmx128m",
                  "-XX:TieredStopAtLevel=1",
                  "-XX:+UseSerialGC",
                  "-cp",
                  System.getProperty("java.class.path"),
                  LedgerCrashChild.class.getName(),
                  file.toString(),
                  Long.toString(random.nextLong()),
                  log.toString())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      List<String> lines = List.of();
      try {
        // Driven by the child's progress, not by wall-clock guesses.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
        while ((lines = lines(log)).stream().filter(kill.line()).count() < kill.count()
            && child.isAlive()
            && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        assertThat(child.isAlive())
            .as("cycle %d: child alive at its kill point %s; it printed %s", cycle, kill, lines)
            .isTrue();
        assertThat(lines.stream().filter(kill.line()).count())
            .as("cycle %d: child reached its kill point %s", cycle, kill)
            .isGreaterThanOrEqualTo(kill.count());
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      lines = lines(log);
      Files.deleteIfExists(log);

      // The chain acknowledged last, and the operation in flight at the kill (if any).
      List<String> acked = new ArrayList<>(chain);
      List<String> withInFlight = null;
      int op = -1;
      try {
        for (String l : lines) {
          String[] f = l.split(" ");
          switch (f[0]) {
            case "opened" -> {
              if (chain.isEmpty()) {
                assertThat(f[1]).as("cycle %d: a new file opens at genesis", cycle).isEqualTo("0");
                acked = new ArrayList<>(List.of(f[2]));
              } else {
                assertThat(f[1] + " " + f[2])
                    .as("cycle %d: the child opened the checked chain's head", cycle)
                    .isEqualTo((chain.size() - 1) + " " + chain.get(chain.size() - 1));
              }
            }
            case "trying" -> {
              op = OPS.indexOf(f[1]);
              int from = Integer.parseInt(f[2]);
              withInFlight = new ArrayList<>(acked.subList(0, from));
              withInFlight.addAll(Arrays.asList(f).subList(3, f.length));
            }
            case "acked" -> {
              acked = withInFlight;
              withInFlight = null;
              assertThat(f[1] + " " + f[2])
                  .as("cycle %d: acknowledged head", cycle)
                  .isEqualTo((acked.size() - 1) + " " + acked.get(acked.size() - 1));
            }
            default -> throw new AssertionError("cycle " + cycle + ": child printed " + l);
          }
        }
      } catch (AssertionError e) {
        // The store as the previous kill left it, before this test opened it, for a reproducer.
        keepEvidence(dir.resolve("as-killed"), cycle - 1, e);
        throw e;
      }
      if (withInFlight != null) {
        inFlight[op]++;
      }

      snapshot(file, dir.resolve("as-killed"));
      BlockStore store = BlockStores.openDurable(file);
      BlockStore copy = BlockStores.inMemory();
      List<String> stored = new ArrayList<>();
      long size;
      try {
        size = store.size();
        assertThat(((StateStorage) store).nodeStore().root(size - 1))
            .as(
                "cycle %d: the stored state of head %d (the ledger opens without replay)",
                cycle, size - 1)
            .isPresent();
        for (long h = 0; h < size; h++) {
          StoredBlock b = store.read(h).orElseThrow();
          copy.append(b);
          stored.add(b.hash().toString());
        }
        assertThat(((StateStorage) copy).nodeStore().root(size - 1))
            .as("the oracle's store records no state: its ledger replays")
            .isEmpty();
      } catch (RuntimeException | AssertionError e) {
        store.close();
        copy.close();
        throw e;
      }
      if (withInFlight != null && stored.equals(withInFlight)) {
        inFlightDone[op]++;
      } else {
        assertThat(stored)
            .as(
                "cycle %d (%s): the stored chain is the acknowledged one (or with %s done);"
                    + " the child logged %s",
                cycle, kill.name(), op < 0 ? "nothing" : OPS.get(op), lines)
            .isEqualTo(acked);
      }

      try (Ledger ledger = Ledger.open(genesis, store);
          Ledger replayed = Ledger.open(genesis, copy)) {
        assertThat(ledger.height()).isEqualTo(size - 1);
        assertThat(ledger.head().hash().toString()).isEqualTo(stored.get(stored.size() - 1));
        ChainReport report = ledger.verify();
        assertThat(report.valid()).as("cycle %d: %s", cycle, report).isTrue();
        assertThat(report.validBlocks()).isEqualTo(size);
        assertThat(report.stateRoot())
            .as("cycle %d: verify's root, the reopened state's root", cycle)
            .isEqualTo(ledger.state().root())
            .isEqualTo(ledger.head().stateRoot());

        assertThat(replayed.head()).isEqualTo(ledger.head());
        LedgerState s = ledger.state();
        LedgerState r = replayed.state();
        assertThat(s.accounts())
            .as("cycle %d: reopened vs replayed accounts", cycle)
            .isEqualTo(r.accounts());
        assertThat(s.root()).isEqualTo(r.root());
        assertThat(s.openTrades()).isEqualTo(r.openTrades());
        assertThat(s.totalSupply())
            .isEqualTo(r.totalSupply())
            .isEqualTo(genesis.state().totalSupply());

        for (int i = 0; i < 3; i++) {
          int k = random.nextInt(keys.size());
          Address a = keys.get(k).address();
          Address other = keys.get((k + 1) % keys.size()).address();
          StateKey key = StateKey.account(a);
          StateProof proof = ledger.proveState(key);
          assertThat(proof.verify(ledger.head(), key))
              .as("cycle %d: proof of %s", cycle, a)
              .isTrue();
          assertThat(proof.account()).contains(r.account(a));
          assertThat(proof.verify(ledger.head(), StateKey.account(other)))
              .as("cycle %d: the proof of %s taken for %s", cycle, a, other)
              .isFalse();
        }
        maxHeight = Math.max(maxHeight, ledger.height());
      }
      chain = stored;
    }
    reporter.publishEntry(
        "kills",
        String.format(
            Locale.ROOT,
            "%d kills, highest height %d; in flight (append, replace, reorg): %s, of which found"
                + " done: %s",
            cycles,
            maxHeight,
            Arrays.toString(inFlight),
            Arrays.toString(inFlightDone)));
    assertThat(maxHeight).isPositive();
    if (cycles >= CYCLES) {
      for (int i = 0; i < OPS.size(); i++) {
        assertThat(inFlight[i]).as("kills in the middle of a %s", OPS.get(i)).isPositive();
      }
    }
  }

  /**
   * Copies the store and the files beside it ({@code <store>*}) into {@code to}, replacing what was
   * there: the bytes a kill left, before this test's own open writes anything.
   */
  private static void snapshot(Path store, Path to) throws IOException {
    if (Files.isDirectory(to)) {
      try (var old = Files.list(to)) {
        for (Path p : old.toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(to);
    String name = store.getFileName().toString();
    try (var files = Files.list(store.getParent())) {
      for (Path p : files.toList()) {
        if (Files.isRegularFile(p) && p.getFileName().toString().startsWith(name)) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
  }

  /**
   * Keeps a snapshot past the temporary directory's deletion, in {@code
   * target/ledger-crash-evidence/cycle-N}, and says where on the failure.
   */
  private static void keepEvidence(Path snapshot, int cycle, AssertionError failure) {
    if (cycle < 0 || !Files.isDirectory(snapshot)) {
      return;
    }
    Path kept = Path.of("target", "ledger-crash-evidence", "cycle-" + cycle).toAbsolutePath();
    try {
      Files.createDirectories(kept);
      try (var files = Files.list(snapshot)) {
        for (Path p : files.toList()) {
          Files.copy(p, kept.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      failure.addSuppressed(
          new AssertionError(
              "the store as cycle %d's kill left it (before the test opened it) is kept in %s"
                  .formatted(cycle, kept)));
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * A seeded kill point: in start-up (not on a fresh file, which the child would be creating),
   * right after the child opened, in the middle of its first or second seeded operation (printed
   * just before the call), or after 1 to 4 acknowledged operations, while it builds the next.
   */
  private static KillPoint killPoint(Random random, boolean fresh) {
    int roll = random.nextInt(20);
    if (roll < 2 && !fresh) {
      return new KillPoint("start-up", l -> false, 0);
    }
    if (roll < 4) {
      return new KillPoint("opened", l -> l.startsWith("opened"), 1);
    }
    if (roll < 15) {
      String op = OPS.get(random.nextInt(OPS.size()));
      int count = 1 + random.nextInt(2);
      return new KillPoint("in " + op + " " + count, l -> l.startsWith("trying " + op), count);
    }
    int count = 1 + random.nextInt(4);
    return new KillPoint("after ack " + count, l -> l.startsWith("acked"), count);
  }

  /** The complete lines of the child's log (a line is complete once its newline is written). */
  private static List<String> lines(Path log) throws IOException {
    if (!Files.exists(log)) {
      return List.of();
    }
    String text = Files.readString(log, StandardCharsets.US_ASCII);
    return List.of(text.substring(0, text.lastIndexOf('\n') + 1).split("\n", -1)).stream()
        .filter(l -> !l.isEmpty())
        .toList();
  }
}

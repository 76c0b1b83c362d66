package org.gridtrade.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills ({@code SIGKILL}) a child JVM that replaces the top of a durable store again and again
 * ({@link BlockStore#replaceFrom}) at seeded random moments, and checks after each kill that the
 * store reopens with intact links to either the records of the last acknowledged replacement or
 * those of the one in flight, never a mix.
 *
 * <p>The child logs to a file (see {@link ReorgCrashChild}): with its standard output read through
 * a pipe, the parent sometimes missed the last lines before the kill and saw the store "ahead" of
 * what it had read.
 */
class ReorgCrashTest {
  private static final long SEED = 20_261_122L;
  private static final int CYCLES = 20;

  /** A store's size and highest hash. */
  record Top(long size, String hash) {}

  @Test
  void killedReplacer_reopensToTheOldOrTheNewRecords_neverAMix(
      @TempDir Path dir, TestReporter reporter) throws Exception {
    Path file = dir.resolve("chain.mv");
    Top current;
    try (BlockStore store = BlockStores.openDurable(file)) {
      Hash previous = Hash.ZERO;
      for (long h = 0; h < 20; h++) {
        byte[] bytes = DurableStoreCrashChild.recordBytes(SEED, h, previous);
        previous = Hash.sha256(bytes);
        store.append(new StoredBlock(h, previous, bytes));
      }
      current = new Top(20, previous.toString());
    }
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Random random = new Random(SEED);
    List<Top> all = new ArrayList<>();
    int withAcks = 0;
    int scheduledAfterAcks = 0;
    int inFlightKept = 0;
    long acks = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Path errors = dir.resolve("child-" + cycle + ".err");
      Path log = dir.resolve("child-" + cycle + ".log");
      Process child =
          new ProcessBuilder(
                  java,
                  "-Xmx128m",
                  "-XX:+UseSerialGC",
                  "-XX:TieredStopAtLevel=1",
                  "-cp",
                  System.getProperty("java.class.path"),
                  ReorgCrashChild.class.getName(),
                  file.toString(),
                  Long.toString(random.nextLong()),
                  log.toString())
              .redirectError(errors.toFile())
              .start();
      // Driven by the child's progress (its log), not by wall-clock guesses: one cycle in five is
      // killed as soon as the store is open, the others after a seeded number of acknowledged
      // replacements, that is in the middle of the next one.
      int killAfterAcks = cycle % 5 == 4 ? 0 : 1 + random.nextInt(12);
      scheduledAfterAcks += killAfterAcks > 0 ? 1 : 0;
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (child.isAlive() && System.nanoTime() < deadline) {
          List<String> seen = Files.exists(log) ? Files.readAllLines(log) : List.of();
          long opened = seen.stream().filter(l -> l.startsWith("opened ")).count();
          long ackLines =
              seen.stream()
                  .map(l -> l.split(" "))
                  .filter(
                      f ->
                          f.length == 3 && f[0].equals("acked") && f[2].length() == 2 * Hash.LENGTH)
                  .count();
          if (opened > 0 && ackLines >= killAfterAcks) {
            break;
          }
          Thread.sleep(2);
        }
        if (!child.isAlive()) {
          fail(
              "cycle %d: child exited by itself with %d: %s"
                  .formatted(cycle, child.exitValue(), Files.readString(errors)));
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
      } finally {
        child.destroyForcibly();
      }
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();

      Top acked = current;
      List<Top> history = new ArrayList<>();
      Top start = current;
      Top trying = null;
      int cycleAcks = 0;
      {
        for (String line : lines) {
          String[] f = line.split(" ");
          if (f.length != 3 || f[2].length() != 2 * Hash.LENGTH) {
            // Cut off by the kill; a cut "acked" line leaves its replacement in flight.
            assertEquals(lines.get(lines.size() - 1), line, "cycle " + cycle + ": bad line");
            continue;
          }
          switch (f[0]) {
            case "opened" ->
                assertEquals(
                    current,
                    new Top(Long.parseLong(f[1]), f[2]),
                    "cycle %d: opened".formatted(cycle));
            case "trying" -> trying = new Top(Long.parseLong(f[1]), f[2]);
            case "acked" -> {
              acked = new Top(Long.parseLong(f[1]), f[2]);
              history.add(acked);
              all.add(acked);
              assertEquals(trying, acked, "cycle %d: ack of another replacement".formatted(cycle));
              trying = null;
              cycleAcks++;
            }
            default -> fail("cycle %d: unexpected child output '%s'".formatted(cycle, line));
          }
        }
      }
      acks += cycleAcks;
      withAcks += cycleAcks > 0 ? 1 : 0;

      try (BlockStore store = BlockStores.openDurable(file)) {
        Top found = verifyLinks(store, "cycle " + cycle);
        if (found.equals(trying)) {
          inFlightKept++;
        } else {
          assertEquals(
              acked,
              found,
              ("cycle %d: neither the acknowledged records nor the ones in flight %s (acknowledged"
                      + " earlier in this cycle: %b, in an earlier cycle: %b, at its start: %b)")
                  .formatted(
                      cycle,
                      trying,
                      history.contains(found),
                      all.contains(found),
                      found.equals(start)));
        }
        current = found;
      }
    }
    reporter.publishEntry(
        "reorg crash test",
        "%d kills, %d after acknowledged replacements (%d acks), %d kept the replacement in flight"
            .formatted(CYCLES, withAcks, acks, inFlightKept));
    assertTrue(
        withAcks >= scheduledAfterAcks,
        "kills after acknowledged replacements: %d of %d scheduled"
            .formatted(withAcks, scheduledAfterAcks));
  }

  // Checks every record's hash and its link to the previous record; returns the store's top.
  private static Top verifyLinks(BlockStore store, String where) {
    long size = store.size();
    Hash previous = Hash.ZERO;
    for (long h = 0; h < size; h++) {
      StoredBlock block = store.read(h).orElseThrow(() -> new AssertionError(where + ": hole"));
      byte[] bytes = block.encoded();
      assertEquals(Hash.sha256(bytes), block.hash(), where + ": hash of height " + h);
      byte[] link = new byte[Hash.LENGTH];
      System.arraycopy(bytes, 0, link, 0, Hash.LENGTH);
      assertEquals(previous, Hash.of(link), where + ": link of height " + h);
      previous = block.hash();
    }
    return new Top(size, previous.toString());
  }
}

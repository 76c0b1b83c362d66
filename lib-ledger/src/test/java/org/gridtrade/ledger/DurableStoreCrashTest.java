package org.gridtrade.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.gridtrade.ledger.internal.MvStoreBlockStore;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.StringDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that appends to a durable store ({@code SIGKILL}) and checks after each kill
 * that the store reopens to a valid prefix holding every block the child acknowledged.
 *
 * <p>The kill schedule is driven by the child's progress, not by wall-clock estimates, so that the
 * test asserts the same thing on an idle and on a loaded machine: each cycle draws (seeded) a kill
 * right after spawning (JVM start-up), on the child's "opening" line (while the store opens), on
 * its "opened" line (before the first append), or after it has acknowledged a drawn number of
 * blocks (in the middle of the next append).
 */
class DurableStoreCrashTest {
  private static final long SEED = 20_261_121L;
  private static final int CYCLES = 60;

  /** Where a kill landed, judged from the child's output. */
  enum Phase {
    STARTUP,
    OPEN,
    BEFORE_FIRST_ACK,
    APPENDING
  }

  /** One line of the child's output and when the parent saw it, in ms after the child started. */
  record Line(String text, long atMillis) {}

  @Test
  void killedAppender_reopensToValidPrefix_withEveryAckedBlock(
      @TempDir Path dir, TestReporter reporter) throws Exception {
    Path file = dir.resolve("node").resolve("chain.mv");
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Random random = new Random(SEED);
    Map<Phase, Integer> phases = new EnumMap<>(Phase.class);
    long verifiedSize = 0;
    long totalAcked = 0;
    int scheduledWhileAppending = 0;
    long started = System.nanoTime();
    long verifyNanos = 0;
    int archiveAheadKills = 0;

    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Kill kill = Kill.draw(random);
      if (kill.acks() > 0) {
        scheduledWhileAppending++;
      }
      Path errors = dir.resolve("child-" + cycle + ".err");
      Process child =
          new ProcessBuilder(
                  java,
                  "-Xmx128m",
                  "-XX:+UseSerialGC",
                  "-XX:TieredStopAtLevel=1",
                  "-Xshare:auto",
                  "-cp",
                  System.getProperty("java.class.path"),
                  DurableStoreCrashChild.class.getName(),
                  file.toString(),
                  Long.toString(SEED))
              .redirectError(errors.toFile())
              .start();
      long spawned = System.nanoTime();
      List<Line> lines = new ArrayList<>();
      Thread reader = new Thread(() -> readLines(child, spawned, lines), "crash-child-reader");
      reader.start();
      try {
        if (!awaitProgress(lines, kill, child)) {
          fail(
              "cycle %d: child made no progress towards %s (alive %s): %s"
                  .formatted(cycle, kill, child.isAlive(), Files.readString(errors)));
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
      } finally {
        child.destroyForcibly();
      }
      reader.join(30_000);

      // What the child reported before it died.
      long opened = -1;
      List<Long> acked = new ArrayList<>();
      List<String> ackedHashes = new ArrayList<>();
      synchronized (lines) {
        for (Line line : lines) {
          String[] f = line.text().split(" ");
          switch (f[0]) {
            case "opening" -> {}
            case "opened" -> opened = Long.parseLong(f[1]);
            case "acked" -> {
              acked.add(Long.parseLong(f[1]));
              ackedHashes.add(f[2]);
            }
            default -> fail("cycle %d: unexpected child output '%s'".formatted(cycle, line));
          }
        }
        phases.merge(phase(lines, acked), 1, Integer::sum);
      }
      if (opened >= 0) {
        assertEquals(
            verifiedSize, opened, "cycle " + cycle + ": child opened a store of another size");
      }
      for (int i = 0; i < acked.size(); i++) {
        assertEquals(opened + i, acked.get(i), "cycle " + cycle + ": acks out of order");
      }
      totalAcked += acked.size();

      if (archiveAhead(file)) {
        archiveAheadKills++;
      }
      long verifyStart = System.nanoTime();
      try (BlockStore store = BlockStores.openDurable(file)) {
        long size = store.size();
        String where = "cycle %d, store size %d".formatted(cycle, size);
        assertTrue(size >= verifiedSize, where + ": lost blocks verified before, " + verifiedSize);
        if (!acked.isEmpty()) {
          long last = acked.get(acked.size() - 1);
          assertTrue(last < size, where + ": acknowledged height " + last + " is lost");
        }
        Hash[] hashes = verifyChain(store, where);
        for (int i = 0; i < acked.size(); i++) {
          assertEquals(
              ackedHashes.get(i), hashes[(int) (long) acked.get(i)].toHex(), where + ": ack hash");
        }
        if (!acked.isEmpty()) {
          int last = (int) (long) acked.get(acked.size() - 1);
          Hash previous = last == 0 ? Hash.ZERO : hashes[last - 1];
          assertArrayEquals(
              DurableStoreCrashChild.recordBytes(SEED, last, previous),
              store.read(last).orElseThrow().encoded(),
              where + ": bytes of the last acknowledged block");
        }
        verifiedSize = size;
      }
      verifyNanos += System.nanoTime() - verifyStart;
    }

    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    String summary =
        ("%d kills, kill landed %s (%d between the archive's sync and the store's commit), %d"
                + " blocks acked, %d stored, store file %d bytes, %d ms (%d ms verifying)")
            .formatted(
                CYCLES,
                phases,
                archiveAheadKills,
                totalAcked,
                verifiedSize,
                Files.size(file),
                elapsed,
                TimeUnit.NANOSECONDS.toMillis(verifyNanos));
    reporter.publishEntry("crash test", summary);
    assertTrue(verifiedSize > 0, "the child never appended anything");
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(
          Set.of(
              file,
              MvStoreBlockStore.headFile(file),
              file.resolveSibling(file.getFileName() + ".archive"),
              file.resolveSibling(file.getFileName() + ".archive.index")),
          files.collect(Collectors.toSet()),
          "files besides the store (but its head record and archive)");
    }
    assertTrue(
        phases.getOrDefault(Phase.APPENDING, 0) >= scheduledWhileAppending, phases::toString);
    assertTrue(scheduledWhileAppending >= CYCLES / 2, "schedule " + scheduledWhileAppending);
  }

  // Whether the archive holds more heights than the store committed: the kill landed after the
  // archive's sync and before the store's commit (opening cuts them off).
  private static boolean archiveAhead(Path file) throws IOException {
    Path index = file.resolveSibling(file.getFileName() + ".archive.index");
    if (!Files.exists(index)) {
      return false;
    }
    long entries = Files.size(index) / Long.BYTES;
    try (MVStore s = new MVStore.Builder().fileName(file.toString()).readOnly().open()) {
      String archived =
          s.openMap(
                  MvStoreBlockStore.META_MAP,
                  new MVMap.Builder<String, String>()
                      .keyType(StringDataType.INSTANCE)
                      .valueType(StringDataType.INSTANCE))
              .get(MvStoreBlockStore.ARCHIVED_KEY);
      return entries > (archived == null ? 0 : Long.parseLong(archived));
    }
  }

  /**
   * When to kill a child: after {@code acks} acknowledged blocks if positive; else on the line
   * {@code line}, or right after spawning if that is null.
   */
  record Kill(String line, int acks) {
    static Kill draw(Random random) {
      int kind = random.nextInt(100);
      if (kind < 10) {
        return new Kill(null, 0);
      }
      if (kind < 25) {
        return new Kill("opening", 0);
      }
      if (kind < 35) {
        return new Kill("opened", 0);
      }
      return new Kill(null, 1 + random.nextInt(40));
    }

    boolean reached(List<Line> lines) {
      if (acks > 0) {
        return lines.stream().filter(l -> l.text().startsWith("acked ")).count() >= acks;
      }
      return line == null || lines.stream().anyMatch(l -> l.text().startsWith(line));
    }
  }

  /**
   * Waits until the child's output reaches the kill point. The bound only catches a child that
   * hangs or dies; a slow machine just waits longer.
   */
  private static boolean awaitProgress(List<Line> lines, Kill kill, Process child)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    synchronized (lines) {
      while (!kill.reached(lines)) {
        if (!child.isAlive() || System.nanoTime() > deadline) {
          return false;
        }
        lines.wait(50);
      }
    }
    return true;
  }

  private static Phase phase(List<Line> lines, List<Long> acked) {
    if (!acked.isEmpty()) {
      return Phase.APPENDING;
    }
    if (lines.isEmpty()) {
      return Phase.STARTUP;
    }
    return lines.size() == 1 ? Phase.OPEN : Phase.BEFORE_FIRST_ACK;
  }

  // Checks heights, hashes and previous-hash links of the whole store; returns the hashes.
  private static Hash[] verifyChain(BlockStore store, String where) {
    long size = store.size();
    Hash[] hashes = new Hash[(int) size];
    Hash previous = Hash.ZERO;
    for (int h = 0; h < size; h++) {
      StoredBlock block = store.read(h).orElseThrow(() -> new AssertionError(where + ": hole"));
      byte[] bytes = block.encoded();
      assertEquals(h, block.height(), where);
      assertEquals(Hash.sha256(bytes), block.hash(), where + ": hash of height " + h);
      assertTrue(
          bytes.length >= DurableStoreCrashChild.MIN_LENGTH
              && bytes.length <= DurableStoreCrashChild.MAX_LENGTH,
          where + ": length of height " + h);
      byte[] link = new byte[Hash.LENGTH];
      System.arraycopy(bytes, 0, link, 0, Hash.LENGTH);
      assertEquals(previous, Hash.of(link), where + ": previous-hash link of height " + h);
      hashes[h] = block.hash();
      previous = block.hash();
    }
    return hashes;
  }

  private static void readLines(Process child, long spawned, List<Line> lines) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
      String text;
      while ((text = in.readLine()) != null) {
        long at = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spawned);
        synchronized (lines) {
          lines.add(new Line(text, at));
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // The pipe closes when the child dies; whatever was read is kept.
    }
  }
}

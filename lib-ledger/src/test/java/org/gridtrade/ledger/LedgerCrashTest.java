package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a child JVM that appends real blocks through {@link Ledger} to a durable store at
 * seeded random moments, then reopens the ledger, which replays and verifies the whole chain: it
 * must open, and hold every block the child acknowledged with the acknowledged hash. (The
 * store-level {@link DurableStoreCrashTest} runs 60 more kills with finer timing.)
 */
class LedgerCrashTest {
  private static final int CYCLES = 16;

  @Test
  void killedLedger_reopensVerified_withEveryAckedBlock(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("chain.mv");
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Random random = new Random(77);
    long verifiedHeight = 0;
    int killsWhileAppending = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Process child =
          new ProcessBuilder(
                  java,
                  "-Xmx256m",
                  "-XX:TieredStopAtLevel=1",
                  "-cp",
                  System.getProperty("java.class.path"),
                  LedgerCrashChild.class.getName(),
                  file.toString())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      // Written by the reader thread while this thread scans it: a copy-on-write list iterates
      // safely.
      List<String> lines = new CopyOnWriteArrayList<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                  }
                } catch (IOException ignored) {
                  // the child died mid-line
                }
              });
      reader.start();
      // Driven by the child's progress, not by wall-clock guesses: every fourth cycle kills in
      // start-up (right away) or while the ledger opens and replays (on nothing printed yet, or
      // right after "opened"); the others after a seeded number of acknowledged blocks, that is in
      // the middle of the next append.
      int acks = cycle % 4 == 3 ? 0 : 1 + random.nextInt(8);
      boolean onOpened = cycle % 8 == 7;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while ((acks > 0
              ? lines.stream().filter(l -> l.startsWith("acked")).count() < acks
              : onOpened && lines.stream().noneMatch(l -> l.startsWith("opened")))
          && child.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      assertThat(child.isAlive()).as("cycle %d: child alive at its kill point", cycle).isTrue();
      assertThat(lines.stream().filter(l -> l.startsWith("acked")).count())
          .as("cycle %d: child reached its kill point", cycle)
          .isGreaterThanOrEqualTo(acks);
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(30_000);

      long lastAcked = -1;
      String lastHash = null;
      for (String l : List.copyOf(lines)) {
        String[] f = l.split(" ");
        if (f[0].equals("acked")) {
          lastAcked = Long.parseLong(f[1]);
          lastHash = f[2];
        } else if (f[0].equals("opened")) {
          assertThat(Long.parseLong(f[1]))
              .as("cycle %d opened height", cycle)
              .isEqualTo(verifiedHeight);
        }
      }
      if (lastAcked >= 0) {
        killsWhileAppending++;
      }
      try (Ledger ledger = Ledger.open(LedgerCrashChild.genesis(), BlockStores.openDurable(file))) {
        ChainReport report = ledger.verify();
        assertThat(report.valid()).as("cycle %d: %s", cycle, report).isTrue();
        assertThat(ledger.height()).as("cycle %d", cycle).isGreaterThanOrEqualTo(verifiedHeight);
        if (lastAcked >= 0) {
          assertThat(ledger.height())
              .as("cycle %d lost acked block", cycle)
              .isGreaterThanOrEqualTo(lastAcked);
          assertThat(ledger.block(lastAcked).orElseThrow().hash().toHex()).isEqualTo(lastHash);
        }
        assertThat(ledger.state().totalSupply())
            .isEqualTo(LedgerCrashChild.genesis().state().totalSupply());
        verifiedHeight = ledger.height();
      }
    }
    assertThat(verifiedHeight).isPositive();
    assertThat(killsWhileAppending).isGreaterThanOrEqualTo(CYCLES * 3 / 4);
  }
}

package org.gridtrade.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.ChainReport;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.h2.mvstore.MVStore;

/**
 * Opening a durable ledger against the length of its history: builds chains of the given numbers of
 * blocks (one signed transfer each, to one of 1,000 accounts in turn, so the state stays the same
 * size while the history grows), then reopens each in a fresh {@code Ledger.open} several times and
 * prints the median, beside the time of a full replay-and-verify ({@code Ledger.verify()}), the
 * MVStore file's size and that of all the store's files (with the archive of old blocks) per block,
 * the number of MVStore chunks in it (read from a read-only MVStore opened on the closed file) and
 * the time the chain took to build.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.gridtrade.benchmarks.ReopenScale 1000 100000
 * </pre>
 *
 * An argument with commas ({@code 100000,250000,500000,1000000}) builds one chain and measures it
 * at each of those lengths (closing it, reopening it 7 times, then appending again); the full
 * replay and verify runs at the last length only. Progress goes to standard error every 50,000
 * blocks.
 */
public final class ReopenScale {
  private static final int CHAIN = 9;
  private static final int RECIPIENTS = 1_000;
  private static final long T0 = 1_700_000_000_000L;

  private ReopenScale() {}

  /**
   * Runs the driver.
   *
   * @param args chain lengths in blocks
   * @throws IOException if the temporary store cannot be made
   */
  public static void main(String[] args) throws IOException {
    System.out.println(
        "| blocks of history | reopen p50 (of 7) | full replay and verify | MVStore file | all files"
            + " | bytes per block | MVStore chunks | build |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (String a : args) {
      String[] parts = a.replace("_", "").split(",");
      int[] checkpoints = new int[parts.length];
      for (int i = 0; i < parts.length; i++) {
        checkpoints[i] = Integer.parseInt(parts[i]);
        if (i > 0 && checkpoints[i] <= checkpoints[i - 1]) {
          throw new IllegalArgumentException("lengths in " + a + " must increase");
        }
      }
      run(checkpoints);
    }
  }

  private static long sizeIfExists(Path file, String suffix) throws IOException {
    Path p = file.resolveSibling(file.getFileName() + suffix);
    return Files.exists(p) ? Files.size(p) : 0;
  }

  // The chunk count MVStore reports for the closed file.
  private static String chunkCount(Path file) {
    MVStore s = new MVStore.Builder().fileName(file.toString()).readOnly().open();
    try {
      Map<String, String> info = new TreeMap<>();
      s.populateInfo(info::put);
      return info.getOrDefault("info.CHUNK_COUNT", "?");
    } finally {
      s.close();
    }
  }

  // A transfer to one of RECIPIENTS accounts, in turn: the history grows, the state does not.
  private static Transaction transfer(KeyPair k, int h) {
    int r = h % RECIPIENTS;
    byte[] to = new byte[Address.LENGTH];
    to[0] = (byte) (r >>> 8);
    to[1] = (byte) r;
    to[4] = 1;
    return new TransactionBody(
            CHAIN, k.publicKey(), h - 1, 1, new Payload.Transfer(Address.ofBytes(to), 5))
        .sign(k);
  }

  private static void run(int[] checkpoints) throws IOException {
    KeyPair k = KeyPair.fromSeed(new byte[32]);
    Genesis g = new Genesis(CHAIN, Map.of(k.address(), Long.MAX_VALUE / 4), Set.of(), T0);
    Path dir = Files.createTempDirectory("gridtrade-reopen");
    Path file = dir.resolve("chain.mv");
    try {
      long building = 0;
      int h = 0;
      for (int c = 0; c < checkpoints.length; c++) {
        long t0 = System.nanoTime();
        try (Ledger l = Ledger.open(g, BlockStores.openDurable(file))) {
          while (h < checkpoints[c]) {
            h++;
            Ledger.Proposal p = l.propose(List.of(transfer(k, h)), k.address(), T0 + h);
            if (!l.append(p.block()).appended()) {
              throw new IllegalStateException("block " + h + " not appended");
            }
            if (h % 50_000 == 0) {
              System.err.printf(
                  Locale.ROOT,
                  "%,d blocks, %.0f s%n",
                  h,
                  (building + System.nanoTime() - t0) / 1e9);
            }
          }
        }
        building += System.nanoTime() - t0;
        measure(g, file, h, building, c == checkpoints.length - 1);
      }
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void measure(Genesis g, Path file, int blocks, long built, boolean verify)
      throws IOException {
    long mv = Files.size(file);
    long bytes = mv + sizeIfExists(file, ".archive") + sizeIfExists(file, ".archive.index");
    String chunks = chunkCount(file);
    List<Long> times = new ArrayList<>();
    long replay = -1;
    for (int i = 0; i < 7; i++) {
      long t = System.nanoTime();
      try (Ledger l = Ledger.open(g, BlockStores.openDurable(file))) {
        times.add(System.nanoTime() - t);
        if (l.height() != blocks) {
          throw new IllegalStateException("reopened at " + l.height() + ", not " + blocks);
        }
        if (verify && i == 6) {
          long v = System.nanoTime();
          ChainReport report = l.verify();
          if (!report.valid()) {
            throw new IllegalStateException(report.toString());
          }
          replay = System.nanoTime() - v;
        }
      }
    }
    times.sort(Comparator.naturalOrder());
    System.out.printf(
        Locale.ROOT,
        "| %,d | %.0f ms | %s | %,.1f MB | %,.1f MB | %,d | %s | %.0f s |%n",
        blocks,
        times.get(times.size() / 2) / 1e6,
        replay < 0 ? "—" : String.format(Locale.ROOT, "%.1f s", replay / 1e9),
        mv / 1e6,
        bytes / 1e6,
        bytes / (blocks + 1),
        chunks,
        built / 1e9);
    System.out.flush();
  }
}

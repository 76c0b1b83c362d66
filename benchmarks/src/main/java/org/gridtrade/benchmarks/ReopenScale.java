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
 * blocks (one signed transfer each, to a new account), then reopens each in a fresh {@code
 * Ledger.open} several times and prints the median, beside the time of a full replay-and-verify
 * ({@code Ledger.verify()}), the file's size per block, the number of MVStore chunks in it (read
 * from a read-only MVStore opened on the closed file) and the time the chain took to build.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.gridtrade.benchmarks.ReopenScale 1000 100000
 * </pre>
 */
public final class ReopenScale {
  private static final int CHAIN = 9;
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
        "| blocks of history | reopen p50 (of 7) | full replay and verify | file | bytes per block"
            + " | MVStore chunks | build |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (String a : args) {
      run(Integer.parseInt(a.replace("_", "")));
    }
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

  private static void run(int blocks) throws IOException {
    KeyPair k = KeyPair.fromSeed(new byte[32]);
    Genesis g = new Genesis(CHAIN, Map.of(k.address(), Long.MAX_VALUE / 4), Set.of(), T0);
    Path dir = Files.createTempDirectory("gridtrade-reopen");
    Path file = dir.resolve("chain.mv");
    try {
      long built = System.nanoTime();
      try (Ledger l = Ledger.open(g, BlockStores.openDurable(file))) {
        for (int h = 1; h <= blocks; h++) {
          byte[] to = new byte[Address.LENGTH];
          to[0] = (byte) (h >>> 24);
          to[1] = (byte) (h >>> 16);
          to[2] = (byte) (h >>> 8);
          to[3] = (byte) h;
          to[4] = 1;
          Transaction tx =
              new TransactionBody(
                      CHAIN, k.publicKey(), h - 1, 1, new Payload.Transfer(Address.ofBytes(to), 5))
                  .sign(k);
          Ledger.Proposal p = l.propose(List.of(tx), k.address(), T0 + h);
          if (!l.append(p.block()).appended()) {
            throw new IllegalStateException("block " + h + " not appended");
          }
        }
      }
      built = System.nanoTime() - built;
      long bytes = Files.size(file);
      String chunks = chunkCount(file);
      List<Long> times = new ArrayList<>();
      ChainReport report = null;
      for (int i = 0; i < 7; i++) {
        long t = System.nanoTime();
        try (Ledger l = Ledger.open(g, BlockStores.openDurable(file))) {
          times.add(System.nanoTime() - t);
          if (i == 6) {
            long v = System.nanoTime();
            report = l.verify();
            if (!report.valid()) {
              throw new IllegalStateException(report.toString());
            }
            times.add(-(System.nanoTime() - v)); // marked: the replay time
          }
        }
      }
      long replay = -times.remove(times.size() - 1);
      times.sort(Comparator.naturalOrder());
      System.out.printf(
          Locale.ROOT,
          "| %,d | %.0f ms | %.1f s | %,.1f MB | %,d | %s | %.0f s |%n",
          blocks,
          times.get(times.size() / 2) / 1e6,
          replay / 1e9,
          bytes / 1e6,
          bytes / (blocks + 1),
          chunks,
          built / 1e9);
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}

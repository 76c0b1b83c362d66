package org.gridtrade.benchmarks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.gridtrade.benchmarks.rocks.RocksDbStore;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.StateProof;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.spi.BlockStore;

/**
 * The ledger at utility scale: a genesis of N funded accounts in a durable store, then blocks of
 * 1,000 signed transfers from 1,000 senders to random accounts among the N, through the public API
 * ({@code Ledger.propose} then {@code Ledger.append}, state on disk). Prints one row per N: opening
 * the genesis, the median and p90 of propose + append per block, signed tx/s, reopen time, heap
 * after a full GC, store bytes per account, and state-proof size and verify time.
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar org.gridtrade.benchmarks.LedgerScale 1000 100000 1000000
 * </pre>
 *
 * Options (before the sizes): {@code --blocks B} measured blocks per size (default 20, after 5
 * warm-up blocks); {@code --store mvstore|rocksdb} the durable store of blocks and state (default
 * {@code mvstore}, the ledger's own H2 MVStore file; {@code rocksdb} is {@link RocksDbStore}, for
 * comparison). The RSS column is the process's resident memory after the full GC, which counts the
 * store's native memory (RocksDB's block cache and memtables) that the heap column does not.
 */
public final class LedgerScale {
  private static final int CHAIN = 7;
  private static final int TX_PER_BLOCK = 1_000;
  private static final long T0 = 1_700_000_000_000L;

  private LedgerScale() {}

  /**
   * Runs the driver.
   *
   * @param args {@code [--blocks B] [--store mvstore|rocksdb] N...}
   * @throws IOException if the temporary store cannot be made
   */
  public static void main(String[] args) throws IOException {
    int blocks = 20;
    String store = "mvstore";
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--blocks")) {
        blocks = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--store")) {
        store = args[++i];
        if (!store.equals("mvstore") && !store.equals("rocksdb")) {
          System.err.println("--store '" + store + "' is neither mvstore nor rocksdb");
          System.exit(2);
        }
      } else {
        sizes.add(Integer.parseInt(args[i].replace("_", "")));
      }
    }
    if (sizes.isEmpty()) {
      sizes = List.of(1_000, 100_000);
    }
    System.out.println(
        "| store | accounts | open genesis | block p50 | block p90 | tx/s (p50) | reopen | heap"
            + " after GC | RSS | store bytes/account | proof bytes p50/max | proof verify |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (int n : sizes) {
      run(store, n, blocks);
    }
  }

  private static void run(String store, int n, int measured) throws IOException {
    Random rnd = new Random(n);
    List<KeyPair> senders = new ArrayList<>(TX_PER_BLOCK);
    for (int i = 0; i < TX_PER_BLOCK; i++) {
      senders.add(KeyPair.fromSeed(seed(i)));
    }
    Path dir = Files.createTempDirectory("gridtrade-scale");
    // The allocations file: the N accounts in ascending address order, the senders merged in.
    Path allocFile = dir.resolve("allocations.csv");
    TreeMap<Address, Long> rich = new TreeMap<>();
    senders.forEach(k -> rich.put(k.address(), 1_000_000_000L));
    try (BufferedWriter w = Files.newBufferedWriter(allocFile, StandardCharsets.US_ASCII)) {
      for (int i = 0; i < n; i++) {
        Address a = account(i);
        for (Map.Entry<Address, Long> e = rich.firstEntry();
            e != null && e.getKey().compareTo(a) < 0;
            e = rich.firstEntry()) {
          w.write(e.getKey() + "," + e.getValue() + "\n");
          rich.pollFirstEntry();
        }
        w.write(a + ",1000\n");
      }
      for (Map.Entry<Address, Long> e : rich.entrySet()) {
        w.write(e.getKey() + "," + e.getValue() + "\n");
      }
    }
    Genesis genesis =
        Genesis.fromAllocationsFile(CHAIN, allocFile, Set.of(senders.get(0).address()), T0);
    int total = 5 + measured;
    List<List<Transaction>> txs = new ArrayList<>(total);
    for (int b = 0; b < total; b++) {
      List<Transaction> block = new ArrayList<>(TX_PER_BLOCK);
      for (int s = 0; s < TX_PER_BLOCK; s++) {
        KeyPair k = senders.get(s);
        Address to = account(rnd.nextInt(n));
        block.add(
            new TransactionBody(CHAIN, k.publicKey(), b, 1, new Payload.Transfer(to, 10)).sign(k));
      }
      txs.add(block);
    }
    Path file = dir.resolve(store.equals("rocksdb") ? "chain.rocks" : "chain.mv");
    try {
      long t = System.nanoTime();
      Ledger ledger = Ledger.open(genesis, open(store, file));
      double openGenesis = secs(t);
      genesis = null;
      double[] times = new double[measured];
      for (int b = 0; b < total; b++) {
        long s = System.nanoTime();
        Ledger.Proposal p = ledger.propose(txs.get(b), senders.get(0).address(), T0 + 1 + b);
        BlockResult r = ledger.append(p.block());
        if (!(r instanceof BlockResult.Appended) || !p.skipped().isEmpty()) {
          throw new IllegalStateException(
              "block %d: %s, skipped %d".formatted(b, r, p.skipped().size()));
        }
        if (b >= 5) {
          times[b - 5] = secs(s);
        }
        txs.set(b, null);
      }
      Arrays.sort(times);
      double p50 = times[measured / 2];
      double p90 = times[Math.min(measured - 1, (int) Math.ceil(measured * 0.9) - 1)];
      long heap = heapAfterGc();
      long rss = residentBytes();
      // Proofs: present and absent keys against the head.
      int[] sizes = new int[1_000];
      long verifyNanos = 0;
      for (int i = 0; i < sizes.length; i++) {
        Address a;
        if (i % 2 == 0) {
          a = account(rnd.nextInt(n));
        } else {
          byte[] x = new byte[Address.LENGTH];
          rnd.nextBytes(x);
          a = Address.ofBytes(x);
        }
        StateProof proof = ledger.proveState(StateKey.account(a));
        sizes[i] = proof.encodedLength();
        long v = System.nanoTime();
        if (!proof.verify(ledger.head(), StateKey.account(a))) {
          throw new IllegalStateException("proof of " + a + " does not verify");
        }
        verifyNanos += System.nanoTime() - v;
      }
      Arrays.sort(sizes);
      Genesis again = ledger.genesis();
      ledger.close();
      long storeBytes = store.equals("rocksdb") ? RocksDbStore.bytesOnDisk(file) : Files.size(file);
      t = System.nanoTime();
      Ledger reopened = Ledger.open(again, open(store, file));
      double reopen = secs(t);
      reopened.close();
      System.out.printf(
          Locale.ROOT,
          "| %s | %,d | %.2f s | %.0f ms | %.0f ms | %,.0f | %.0f ms | %,d MB | %,d MB | %,.0f | %d / %d"
              + " | %.0f µs |%n",
          store,
          n,
          openGenesis,
          p50 * 1e3,
          p90 * 1e3,
          TX_PER_BLOCK / p50,
          reopen * 1e3,
          heap >> 20,
          rss >> 20,
          (double) storeBytes / n,
          sizes[sizes.length / 2],
          sizes[sizes.length - 1],
          verifyNanos / 1e3 / sizes.length);
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static BlockStore open(String store, Path file) {
    return store.equals("rocksdb") ? RocksDbStore.open(file) : BlockStores.openDurable(file);
  }

  // The resident set size from /proc (Linux), or -1 where there is none.
  private static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  // Account i: 8 bytes of i (so addresses ascend with i), then 12 bytes derived from i.
  private static Address account(int i) {
    byte[] a = new byte[Address.LENGTH];
    long x = (long) i << 20;
    for (int b = 0; b < 8; b++) {
      a[b] = (byte) (x >>> (56 - 8 * b));
    }
    long y = i * 0x9E3779B97F4A7C15L;
    for (int b = 8; b < Address.LENGTH; b++) {
      a[b] = (byte) (y >>> (8 * (b - 8)));
    }
    return Address.ofBytes(a);
  }

  private static byte[] seed(int i) {
    byte[] s = new byte[32];
    s[0] = (byte) (i >>> 8);
    s[1] = (byte) i;
    s[31] = 42;
    return s;
  }

  private static double secs(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}

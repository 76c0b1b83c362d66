package org.gridtrade.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.BlockPolicy;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Mempool;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.testkit.SimulatedNetwork;

/**
 * Load driver for the block engine: sustained throughput and block commit latency of Proof of
 * Authority against the number of sealers and the block size (the axes of Aggarwal's Fig. 4.7–4.8).
 *
 * <p>Each configuration runs {@code sealers} engines in one JVM, each a sealer with its own durable
 * MVStore (fsync per block), joined by a zero-delay in-process network (none for one sealer). A
 * round signs {@code blockSize} fresh transfers from distinct senders (not timed), submits them
 * concurrently to one node (which admits them, checking signatures, and gossips them to the others,
 * which check them again), and ticks every engine until every node has durably stored the next
 * block. The round's time is the block's commit latency; throughput is the transactions committed
 * divided by the summed round times (one block in flight at a time). Every node validates every
 * block on the same cores, so with {@code n} sealers the machine does {@code n} nodes' work:
 * compare rows as "the whole network on 2 cores", not as one node's capacity. The table also gives
 * transactions per second of this process's CPU time (less sensitive than wall time to other
 * processes on a shared machine) and that figure times the sealers: what one node handles per
 * CPU-second when every node has its own CPU, as on a real network.
 *
 * <p>Run (after building {@code benchmarks.jar}, see {@code benchmarks/run.sh}):
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.gridtrade.benchmarks.EngineSweep
 *     [--sealers 1,5,10,25] [--block-sizes 100,500,1000,5000] [--sizes-at 1,5]
 *     [--sealers-at 1000] [--warmup 3] [--blocks 10] [--seconds 3]
 * </pre>
 *
 * <p>It runs (a) every sealer count at block size {@code --sealers-at}, then (b) every block size
 * at each sealer count of {@code --sizes-at}, and prints a Markdown table. Each configuration
 * measures at least {@code --blocks} blocks and at least {@code --seconds} seconds after {@code
 * --warmup} blocks; a discarded run of one sealer at {@code --sealers-at} warms the JIT first.
 */
public final class EngineSweep {
  private static final int CHAIN = 11;

  private EngineSweep() {}

  /**
   * One measured configuration.
   *
   * @param sealers engines (all sealers)
   * @param blockSize transactions per block
   * @param blocks blocks measured
   * @param txPerSecond transactions committed per second of round time
   * @param p50Millis median block commit latency
   * @param p99Millis 99th percentile block commit latency (the maximum for fewer than 100 blocks)
   * @param txPerCpuSecond transactions committed per second of this process's CPU time (all
   *     threads), which other processes' load on the machine affects much less than wall time
   */
  public record Result(
      int sealers,
      int blockSize,
      int blocks,
      double txPerSecond,
      double p50Millis,
      double p99Millis,
      double txPerCpuSecond) {}

  /**
   * Runs the sweep and prints the table.
   *
   * @param args options, see the class comment
   * @throws IOException if a temporary store cannot be made
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("option %s must start with --".formatted(args[i]));
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    int[] sealers = ints(o.getOrDefault("sealers", "1,5,10,25"));
    int[] sizes = ints(o.getOrDefault("block-sizes", "100,500,1000,5000"));
    int[] sizesAt = ints(o.getOrDefault("sizes-at", "1,5"));
    int sealersAt = Integer.parseInt(o.getOrDefault("sealers-at", "1000"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup", "3"));
    int blocks = Integer.parseInt(o.getOrDefault("blocks", "10"));
    double seconds = Double.parseDouble(o.getOrDefault("seconds", "3"));
    // Compile the hot paths before the first measured configuration (discarded).
    run(1, sealersAt, warmup, blocks, seconds);
    List<Result> results = new ArrayList<>();
    for (int n : sealers) {
      results.add(report(run(n, sealersAt, warmup, blocks, seconds)));
    }
    for (int n : sizesAt) {
      for (int size : sizes) {
        if (size == sealersAt && Arrays.stream(sealers).anyMatch(s -> s == n)) {
          continue; // measured in (a)
        }
        results.add(report(run(n, size, warmup, blocks, seconds)));
      }
    }
    System.out.printf(
        "%n%d cores, %s%n%n| sealers | tx per block | blocks | tx/s | commit p50 | commit p99 |"
            + " tx per CPU-second | per node (× sealers) |%n|---|---|---|---|---|---|---|---|%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + Runtime.version());
    for (Result r : results) {
      System.out.println(row(r));
    }
  }

  private static Result report(Result r) {
    System.err.println(row(r));
    return r;
  }

  private static String row(Result r) {
    return String.format(
        Locale.ROOT,
        "| %d | %,d | %d | %,.0f | %,.0f ms | %,.0f ms | %,.0f | %,.0f |",
        r.sealers(),
        r.blockSize(),
        r.blocks(),
        r.txPerSecond(),
        r.p50Millis(),
        r.p99Millis(),
        r.txPerCpuSecond(),
        r.txPerCpuSecond() * r.sealers());
  }

  private static int[] ints(String csv) {
    if (csv.isBlank()) {
      return new int[0];
    }
    return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }

  /**
   * Measures one configuration.
   *
   * @param sealers engines, 1 or more
   * @param blockSize transactions per block
   * @param warmup blocks before measuring
   * @param minBlocks least blocks measured
   * @param minSeconds least seconds measured
   * @return the result
   * @throws IOException if the temporary store cannot be made
   */
  public static Result run(int sealers, int blockSize, int warmup, int minBlocks, double minSeconds)
      throws IOException {
    Path dir = Files.createTempDirectory("gridtrade-engine-sweep");
    // No delays, 1 ms steps: the network's delays are not what is measured.
    SimulatedNetwork sim =
        SimulatedNetwork.builder()
            .start(1_800_000_000_000L)
            .step(Duration.ofMillis(1))
            .seed(0)
            .delay(Duration.ZERO, Duration.ZERO)
            .build();
    try {
      Random r = new Random(3);
      List<KeyPair> senders = new ArrayList<>();
      Map<Address, Long> alloc = new HashMap<>();
      for (int i = 0; i < blockSize; i++) {
        KeyPair k = key(r);
        senders.add(k);
        alloc.put(k.address(), 1_000_000_000_000L);
      }
      Address sink = key(r).address();
      List<Address> sealerAddresses = new ArrayList<>();
      List<KeyPair> sealerKeys = new ArrayList<>();
      for (int i = 0; i < sealers; i++) {
        KeyPair k = key(r);
        sealerKeys.add(k);
        sealerAddresses.add(k.address());
      }
      Genesis genesis = new Genesis(CHAIN, alloc, Set.of(sink), sim.clock().millis());
      BlockPolicy policy =
          BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(0)).withMaxTransactions(blockSize);
      for (int i = 0; i < sealers; i++) {
        Path store = dir.resolve("n" + i + ".mv");
        KeyPair sealer = sealerKeys.get(i);
        sim.node(
            "n" + i,
            b ->
                b.genesis(genesis)
                    .store(BlockStores.openDurable(store))
                    .schedule(
                        ConsensusSchedule.of(
                            ProofOfAuthority.builder().sealers(sealerAddresses).build()))
                    .sealingKey(sealer)
                    .mempool(Mempool.create(4 * blockSize, 1L << 30, 4))
                    .policy(policy));
      }
      sim.clock().advance(Duration.ofSeconds(60)); // past the start-up wait for the peers' heads
      List<BlockEngine> engines = sim.engines();
      List<Double> latencies = new ArrayList<>();
      long measuredNanos = 0;
      long cpuNanos = 0;
      long committed = 0;
      for (long round = 0; ; round++) {
        List<Transaction> batch = new ArrayList<>(blockSize);
        for (KeyPair k : senders) {
          batch.add(
              new TransactionBody(CHAIN, k.publicKey(), round, 1, new Payload.Transfer(sink, 1))
                  .sign(k));
        }
        long c0 = cpu();
        long t0 = System.nanoTime();
        commit(sim, engines, batch);
        long t = System.nanoTime() - t0;
        long c = cpu() - c0;
        if (round >= warmup) {
          latencies.add(t / 1e6);
          measuredNanos += t;
          cpuNanos += c;
          committed += blockSize;
          if (latencies.size() >= minBlocks && measuredNanos >= minSeconds * 1e9) {
            break;
          }
        }
      }
      double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new Result(
          sealers,
          blockSize,
          sorted.length,
          committed / (measuredNanos / 1e9),
          percentile(sorted, 0.50),
          percentile(sorted, 0.99),
          committed / (cpuNanos / 1e9));
    } finally {
      sim.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Submits the batch to node 0 and ticks every node until all of them stored the next block. */
  private static void commit(
      SimulatedNetwork sim, List<BlockEngine> engines, List<Transaction> batch) {
    BlockEngine entry = engines.get(0);
    long target = entry.ledger().height() + 1;
    batch.parallelStream().forEach(entry::submit);
    while (true) {
      sim.step();
      long min = Long.MAX_VALUE;
      for (BlockEngine e : engines) {
        min = Math.min(min, e.ledger().height());
      }
      if (min >= target) {
        return;
      }
    }
  }

  /** This process's CPU time in ns, all threads. */
  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Nearest-rank percentile of sorted values. */
  private static double percentile(double[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static KeyPair key(Random r) {
    byte[] seed = new byte[32];
    r.nextBytes(seed);
    return KeyPair.fromSeed(seed);
  }
}

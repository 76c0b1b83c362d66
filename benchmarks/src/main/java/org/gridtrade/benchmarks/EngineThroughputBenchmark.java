package org.gridtrade.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Signed transactions through the whole engine with Proof of Authority: mempool admission
 * (signature check), block building, sealing, full validation and durable append (MVStore, fsync
 * per block), and for {@code nodes > 1} gossip to and validation by every node of an in-process
 * network (zero delay). One operation is one block of {@code blockSize} fresh transfers from
 * distinct senders, submitted concurrently (as many clients would); the time is from the first
 * submission until every node has the block durably stored, so {@code blockSize / time} is the
 * sustained throughput and the sampled percentiles are the block commit latency. The baseline is
 * {@link BlockValidationBenchmark}: validating an already-built block is a floor every node pays.
 * Run: {@code benchmarks/run.sh quick EngineThroughput}, or {@code java -jar
 * benchmarks/target/benchmarks.jar EngineThroughput -f 1 -wi 2 -i 3 -w 1s -r 1s}; Aggarwal's axes
 * (sealers 1, 5, 10, 25; block sizes) with {@code -p nodes=1,5,10,25 -p blockSize=100,1000}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EngineThroughputBenchmark {
  /** Nodes in the network; each is a sealer and validates every block. */
  @Param({"1", "5"})
  public int nodes;

  /** Transactions per block. */
  @Param({"1000"})
  public int blockSize;

  private static final int CHAIN = 11;

  private Path dir;
  // No delays, 1 ms steps: the network's delays are not what is measured.
  private final SimulatedNetwork sim =
      SimulatedNetwork.builder()
          .start(1_800_000_000_000L)
          .step(Duration.ofMillis(1))
          .seed(0)
          .delay(Duration.ZERO, Duration.ZERO)
          .build();
  private final List<BlockEngine> engines = new ArrayList<>();
  private List<KeyPair> senders;
  private Address sink;
  private long round;
  private List<Transaction> batch;

  /**
   * Opens the nodes on fresh durable stores.
   *
   * @throws IOException if the temp directory cannot be made
   */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("gridtrade-engine-bench");
    senders = new ArrayList<>();
    Map<Address, Long> alloc = new HashMap<>();
    Random r = new Random(3);
    for (int i = 0; i < blockSize; i++) {
      byte[] seed = new byte[32];
      r.nextBytes(seed);
      KeyPair k = KeyPair.fromSeed(seed);
      senders.add(k);
      alloc.put(k.address(), 1_000_000_000_000L);
    }
    byte[] s = new byte[32];
    r.nextBytes(s);
    sink = KeyPair.fromSeed(s).address();
    List<KeyPair> sealers = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      r.nextBytes(s);
      sealers.add(KeyPair.fromSeed(s.clone()));
    }
    Genesis genesis = new Genesis(CHAIN, alloc, Set.of(sink), sim.clock().millis());
    BlockPolicy policy =
        BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(0)).withMaxTransactions(blockSize);
    for (int i = 0; i < nodes; i++) {
      ProofOfAuthority poa =
          ProofOfAuthority.builder()
              .sealers(sealers.stream().map(KeyPair::address).toList())
              .build();
      Path store = dir.resolve("n" + i + ".mv");
      KeyPair sealer = sealers.get(i);
      engines.add(
          sim.node(
              "n" + i,
              b ->
                  b.genesis(genesis)
                      .store(BlockStores.openDurable(store))
                      .schedule(ConsensusSchedule.of(poa))
                      .sealingKey(sealer)
                      .mempool(Mempool.create(4 * blockSize, 1L << 30, 4))
                      .policy(policy)));
    }
    sim.clock().advance(Duration.ofSeconds(60)); // past the start-up wait for peers' heads
  }

  /** Signs the next block's transactions (not measured). */
  @Setup(Level.Invocation)
  public void nextBatch() {
    List<Transaction> txs = new ArrayList<>(blockSize);
    for (KeyPair k : senders) {
      txs.add(
          new TransactionBody(CHAIN, k.publicKey(), round, 1, new Payload.Transfer(sink, 1))
              .sign(k));
    }
    batch = txs;
    round++;
  }

  /**
   * Closes the nodes and deletes their stores.
   *
   * @throws IOException if deleting fails
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    sim.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * One block of {@code blockSize} transactions from submission to durable append on every node.
   *
   * @return the height reached
   */
  @Benchmark
  public long blockThroughEngine() {
    long target = engines.get(0).ledger().height() + 1;
    BlockEngine entry = engines.get(0);
    batch.parallelStream().forEach(entry::submit);
    while (true) {
      sim.step();
      long min = Long.MAX_VALUE;
      for (BlockEngine e : engines) {
        min = Math.min(min, e.ledger().height());
      }
      if (min >= target) {
        return min;
      }
    }
  }
}

package org.gridtrade.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
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
 * Durable append of one encoded block to the H2 MVStore block store (commit + fsync) against the
 * lower bound of writing the same bytes to a plain file and forcing them to disk. Run: {@code
 * benchmarks/run.sh quick DurableAppend}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DurableAppendBenchmark {
  /** Encoded block size in bytes (about 100 and 1,000 transactions). */
  @Param({"20000", "200000"})
  public int blockBytes;

  private Path dir;
  private BlockStore store;
  private FileChannel raw;
  private byte[] block;
  private Hash hash;
  private long height;

  /**
   * Opens a fresh store and file.
   *
   * @throws IOException if the temp directory cannot be made
   */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("gridtrade-bench");
    store = BlockStores.openDurable(dir.resolve("chain.mv"));
    raw =
        FileChannel.open(
            dir.resolve("raw.bin"),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
    block = new byte[blockBytes];
    new Random(5).nextBytes(block);
    hash = Hash.sha256(block);
    height = store.size();
  }

  /**
   * Closes and deletes.
   *
   * @throws IOException if deleting fails
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    raw.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * Durable append to the MVStore block store.
   *
   * @return the new size
   */
  @Benchmark
  public long mvStoreAppend() {
    store.append(new StoredBlock(height++, hash, block));
    return height;
  }

  /**
   * Baseline: append the bytes to a plain file and fsync.
   *
   * @return the file position
   * @throws IOException if writing fails
   */
  @Benchmark
  public long rawFileAppendAndForce() throws IOException {
    raw.write(ByteBuffer.wrap(block));
    raw.force(false);
    return raw.position();
  }
}

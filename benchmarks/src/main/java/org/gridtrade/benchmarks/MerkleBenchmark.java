package org.gridtrade.benchmarks;

import java.security.DigestException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.MerkleTree;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The RFC 6962 Merkle root against its lower bound: the raw SHA-256 work it needs ({@code n} leaf
 * hashes of {@code 1 + 180} bytes and {@code n - 1} node hashes of 65 bytes) on one reused digest
 * into one buffer. Target: root ≤ 1.25 × raw. Run: {@code benchmarks/run.sh quick Merkle}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MerkleBenchmark {
  /** Number of leaves. */
  @Param({"1000", "100000"})
  public int leaves;

  /** Leaf size: about one encoded transaction. */
  static final int LEAF_BYTES = 180;

  private List<byte[]> data;
  private byte[] buf;
  private MessageDigest md;

  /**
   * Creates the leaves.
   *
   * @throws Exception never in practice
   */
  @Setup
  public void setup() throws Exception {
    Random r = new Random(2);
    data = new ArrayList<>(leaves);
    for (int i = 0; i < leaves; i++) {
      byte[] d = new byte[LEAF_BYTES];
      r.nextBytes(d);
      data.add(d);
    }
    buf = new byte[leaves * 32];
    md = MessageDigest.getInstance("SHA-256");
  }

  /**
   * The library's root computation.
   *
   * @return the root
   */
  @Benchmark
  public Hash merkleRoot() {
    return MerkleTree.root(data);
  }

  /**
   * Baseline: exactly the hashing the root needs, with nothing else.
   *
   * @return the last digest
   * @throws DigestException never in practice
   */
  @Benchmark
  public byte[] rawSha256Baseline() throws DigestException {
    for (int i = 0; i < leaves; i++) {
      md.update((byte) 0);
      md.update(data.get(i));
      md.digest(buf, i * 32, 32);
    }
    for (int i = 0; i < leaves - 1; i++) {
      md.update((byte) 1);
      md.update(buf, (i % (leaves / 2)) * 64, 64);
      md.digest(buf, (i % (leaves / 2)) * 32, 32);
    }
    return buf;
  }
}

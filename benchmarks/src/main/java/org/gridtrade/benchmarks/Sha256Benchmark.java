package org.gridtrade.benchmarks;

import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * SHA-256 through the JDK's {@link MessageDigest} (intrinsic SHA-NI where the CPU has it) against
 * BouncyCastle's pure-Java digest. Run: {@code benchmarks/run.sh quick Sha256}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Sha256Benchmark {
  /** Input size in bytes: a small message and 1 MiB. */
  @Param({"64", "1048576"})
  public int size;

  private byte[] input;
  private MessageDigest jdk;
  private SHA256Digest bc;
  private final byte[] out = new byte[32];

  /**
   * Prepares the input and the digests.
   *
   * @throws Exception never in practice
   */
  @Setup
  public void setup() throws Exception {
    input = new byte[size];
    new Random(1).nextBytes(input);
    jdk = MessageDigest.getInstance("SHA-256");
    bc = new SHA256Digest();
  }

  /**
   * JDK digest.
   *
   * @return the digest
   */
  @Benchmark
  public byte[] jdk() {
    return jdk.digest(input);
  }

  /**
   * BouncyCastle digest.
   *
   * @return the digest
   */
  @Benchmark
  public byte[] bouncyCastle() {
    bc.update(input, 0, input.length);
    bc.doFinal(out, 0);
    return out;
  }
}

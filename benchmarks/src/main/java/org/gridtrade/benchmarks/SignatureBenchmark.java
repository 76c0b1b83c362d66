package org.gridtrade.benchmarks;

import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Ed25519 sign and verify of a 200-byte message: BouncyCastle's low-level API (what the ledger
 * uses), the ledger's own wrappers, and the JDK's EdDSA provider. Run: {@code benchmarks/run.sh
 * quick Signature}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SignatureBenchmark {
  private final byte[] msg = new byte[200];
  private final byte[] seed = new byte[32];
  private final byte[] pk = new byte[32];
  private byte[] sig;
  private KeyPair ledgerKey;
  private Signature ledgerSig;
  private java.security.KeyPair jdkKey;
  private byte[] jdkSig;
  private java.security.Signature jdkSigner;
  private java.security.Signature jdkVerifier;

  /**
   * Creates keys and signatures.
   *
   * @throws Exception never in practice
   */
  @Setup
  public void setup() throws Exception {
    Random r = new Random(3);
    r.nextBytes(msg);
    r.nextBytes(seed);
    Ed25519.generatePublicKey(seed, 0, pk, 0);
    sig = new byte[64];
    Ed25519.sign(seed, 0, pk, 0, msg, 0, msg.length, sig, 0);
    ledgerKey = KeyPair.fromSeed(seed);
    ledgerSig = ledgerKey.sign(msg);
    jdkKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    jdkSigner = java.security.Signature.getInstance("Ed25519");
    jdkSigner.initSign(jdkKey.getPrivate(), new SecureRandom());
    jdkSigner.update(msg);
    jdkSig = jdkSigner.sign();
    jdkVerifier = java.security.Signature.getInstance("Ed25519");
  }

  /**
   * BouncyCastle sign.
   *
   * @return the signature
   */
  @Benchmark
  public byte[] bcSign() {
    byte[] out = new byte[64];
    Ed25519.sign(seed, 0, pk, 0, msg, 0, msg.length, out, 0);
    return out;
  }

  /**
   * BouncyCastle verify from the encoded key (decodes the point every time): the single-core lower
   * bound block validation is judged against.
   *
   * @return whether valid
   */
  @Benchmark
  public boolean bcVerify() {
    return Ed25519.verify(sig, 0, pk, 0, msg, 0, msg.length);
  }

  /**
   * The ledger's verify through a fresh {@link PublicKey} (no cached point).
   *
   * @return whether valid
   */
  @Benchmark
  public boolean ledgerVerifyFreshKey() {
    return PublicKey.of(pk).verify(msg, ledgerSig);
  }

  /**
   * JDK EdDSA sign.
   *
   * @return the signature
   * @throws Exception never in practice
   */
  @Benchmark
  public byte[] jdkSign() throws Exception {
    jdkSigner.update(msg);
    return jdkSigner.sign();
  }

  /**
   * JDK EdDSA verify.
   *
   * @return whether valid
   * @throws Exception never in practice
   */
  @Benchmark
  public boolean jdkVerify() throws Exception {
    jdkVerifier.initVerify(jdkKey.getPublic());
    jdkVerifier.update(msg);
    return jdkVerifier.verify(jdkSig);
  }
}

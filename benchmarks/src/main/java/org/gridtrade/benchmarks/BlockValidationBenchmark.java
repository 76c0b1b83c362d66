package org.gridtrade.benchmarks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Full validation of a 1,000-transaction block received as bytes (decode, Merkle root, signatures
 * in parallel, state transition, state root) against the single-core lower bound: 1,000 raw
 * BouncyCastle Ed25519 verifications on one thread. Target on 2 cores: validation reaches at least
 * 80 % of 2 × the single-core verify rate, i.e. {@code raw / validate ≥ 1.6}. Run: {@code
 * benchmarks/run.sh quick BlockValidation}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BlockValidationBenchmark {
  static final int TRANSACTIONS = 1000;

  private Ledger ledger;
  private byte[] encodedBlock;
  private final List<byte[]> pks = new ArrayList<>();
  private final List<byte[]> msgs = new ArrayList<>();
  private final List<byte[]> sigs = new ArrayList<>();

  /** Builds a genesis with 1,000 funded accounts and a block of one energy trade from each. */
  @Setup
  public void setup() {
    Random r = new Random(4);
    List<KeyPair> keys = new ArrayList<>();
    Map<Address, Long> alloc = new HashMap<>();
    for (int i = 0; i < TRANSACTIONS; i++) {
      byte[] seed = new byte[32];
      r.nextBytes(seed);
      KeyPair k = KeyPair.fromSeed(seed);
      keys.add(k);
      alloc.put(k.address(), 1_000_000_000L);
    }
    Genesis g = new Genesis(1, alloc, Set.of(), 1_700_000_000_000L);
    ledger = Ledger.open(g, BlockStores.inMemory());
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < TRANSACTIONS; i++) {
      KeyPair k = keys.get(i);
      Address seller = keys.get((i + 1) % TRANSACTIONS).address();
      Transaction t =
          new TransactionBody(
                  1,
                  k.publicKey(),
                  0,
                  10,
                  new Payload.EnergyTrade(
                      seller, k.address(), 1 + r.nextInt(5000), 150_000, "double-auction/h13"))
              .sign(k);
      txs.add(t);
      byte[] m = t.body().payload().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] s = k.sign(m).bytes();
      pks.add(k.publicKey().bytes());
      msgs.add(m);
      sigs.add(s);
    }
    Block b = ledger.propose(txs, keys.get(0).address(), 1_700_000_002_000L).block();
    if (b.transactions().size() != TRANSACTIONS) {
      throw new IllegalStateException("block has " + b.transactions().size() + " transactions");
    }
    encodedBlock = b.encode();
  }

  /**
   * Decodes and fully validates the block (nothing is stored).
   *
   * @return empty if valid
   * @throws Exception if the block does not decode
   */
  @Benchmark
  public Optional<String> validateBlock() throws Exception {
    Optional<String> problem = ledger.check(Block.decode(encodedBlock));
    if (problem.isPresent()) {
      throw new IllegalStateException(problem.get());
    }
    return problem;
  }

  /**
   * Lower bound: 1,000 Ed25519 verifications from encoded keys, one thread.
   *
   * @return how many verified
   */
  @Benchmark
  public int rawVerifySingleCore() {
    int ok = 0;
    for (int i = 0; i < TRANSACTIONS; i++) {
      byte[] m = msgs.get(i);
      if (Ed25519.verify(sigs.get(i), 0, pks.get(i), 0, m, 0, m.length)) {
        ok++;
      }
    }
    return ok;
  }
}

package org.gridtrade.benchmarks;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.gridtrade.consensus.trust.TrustIndex;
import org.gridtrade.consensus.trust.TrustParameters;
import org.gridtrade.consensus.trust.TrustScores;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The trust layer's costs: folding a 1,000-transaction block (500 trades, 500 ratings) into the
 * trust index (Alg. 1 per rating), Alg. 3 + Alg. 4 for a block's proposer, one trader update, and
 * choosing the next epoch's committee of 10 from 250, 1,000 and 8,000 candidates. Run: {@code
 * benchmarks/run.sh quick Trust}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TrustBenchmark {
  private static final int TXS = 1_000;

  private TrustIndex base;
  private TrustIndex working;
  private Block block;
  private double[] others;
  private List<TrustScores.BlockTrade> blockTrades;

  /** The validator pool, per pool size. */
  @State(Scope.Thread)
  public static class Pool {
    /** Candidates in the validator pool. */
    @Param({"250", "1000", "8000"})
    public int candidates;

    TrustStake protocol;
    List<TrustStake.Candidate> pool;
    List<Address> current;
    Hash seed;

    /** Builds a random pool; the current committee is 10 of its members. */
    @Setup(Level.Trial)
    public void setup() {
      Random r = new Random(45);
      protocol =
          TrustStake.builder()
              .initialValidators(List.of(Address.ofBytes(new byte[Address.LENGTH])))
              .build();
      pool = new ArrayList<>();
      current = new ArrayList<>();
      Set<Address> seen = new HashSet<>();
      while (pool.size() < candidates) {
        byte[] a = new byte[Address.LENGTH];
        r.nextBytes(a);
        Address addr = Address.ofBytes(a);
        if (seen.add(addr)) {
          pool.add(
              new TrustStake.Candidate(
                  addr, 1_000_000L * (1 + r.nextInt(5_000)), 3 + 2 * r.nextDouble(), 3));
          if (current.size() < 10) {
            current.add(addr);
          }
        }
      }
      seed = Hash.sha256(ByteBuffer.allocate(8).putLong(7).array());
    }
  }

  /** Builds the chain prefix, the block to fold, and the candidate pool. */
  @Setup(Level.Trial)
  public void setup() {
    Random r = new Random(44);
    List<KeyPair> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      byte[] s = new byte[32];
      r.nextBytes(s);
      keys.add(KeyPair.fromSeed(s));
    }
    long[] nonces = new long[keys.size()];
    // Block 1: 500 trades; block 2 (the benchmarked one): 500 new trades and 500 ratings of block
    // 1.
    List<Transaction> first = new ArrayList<>();
    List<Transaction> second = new ArrayList<>();
    for (int i = 0; i < TXS / 2; i++) {
      first.add(trade(keys, nonces, r));
    }
    for (int i = 0; i < TXS / 2; i++) {
      second.add(trade(keys, nonces, r));
      Transaction t = first.get(i);
      int buyer = keys.indexOf(find(keys, t.sender()));
      second.add(
          new TransactionBody(
                  1, keys.get(buyer).publicKey(), nonces[buyer]++, 0, new Payload.Rating(t.id(), 4))
              .sign(keys.get(buyer)));
    }
    Block b1 = block(1, Hash.ZERO, first, 1_000_000L);
    block = block(2, b1.hash(), second, 1_000_000L + 3_600_000L);
    base = new TrustIndex(TrustParameters.DEFAULT);
    base.fold(b1);
    others = new double[] {3, 3.2, 2.9, 3.1, 3, 3.4, 2.8, 3, 3.3};
    blockTrades = new ArrayList<>();
    for (int i = 0; i < TXS; i++) {
      blockTrades.add(new TrustScores.BlockTrade(0.01, 4.2, 3.5));
    }
  }

  private static KeyPair find(List<KeyPair> keys, Address a) {
    for (KeyPair k : keys) {
      if (k.address().equals(a)) {
        return k;
      }
    }
    throw new IllegalStateException("unknown " + a);
  }

  private static Transaction trade(List<KeyPair> keys, long[] nonces, Random r) {
    int b = r.nextInt(keys.size());
    int s = (b + 1 + r.nextInt(keys.size() - 1)) % keys.size();
    return new TransactionBody(
            1,
            keys.get(b).publicKey(),
            nonces[b]++,
            0,
            new Payload.EnergyTrade(
                keys.get(s).address(),
                keys.get(b).address(),
                1 + r.nextInt(10_000),
                r.nextInt(300_000),
                "bench"))
        .sign(keys.get(b));
  }

  private static Block block(long h, Hash prev, List<Transaction> txs, long time) {
    return new Block(
        new BlockHeader(
            h,
            prev,
            Block.transactionsRoot(txs),
            txs.size(),
            Hash.ZERO,
            time,
            Address.ofBytes(new byte[Address.LENGTH]),
            new byte[0]),
        txs);
  }

  /** A fresh copy of the index before each fold (not measured). */
  @Setup(Level.Invocation)
  public void fresh() {
    working = base.copy();
  }

  /**
   * Folds one 1,000-transaction block (500 trades, 500 ratings: Alg. 1 for each rating).
   *
   * @return the index's open trades
   */
  @Benchmark
  public int foldBlockOf1000() {
    working.fold(block);
    return working.openTrades();
  }

  /**
   * Alg. 1 for one rated transaction.
   *
   * @return the new trust
   */
  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public double traderUpdate() {
    return TrustScores.traderTrust(4.1, 17, 5, 3.2, 120);
  }

  /**
   * Alg. 4 (validator trust of a block's proposer, 9 other validators) and Alg. 3 (the block's
   * trust coins) for a block of 1,000 trades.
   *
   * @return the block's trust coins
   */
  @Benchmark
  public double validatorAndCoinsPerBlock() {
    double tv = TrustScores.validatorBlockTrust(12.5, 3_500, TXS, others);
    double nts = TrustScores.validatorTrust(3.1, 40, tv);
    return TrustScores.blockTrustCoins(blockTrades, tv) + nts;
  }

  /**
   * Chooses the next epoch's committee of 10 and its signing order.
   *
   * @param p the pool
   * @return the first signer's hash code
   */
  @Benchmark
  public int selectCommitteePerEpoch(Pool p) {
    List<Address> next = p.protocol.selectCommittee(p.pool, p.current, Set.of());
    return TrustStake.signingOrder(next, p.seed).get(0).hashCode();
  }
}

package org.gridtrade.benchmarks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.gridtrade.consensus.posoc.ProofOfStateOfCharge;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Proof of State of Charge settlement at a period start, which rescans the chain since
 * activation for the EVs' mining-reward transfers: 24 EVs, 24 blocks per period (one a day), each
 * block carrying 24 transfers (the EVs paying their β-share to the mLAG, late ones included), over
 * {@code days} periods. {@link #settlementWarm} reuses one protocol instance (the transfers of
 * every block already cached, as on a running node); {@link #settlementCold} builds a new one per
 * call, so every stored block is decoded. The baseline {@link #decodeChainBaseline} only decodes
 * every stored block. Run: {@code benchmarks/run.sh quick PosocSettlement}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PosocSettlementBenchmark {
  private static final int EVS = 24;
  private static final int PER_PERIOD = 24;
  private static final int CHAIN = 9;

  @Param({"7", "30"})
  int days;

  private Ledger ledger;
  private ChainView view;
  private StateOfChargeSource source;
  private ProofOfStateOfCharge warm;

  /** Builds the chain: {@code days × 24} blocks. */
  @Setup
  public void setup() {
    Random r = new Random(3);
    List<KeyPair> evs = new ArrayList<>();
    Map<Address, Long> alloc = new HashMap<>();
    List<StateOfChargeSource.Candidate> cs = new ArrayList<>();
    for (int i = 0; i < EVS; i++) {
      byte[] seed = new byte[32];
      r.nextBytes(seed);
      KeyPair k = KeyPair.fromSeed(seed);
      evs.add(k);
      alloc.put(k.address(), 1_000_000_000L);
      cs.add(new StateOfChargeSource.Candidate(k.address(), 1 + i, 10_000L * (i + 1)));
    }
    source = StateOfChargeSource.fixed(cs, List.of());
    ledger =
        Ledger.open(
            new Genesis(CHAIN, alloc, Set.of(evs.get(0).address()), 1_700_000_000_000L),
            BlockStores.inMemory());
    long[] nonces = new long[EVS];
    for (int h = 1; h <= days * PER_PERIOD; h++) {
      int period = (h - 1) / PER_PERIOD;
      KeyPair mlag = evs.get(period % EVS);
      List<Transaction> txs = new ArrayList<>();
      for (int i = 0; i < EVS; i++) {
        if (i == period % EVS) {
          continue;
        }
        // Each EV pays once per period at a random height of the period (or of the next).
        if (r.nextInt(PER_PERIOD) == 0 || h % PER_PERIOD == 0) {
          txs.add(
              new TransactionBody(
                      CHAIN,
                      evs.get(i).publicKey(),
                      nonces[i]++,
                      0,
                      new Payload.Transfer(mlag.address(), 1_000L * (i + 1)))
                  .sign(evs.get(i)));
        }
      }
      BlockHeader head = ledger.head();
      Block b = ledger.propose(txs, mlag.address(), head.timestamp() + 1_000).block();
      if (b.transactions().size() != txs.size()
          || ledger.append(b) instanceof org.gridtrade.ledger.BlockResult.Rejected) {
        throw new IllegalStateException("setup block %d not built as planned".formatted(h));
      }
    }
    List<BlockHeader> headers = new ArrayList<>();
    for (long h = 0; h <= ledger.height(); h++) {
      headers.add(ledger.block(h).orElseThrow().header());
    }
    view =
        new ChainView() {
          @Override
          public Optional<BlockHeader> header(long height) {
            return height >= 0 && height < headers.size()
                ? Optional.of(headers.get((int) height))
                : Optional.empty();
          }

          @Override
          public Optional<Block> block(long height) {
            return ledger.block(height);
          }

          @Override
          public long activationHeight() {
            return 1;
          }
        };
    warm = protocol();
    if (warm.settlement(view, ledger.head()).isEmpty()) {
      throw new IllegalStateException("setup chain releases no profit");
    }
  }

  private ProofOfStateOfCharge protocol() {
    return ProofOfStateOfCharge.builder()
        .source(source)
        .blocksPerPeriod(PER_PERIOD)
        .beta(0.1)
        .build();
  }

  /**
   * The settlement of the next period start, transfers cached.
   *
   * @return the payloads
   */
  @Benchmark
  public List<Payload> settlementWarm() {
    return warm.settlement(view, ledger.head());
  }

  /**
   * The settlement of the next period start by a fresh protocol instance.
   *
   * @return the payloads
   */
  @Benchmark
  public List<Payload> settlementCold() {
    return protocol().settlement(view, ledger.head());
  }

  /**
   * Decodes every stored block once.
   *
   * @return the number of transactions seen
   */
  @Benchmark
  public long decodeChainBaseline() {
    long n = 0;
    for (long h = 1; h <= ledger.height(); h++) {
      n += ledger.block(h).orElseThrow().transactions().size();
    }
    return n;
  }
}

package org.gridtrade.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.gridtrade.auction.DemandResponseAuction;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.market.DemandResponseMarket;
import org.gridtrade.market.DrAuctioneer;
import org.gridtrade.market.DrCalls;
import org.gridtrade.market.DrRound;
import org.gridtrade.market.DrRoundSpec;

/**
 * A demand-response round on chain at scale: a market of N EVs × M SPs ({@code DrInstance.random},
 * Aggarwal's ranges), run through lib-auction's auction off chain, then opened in parts, escrowed
 * by every EV, certified in parts; times the block with the certificate's last part (where every
 * node checks the certificate in O(N·M) and pays the IR rule) beside an empty block (tolerance
 * {@value #TOLERANCE}), and the blocks of settlements that follow (one cell of each EV per block,
 * each with two signatures to verify). Three rounds per size on fresh chains, the first including
 * the JIT's warm-up.
 *
 * <pre>
 * java -Xmx4g -cp benchmarks/target/benchmarks.jar org.gridtrade.benchmarks.DrRoundScale \
 *     300x60 1000x64 4000x16
 * </pre>
 */
public final class DrRoundScale {
  private static final int CHAIN = 23;
  private static final long T0 = 1_800_000_000_000L;
  private static final long EACH = 1_000_000_000_000L;
  private static final int SETTLE_BLOCKS = 5;

  /**
   * ε, micro-coins per kWh of supply (2 cents): rounding the allocation to a Wh moves some EVs'
   * marginal utility by more than the demo's 0.2 cent on these markets.
   */
  private static final long TOLERANCE = 20_000;

  private DrRoundScale() {}

  /**
   * Runs the driver.
   *
   * @param args sizes, {@code EVSxSPS}
   */
  public static void main(String[] args) {
    System.out.println(
        "| EVs × SPs (round) | cells that pay | auction off chain | open parts + escrows + certificate"
            + " parts | last part's block propose | empty block propose | certificate check and"
            + " payments (last − empty) | settlement tx/s (propose + append) |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (String size : args) {
      String[] p = size.split("x");
      for (int round = 0; round < 3; round++) {
        run(Integer.parseInt(p[0]), Integer.parseInt(p[1]), round);
      }
    }
  }

  private static void run(int n, int m, int round) {
    DrInstance market =
        DrAuctioneer.onGrid(DrInstance.random(n, m, new SplittableRandom(1_000L * n + m + round)));
    long s = System.nanoTime();
    DemandResponseResult result =
        DemandResponseAuction.builder().timeLimit(Duration.ofMinutes(10)).build().run(market);
    double auctionSecs = (System.nanoTime() - s) / 1e9;
    if (!result.converged()) {
      throw new IllegalStateException(
          "the auction did not converge on %d x %d (round %d)".formatted(n, m, round + 1));
    }
    List<KeyPair> evs = keys(n, 1);
    List<KeyPair> sps = keys(m, 2);
    KeyPair op = keys(1, 3).get(0);
    Map<Address, Long> alloc = new HashMap<>();
    alloc.put(op.address(), EACH);
    evs.forEach(k -> alloc.put(k.address(), EACH));
    sps.forEach(k -> alloc.put(k.address(), EACH));
    Genesis genesis =
        new Genesis(CHAIN, alloc, Set.of(op.address()), T0)
            .withModules(List.of(DemandResponseMarket.NAME));
    Map<Address, Long> nonces = new HashMap<>();
    try (Ledger ledger = InMemoryChain.open(genesis, new DemandResponseMarket())) {
      DrRoundSpec spec =
          DrAuctioneer.spec(
              market,
              evs.stream().map(KeyPair::address).toList(),
              sps.stream().map(KeyPair::address).toList(),
              DemandResponseAuction.DEFAULT_RETAIL_PRICE,
              TOLERANCE,
              100,
              200);
      List<Transaction> opens = new ArrayList<>();
      DrCalls.openInParts(spec).forEach(c -> opens.add(tx(op, c, nonces)));
      InMemoryChain.append(ledger, opens, T0);
      List<Transaction> escrows = new ArrayList<>();
      evs.forEach(k -> escrows.add(tx(k, DrCalls.escrow(0), nonces)));
      InMemoryChain.append(ledger, escrows, T0);
      List<Payload.Call> parts = DrAuctioneer.certificate(spec, market, result).certifyCalls(0);
      List<Transaction> certs = new ArrayList<>();
      parts.subList(0, parts.size() - 1).forEach(c -> certs.add(tx(op, c, nonces)));
      InMemoryChain.append(ledger, certs, T0);
      double[] empty = new double[5];
      for (int i = 0; i < empty.length; i++) {
        s = System.nanoTime();
        Ledger.Proposal e = InMemoryChain.propose(ledger, List.of(), T0);
        empty[i] = (System.nanoTime() - s) / 1e9;
        InMemoryChain.check(ledger.append(e.block()));
      }
      Transaction last = tx(op, parts.get(parts.size() - 1), nonces);
      s = System.nanoTime();
      Ledger.Proposal lastBlock = InMemoryChain.propose(ledger, List.of(last), T0);
      double lastSecs = (System.nanoTime() - s) / 1e9;
      if (!lastBlock.skipped().isEmpty()) {
        throw new IllegalStateException("certificate refused: " + lastBlock.skipped());
      }
      InMemoryChain.check(ledger.append(lastBlock.block()));
      DrRound.Certificate cert =
          DemandResponseMarket.round(ledger.state(), 0).orElseThrow().certificate().orElseThrow();
      int paying = 0;
      for (List<Long> row : cert.cellPaymentsMicro()) {
        paying += (int) row.stream().filter(v -> v > 0).count();
      }
      int settled = 0;
      double settleSecs = 0;
      for (int b = 0; b < SETTLE_BLOCKS; b++) {
        DrRound.Certificate now =
            DemandResponseMarket.round(ledger.state(), 0).orElseThrow().certificate().orElseThrow();
        long t = T0 + (ledger.height() + 1) * 1_000L;
        List<Transaction> txs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < m; j++) {
            if (now.cellPaymentsMicro().get(i).get(j) > 0 && !now.settled().get(i).get(j)) {
              Payload.DemandResponseSettlement token =
                  DemandResponseMarket.settlement(
                      ledger.state(), CHAIN, 0, i, j, t + 60_000, t - 1, sps.get(j), evs.get(i));
              txs.add(tx(sps.get(j), DrCalls.settle(0, j, token), nonces));
              break;
            }
          }
        }
        if (txs.isEmpty()) {
          break;
        }
        s = System.nanoTime();
        Ledger.Proposal p = InMemoryChain.propose(ledger, txs, T0);
        InMemoryChain.check(ledger.append(p.block()));
        settleSecs += (System.nanoTime() - s) / 1e9;
        if (!p.skipped().isEmpty()) {
          throw new IllegalStateException("settlements refused: " + p.skipped().get(0));
        }
        settled += txs.size();
      }
      double emptyMedian = InMemoryChain.median(empty);
      System.out.printf(
          Locale.ROOT,
          "| %d × %d (%d) | %,d | %.0f ms | %d + %d + %d | %.0f ms | %.1f ms | %.0f ms | %,.0f (%,d"
              + " settlements) |%n",
          n,
          m,
          round + 1,
          paying,
          auctionSecs * 1e3,
          opens.size(),
          escrows.size(),
          parts.size(),
          lastSecs * 1e3,
          emptyMedian * 1e3,
          (lastSecs - emptyMedian) * 1e3,
          settled / settleSecs,
          settled);
    }
  }

  private static Transaction tx(KeyPair k, Payload p, Map<Address, Long> nonces) {
    long nonce = nonces.merge(k.address(), 1L, Long::sum) - 1;
    return new TransactionBody(CHAIN, k.publicKey(), nonce, 1, p).sign(k);
  }

  private static List<KeyPair> keys(int count, int salt) {
    List<KeyPair> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] seed = new byte[32];
      new Random(7_919L * i + 104_729L * salt).nextBytes(seed);
      out.add(KeyPair.fromSeed(seed));
    }
    return out;
  }
}

package org.gridtrade.benchmarks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.gridtrade.auction.DoubleAuction;
import org.gridtrade.auction.DoubleAuctionResult;
import org.gridtrade.auction.Order;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.market.Clearing;
import org.gridtrade.market.ClearingRule;
import org.gridtrade.market.DoubleAuctionMarket;
import org.gridtrade.market.MarketCalls;
import org.gridtrade.market.MarketSpec;
import org.gridtrade.market.Markets;

/**
 * A double-auction market on chain at scale: places N signed orders (bids and asks of 2,000
 * traders) through {@code Ledger.propose} + {@code Ledger.append} in blocks of 5,000, then times
 * the gate-closure block, in which every node clears all N orders, pays the trades and refunds the
 * escrow, beside an empty block and beside lib-auction's off-chain clearing of the same orders
 * (median of 21 runs after 20 warm-up runs). Each size runs three times on fresh chains (the first
 * run of a size includes the JIT's warm-up of the clearing code). The chain's state holds {@code
 * --accounts} funded accounts besides the traders (default 0).
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar org.gridtrade.benchmarks.MarketClearingScale \
 *     [--accounts 1000000] 1000 10000 100000
 * </pre>
 */
public final class MarketClearingScale {
  private static final int CHAIN = 21;
  private static final long T0 = 1_800_000_000_000L;
  private static final int TRADERS = 2_000;
  private static final int PER_BLOCK = 5_000;

  private MarketClearingScale() {}

  /**
   * Runs the driver.
   *
   * @param args {@code [--accounts N] orders...}
   * @throws IOException if the allocations file cannot be written
   */
  public static void main(String[] args) throws IOException {
    int accounts = 0;
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--accounts")) {
        accounts = Integer.parseInt(args[++i].replace("_", ""));
      } else {
        sizes.add(Integer.parseInt(args[i].replace("_", "")));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "accounts in the state: %d traders + %d others; blocks of %d orders%n",
        TRADERS,
        accounts,
        PER_BLOCK);
    System.out.println(
        "| orders (round) | trades | order tx/s (propose + append) | gate block propose | gate block append"
            + " | empty block propose + append | on-chain clearing (gate − empty propose)"
            + " | off-chain clearing | ratio |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (int n : sizes) {
      for (int round = 0; round < 3; round++) {
        run(n, accounts, round);
      }
    }
  }

  private static void run(int n, int accounts, int round) throws IOException {
    Random rnd = new Random(n * 31L + round);
    List<KeyPair> traders = new ArrayList<>(TRADERS);
    for (int i = 0; i < TRADERS; i++) {
      byte[] seed = new byte[32];
      new Random(31L * i + 7).nextBytes(seed);
      traders.add(KeyPair.fromSeed(seed));
    }
    Genesis genesis = genesis(traders, accounts, rnd);
    int orderBlocks = (n + PER_BLOCK - 1) / PER_BLOCK;
    long gate = 2L + orderBlocks;
    Instant delivery = Instant.ofEpochSecond(T0 / 1000 + 3_600);
    long[] nonces = new long[TRADERS];
    List<Order> buys = new ArrayList<>();
    List<Order> sells = new ArrayList<>();
    List<List<Transaction>> blocks = new ArrayList<>();
    List<Transaction> current = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int t = 1 + rnd.nextInt(TRADERS - 1);
      boolean buy = rnd.nextBoolean();
      long price = 40_000 + 100L * rnd.nextInt(1_200);
      long quantity = 1 + rnd.nextInt(5_000);
      Payload call =
          buy ? MarketCalls.bid(0, price, quantity) : MarketCalls.ask(0, price, quantity);
      KeyPair k = traders.get(t);
      current.add(new TransactionBody(CHAIN, k.publicKey(), nonces[t]++, 1, call).sign(k));
      (buy ? buys : sells).add(new Order(Integer.toString(i), price / 10_000.0, quantity / 1000.0));
      if (current.size() == PER_BLOCK) {
        blocks.add(current);
        current = new ArrayList<>();
      }
    }
    if (!current.isEmpty()) {
      blocks.add(current);
    }
    KeyPair op = traders.get(0);
    try (Ledger ledger = InMemoryChain.open(genesis, new DoubleAuctionMarket())) {
      MarketSpec spec =
          new MarketSpec(
              ClearingRule.UNIFORM_PRICE, 500_000, gate, delivery, delivery.plusSeconds(900));
      InMemoryChain.append(
          ledger,
          List.of(
              new TransactionBody(CHAIN, op.publicKey(), 0, 1, MarketCalls.open(spec)).sign(op)),
          T0);
      long t0 = System.nanoTime();
      for (List<Transaction> b : blocks) {
        InMemoryChain.append(ledger, b, T0);
      }
      double orderSecs = (System.nanoTime() - t0) / 1e9;
      long s = System.nanoTime();
      Ledger.Proposal gateBlock = InMemoryChain.propose(ledger, List.of(), T0);
      double gatePropose = (System.nanoTime() - s) / 1e9;
      s = System.nanoTime();
      InMemoryChain.check(ledger.append(gateBlock.block()));
      double gateAppend = (System.nanoTime() - s) / 1e9;
      Clearing c = Markets.market(ledger.state(), 0).orElseThrow().clearing().orElseThrow();
      double[] empty = new double[5];
      double[] emptyPropose = new double[5];
      for (int i = 0; i < empty.length; i++) {
        s = System.nanoTime();
        Ledger.Proposal p = InMemoryChain.propose(ledger, List.of(), T0);
        emptyPropose[i] = (System.nanoTime() - s) / 1e9;
        InMemoryChain.check(ledger.append(p.block()));
        empty[i] = (System.nanoTime() - s) / 1e9;
      }
      double offChain = offChain(buys, sells, c.trades());
      double onChain = gatePropose - InMemoryChain.median(emptyPropose);
      System.out.printf(
          Locale.ROOT,
          "| %,d (%d) | %,d | %,.0f | %.0f ms | %.0f ms | %.1f ms | %.0f ms | %.1f ms | %.0f× |%n",
          n,
          round + 1,
          c.trades(),
          n / orderSecs,
          gatePropose * 1e3,
          gateAppend * 1e3,
          InMemoryChain.median(empty) * 1e3,
          onChain * 1e3,
          offChain * 1e3,
          onChain / offChain);
    }
  }

  private static double offChain(List<Order> buys, List<Order> sells, int trades) {
    DoubleAuction auction = DoubleAuction.uniformPrice(0.5);
    double[] t = new double[21];
    for (int i = 0; i < 20 + t.length; i++) {
      long s = System.nanoTime();
      DoubleAuctionResult r = auction.clear(buys, sells);
      double secs = (System.nanoTime() - s) / 1e9;
      if (Math.abs(r.trades().size() - trades) > trades / 100) {
        throw new IllegalStateException(
            "off-chain %d trades, on chain %d".formatted(r.trades().size(), trades));
      }
      if (i >= 20) {
        t[i - 20] = secs;
      }
    }
    return InMemoryChain.median(t);
  }

  private static Genesis genesis(List<KeyPair> traders, int accounts, Random rnd)
      throws IOException {
    TreeMap<Address, Long> alloc = new TreeMap<>();
    traders.forEach(k -> alloc.put(k.address(), 1_000_000_000_000L));
    byte[] a = new byte[Address.LENGTH];
    while (alloc.size() < TRADERS + accounts) {
      rnd.nextBytes(a);
      alloc.putIfAbsent(Address.ofBytes(a), 1_000L);
    }
    Set<Address> authorities = Set.of(traders.get(0).address());
    Genesis g;
    if (accounts < 50_000) {
      g = new Genesis(CHAIN, alloc, authorities, T0);
    } else {
      Path file = Files.createTempFile("gridtrade-market-alloc", ".csv");
      try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
        for (Map.Entry<Address, Long> e : alloc.entrySet()) {
          w.write(e.getKey() + "," + e.getValue() + "\n");
        }
      }
      g = Genesis.fromAllocationsFile(CHAIN, file, authorities, T0);
      file.toFile().deleteOnExit(); // the genesis streams it when the ledger opens
    }
    return g.withModules(List.of(DoubleAuctionMarket.NAME));
  }
}

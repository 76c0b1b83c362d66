package org.gridtrade.examples.study;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.gridtrade.auction.DoubleAuction;
import org.gridtrade.auction.DoubleAuctionResult;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.Trade;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.BlockPolicy;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.Units;
import org.gridtrade.market.ClearingRule;
import org.gridtrade.market.DoubleAuctionMarket;
import org.gridtrade.market.Market;
import org.gridtrade.market.MarketCalls;
import org.gridtrade.market.MarketOrder;
import org.gridtrade.market.MarketSpec;
import org.gridtrade.market.MarketTrade;
import org.gridtrade.market.Markets;
import org.gridtrade.market.Side;
import org.gridtrade.testkit.ManualClock;
import org.gridtrade.testkit.SimulatedNetwork;

/**
 * The {@code auction} command's order book run through a network with the double-auction market
 * module ({@code gridtrade market-sim}): every order signed by a key generated for its id,
 * submitted to one of the nodes, gossiped, included, and cleared at the gate closure height by
 * every node; then compared across nodes and with lib-auction's off-chain clearing of the same
 * orders.
 */
public final class MarketSimulation {
  private static final int CHAIN = 77;
  private static final long T0 = 1_800_000_000_000L;
  private static final long FEE = 1;
  private static final long STEP_MILLIS = 10;
  private static final Duration PERIOD = Duration.ofSeconds(1);

  /** One scenario order with its on-chain units. */
  public record Placed(String id, Side side, long priceMicro, long quantityWh) {}

  private MarketSimulation() {}

  /** What the run found. */
  public record Sim(
      ClearingRule rule,
      int kPpm,
      int nodes,
      long gateHeight,
      Hash stateRoot,
      Market market,
      List<MarketOrder> orders,
      List<MarketTrade> trades,
      Map<Integer, Placed> byOrderId,
      boolean agree,
      boolean matchesOffChain,
      String offChainNote) {}

  /**
   * Runs the orders through a network of Proof-of-Authority sealers with the market module and
   * clears them at the gate closure height.
   *
   * @param seed seeds the generated keys and the network's delays
   * @param nodes sealers, 1 or more
   * @param rule the clearing rule
   * @param kPpm the uniform price's k, in millionths
   * @param orders the orders, in the order they are submitted
   * @return what the run found
   * @throws IllegalStateException if the network does not open or clear the market in time
   */
  public static Sim run(long seed, int nodes, ClearingRule rule, int kPpm, List<Placed> orders) {
    SimulatedNetwork net =
        SimulatedNetwork.builder()
            .start(T0 - 10_000)
            .step(Duration.ofMillis(STEP_MILLIS))
            .seed(seed)
            .delay(Duration.ofMillis(5), Duration.ofMillis(40))
            .lossRate(0)
            .build();
    ManualClock clock = net.clock();
    List<KeyPair> sealers = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      sealers.add(key(seed, "node/" + i));
    }
    Map<String, KeyPair> traders = new LinkedHashMap<>();
    Map<Address, Long> alloc = new HashMap<>();
    sealers.forEach(s -> alloc.put(s.address(), 1_000_000L));
    for (Placed o : orders) {
      KeyPair t = traders.computeIfAbsent(o.id(), id -> key(seed, "trader/" + id));
      long escrow = o.side() == Side.BUY ? (o.priceMicro() * o.quantityWh() + 999) / 1000 : 0;
      alloc.merge(t.address(), escrow + 1_000, Long::sum);
    }
    Genesis genesis =
        new Genesis(
                CHAIN,
                alloc,
                sealers.stream().map(KeyPair::address).collect(java.util.stream.Collectors.toSet()),
                T0)
            .withModules(List.of(DoubleAuctionMarket.NAME));
    BlockPolicy policy =
        BlockPolicy.DEFAULT
            .withBlockPeriod(PERIOD)
            .withOnlyWhenTransactionsWait(false)
            .withMaxTransactions(5_000);
    List<BlockEngine> engines = new ArrayList<>();
    try {
      for (int i = 0; i < nodes; i++) {
        KeyPair sealer = sealers.get(i);
        engines.add(
            net.node(
                "node-" + i,
                b ->
                    b.genesis(genesis)
                        .store(BlockStores.inMemory())
                        .schedule(
                            ConsensusSchedule.of(
                                ProofOfAuthority.builder()
                                    .sealers(sealers.stream().map(KeyPair::address).toList())
                                    .build()))
                        .policy(policy)
                        .sealingKey(sealer)
                        .modules(List.of(new DoubleAuctionMarket()))));
      }
      net.run(Duration.ofMillis(3_000));
      long gate = engines.get(0).ledger().height() + 4 + orders.size() / 2_000;
      Instant delivery = Instant.ofEpochSecond(T0 / 1000 + 3_600);
      KeyPair operator = sealers.get(0);
      submit(
          engines.get(0),
          tx(
              operator,
              0,
              MarketCalls.open(
                  new MarketSpec(rule, kPpm, gate, delivery, delivery.plusSeconds(3_600)))));
      long deadline = clock.millis() + 60_000;
      while (!openEverywhere(engines) && clock.millis() < deadline) {
        net.step();
      }
      if (!openEverywhere(engines)) {
        throw new IllegalStateException("the market was not opened within 60 s of simulated time");
      }
      Map<Address, Long> nonces = new HashMap<>();
      Map<Hash, Placed> byTx = new HashMap<>();
      int next = 0;
      for (Placed o : orders) {
        KeyPair t = traders.get(o.id());
        long nonce = nonces.merge(t.address(), 1L, Long::sum) - 1;
        Payload call =
            o.side() == Side.BUY
                ? MarketCalls.bid(0, o.priceMicro(), o.quantityWh())
                : MarketCalls.ask(0, o.priceMicro(), o.quantityWh());
        Transaction tx = tx(t, nonce, call);
        byTx.put(tx.id(), o);
        submit(engines.get(next++ % nodes), tx);
      }
      deadline = clock.millis() + (gate + 20) * PERIOD.toMillis() * 3;
      while (!clearedEverywhere(engines, gate) && clock.millis() < deadline) {
        net.step();
      }
      if (!clearedEverywhere(engines, gate)) {
        throw new IllegalStateException(
            "the nodes did not all pass the gate closure height %d in time".formatted(gate));
      }
      LedgerState state = engines.get(0).ledger().state();
      Market m = Markets.market(state, 0).orElseThrow();
      if (m.orderCount() != orders.size()) {
        throw new IllegalStateException(
            "%d of %d orders reached the market before its gate closed"
                .formatted(m.orderCount(), orders.size()));
      }
      List<MarketOrder> onChainOrders = Markets.orders(state, 0);
      List<MarketTrade> trades = Markets.trades(state, 0);
      Map<Integer, Placed> byOrderId = new HashMap<>();
      for (MarketOrder o : onChainOrders) {
        byOrderId.put(o.id(), byTx.get(o.transaction()));
      }
      Hash gateBlock = engines.get(0).ledger().block(gate).orElseThrow().hash();
      boolean agree = true;
      for (BlockEngine e : engines) {
        LedgerState s = e.ledger().state();
        agree &=
            e.ledger().block(gate).orElseThrow().hash().equals(gateBlock)
                && Markets.market(s, 0).equals(Optional.of(m))
                && Markets.orders(s, 0).equals(onChainOrders)
                && Markets.trades(s, 0).equals(trades);
      }
      String note = offChainDifference(rule, kPpm, onChainOrders, trades);
      return new Sim(
          rule,
          kPpm,
          nodes,
          gate,
          engines.get(0).ledger().block(gate).orElseThrow().header().stateRoot(),
          m,
          onChainOrders,
          trades,
          byOrderId,
          agree,
          note.isEmpty(),
          note);
    } finally {
      net.close();
    }
  }

  /**
   * Clears the same orders off chain (lib-auction, in the chain's admission order, at the chain's
   * rounded prices and quantities) and says how the result differs from the chain's, or "".
   *
   * @param rule the market's rule
   * @param kPpm its k, in millionths (uniform price)
   * @param orders its orders as the chain holds them
   * @param trades its trades as the chain holds them
   * @return how they differ, or the empty string when every trade agrees
   */
  public static String offChainDifference(
      ClearingRule rule, int kPpm, List<MarketOrder> orders, List<MarketTrade> trades) {
    List<Order> buys = new ArrayList<>();
    List<Order> sells = new ArrayList<>();
    for (MarketOrder o : orders) {
      Order x =
          new Order(
              Integer.toString(o.id()),
              Units.microPerKWhToCentsPerKWh(o.priceMicroPerKWh()),
              Units.whToKWh(o.quantityWh()));
      (o.side() == Side.BUY ? buys : sells).add(x);
    }
    DoubleAuction auction =
        switch (rule) {
          case UNIFORM_PRICE -> DoubleAuction.uniformPrice(kPpm / 1e6);
          case PAY_AS_BID -> DoubleAuction.payAsBid();
          case MCAFEE -> DoubleAuction.mcAfee();
        };
    DoubleAuctionResult off = auction.clear(buys, sells);
    if (off.trades().size() != trades.size()) {
      return "off chain %d trades, on chain %d".formatted(off.trades().size(), trades.size());
    }
    for (int t = 0; t < trades.size(); t++) {
      Trade a = off.trades().get(t);
      MarketTrade b = trades.get(t);
      boolean same =
          Integer.parseInt(a.buyerId()) == b.buyOrder()
              && Integer.parseInt(a.sellerId()) == b.sellOrder()
              && Math.abs(a.quantity() * 1000 - b.quantityWh()) < 1e-6
              && within(a.buyerPrice(), b.buyerPriceMicroPerKWh())
              && within(a.sellerPrice(), b.sellerPriceMicroPerKWh());
      if (!same) {
        return "trade %d differs: off chain %s, on chain %s".formatted(t, a, b);
      }
    }
    return "";
  }

  /** On chain the price is the off-chain price rounded down to a micro-coin per kWh. */
  private static boolean within(double centsPerKWh, long micro) {
    double exact = centsPerKWh * 10_000;
    return micro <= exact + 1e-6 && exact - micro < 1 + 1e-6;
  }

  private static boolean openEverywhere(List<BlockEngine> engines) {
    for (BlockEngine e : engines) {
      if (Markets.count(e.ledger().state()) == 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean clearedEverywhere(List<BlockEngine> engines, long gate) {
    for (BlockEngine e : engines) {
      if (e.ledger().height() < gate) {
        return false;
      }
    }
    return true;
  }

  private static KeyPair key(long seed, String name) {
    return KeyPair.fromSeed(
        Hash.sha256(("GridTrade/market-sim/" + seed + "/" + name).getBytes(StandardCharsets.UTF_8))
            .bytes());
  }

  private static Transaction tx(KeyPair k, long nonce, Payload p) {
    return new TransactionBody(CHAIN, k.publicKey(), nonce, FEE, p).sign(k);
  }

  private static void submit(BlockEngine e, Transaction tx) {
    TxResult r = e.submit(tx);
    if (!r.accepted()) {
      throw new IllegalStateException("node %s refused a transaction: %s".formatted(e.id(), r));
    }
  }
}

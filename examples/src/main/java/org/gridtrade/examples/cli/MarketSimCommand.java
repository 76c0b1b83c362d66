package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
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
import org.gridtrade.market.Clearing;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gridtrade market-sim}: the {@code auction} command's order book, cleared on chain by a
 * network of in-process nodes running the double-auction market module.
 */
@Command(
    name = "market-sim",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Runs a double auction on chain: a Proof-of-Authority network of in-process nodes runs the"
          + " double-auction market module; every order of the scenario is signed by a key"
          + " generated for its id and submitted as a transaction (bids escrow their cost); at"
          + " the gate closure height every node clears the market itself. Prints the on-chain"
          + " trades, volume, welfare, clearing price and escrow released, whether all nodes"
          + " agree, and whether the result matches lib-auction's off-chain clearing of the same"
          + " orders.",
      "Scenario: the auction command's format ({\"mechanism\", \"k\", \"buyOrders\","
          + " \"sellOrders\"}, prices in c/kWh, quantities in kWh). On chain, prices become"
          + " micro-coins per kWh (1 c/kWh = 10,000) and quantities Wh, rounded half-even; a"
          + " price or quantity that rounds to 0 is refused."
    })
public final class MarketSimCommand implements Callable<Integer> {
  private static final int CHAIN = 77;
  private static final long T0 = 1_800_000_000_000L;
  private static final long FEE = 1;
  private static final long STEP_MILLIS = 10;
  private static final Duration PERIOD = Duration.ofSeconds(1);

  @Spec CommandSpec spec;

  @Option(
      names = "--scenario",
      paramLabel = "FILE",
      required = true,
      description = "JSON scenario file (the auction command's format).")
  Path scenario;

  @Option(
      names = "--mechanism",
      paramLabel = "RULE",
      description = "uniform-price, pay-as-bid or mcafee (default: the scenario's).")
  String mechanism;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      defaultValue = "3",
      description = "Nodes (Proof-of-Authority sealers), 1 to 7 (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seed of the generated keys and of the network's delays.")
  long seed;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  /** One scenario order with its on-chain units. */
  record Placed(String id, Side side, long priceMicro, long quantityWh) {}

  @Override
  public Integer call() throws IOException {
    if (nodes < 1 || nodes > 7) {
      throw new ParameterException(
          spec.commandLine(), "--nodes %d must be in 1..7".formatted(nodes));
    }
    String rule;
    List<Placed> orders = new ArrayList<>();
    double k;
    try {
      JsonNode root = ScenarioJson.read(scenario);
      rule = mechanism != null ? mechanism : ScenarioJson.text(root, "", "mechanism");
      ClearingRule.parse(rule);
      AuctionCommand.DoubleRun run = AuctionCommand.runDouble(rule, root);
      k = run.k().orElse(0.5);
      for (int side = 0; side < 2; side++) {
        List<Order> list = side == 0 ? run.buys() : run.sells();
        String field = side == 0 ? "buyOrders" : "sellOrders";
        for (int i = 0; i < list.size(); i++) {
          Order o = list.get(i);
          long p = Units.centsPerKWhToMicroPerKWh(o.price());
          long q = Units.kWhToWh(o.quantity());
          if (p < 1 || p > DoubleAuctionMarket.MAX_PRICE) {
            throw new IllegalArgumentException(
                "%s[%d] (id %s): price %s c/kWh is %d micro-coins per kWh on chain; it must be 1 to %d"
                    .formatted(field, i, o.id(), o.price(), p, DoubleAuctionMarket.MAX_PRICE));
          }
          if (q < 1 || q > DoubleAuctionMarket.MAX_QUANTITY) {
            throw new IllegalArgumentException(
                "%s[%d] (id %s): quantity %s kWh is %d Wh on chain; it must be 1 to %d"
                    .formatted(
                        field, i, o.id(), o.quantity(), q, DoubleAuctionMarket.MAX_QUANTITY));
          }
          orders.add(new Placed(o.id(), side == 0 ? Side.BUY : Side.SELL, p, q));
        }
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--scenario %s: %s".formatted(scenario, e.getMessage()));
    }
    Sim sim = simulate(ClearingRule.parse(rule), (int) Math.round(k * 1e6), orders);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(
          new ObjectMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(toJson(sim)));
    } else {
      out.print(toText(sim));
    }
    out.flush();
    return sim.agree() && sim.matchesOffChain() ? 0 : GridTradeCommand.EXIT_FAILURE;
  }

  /** What the run found. */
  record Sim(
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

  private Sim simulate(ClearingRule rule, int kPpm, List<Placed> orders) {
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
      sealers.add(key("node/" + i));
    }
    Map<String, KeyPair> traders = new LinkedHashMap<>();
    Map<Address, Long> alloc = new HashMap<>();
    sealers.forEach(s -> alloc.put(s.address(), 1_000_000L));
    for (Placed o : orders) {
      KeyPair t = traders.computeIfAbsent(o.id(), id -> key("trader/" + id));
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
      String note = offChainDifference(rule, kPpm, onChainOrders, byOrderId, trades);
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
   */
  private static String offChainDifference(
      ClearingRule rule,
      int kPpm,
      List<MarketOrder> orders,
      Map<Integer, Placed> byOrderId,
      List<MarketTrade> trades) {
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

  private KeyPair key(String name) {
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

  private static ObjectNode toJson(Sim s) {
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("command", "market-sim");
    root.put("mechanism", s.rule().label());
    if (s.rule() == ClearingRule.UNIFORM_PRICE) {
      root.put("k", s.kPpm() / 1e6);
    } else {
      root.putNull("k");
    }
    root.put("nodes", s.nodes());
    root.put("gateHeight", s.gateHeight());
    root.put("stateRoot", s.stateRoot().toString());
    ArrayNode orders = root.putArray("orders");
    for (MarketOrder o : s.orders()) {
      ObjectNode n = orders.addObject();
      n.put("orderId", o.id());
      n.put("id", s.byOrderId().get(o.id()).id());
      n.put("side", o.side() == Side.BUY ? "buy" : "sell");
      n.put("owner", o.owner().toString());
      n.put("priceMicroPerKWh", o.priceMicroPerKWh());
      n.put("quantityWh", o.quantityWh());
      n.put("escrowMicro", o.escrowMicro());
      n.put("filledWh", o.filledWh());
      n.put("settledMicro", o.settledMicro());
      n.put("refundedMicro", o.refundedMicro());
      n.put("transaction", o.transaction().toString());
    }
    ArrayNode trades = root.putArray("trades");
    for (MarketTrade t : s.trades()) {
      ObjectNode n = trades.addObject();
      n.put("buyer", s.byOrderId().get(t.buyOrder()).id());
      n.put("seller", s.byOrderId().get(t.sellOrder()).id());
      n.put("quantityWh", t.quantityWh());
      n.put("buyerPriceMicroPerKWh", t.buyerPriceMicroPerKWh());
      n.put("sellerPriceMicroPerKWh", t.sellerPriceMicroPerKWh());
      n.put("buyerPaysMicro", t.buyerPaysMicro());
      n.put("sellerReceivesMicro", t.sellerReceivesMicro());
    }
    Clearing c = s.market().clearing().orElseThrow();
    root.put("volumeWh", c.volumeWh());
    root.put("volume", Units.whToKWh(c.volumeWh()));
    root.put("welfareMicro", c.welfareMicro());
    root.put("welfare", Units.microToCents(c.welfareMicro()));
    if (c.buyerPrice().isPresent() && c.buyerPrice().equals(c.sellerPrice())) {
      root.put("clearingPriceMicroPerKWh", c.buyerPrice().getAsLong());
      root.put("clearingPrice", Units.microPerKWhToCentsPerKWh(c.buyerPrice().getAsLong()));
    } else {
      root.putNull("clearingPriceMicroPerKWh");
      root.putNull("clearingPrice");
    }
    root.put("paidMicro", c.paidMicro());
    root.put("receivedMicro", c.receivedMicro());
    root.put("escrowReleasedMicro", c.refundedMicro());
    root.put("budgetMicro", c.budgetMicro());
    root.put("noTradeReason", c.noTradeReason());
    root.put("agreeAcrossNodes", s.agree());
    root.put("matchesOffChain", s.matchesOffChain());
    if (!s.offChainNote().isEmpty()) {
      root.put("offChainDifference", s.offChainNote());
    }
    return root;
  }

  private static String toText(Sim s) {
    StringBuilder b = new StringBuilder();
    Clearing c = s.market().clearing().orElseThrow();
    b.append(
        String.format(
            Locale.ROOT,
            "Double auction on chain (%s%s): %d orders, %d nodes (Proof of Authority),"
                + " gate closed at height %d%n%n",
            s.rule().label(),
            s.rule() == ClearingRule.UNIFORM_PRICE ? ", k " + s.kPpm() / 1e6 : "",
            s.orders().size(),
            s.nodes(),
            s.gateHeight()));
    if (c.trades() == 0) {
      line(b, "no trade", "%s", c.noTradeReason());
    } else {
      if (c.buyerPrice().isPresent() && c.buyerPrice().equals(c.sellerPrice())) {
        line(b, "price", "%s", price(c.buyerPrice().getAsLong()));
      } else if (c.buyerPrice().isPresent()) {
        line(
            b,
            "prices",
            "buyers pay %s, sellers receive %s",
            price(c.buyerPrice().getAsLong()),
            price(c.sellerPrice().getAsLong()));
      }
      line(b, "volume", "%,d Wh in %d trades", c.volumeWh(), c.trades());
      line(
          b,
          "welfare",
          "%,d micro-coins (%s cents)",
          c.welfareMicro(),
          ScenarioJson.fmt(Units.microToCents(c.welfareMicro()), 4));
      line(
          b,
          "paid",
          "%,d micro-coins by buyers, %,d to sellers, %,d to the operator",
          c.paidMicro(),
          c.receivedMicro(),
          c.budgetMicro());
    }
    line(b, "escrow", "%,d micro-coins released to buyers", c.refundedMicro());
    line(
        b,
        "nodes",
        s.agree() ? "all %d agree (same gate block, same market records)" : "DISAGREE (%d nodes)",
        s.nodes());
    line(
        b,
        "off chain",
        s.matchesOffChain()
            ? "lib-auction clears the same trades (prices within 1 micro-coin/kWh)"
            : "%s",
        s.offChainNote());
    line(b, "state root", "%s", s.stateRoot());
    if (!s.trades().isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%nbuyer      seller           Wh  buyer pays (micro)  seller gets (micro)%n"));
      for (MarketTrade t : s.trades()) {
        b.append(
            String.format(
                Locale.ROOT,
                "%-10s %-10s %9d %19d %20d%n",
                s.byOrderId().get(t.buyOrder()).id(),
                s.byOrderId().get(t.sellOrder()).id(),
                t.quantityWh(),
                t.buyerPaysMicro(),
                t.sellerReceivesMicro()));
      }
    }
    return b.toString();
  }

  private static String price(long micro) {
    return "%,d micro-coins/kWh (%s c/kWh)"
        .formatted(micro, ScenarioJson.fmt(Units.microPerKWhToCentsPerKWh(micro), 4));
  }

  private static void line(StringBuilder b, String label, String format, Object... args) {
    b.append(
        String.format(Locale.ROOT, "%-10s %s%n", label, String.format(Locale.ROOT, format, args)));
  }
}

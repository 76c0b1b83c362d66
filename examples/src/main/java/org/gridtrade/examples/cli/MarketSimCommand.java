package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gridtrade.auction.Order;
import org.gridtrade.examples.study.MarketSimulation;
import org.gridtrade.examples.study.MarketSimulation.Placed;
import org.gridtrade.examples.study.MarketSimulation.Sim;
import org.gridtrade.ledger.Units;
import org.gridtrade.market.Clearing;
import org.gridtrade.market.ClearingRule;
import org.gridtrade.market.DoubleAuctionMarket;
import org.gridtrade.market.MarketOrder;
import org.gridtrade.market.MarketTrade;
import org.gridtrade.market.Side;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  @Mixin JsonOutput output;

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
    Sim sim =
        MarketSimulation.run(
            seed, nodes, ClearingRule.parse(rule), (int) Math.round(k * 1e6), orders);
    output.print(() -> toJson(sim), () -> toText(sim));
    return sim.agree() && sim.matchesOffChain() ? 0 : GridTradeCommand.EXIT_FAILURE;
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

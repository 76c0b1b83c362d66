package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import org.gridtrade.auction.DoubleAuction;
import org.gridtrade.auction.DoubleAuctionResult;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.ReverseAuction;
import org.gridtrade.auction.ReverseAuctionResult;
import org.gridtrade.auction.Trade;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gridtrade auction}: runs one of the one-shot auctions on a scenario file. */
@Command(
    name = "auction",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Runs a one-shot auction from a JSON scenario: a sealed-bid reverse auction among sellers"
          + " (first-price-reverse, second-price-reverse) or a double auction between buyers and"
          + " sellers (uniform-price, pay-as-bid, mcafee).",
      "Scenario fields: {\"mechanism\": ..., \"reserve\": 14.0, \"k\": 0.5, \"sellOrders\":"
          + " [{\"id\", \"price\", \"quantity\"}], \"buyOrders\": [{\"id\", \"price\","
          + " \"quantity\"}]}. Reverse auctions read sellOrders and the optional reserve"
          + " (quantity optional, default 1); uniform-price reads the optional k (default 0.5);"
          + " double auctions need both order lists. Other fields are ignored."
    })
public final class AuctionCommand implements Callable<Integer> {
  /** The most orders on one side of a scenario. */
  static final int MAX_ORDERS = 10_000;

  /** The mechanisms a scenario may name. */
  static final List<String> MECHANISMS =
      List.of(
          "first-price-reverse", "second-price-reverse", "uniform-price", "pay-as-bid", "mcafee");

  @Spec CommandSpec spec;

  @Option(
      names = "--scenario",
      paramLabel = "FILE",
      required = true,
      description = "JSON scenario file (fields above).")
  Path scenario;

  @Mixin JsonOutput output;

  @Override
  public Integer call() throws IOException {
    ObjectNode out;
    String text;
    try {
      JsonNode root = ScenarioJson.read(scenario);
      String mechanism = ScenarioJson.text(root, "", "mechanism");
      if (!MECHANISMS.contains(mechanism)) {
        throw new IllegalArgumentException(
            "field 'mechanism' is \"%s\"; it must be one of %s"
                .formatted(mechanism, String.join(", ", MECHANISMS)));
      }
      if (mechanism.endsWith("-reverse")) {
        ReverseRun run = runReverse(mechanism, root);
        out = toJson(run);
        text = toText(run);
      } else {
        DoubleRun run = runDouble(mechanism, root);
        out = toJson(run);
        text = toText(run);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--scenario %s: %s".formatted(scenario, e.getMessage()));
    }
    output.print(() -> out, () -> text);
    return 0;
  }

  /** A reverse auction and its result. */
  record ReverseRun(
      String mechanism, OptionalDouble reserve, List<Order> asks, ReverseAuctionResult result) {}

  /** A double auction and its result. */
  record DoubleRun(
      String mechanism,
      OptionalDouble k,
      List<Order> buys,
      List<Order> sells,
      DoubleAuctionResult result) {}

  static ReverseRun runReverse(String mechanism, JsonNode root) {
    List<Order> asks = orders(root, "sellOrders", true);
    ReverseAuction auction =
        mechanism.equals("first-price-reverse")
            ? ReverseAuction.firstPrice()
            : ReverseAuction.secondPrice();
    OptionalDouble reserve = OptionalDouble.empty();
    if (ScenarioJson.has(root, "reserve")) {
      reserve = OptionalDouble.of(ScenarioJson.number(root, "", "reserve"));
      auction = auction.withReserve(reserve.getAsDouble());
    }
    return new ReverseRun(mechanism, reserve, asks, auction.run(asks));
  }

  static DoubleRun runDouble(String mechanism, JsonNode root) {
    List<Order> buys = orders(root, "buyOrders", false);
    List<Order> sells = orders(root, "sellOrders", false);
    OptionalDouble k = OptionalDouble.empty();
    DoubleAuction auction;
    switch (mechanism) {
      case "uniform-price" -> {
        double kv = ScenarioJson.number(root, "", "k", 0.5);
        if (!(kv >= 0 && kv <= 1)) {
          throw new IllegalArgumentException("field 'k' is %s; it must be in [0, 1]".formatted(kv));
        }
        k = OptionalDouble.of(kv);
        auction = DoubleAuction.uniformPrice(kv);
      }
      case "pay-as-bid" -> auction = DoubleAuction.payAsBid();
      default -> auction = DoubleAuction.mcAfee();
    }
    return new DoubleRun(mechanism, k, buys, sells, auction.clear(buys, sells));
  }

  private static List<Order> orders(JsonNode root, String field, boolean quantityOptional) {
    return ScenarioJson.objects(
        root,
        "",
        field,
        MAX_ORDERS,
        (o, at) ->
            new Order(
                ScenarioJson.text(o, at, "id"),
                ScenarioJson.number(o, at, "price"),
                quantityOptional
                    ? ScenarioJson.number(o, at, "quantity", 1.0)
                    : ScenarioJson.number(o, at, "quantity")));
  }

  static ObjectNode toJson(ReverseRun run) {
    ReverseAuctionResult r = run.result();
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("command", "auction");
    root.put("mechanism", run.mechanism());
    putOptional(root, "reserve", run.reserve());
    root.put("traded", r.traded());
    if (r.winner().isPresent()) {
      root.put("winner", r.winner().get());
    } else {
      root.putNull("winner");
    }
    putOptional(root, "payment", r.payment());
    putOptional(root, "winningBid", r.winningBid());
    ArrayNode ranking = root.putArray("ranking");
    for (Order o : r.ranking()) {
      ObjectNode n = ranking.addObject();
      n.put("id", o.id());
      n.put("price", o.price());
      n.put("quantity", o.quantity());
    }
    ArrayNode excluded = root.putArray("excluded");
    for (ReverseAuctionResult.Exclusion e : r.excluded()) {
      ObjectNode n = excluded.addObject();
      n.put("id", e.id());
      n.put("reason", e.reason());
    }
    root.put("noTradeReason", r.noTradeReason());
    return root;
  }

  static ObjectNode toJson(DoubleRun run) {
    DoubleAuctionResult r = run.result();
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("command", "auction");
    root.put("mechanism", run.mechanism());
    putOptional(root, "k", run.k());
    putOptional(root, "price", r.price());
    putOptional(root, "buyerPrice", r.buyerPrice());
    putOptional(root, "sellerPrice", r.sellerPrice());
    root.put("volume", r.volume());
    ArrayNode trades = root.putArray("trades");
    for (Trade t : r.trades()) {
      ObjectNode n = trades.addObject();
      n.put("buyer", t.buyerId());
      n.put("seller", t.sellerId());
      n.put("quantity", t.quantity());
      n.put("buyerPrice", t.buyerPrice());
      n.put("sellerPrice", t.sellerPrice());
    }
    root.put("welfare", r.welfare());
    root.put("budget", r.budget());
    root.put("noTradeReason", r.noTradeReason());
    return root;
  }

  private static void putOptional(ObjectNode node, String field, OptionalDouble value) {
    if (value.isPresent()) {
      node.put(field, value.getAsDouble());
    } else {
      node.putNull(field);
    }
  }

  static String toText(ReverseRun run) {
    ReverseAuctionResult r = run.result();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Sealed-bid reverse auction (%s): %d sellers%s%n%n",
            run.mechanism(),
            run.asks().size(),
            run.reserve().isPresent()
                ? ", reserve " + ScenarioJson.fmt(run.reserve().getAsDouble(), 2) + " c/kWh"
                : ""));
    if (r.traded()) {
      line(b, "winner", "%s", r.winner().orElseThrow());
      line(b, "bid", "%s c/kWh", ScenarioJson.fmt(r.winningBid().orElseThrow(), 4));
      line(b, "paid", "%s c/kWh", ScenarioJson.fmt(r.payment().orElseThrow(), 4));
    } else {
      line(b, "no trade", "%s", r.noTradeReason());
    }
    int rank = 1;
    for (Order o : r.ranking()) {
      line(b, rank == 1 ? "ranking" : "", "%d. %s at %s", rank++, o.id(), fmtPrice(o.price()));
    }
    for (ReverseAuctionResult.Exclusion e : r.excluded()) {
      line(b, "excluded", "%s: %s", e.id(), e.reason());
    }
    return b.toString();
  }

  static String toText(DoubleRun run) {
    DoubleAuctionResult r = run.result();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Double auction (%s%s): %d buy orders, %d sell orders%n%n",
            run.mechanism(),
            run.k().isPresent() ? ", k " + run.k().getAsDouble() : "",
            run.buys().size(),
            run.sells().size()));
    if (r.trades().isEmpty()) {
      line(b, "no trade", "%s", r.noTradeReason());
      return b.toString();
    }
    if (r.price().isPresent()) {
      line(b, "price", "%s", fmtPrice(r.price().getAsDouble()));
    }
    if (r.buyerPrice().isPresent() && r.sellerPrice().isPresent() && r.price().isEmpty()) {
      line(
          b,
          "prices",
          "buyers pay %s, sellers receive %s",
          fmtPrice(r.buyerPrice().getAsDouble()),
          fmtPrice(r.sellerPrice().getAsDouble()));
    }
    line(b, "volume", "%s kWh in %d trades", ScenarioJson.fmt(r.volume(), 3), r.trades().size());
    line(b, "welfare", "%s cents", ScenarioJson.fmt(r.welfare(), 4));
    line(
        b,
        "budget",
        "%s cents (buyers' payments minus sellers' revenue; >= 0: no deficit)",
        ScenarioJson.fmt(r.budget(), 4));
    if (!r.noTradeReason().isEmpty()) {
      line(b, "note", "%s", r.noTradeReason());
    }
    b.append(
        String.format(Locale.ROOT, "%nbuyer      seller          kWh   buyer pays  seller gets%n"));
    for (Trade t : r.trades()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-10s %-10s %9s %12s %12s%n",
              t.buyerId(),
              t.sellerId(),
              ScenarioJson.fmt(t.quantity(), 3),
              ScenarioJson.fmt(t.buyerPrice(), 4),
              ScenarioJson.fmt(t.sellerPrice(), 4)));
    }
    return b.toString();
  }

  private static String fmtPrice(double price) {
    return ScenarioJson.fmt(price, 4) + " c/kWh";
  }

  private static void line(StringBuilder b, String label, String format, Object... args) {
    b.append(
        String.format(Locale.ROOT, "%-10s %s%n", label, String.format(Locale.ROOT, format, args)));
  }
}

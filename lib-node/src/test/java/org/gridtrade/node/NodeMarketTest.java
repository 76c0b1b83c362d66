package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gridtrade.node.NodeTests.await;
import static org.gridtrade.node.NodeTests.get;
import static org.gridtrade.node.NodeTests.status;
import static org.gridtrade.node.NodeTests.submit;
import static org.gridtrade.node.NodeTests.uri;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.gridtrade.auction.DemandResponseAuction;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Signature;
import org.gridtrade.market.AttestingMeters;
import org.gridtrade.market.ClearingRule;
import org.gridtrade.market.DeliveryTerms;
import org.gridtrade.market.DrAuctioneer;
import org.gridtrade.market.DrCalls;
import org.gridtrade.market.DrRound;
import org.gridtrade.market.DrRoundSpec;
import org.gridtrade.market.MarketCalls;
import org.gridtrade.market.MarketSpec;
import org.gridtrade.market.MarketTrade;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A market on a network of three nodes over mutual TLS: the operator opens it through one node's
 * API, a buyer and a seller place orders through the others, every node clears it at the gate and
 * serves the same market, orders and trades.
 */
class NodeMarketTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void market_openedAndTradedThroughTheApis_clearsTheSameOnEveryNode() throws Exception {
    LocalTestnet net = LocalTestnet.write(dir, 3, Duration.ofMillis(300), new SecureRandom());
    char[] pw = Files.readString(dir.resolve("users/password")).strip().toCharArray();
    List<KeyPair> users = new ArrayList<>();
    for (Path k : net.userKeys()) {
      users.add(Keystore.read(k, pw));
    }
    List<GridTradeNode> nodes = new ArrayList<>();
    try {
      for (Path c : net.configs()) {
        nodes.add(GridTradeNode.start(NodeConfig.read(c)));
      }
      List<GridTradeClient> clients = nodes.stream().map(n -> GridTradeClient.of(uri(n))).toList();
      await(
          "every node has both peers",
          () -> clients.stream().allMatch(c -> c.status().peers().size() == 2));
      long gate = clients.get(0).status().height() + 30;
      Instant delivery = Instant.ofEpochSecond(2_000_000_000L);
      submit(
          clients.get(0),
          users.get(0),
          MarketCalls.open(
              new MarketSpec(
                  ClearingRule.UNIFORM_PRICE, 500_000, gate, delivery, delivery.plusSeconds(900))));
      await(
          "every node has market 0",
          () -> nodes.stream().allMatch(n -> status(n, "/v1/markets/0") == 200));
      long sellerBefore = clients.get(2).account(users.get(2).address()).balance();
      submit(clients.get(1), users.get(1), MarketCalls.bid(0, 100_000, 2_000));
      submit(clients.get(2), users.get(2), MarketCalls.ask(0, 60_000, 1_500));
      await(
          "every node is past the gate",
          () -> clients.stream().allMatch(c -> c.status().height() >= gate));

      String market = get(uri(nodes.get(0)), "/v1/markets/0");
      JsonNode m = JSON.readTree(market).get("market");
      JsonNode c = m.get("clearing");
      assertThat(m.get("orderCount").asInt()).isEqualTo(2);
      assertThat(c.get("trades").asInt()).isEqualTo(1);
      assertThat(c.get("volumeWh").asLong()).isEqualTo(1_500);
      // The bid keeps 500 Wh, so no price below it clears the market: 100,000 per kWh.
      assertThat(c.get("buyerPriceMicroPerKWh").asLong()).isEqualTo(100_000);
      assertThat(c.get("paidMicro").asLong()).isEqualTo(150_000);
      for (GridTradeNode n : nodes) {
        assertThat(JSON.readTree(get(uri(n), "/v1/markets/0")).get("market")).isEqualTo(m);
        JsonNode trades = JSON.readTree(get(uri(n), "/v1/markets/0/trades")).get("trades");
        assertThat(trades).hasSize(1);
        assertThat(trades.get(0).get("sellerReceivesMicro").asLong()).isEqualTo(150_000);
        JsonNode orders = JSON.readTree(get(uri(n), "/v1/markets/0/orders")).get("orders");
        assertThat(orders.get(0).get("refundedMicro").asLong()).isEqualTo(50_000);
      }
      assertThat(clients.get(0).account(users.get(2).address()).balance())
          .isEqualTo(sellerBefore + 150_000 - 10);

      // A market that settles on metered delivery (an interval already over), the seller's
      // deliveries attested by 2 of its 3 registered meters; the buyer posts the reading.
      List<KeyPair> meters = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        meters.add(
            KeyPair.fromSeed(
                Hash.sha256(("meter/" + i).getBytes(StandardCharsets.US_ASCII)).bytes()));
      }
      Instant start = Instant.ofEpochSecond(Instant.now().getEpochSecond() - 3_600);
      Instant end = start.plusSeconds(900);
      long gate1 = clients.get(0).status().height() + 40;
      submit(
          clients.get(0),
          users.get(0),
          MarketCalls.open(
              new MarketSpec(ClearingRule.UNIFORM_PRICE, 500_000, gate1, start, end)
                  .withDelivery(new DeliveryTerms(100_000, gate1 + 400))));
      submit(
          clients.get(0),
          users.get(0),
          MarketCalls.registerMeters(
              users.get(2).address(),
              new AttestingMeters(2, meters.stream().map(KeyPair::publicKey).toList())));
      submit(clients.get(1), users.get(1), MarketCalls.bid(1, 100_000, 1_000));
      submit(clients.get(2), users.get(2), MarketCalls.ask(1, 60_000, 1_000));
      await(
          "every node is past the second gate",
          () -> clients.stream().allMatch(x -> x.status().height() >= gate1));
      byte[] reading =
          MarketCalls.readingMessage(
              LocalTestnet.CHAIN_ID, users.get(2).address(), start, end, 800);
      SortedMap<Integer, Signature> sigs = new TreeMap<>();
      sigs.put(0, meters.get(0).sign(reading));
      sigs.put(2, meters.get(2).sign(reading));
      submit(clients.get(1), users.get(1), MarketCalls.attestedDelivery(1, 1, 800, sigs));
      await(
          "every node settled the ask",
          () ->
              nodes.stream()
                  .allMatch(
                      n -> {
                        try {
                          return JSON.readTree(get(uri(n), "/v1/markets/1/deliveries"))
                                  .get("deliveries")
                                  .size()
                              == 1;
                        } catch (Exception e) {
                          return false;
                        }
                      }));
      for (GridTradeNode n : nodes) {
        JsonNode d = JSON.readTree(get(uri(n), "/v1/markets/1/deliveries")).get("deliveries");
        assertThat(d.get(0).get("order").asInt()).isEqualTo(1);
        assertThat(d.get(0).get("deliveredWh").asLong()).isEqualTo(800);
        assertThat(d.get(0).get("byDeadline").asBoolean()).isFalse();
        // 200 Wh short at 100,000 per kWh: 20,000 micro-coins to the buyer
        assertThat(d.get(0).get("penaltyMicro").asLong()).isEqualTo(20_000);
        JsonNode am =
            JSON.readTree(get(uri(n), "/v1/meters/" + users.get(2).address()))
                .get("attestingMeters");
        assertThat(am.get("threshold").asInt()).isEqualTo(2);
        assertThat(am.get("meters").get(1).asText())
            .isEqualTo(HexFormat.of().formatHex(meters.get(1).publicKey().bytes()));
      }
      // The buyer rates the delivered trade; every node serves the rating with the trade.
      JsonNode t0 =
          JSON.readTree(get(uri(nodes.get(0)), "/v1/markets/1/trades")).get("trades").get(0);
      MarketTrade traded =
          new MarketTrade(
              1,
              t0.get("index").asInt(),
              t0.get("buyOrder").asInt(),
              t0.get("sellOrder").asInt(),
              t0.get("quantityWh").asLong(),
              t0.get("buyerPriceMicroPerKWh").asLong(),
              t0.get("sellerPriceMicroPerKWh").asLong(),
              t0.get("buyerPaysMicro").asLong(),
              t0.get("sellerReceivesMicro").asLong());
      assertThat(t0.get("rating").isNull()).isTrue();
      submit(clients.get(2), users.get(1), MarketCalls.rate(traded, users.get(2).address(), 4));
      await(
          "every node holds the rating",
          () ->
              nodes.stream()
                  .allMatch(n -> field(n, "/v1/markets/1/trades", "/trades/0/rating") == 4));

      demandResponseRound(nodes, clients, users);

      assertThat(status(nodes.get(0), "/v1/meters/" + users.get(1).address())).isEqualTo(404);
      assertThat(status(nodes.get(0), "/v1/meters/nope")).isEqualTo(400);
      assertThat(status(nodes.get(1), "/v1/markets/9")).isEqualTo(404);
      assertThat(status(nodes.get(1), "/v1/markets/x")).isEqualTo(400);
      assertThat(status(nodes.get(1), "/v1/markets/0/bids")).isEqualTo(404);
      assertThat(status(nodes.get(1), "/v1/dr-rounds/7")).isEqualTo(404);
      assertThat(status(nodes.get(1), "/v1/dr-rounds/x")).isEqualTo(400);
    } finally {
      nodes.forEach(GridTradeNode::close);
    }
  }

  /**
   * A demand-response round through the APIs: the operator opens it and certifies the auction's
   * allocation, the EV escrows, the SP settles its cell with a token built from what the node
   * serves (the EV's escrow and pre_record), and the EV rates the SP.
   */
  private void demandResponseRound(
      List<GridTradeNode> nodes, List<GridTradeClient> clients, List<KeyPair> users)
      throws Exception {
    KeyPair operator = users.get(0);
    KeyPair ev = users.get(1);
    KeyPair sp = users.get(2);
    DrInstance market =
        DrAuctioneer.onGrid(
            new DrInstance(
                List.of(new DrInstance.Ev("ev", 1.0, 2.0, 20.0, 30.0)),
                List.of(new DrInstance.Sp("sp", 50.0, 0.01, 1.5)),
                0.9,
                0.9,
                0.001));
    long height = clients.get(0).status().height();
    DrRoundSpec spec =
        DrAuctioneer.spec(
            market,
            List.of(ev.address()),
            List.of(sp.address()),
            DemandResponseAuction.DEFAULT_RETAIL_PRICE,
            2_000,
            height + 200,
            height + 400);
    submit(clients.get(0), operator, DrCalls.open(spec));
    await(
        "every node has round 0",
        () -> nodes.stream().allMatch(n -> status(n, "/v1/dr-rounds/0") == 200));
    submit(clients.get(1), ev, DrCalls.escrow(0));
    await(
        "every node holds the escrow",
        () ->
            nodes.stream()
                .allMatch(n -> field(n, "/v1/dr-rounds/0", "/round/evs/0/escrowMicro") > 0));
    DrAuctioneer.Certificate cert =
        DrAuctioneer.certificate(spec, market, DemandResponseAuction.builder().build().run(market));
    submit(clients.get(0), operator, cert.certify(0));
    await(
        "every node certified the round",
        () ->
            nodes.stream()
                .allMatch(n -> text(n, "/v1/dr-rounds/0", "/round/status").equals("certified")));
    JsonNode round = JSON.readTree(get(uri(nodes.get(2)), "/v1/dr-rounds/0")).get("round");
    JsonNode cell = round.at("/certificate/cells/0");
    long escrow = round.at("/evs/0/escrowMicro").asLong();
    long now = System.currentTimeMillis();
    Payload.DemandResponseSettlement token =
        Payload.DemandResponseSettlement.sign(
            LocalTestnet.CHAIN_ID,
            new Payload.DemandResponseSettlement.Request(0, ev.address(), escrow),
            new Payload.DemandResponseSettlement.Token(
                escrow,
                now + 600_000,
                Hash.fromHex(round.at("/evs/0/preRecord").asText()),
                now - 60_000),
            cell.get("supplyWh").asLong(),
            cell.get("paymentMicro").asLong(),
            sp,
            ev);
    long spBefore = clients.get(2).account(sp.address()).balance();
    submit(clients.get(2), sp, DrCalls.settle(0, 0, token));
    await(
        "every node settled the cell",
        () ->
            nodes.stream()
                .allMatch(
                    n ->
                        text(n, "/v1/dr-rounds/0", "/round/certificate/cells/0/settled")
                            .equals("true")));
    assertThat(clients.get(2).account(sp.address()).balance())
        .isEqualTo(spBefore + cell.get("paymentMicro").asLong() - 10);
    // The EV rates the SP: the call is built from the round as the node serves it.
    JsonNode certified = JSON.readTree(get(uri(nodes.get(0)), "/v1/dr-rounds/0")).get("round");
    JsonNode c = certified.get("certificate");
    DrRound served =
        new DrRound(
            certified.get("id").asLong(),
            operator.address(),
            spec,
            DrRound.Status.CERTIFIED,
            List.of(certified.at("/evs/0/escrowMicro").asLong()),
            Optional.of(
                new DrRound.Certificate(
                    List.of(List.of(c.at("/cells/0/supplyWh").asLong())),
                    List.of(c.at("/evPricesMicroPerKWh/0").asLong()),
                    List.of(c.at("/spPricesMicroPerKWh/0").asLong()),
                    List.of(c.at("/evPaymentsMicro/0").asLong()),
                    List.of(List.of(c.at("/cells/0/paymentMicro").asLong())),
                    List.of(List.of(true)),
                    List.of(),
                    c.get("operatorMicro").asLong())));
    submit(clients.get(1), ev, DrCalls.rate(served, 0, 0, 5));
    await(
        "every node holds the EV's rating",
        () ->
            nodes.stream()
                .allMatch(
                    n -> field(n, "/v1/dr-rounds/0", "/round/certificate/cells/0/rating") == 5));
    assertThat(c.at("/evPaymentsMicro/0").asLong()).isPositive();
  }

  private static long field(GridTradeNode n, String path, String pointer) {
    try {
      return JSON.readTree(get(uri(n), path)).at(pointer).asLong(-1);
    } catch (Exception e) {
      return -1;
    }
  }

  private static String text(GridTradeNode n, String path, String pointer) {
    try {
      return JSON.readTree(get(uri(n), path)).at(pointer).asText();
    } catch (Exception e) {
      return "";
    }
  }
}

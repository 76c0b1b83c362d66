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
import java.util.SortedMap;
import java.util.TreeMap;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.Signature;
import org.gridtrade.market.AttestingMeters;
import org.gridtrade.market.ClearingRule;
import org.gridtrade.market.DeliveryTerms;
import org.gridtrade.market.MarketCalls;
import org.gridtrade.market.MarketSpec;
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
      assertThat(status(nodes.get(0), "/v1/meters/" + users.get(1).address())).isEqualTo(404);
      assertThat(status(nodes.get(0), "/v1/meters/nope")).isEqualTo(400);
      assertThat(status(nodes.get(1), "/v1/markets/9")).isEqualTo(404);
      assertThat(status(nodes.get(1), "/v1/markets/x")).isEqualTo(400);
      assertThat(status(nodes.get(1), "/v1/markets/0/bids")).isEqualTo(404);
    } finally {
      nodes.forEach(GridTradeNode::close);
    }
  }
}

package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gridtrade.node.NodeTests.await;
import static org.gridtrade.node.NodeTests.get;
import static org.gridtrade.node.NodeTests.status;
import static org.gridtrade.node.NodeTests.submit;
import static org.gridtrade.node.NodeTests.uri;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.market.ClearingRule;
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
      assertThat(status(nodes.get(1), "/v1/markets/9")).isEqualTo(404);
      assertThat(status(nodes.get(1), "/v1/markets/x")).isEqualTo(400);
      assertThat(status(nodes.get(1), "/v1/markets/0/bids")).isEqualTo(404);
    } finally {
      nodes.forEach(GridTradeNode::close);
    }
  }
}

package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gridtrade.node.NodeTests.await;
import static org.gridtrade.node.NodeTests.get;
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
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.market.ClearingRule;
import org.gridtrade.market.DoubleAuctionMarket;
import org.gridtrade.market.MarketCalls;
import org.gridtrade.market.MarketSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network of three nodes over mutual TLS, one of them a separate process whose market module pays
 * its own proposer out of the market's escrow. Its blocks are refused by the two honest nodes,
 * which keep sealing (out of turn where it is in turn), keep every escrowed coin, and never accept
 * a block it proposed once there is escrow to steal.
 */
class ByzantineNodeProcessTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void thievingNodeProcess_blocksAreRefused_escrowStaysWhole() throws Exception {
    LocalTestnet net = LocalTestnet.write(dir, 3, Duration.ofMillis(300), new SecureRandom());
    List<KeyPair> users = NodeTests.users(dir, net);
    NodeConfig thiefConfig = NodeConfig.read(net.configs().get(2));
    char[] thiefPw = Files.readString(dir.resolve("node-2/password")).strip().toCharArray();
    String thief = Keystore.read(thiefConfig.keystore(), thiefPw).address().toString();
    List<GridTradeNode> honest = new ArrayList<>();
    Process child = null;
    try {
      honest.add(GridTradeNode.start(NodeConfig.read(net.configs().get(0))));
      honest.add(GridTradeNode.start(NodeConfig.read(net.configs().get(1))));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      child =
          new ProcessBuilder(
                  java,
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  ThievingNodeMain.class.getName(),
                  net.configs().get(2).toString(),
                  thief)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("thief.log").toFile())
              .start();
      Process p = child;
      await("the thief started", () -> log(dir).contains("started") || !p.isAlive());
      assertThat(child.isAlive()).as(log(dir)).isTrue();
      List<GridTradeClient> clients = honest.stream().map(n -> GridTradeClient.of(uri(n))).toList();
      await(
          "every honest node has both peers",
          () -> clients.stream().allMatch(c -> c.status().peers().size() == 2));

      long far = clients.get(0).status().height() + 100_000;
      Instant delivery = Instant.ofEpochSecond(2_000_000_000L);
      long openHeight =
          submit(
              clients.get(0),
              users.get(0),
              MarketCalls.open(
                  new MarketSpec(
                      ClearingRule.UNIFORM_PRICE,
                      500_000,
                      far,
                      delivery,
                      delivery.plusSeconds(900))));
      // The bid goes to another node, which admits it only once it holds the market.
      await(
          "node 1 holds the market's block", () -> clients.get(1).status().height() >= openHeight);
      long bidHeight = submit(clients.get(1), users.get(1), MarketCalls.bid(0, 100_000, 2_000));
      // Nine more blocks: the thief is in turn for three of them.
      await(
          "both honest nodes are nine blocks past the bid",
          () -> clients.stream().allMatch(c -> c.status().height() >= bidHeight + 9));

      String escrow = LedgerModule.account(DoubleAuctionMarket.NAME).toString();
      for (GridTradeClient c : clients) {
        assertThat(c.account(org.gridtrade.ledger.Address.parse(escrow)).balance())
            .as("the escrow on an honest node")
            .isEqualTo(200_000);
      }
      long h = clients.get(0).status().height();
      for (long x = bidHeight + 1; x <= h; x++) {
        JsonNode b0 = JSON.readTree(get(uri(honest.get(0)), "/v1/blocks/" + x));
        JsonNode b1 = JSON.readTree(get(uri(honest.get(1)), "/v1/blocks/" + x));
        assertThat(b0.get("hash")).isEqualTo(b1.get("hash"));
        assertThat(b0.get("proposer").asText()).as("proposer of block %d", x).isNotEqualTo(thief);
      }
      String metrics = get(uri(honest.get(0)), "/metrics");
      assertThat(metrics).containsPattern("gridtrade_height [1-9]");
    } finally {
      NodeTests.stop(child);
      honest.forEach(GridTradeNode::close);
    }
  }

  private static String log(Path dir) {
    return NodeTests.read(dir.resolve("thief.log"));
  }
}

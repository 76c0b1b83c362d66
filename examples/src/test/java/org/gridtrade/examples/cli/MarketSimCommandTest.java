package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code gridtrade market-sim} against {@code gridtrade auction} on the same scenario: the trades
 * the nodes clear on chain are the off-chain auction's, and the money adds up.
 */
public class MarketSimCommandTest {
  private static final Path UNIFORM = Path.of("scenarios", "double-uniform.json");

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"uniform-price", "pay-as-bid", "mcafee"})
  void marketSim_clearsOnChainTheTradesOfTheAuctionCommand(String mechanism) {
    Cli sim =
        Cli.run("market-sim", "--scenario", UNIFORM.toString(), "--mechanism", mechanism, "--json");
    assertThat(sim.exitCode()).as(sim.err()).isZero();
    JsonNode s = sim.json();
    assertThat(s.get("agreeAcrossNodes").asBoolean()).isTrue();
    assertThat(s.get("matchesOffChain").asBoolean()).isTrue();
    assertThat(s.get("nodes").asInt()).isEqualTo(3);

    Path scenario = tmp.resolve("s.json");
    write(scenario, UNIFORM, mechanism);
    Cli auction = Cli.run("auction", "--scenario", scenario.toString(), "--json");
    assertThat(auction.exitCode()).as(auction.err()).isZero();
    JsonNode a = auction.json();
    assertThat(s.get("trades")).hasSameSizeAs(a.get("trades"));
    for (int t = 0; t < a.get("trades").size(); t++) {
      JsonNode x = a.get("trades").get(t);
      JsonNode y = s.get("trades").get(t);
      assertThat(y.get("buyer").asText()).isEqualTo(x.get("buyer").asText());
      assertThat(y.get("seller").asText()).isEqualTo(x.get("seller").asText());
      assertThat(y.get("quantityWh").asDouble()).isEqualTo(x.get("quantity").asDouble() * 1000);
      assertThat(y.get("buyerPriceMicroPerKWh").asDouble())
          .isEqualTo(Math.floor(x.get("buyerPrice").asDouble() * 10_000 + 1e-6));
      assertThat(y.get("sellerPriceMicroPerKWh").asDouble())
          .isEqualTo(Math.floor(x.get("sellerPrice").asDouble() * 10_000 + 1e-6));
    }
    assertThat(s.get("volume").asDouble()).isEqualTo(a.get("volume").asDouble());
    assertThat(s.get("welfare").asDouble()).isEqualTo(a.get("welfare").asDouble());

    // Money: buyers pay what the trades say, the rest of their escrow comes back.
    long pays = 0;
    long gets = 0;
    for (JsonNode t : s.get("trades")) {
      pays += t.get("buyerPaysMicro").asLong();
      gets += t.get("sellerReceivesMicro").asLong();
    }
    long escrow = 0;
    for (JsonNode o : s.get("orders")) {
      escrow += o.get("escrowMicro").asLong();
    }
    assertThat(s.get("paidMicro").asLong()).isEqualTo(pays);
    assertThat(s.get("receivedMicro").asLong()).isEqualTo(gets);
    assertThat(s.get("budgetMicro").asLong()).isEqualTo(pays - gets);
    assertThat(s.get("escrowReleasedMicro").asLong()).isEqualTo(escrow - pays);
  }

  @Test
  void marketSim_priceThatRoundsToZeroOnChain_isRefusedWithExit2AndOneLine() throws IOException {
    Path bad = tmp.resolve("bad.json");
    Files.writeString(
        bad,
        """
        {"mechanism": "uniform-price",
         "buyOrders": [{"id": "B", "price": 0.00001, "quantity": 1}],
         "sellOrders": [{"id": "S", "price": 5, "quantity": 1}]}
        """);
    Cli r = Cli.run("market-sim", "--scenario", bad.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("buyOrders[0] (id B)", "price 1.0E-5 c/kWh", "must be 1 to");
  }

  @Test
  void marketSim_badOptions_areRefusedWithExit2() {
    Cli nodes = Cli.run("market-sim", "--scenario", UNIFORM.toString(), "--nodes", "9");
    assertThat(nodes.exitCode()).isEqualTo(2);
    assertThat(nodes.err()).contains("--nodes 9 must be in 1..7");
    Cli rule = Cli.run("market-sim", "--scenario", UNIFORM.toString(), "--mechanism", "vickrey");
    assertThat(rule.exitCode()).isEqualTo(2);
    assertThat(rule.err()).contains("'vickrey' must be one of uniform-price, pay-as-bid, mcafee");
  }

  private static void write(Path to, Path from, String mechanism) {
    try {
      String text = Files.readString(from);
      Files.writeString(
          to,
          text.replaceFirst("\"mechanism\": \"[a-z-]+\"", "\"mechanism\": \"" + mechanism + "\""));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

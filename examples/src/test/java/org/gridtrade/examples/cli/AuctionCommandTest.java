package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class AuctionCommandTest {
  private static final Path SCENARIOS = Path.of("scenarios");

  @TempDir Path tmp;

  @Test
  void secondPrice_winnerIsLowestAdmissibleAsk_paidTheNextOne() {
    JsonNode scenario = ScenarioJson.read(SCENARIOS.resolve("reverse-second-price.json"));
    double reserve = scenario.get("reserve").asDouble();
    List<double[]> admissible = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (JsonNode o : scenario.get("sellOrders")) {
      if (o.get("price").asDouble() <= reserve) {
        admissible.add(new double[] {o.get("price").asDouble()});
        ids.add(o.get("id").asText());
      }
    }
    int best = 0;
    for (int i = 1; i < admissible.size(); i++) {
      if (admissible.get(i)[0] < admissible.get(best)[0]) {
        best = i;
      }
    }
    double second = Double.POSITIVE_INFINITY;
    for (int i = 0; i < admissible.size(); i++) {
      if (i != best) {
        second = Math.min(second, admissible.get(i)[0]);
      }
    }

    Cli r =
        Cli.run(
            "auction", "--scenario", SCENARIOS.resolve("reverse-second-price.json") + "", "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("winner").asText()).isEqualTo(ids.get(best));
    assertThat(j.get("payment").asDouble()).isEqualTo(second);
    assertThat(j.get("excluded")).hasSize(scenario.get("sellOrders").size() - admissible.size());
  }

  @Test
  void doubleAuctions_tradesRespectOrders_welfareAndBudgetAddUp() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(SCENARIOS)) {
      files = s.filter(p -> p.getFileName().toString().startsWith("double-")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(3);
    for (Path file : files) {
      JsonNode scenario = ScenarioJson.read(file);
      Map<String, double[]> buys = orders(scenario.get("buyOrders"));
      Map<String, double[]> sells = orders(scenario.get("sellOrders"));

      Cli r = Cli.run("auction", "--scenario", file.toString(), "--json");

      assertThat(r.exitCode()).as(file + ": " + r.err()).isZero();
      JsonNode j = r.json();
      assertThat(j.get("mechanism").asText()).isEqualTo(scenario.get("mechanism").asText());
      double volume = 0;
      double welfare = 0;
      double budget = 0;
      Map<String, Double> bought = new HashMap<>();
      Map<String, Double> sold = new HashMap<>();
      for (JsonNode t : j.get("trades")) {
        double[] b = buys.get(t.get("buyer").asText());
        double[] s = sells.get(t.get("seller").asText());
        double q = t.get("quantity").asDouble();
        assertThat(t.get("buyerPrice").asDouble()).as(file + " IR buyer").isLessThanOrEqualTo(b[0]);
        assertThat(t.get("sellerPrice").asDouble())
            .as(file + " IR seller")
            .isGreaterThanOrEqualTo(s[0]);
        bought.merge(t.get("buyer").asText(), q, Double::sum);
        sold.merge(t.get("seller").asText(), q, Double::sum);
        volume += q;
        welfare += q * (b[0] - s[0]);
        budget += q * (t.get("buyerPrice").asDouble() - t.get("sellerPrice").asDouble());
      }
      bought.forEach((id, q) -> assertThat(q).isLessThanOrEqualTo(buys.get(id)[1] + 1e-9));
      sold.forEach((id, q) -> assertThat(q).isLessThanOrEqualTo(sells.get(id)[1] + 1e-9));
      assertThat(j.get("volume").asDouble()).isCloseTo(volume, within(1e-9));
      assertThat(j.get("welfare").asDouble()).isCloseTo(welfare, within(1e-9));
      assertThat(j.get("budget").asDouble())
          .isCloseTo(budget, within(1e-9))
          .isGreaterThanOrEqualTo(-1e-9);
    }
  }

  private static Map<String, double[]> orders(JsonNode list) {
    Map<String, double[]> m = new HashMap<>();
    for (JsonNode o : list) {
      m.put(
          o.get("id").asText(),
          new double[] {o.get("price").asDouble(), o.get("quantity").asDouble()});
    }
    return m;
  }

  @Test
  void text_namesWinnerAndPrices() {
    Cli r = Cli.run("auction", "--scenario", SCENARIOS.resolve("double-uniform.json").toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("price").contains("welfare").contains("budget");
  }

  @Test
  void badScenarios_exit2WithTheFieldAndRule() throws IOException {
    assertThat(refused("{\"mechanism\": \"dutch\", \"sellOrders\": []}"))
        .contains("mechanism")
        .contains("dutch")
        .contains("second-price-reverse");
    assertThat(
            refused(
                "{\"mechanism\": \"uniform-price\", \"buyOrders\": [{\"id\": \"B\", \"price\": 5,"
                    + " \"quantity\": 1}], \"sellOrders\": [{\"id\": \"S\", \"price\": -1,"
                    + " \"quantity\": 1}]}"))
        .contains("sellOrders[0]")
        .contains("-1");
    assertThat(
            refused(
                "{\"mechanism\": \"pay-as-bid\", \"buyOrders\": [{\"id\": \"B\", \"price\": 5,"
                    + " \"quantity\": 1}, {\"id\": \"B\", \"price\": 6, \"quantity\": 1}],"
                    + " \"sellOrders\": [{\"id\": \"S\", \"price\": 1, \"quantity\": 1}]}"))
        .contains("B");
    assertThat(refused("{\"mechanism\": \"mcafee\", \"sellOrders\": []}")).contains("buyOrders");
    assertThat(
            refused(
                "{\"mechanism\": \"uniform-price\", \"k\": 2, \"buyOrders\": [],"
                    + " \"sellOrders\": []}"))
        .contains("'k'");
    assertThat(refused("{\"mechanism\": \"mcafee\", ")).contains("not valid JSON");
  }

  @Test
  void emptyBook_isNoTradeWithReason() throws IOException {
    Path f = tmp.resolve("empty.json");
    Files.writeString(
        f, "{\"mechanism\": \"uniform-price\", \"buyOrders\": [], \"sellOrders\": []}");
    Cli r = Cli.run("auction", "--scenario", f.toString(), "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.json().get("volume").asDouble()).isZero();
    assertThat(r.json().get("noTradeReason").asText()).isNotBlank();
  }

  private String refused(String json) throws IOException {
    Path f = Files.createTempFile(tmp, "s", ".json");
    Files.writeString(f, json);
    Cli r = Cli.run("auction", "--scenario", f.toString());
    assertThat(r.exitCode()).as(r.out()).isEqualTo(2);
    return r.errorLine();
  }
}

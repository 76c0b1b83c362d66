package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class DrAuctionCommandTest {
  private static final Path SCENARIO = Path.of("scenarios", "dr-small.json");

  @TempDir Path tmp;

  @Test
  void scenario_json_allocationIsFeasibleAndNearOptimal() throws IOException {
    Cli r = Cli.run("dr-auction", "--scenario", SCENARIO.toString(), "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("converged").asBoolean()).isTrue();
    assertThat(j.get("iterations").asInt()).isPositive();
    double optimum = j.get("optimalWelfare").asDouble();
    assertThat(j.get("welfare").asDouble()).isCloseTo(optimum, within(1e-3 * Math.abs(optimum)));

    // Check the allocation against the scenario file itself, not against the library.
    JsonNode scenario = ScenarioJson.read(SCENARIO);
    double eta = scenario.get("eta").asDouble();
    double rho = scenario.get("rho").asDouble();
    Map<String, Double> received = new HashMap<>();
    Map<String, Double> supplied = new HashMap<>();
    for (JsonNode a : j.get("allocation")) {
      double energy = a.get("energy").asDouble();
      assertThat(energy).isGreaterThanOrEqualTo(0);
      assertThat(a.get("supply").asDouble() * rho).isCloseTo(energy, within(1e-9));
      received.merge(a.get("ev").asText(), eta * energy, Double::sum);
      supplied.merge(a.get("sp").asText(), a.get("supply").asDouble(), Double::sum);
    }
    for (JsonNode ev : scenario.get("evs")) {
      double got = received.getOrDefault(ev.get("id").asText(), 0.0);
      assertThat(got).isBetween(ev.get("eMin").asDouble() - 1e-6, ev.get("eMax").asDouble() + 1e-6);
    }
    for (JsonNode sp : scenario.get("sps")) {
      assertThat(supplied.getOrDefault(sp.get("id").asText(), 0.0))
          .isLessThanOrEqualTo(sp.get("capacity").asDouble() + 1e-6);
    }
    assertThat(j.get("rounds").asInt()).isEqualTo(j.get("iterations").asInt());
    // every EV's entry agrees with the allocation and with Eq. 4.1 on the scenario's numbers
    assertThat(j.get("evs")).hasSize(5);
    for (JsonNode ev : scenario.get("evs")) {
      String id = ev.get("id").asText();
      JsonNode e = null;
      for (JsonNode candidate : j.get("evs")) {
        if (candidate.get("id").asText().equals(id)) {
          e = candidate;
        }
      }
      assertThat(e).as(id).isNotNull();
      double got = received.getOrDefault(id, 0.0);
      assertThat(e.get("energy").asDouble()).isCloseTo(got, within(1e-9));
      double w = ev.get("sigma").asDouble() / ev.get("soc").asDouble();
      assertThat(e.get("utility").asDouble())
          .isCloseTo(w * Math.log(got - ev.get("eMin").asDouble() + 1), within(1e-6));
      assertThat(e.get("payment").asDouble()).isPositive();
    }
    assertThat(j.at("/payments/evs")).hasSize(5);
    assertThat(j.at("/payments/sps")).hasSize(3);
    assertThat(j.get("trace")).hasSize(j.get("iterations").asInt());
  }

  @Test
  void scenario_json_everyEvListsItsOutsideOption_andTheDefaultRuleIsRational() throws IOException {
    JsonNode scenario = ScenarioJson.read(SCENARIO);
    for (String retail : new String[] {"75", "0"}) {
      Cli r =
          Cli.run(
              "dr-auction", "--scenario", SCENARIO.toString(), "--retail-price", retail, "--json");
      assertThat(r.exitCode()).as(r.err()).isZero();
      JsonNode j = r.json();
      for (String field : new String[] {"rounds", "converged", "welfare", "optimalWelfare"}) {
        assertThat(j.has(field)).as(field).isTrue();
      }
      double price = Double.parseDouble(retail);
      double paid = 0;
      int i = 0;
      for (JsonNode ev : scenario.get("evs")) {
        JsonNode e = j.get("evs").get(i++);
        assertThat(e.get("id").asText()).isEqualTo(ev.get("id").asText());
        // the outside option: eMin bought from the grid at the retail price, utility 0
        assertThat(e.get("outsideOption").asDouble())
            .isCloseTo(-price * ev.get("eMin").asDouble(), within(1e-9));
        double net = e.get("utility").asDouble() - e.get("payment").asDouble();
        boolean rational = net >= e.get("outsideOption").asDouble() - 1e-6;
        assertThat(e.get("individuallyRational").asBoolean()).isEqualTo(rational);
        paid += e.get("payment").asDouble();
      }
      double received = 0;
      for (JsonNode sp : j.get("spOutcomes")) {
        received += sp.get("revenue").asDouble();
        assertThat(sp.get("revenue").asDouble())
            .isGreaterThanOrEqualTo(sp.get("cost").asDouble() - 1e-6);
      }
      assertThat(paid).isGreaterThanOrEqualTo(received - 1e-6);
      if (price > 0) {
        for (JsonNode e : j.get("evs")) {
          assertThat(e.get("individuallyRational").asBoolean()).as(e.toString()).isTrue();
        }
      }
      assertThat(j.at("/comparedPayments/rule").asText()).isEqualTo("EQ_4_15");
    }
  }

  @Test
  void paymentRule_eq415_becomesThePrimarySettlement_badRuleRefused() {
    Cli r =
        Cli.run(
            "dr-auction", "--scenario", SCENARIO.toString(), "--payment-rule", "eq415", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.json().get("paymentRule").asText()).isEqualTo("EQ_4_15");
    assertThat(r.json().at("/comparedPayments/rule").asText()).isEqualTo("INDIVIDUALLY_RATIONAL");
    Cli bad = Cli.run("dr-auction", "--scenario", SCENARIO.toString(), "--payment-rule", "vcg");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.errorLine()).contains("--payment-rule").contains("vcg");
    assertThat(
            Cli.run("dr-auction", "--scenario", SCENARIO.toString(), "--retail-price", "-1")
                .exitCode())
        .isEqualTo(2);
  }

  @Test
  void scenarioPrices_bindTheAllocation() throws IOException {
    Path f = tmp.resolve("priced.json");
    Files.writeString(
        f,
        "{\"evs\": [{\"id\": \"a\", \"soc\": 0.5, \"eMin\": 2, \"eMax\": 30, \"sigma\": 10,"
            + " \"maxPrice\": 12}],"
            + " \"sps\": [{\"id\": \"cheap\", \"capacity\": 100, \"minPrice\": 5},"
            + " {\"id\": \"dear\", \"capacity\": 100, \"minPrice\": 13}]}",
        StandardCharsets.UTF_8);
    Cli r = Cli.run("dr-auction", "--scenario", f.toString(), "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    for (JsonNode a : r.json().get("allocation")) {
      if (a.get("sp").asText().equals("dear")) {
        // the SP's minimum price is above the EV's maximum: no trade on that cell
        assertThat(a.get("supply").asDouble()).isLessThan(1e-6);
      }
    }
    // Alg. 7 ran first and removed exactly that link (ask 13.015 above the bid 12)
    assertThat(r.json().get("excludedLinks").asInt()).isEqualTo(1);
    assertThat(Cli.run("dr-auction", "--scenario", f.toString(), "--prices").exitCode())
        .isEqualTo(2);
  }

  @Test
  void random_sameSeedSameOutput_differentSeedDifferentMarket() {
    Cli a = Cli.run("dr-auction", "--random", "4", "--sps", "2", "--seed", "7", "--json");
    Cli b = Cli.run("dr-auction", "--random", "4", "--sps", "2", "--seed", "7", "--json");
    Cli c = Cli.run("dr-auction", "--random", "4", "--sps", "2", "--seed", "8", "--json");

    assertThat(a.exitCode()).as(a.err()).isZero();
    assertThat(a.out()).isEqualTo(b.out());
    assertThat(a.json().get("optimalWelfare").asDouble())
        .isNotEqualTo(c.json().get("optimalWelfare").asDouble());
    assertThat(a.json().get("evs")).hasSize(4);
  }

  @Test
  void chart_pngAndSvgAreWritten() throws IOException {
    Path png = tmp.resolve("charts/dr.png");
    Path svg = tmp.resolve("dr.svg");

    assertThat(Cli.run("dr-auction", "--scenario", SCENARIO.toString(), "--chart", png.toString()))
        .extracting(Cli::exitCode)
        .isEqualTo(0);
    assertThat(Cli.run("dr-auction", "--scenario", SCENARIO.toString(), "--chart", svg.toString()))
        .extracting(Cli::exitCode)
        .isEqualTo(0);

    byte[] head = Files.readAllBytes(png);
    assertThat(head).startsWith(0x89, 'P', 'N', 'G');
    assertThat(Files.readString(svg, StandardCharsets.UTF_8)).contains("<svg");
  }

  @Test
  void everyUpdateRule_reachesTheSameOptimum() {
    double optimum = Double.NaN;
    for (String rule : new String[] {"secant", "newton", "accelerated", "literal"}) {
      Cli r = Cli.run("dr-auction", "--scenario", SCENARIO.toString(), "--update", rule, "--json");
      assertThat(r.exitCode()).as(rule + ": " + r.err()).isZero();
      JsonNode j = r.json();
      assertThat(j.get("converged").asBoolean()).as(rule).isTrue();
      if (Double.isNaN(optimum)) {
        optimum = j.get("optimalWelfare").asDouble();
      }
      assertThat(j.get("welfare").asDouble())
          .as(rule)
          .isCloseTo(optimum, within(1e-3 * Math.abs(optimum)));
    }
    assertThat(Cli.run("dr-auction", "--random", "3", "--update", "fast").errorLine())
        .contains("--update 'fast'")
        .contains("newton");
  }

  @Test
  void text_reportsRoundsAndGap() {
    Cli r = Cli.run("dr-auction", "--scenario", SCENARIO.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("converged").contains("optimum").contains("EV5").contains("SP3");
  }

  @Test
  void badScenario_namesTheFieldAndExits2() throws IOException {
    Path bad = tmp.resolve("bad.json");
    Files.writeString(
        bad,
        "{\"evs\": [{\"id\": \"A\", \"soc\": 0.5, \"eMin\": 1, \"eMax\": 5, \"sigma\": 2},"
            + " {\"id\": \"B\", \"soc\": \"high\", \"eMin\": 1, \"eMax\": 5, \"sigma\": 2}],"
            + " \"sps\": [{\"id\": \"S\", \"capacity\": 50}]}");

    Cli r = Cli.run("dr-auction", "--scenario", bad.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errorLine()).contains("evs[1].soc").contains("\"high\"").contains("number");
  }

  @Test
  void infeasibleOrOutOfRange_refusedWithReason() throws IOException {
    Path infeasible = tmp.resolve("infeasible.json");
    Files.writeString(
        infeasible,
        "{\"evs\": [{\"id\": \"A\", \"soc\": 0.5, \"eMin\": 90, \"eMax\": 95, \"sigma\": 2}],"
            + " \"sps\": [{\"id\": \"S\", \"capacity\": 50}]}");

    Cli r = Cli.run("dr-auction", "--scenario", infeasible.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errorLine()).contains("infeasible");

    assertThat(Cli.run("dr-auction", "--random", "0").errorLine()).contains("--random 0");
    assertThat(Cli.run("dr-auction", "--random", "3", "--scenario", "x.json").exitCode())
        .isEqualTo(2);
    assertThat(Cli.run("dr-auction", "--random", "3", "--chart", "x.gif").errorLine())
        .contains(".png or .svg");
    assertThat(Cli.run("dr-auction", "--scenario", "missing.json").errorLine())
        .contains("no such file");
  }
}

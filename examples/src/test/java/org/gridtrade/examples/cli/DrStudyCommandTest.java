package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

public class DrStudyCommandTest {

  @Test
  void smallStudy_everyInstanceConvergesNearTheOptimum_andCompareListsEveryRule(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path figures) {
    Cli r =
        Cli.run(
            "dr-study",
            "--instances",
            "40",
            "--seed",
            "5",
            "--compare",
            "--out",
            figures.toString(),
            "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("instances").asInt()).isEqualTo(40);
    assertThat(j.get("results").size()).isGreaterThanOrEqualTo(2);
    JsonNode first = j.get("results").get(0);
    assertThat(j.get("update").asText()).isEqualTo("SECANT");
    assertThat(j.get("converged").asInt()).isEqualTo(40);
    assertThat(j.get("welfareGapMax").asDouble()).isLessThan(1e-3);
    assertThat(j.get("meanRounds").asDouble()).isLessThanOrEqualTo(11);
    assertThat(j.get("maxRounds").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(first.get("converged").asInt()).isEqualTo(40);
    assertThat(first.get("maxWelfareGap").asDouble()).isLessThan(1e-3);
    assertThat(first.get("individuallyRational").asInt()).isBetween(0, 40);
    assertThat(first.get("weaklyBudgetBalanced").asInt()).isBetween(0, 40);
    assertThat(first.get("meanRounds").asDouble())
        .isGreaterThanOrEqualTo(1)
        .isLessThanOrEqualTo(first.get("maxRounds").asDouble());
  }

  @Test
  void unconvergedInstances_andTheWorstGap_nameTheMarketsDrawnFromSeedPlusIndex() {
    // two rounds are too few for some of these markets
    JsonNode j =
        Cli.run("dr-study", "--instances", "12", "--seed", "1", "--max-rounds", "2", "--json")
            .json();
    JsonNode first = j.get("results").get(0);
    java.util.Set<Integer> listed = new java.util.TreeSet<>();
    first.get("unconvergedInstances").forEach(k -> listed.add(k.asInt()));
    assertThat(listed).hasSize(12 - first.get("converged").asInt()).isNotEmpty();
    assertThat(first.get("converged").asInt()).isPositive();
    int worst = first.get("worstGapInstance").asInt();
    for (int k = 0; k < 12; k++) {
      // instance k alone: the market drawn from seed 1 + k
      JsonNode one =
          Cli.run(
                  "dr-study",
                  "--instances",
                  "1",
                  "--seed",
                  String.valueOf(1 + k),
                  "--max-rounds",
                  "2",
                  "--json")
              .json();
      assertThat(one.get("converged").asInt())
          .as("instance %d", k)
          .isEqualTo(listed.contains(k) ? 0 : 1);
      if (k == worst) {
        assertThat(one.get("welfareGapMax").asDouble())
            .isEqualTo(j.get("welfareGapMax").asDouble());
      }
    }
    Cli text = Cli.run("dr-study", "--instances", "12", "--seed", "1", "--max-rounds", "2");
    assertThat(text.out())
        .contains(
            "unconverged instances: "
                + listed.stream()
                    .map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(", ")))
        .contains("largest welfare gap at instance " + worst);
  }

  @Test
  void prices_everyMarketReported_andFlagEchoed() {
    Cli r = Cli.run("dr-study", "--instances", "20", "--seed", "3", "--prices", "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("prices").asBoolean()).isTrue();
    assertThat(j.get("converged").asInt()).isBetween(18, 20);
    assertThat(j.get("welfareGapMax").asDouble()).isLessThan(1);
  }

  @Test
  void json_contract_irAllCountsMarketsWhereEveryParticipantIsRational() {
    JsonNode j = Cli.run("dr-study", "--instances", "30", "--seed", "2", "--json").json();
    for (String field :
        new String[] {"meanRounds", "maxRounds", "converged", "welfareGapMax", "irAll"}) {
      assertThat(j.has(field)).as(field).isTrue();
    }
    // at the default retail price the rule is IR for every participant on every market
    assertThat(j.get("irAll").asInt()).isEqualTo(30);
    JsonNode cheap =
        Cli.run("dr-study", "--instances", "30", "--seed", "2", "--retail-price", "0", "--json")
            .json();
    // Eq. 4.15 (settled) is a WBB rule within the maximum prices: wherever it is IR for all, the
    // default rule is too, never the other way round
    assertThat(cheap.get("eq415IrAll").asInt()).isLessThanOrEqualTo(cheap.get("irAll").asInt());
    assertThat(cheap.get("irAll").asInt()).isBetween(0, 30);
  }

  @Test
  void compare_drawsBothFigures_andTheProposedSchemeDeliversMoreOfTheSameSupply(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Cli r =
        Cli.run(
            "dr-study",
            "--instances",
            "2",
            "--seed",
            "4",
            "--compare",
            "--out",
            dir.toString(),
            "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(java.nio.file.Files.size(dir.resolve("fig-4-5-prices.png"))).isPositive();
    assertThat(java.nio.file.Files.size(dir.resolve("fig-4-6-energy.png"))).isPositive();
    JsonNode schemes = j.get("schemes");
    assertThat(schemes.size()).isEqualTo(10);
    for (int k = 0; k < schemes.size(); k += 2) {
      JsonNode proposed = schemes.get(k);
      JsonNode kang = schemes.get(k + 1);
      assertThat(proposed.get("evs").asInt()).isEqualTo(kang.get("evs").asInt());
      // the same markets: the same capacity; efficiencies are the schemes' transmission losses
      assertThat(proposed.get("available").asDouble()).isEqualTo(kang.get("available").asDouble());
      assertThat(proposed.get("efficiency").asDouble()).isCloseTo(0.95, within(1e-9));
      assertThat(kang.get("efficiency").asDouble()).isCloseTo(0.90, within(1e-9));
      assertThat(proposed.get("transmitted").asDouble())
          .isLessThanOrEqualTo(proposed.get("available").asDouble());
      // a kWh bought costs at least a kWh sold: what is lost in transmission is paid for
      assertThat(proposed.get("buyingPrice").asDouble())
          .isGreaterThanOrEqualTo(proposed.get("sellingPrice").asDouble() * (1 - 1e-9));
    }
  }

  @Test
  void sameSeed_sameNumbers() {
    JsonNode a = Cli.run("dr-study", "--instances", "10", "--seed", "9", "--json").json();
    JsonNode b = Cli.run("dr-study", "--instances", "10", "--seed", "9", "--json").json();
    assertThat(a.at("/results/0/meanRounds")).isEqualTo(b.at("/results/0/meanRounds"));
    assertThat(a.at("/results/0/maxWelfareGap")).isEqualTo(b.at("/results/0/maxWelfareGap"));
  }

  @Test
  void badRanges_refused() {
    assertThat(Cli.run("dr-study", "--instances", "0").exitCode()).isEqualTo(2);
    assertThat(Cli.run("dr-study", "--evs", "9..3").exitCode()).isEqualTo(2);
  }
}

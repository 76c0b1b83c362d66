package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class CoalitionCommandTest {
  private static final Path SCENARIO = Path.of("scenarios", "coalition-10.json");

  @TempDir Path tmp;

  @Test
  void scenario_json_hasTheFixedFields_andBalancesEveryProsumer() {
    Cli r = Cli.run("coalition", "--scenario", SCENARIO.toString(), "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    for (String f :
        new String[] {
          "partition",
          "proofScores",
          "winner",
          "transfers",
          "internalShare",
          "lossSaving",
          "payoffs",
          "iterations"
        }) {
      assertThat(j.has(f)).as(f).isTrue();
    }
    // Every prosumer of the file is in exactly one coalition and trades exactly its balance.
    JsonNode scenario = ScenarioJson.read(SCENARIO);
    Set<String> seen = new HashSet<>();
    for (JsonNode c : j.get("partition")) {
      for (JsonNode id : c) {
        assertThat(seen.add(id.asText())).isTrue();
      }
    }
    Map<String, Double> traded = new HashMap<>();
    for (JsonNode t : j.get("transfers")) {
      traded.merge(t.get("from").asText(), t.get("energy").asDouble(), Double::sum);
      traded.merge(t.get("to").asText(), t.get("energy").asDouble(), Double::sum);
    }
    for (JsonNode p : scenario.get("prosumers")) {
      String id = p.get("id").asText();
      assertThat(seen).contains(id);
      double bal = p.get("production").asDouble() - p.get("consumption").asDouble();
      assertThat(traded.getOrDefault(id, 0.0)).isCloseTo(Math.abs(bal), within(1e-9));
    }
    assertThat(j.get("iterations").get(0).get("step").asText()).isEqualTo("singletons");
    assertThat(j.get("lossSaving").asDouble()).isPositive();
  }

  @Test
  void random_text_printsTheTable() {
    Cli r = Cli.run("coalition", "--random", "12", "--distribution", "uniform", "--seed", "3");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("Itr", "(singletons)", "(initial pairing)", "Winner (Eq. 3.16)");
  }

  @Test
  void badInput_isOneClearLine() throws IOException {
    assertThat(Cli.run("coalition", "--random", "5", "--distribution", "weibull").errorLine())
        .contains("--distribution 'weibull'");
    Path bad = tmp.resolve("bad.json");
    Files.writeString(
        bad,
        "{\"prosumers\": [{\"id\": \"A\", \"production\": -1, \"consumption\": 2, \"x\": 1,"
            + " \"y\": 1}]}");
    assertThat(Cli.run("coalition", "--scenario", bad.toString()).errorLine())
        .contains("production -1.0");
  }

  @Test
  void shapley_gloveGame_matchesTheTextbookValues() {
    Cli r =
        Cli.run(
            "shapley",
            "--scenario",
            Path.of("scenarios", "shapley-gloves.json").toString(),
            "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode v = r.json().get("values");
    assertThat(v.get("A").asDouble()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(v.get("B").asDouble()).isCloseTo(1.0 / 6, within(1e-12));
    assertThat(r.json().get("inCore").asBoolean()).isFalse();
  }

  @Test
  void shapley_rejectsKeysOutOfOrder() throws IOException {
    Path bad = tmp.resolve("g.json");
    Files.writeString(bad, "{\"players\": [\"A\", \"B\"], \"worth\": {\"B,A\": 1}}");
    assertThat(Cli.run("shapley", "--scenario", bad.toString()).errorLine())
        .contains("in the order of players");
  }

  @Test
  void charts_areWritten() throws IOException {
    Path map = tmp.resolve("map.png");
    Path loss = tmp.resolve("loss.svg");
    Path pay = tmp.resolve("pay.png");
    Cli r =
        Cli.run(
            "coalition",
            "--random",
            "15",
            "--map",
            map.toString(),
            "--loss-chart",
            loss.toString(),
            "--payoff-chart",
            pay.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Files.size(map)).isPositive();
    assertThat(Files.readString(loss)).contains("<svg");
    assertThat(Files.size(pay)).isPositive();
  }

  @Test
  void largeCommunity_json_omitsTheTraceUnlessAsked_butCountsIt() {
    int n = CoalitionCommand.TRACE_LIMIT + 1;
    JsonNode quiet = Cli.run("coalition", "--random", "" + n, "--seed", "2", "--json").json();
    JsonNode traced =
        Cli.run("coalition", "--random", "" + n, "--seed", "2", "--json", "--trace").json();
    assertThat(quiet.has("iterations")).isFalse();
    assertThat(traced.get("iterations").size()).isEqualTo(quiet.get("iterationCount").asInt());
    assertThat(traced.get("iterations").get(0).get("partition")).hasSize(n); // singletons
    // Everything else is the same run.
    ((ObjectNode) traced).remove("iterations");
    assertThat(traced).isEqualTo(quiet);
  }

  @Test
  void smallCommunity_printsTheTraceByDefault_andNoTraceDropsIt() {
    Cli shown = Cli.run("coalition", "--random", "12", "--seed", "3");
    Cli hidden = Cli.run("coalition", "--random", "12", "--seed", "3", "--no-trace");
    assertThat(shown.out()).contains("Itr  Partition", "(singletons)");
    long rows = shown.out().lines().filter(l -> l.endsWith(")") && l.contains(" | [")).count();
    assertThat(hidden.out())
        .doesNotContain("Itr  Partition")
        .contains("Trace: %d iterations".formatted(rows))
        .contains("Stable partition");
    JsonNode j = Cli.run("coalition", "--random", "12", "--seed", "3", "--json").json();
    assertThat(j.get("iterations")).hasSize(j.get("iterationCount").asInt());
    assertThat((long) j.get("iterationCount").asInt()).isEqualTo(rows);
  }
}

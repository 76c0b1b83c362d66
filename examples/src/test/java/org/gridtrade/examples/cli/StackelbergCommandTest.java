package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

public class StackelbergCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = GridTradeCommand.configure(new CommandLine(new GridTradeCommand()));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void stackelberg_randomEvs_json_hasTheIssueFields() throws Exception {
    Run r = run("stackelberg", "--random-evs", "30", "--seed", "3", "--json");
    assertThat(r.exitCode()).isZero();
    JsonNode j = JSON.readTree(r.out());
    for (String f :
        new String[] {
          "prices",
          "load",
          "profit",
          "upperBound",
          "costRatio",
          "par",
          "parUnscheduled",
          "schedules"
        }) {
      assertThat(j.has(f)).as(f).isTrue();
    }
    assertThat(j.get("prices")).hasSize(24);
    assertThat(j.get("schedules")).hasSize(30);
    assertThat(j.get("profit").asDouble()).isLessThanOrEqualTo(j.get("upperBound").asDouble());
    String again = run("stackelberg", "--random-evs", "30", "--seed", "3", "--json").out();
    // Same seed, same output but for the elapsed time.
    assertThat(again.replaceAll("\"elapsedMs\" : \\d+", ""))
        .isEqualTo(r.out().replaceAll("\"elapsedMs\" : \\d+", ""));
  }

  @Test
  void stackelberg_scenarioWithBids_electsLeaderAndCapsPrices() throws Exception {
    Path f = Path.of("scenarios", "stackelberg-24.json");
    Run r = run("stackelberg", "--scenario", f.toString(), "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("leader").get("id").asText()).isEqualTo("SP2");
    for (JsonNode p : j.get("prices")) {
      assertThat(p.asDouble()).isBetween(8.0, 13.2);
    }
  }

  @Test
  void stackelberg_out_writesChartsAndTradeOff() throws Exception {
    Path dir = tmp.resolve("charts");
    Run r =
        run(
            "stackelberg",
            "--random-evs",
            "20",
            "--trade-off",
            "0,100",
            "--out",
            dir.toString(),
            "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("tradeOff")).hasSize(2);
    assertThat(j.get("charts")).hasSize(8);
    for (JsonNode c : j.get("charts")) {
      assertThat(Files.size(Path.of(c.asText()))).isPositive();
    }
  }

  @Test
  void bestResponse_json_scheduleAndCost() throws Exception {
    Run r =
        run(
            "best-response",
            "--scenario",
            Path.of("scenarios", "stackelberg-best-response.json").toString(),
            "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("schedule")).hasSize(24);
    double sum = 0;
    for (JsonNode x : j.get("schedule")) {
      sum += x.asDouble();
    }
    assertThat(sum).isCloseTo(18.5, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(j.get("cost").asDouble()).isPositive();
  }

  @Test
  void badInput_exits2_withOneLineNamingTheRule() throws Exception {
    Path f = tmp.resolve("bad.json");
    Files.writeString(
        f,
        "{\"prices\": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"
            + " \"ev\": {\"id\": \"EV9\", \"start\": 3, \"end\": 24, \"energy\": 1,"
            + " \"alphaMin\": 0, \"alphaMax\": 1}}");
    Run r = run("best-response", "--scenario", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).contains("EV9").contains("end 24");
    Path g = tmp.resolve("bad2.json");
    Files.writeString(g, "{\"pMin\": 14, \"pMax\": 8, \"evs\": []}");
    Run r2 = run("stackelberg", "--scenario", g.toString());
    assertThat(r2.exitCode()).isEqualTo(2);
    assertThat(r2.err()).contains("pMin 14.0 > pMax 8.0");
  }
}

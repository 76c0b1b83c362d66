package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.gridtrade.node.GridTradeNode;
import org.gridtrade.node.LocalTestnet;
import org.gridtrade.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gridtrade load} against a one-node network in this JVM: a small, bounded run. */
public class LoadCommandTest {
  @TempDir Path dir;

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = GridTradeCommand.configure(new CommandLine(new GridTradeCommand()));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void load_atAFixedRate_commitsEveryTransaction_andReportsTheFigures() throws Exception {
    LocalTestnet net = LocalTestnet.write(dir, 1, Duration.ofMillis(200), new SecureRandom());
    try (GridTradeNode node = GridTradeNode.start(NodeConfig.read(net.configs().get(0)))) {
      String api = "http://127.0.0.1:" + node.apiAddress().getPort();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code =
          run(
              out,
              err,
              "load",
              "--api",
              api,
              "--users",
              dir.resolve("users").toString(),
              "--rate",
              "40",
              "--duration",
              "3",
              "--json");
      assertThat(code).as(err.toString()).isZero();
      JsonNode j = new ObjectMapper().readTree(out.toString());
      assertThat(j.get("submitted").asLong()).isEqualTo(120);
      assertThat(j.get("rejected").asLong()).isZero();
      assertThat(j.get("committed").asLong()).isEqualTo(120);
      assertThat(j.get("tps").asDouble()).isPositive();
      assertThat(j.get("latencyP99Ms").asLong())
          .isGreaterThanOrEqualTo(j.get("latencyP50Ms").asLong());
      assertThat(j.get("txPerBlockMean").asDouble() * j.get("blocks").asLong())
          .isGreaterThanOrEqualTo(120);

      // The same in requests of 25 (the batch endpoint), from the same senders' next nonces.
      StringWriter out2 = new StringWriter();
      code =
          run(
              out2,
              err,
              "load",
              "--api",
              api,
              "--users",
              dir.resolve("users").toString(),
              "--rate",
              "100",
              "--duration",
              "2",
              "--batch",
              "25",
              "--json");
      assertThat(code).as(err.toString()).isZero();
      JsonNode b = new ObjectMapper().readTree(out2.toString());
      assertThat(b.get("batch").asInt()).isEqualTo(25);
      assertThat(b.get("submitted").asLong()).isEqualTo(200);
      assertThat(b.get("rejected").asLong()).as(b.toString()).isZero();
      assertThat(b.get("committed").asLong()).isEqualTo(200);
    }
  }

  // Runs load with the given rate, duration and extra options against nothing; answers stderr.
  private String badInput(String rate, String duration, String... extra) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "load",
                "--api",
                "http://127.0.0.1:1",
                "--users",
                dir.toString(),
                "--rate",
                rate,
                "--duration",
                duration));
    args.addAll(List.of(extra));
    assertThat(run(out, err, args.toArray(String[]::new))).as(err.toString()).isEqualTo(2);
    assertThat(err.toString()).doesNotContain("Exception");
    return err.toString();
  }

  @Test
  void load_withBadOptions_isBadInput() {
    assertThat(badInput("0", "1")).contains("--rate 0");
    assertThat(badInput("10", "1", "--batch", "2001")).contains("--batch 2001 is outside 1..2000");
    assertThat(badInput("100000", "3600")).contains("more than 2000000");
  }
}

package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gridtrade load-charts}: charts and a table from load results; bad input is exit 2. */
public class LoadChartsCommandTest {
  @TempDir Path dir;

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = new CommandLine(new GridTradeCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private void result(int sealers, int rate, double tps, double perBlock) throws Exception {
    Files.writeString(
        dir.resolve("in/sealers-%d-rate-%d.json".formatted(sealers, rate)),
        ("{\"command\":\"load\",\"tps\":%s,\"latencyP50Ms\":%d,\"latencyP99Ms\":%d,"
                + "\"txPerBlockMean\":%s,\"blockSizeStd\":12.5}")
            .formatted(tps, rate + 1, rate + 2, perBlock));
  }

  @Test
  void loadCharts_drawsFourCharts_andTablesEveryRunInOrder() throws Exception {
    Files.createDirectories(dir.resolve("in"));
    result(10, 500, 480.5, 950);
    result(5, 1000, 900, 1800);
    result(5, 200, 199, 398.5);
    Files.writeString(dir.resolve("in/warmup-5.json"), "{}"); // not a run: ignored
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        run(
            out,
            err,
            "load-charts",
            "--in",
            dir.resolve("in").toString(),
            "--out",
            dir.resolve("charts").toString());
    assertThat(code).as(err.toString()).isZero();
    for (String f : new String[] {"throughput", "latency", "tx-per-block", "block-size-std"}) {
      Path png = dir.resolve("charts/" + f + ".png");
      assertThat(png).exists();
      byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 4);
      assertThat(head).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    }
    // Sorted by sealers, then by rate; the numbers as given.
    assertThat(out.toString())
        .containsSubsequence(
            "| 5 | 200 | 199 | 201 / 202 | 398.5 | 12.5 |",
            "| 5 | 1,000 | 900 | 1,001 / 1,002 | 1,800.0 | 12.5 |",
            "| 10 | 500 | 481 | 501 / 502 | 950.0 | 12.5 |");
  }

  @Test
  void loadCharts_withNoResults_orAResultThatIsNotOne_isBadInput() throws Exception {
    Files.createDirectories(dir.resolve("in"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String in = dir.resolve("in").toString();
    String outDir = dir.resolve("charts").toString();
    assertThat(run(out, err, "load-charts", "--in", in, "--out", outDir)).isEqualTo(2);
    assertThat(err.toString()).contains("holds no file named sealers-S-rate-R.json");
    Files.writeString(dir.resolve("in/sealers-5-rate-100.json"), "{\"tps\":1}");
    StringWriter err2 = new StringWriter();
    assertThat(run(out, err2, "load-charts", "--in", in, "--out", outDir)).isEqualTo(2);
    assertThat(err2.toString())
        .contains("sealers-5-rate-100.json has no number 'latencyP50Ms'")
        .doesNotContain("Exception");
  }
}

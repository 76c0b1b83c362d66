package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gridtrade.examples.report.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gridtrade load-charts}: the charts of Aggarwal's network figures from the results of
 * {@code gridtrade load --json} runs named {@code sealers-S-rate-R.json} (as {@code
 * benchmarks/network-figures.sh} writes them): committed against sent transactions per second (Fig.
 * 3.9), commit latency (Fig. 3.10), transactions per block (Fig. 4.9-4.11) and the standard
 * deviation of block sizes (Fig. 4.12), one series per sealer count; and the same as a Markdown
 * table.
 */
@Command(
    name = "load-charts",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Draws throughput, latency, transactions per block and block-size deviation against the"
          + " sending rate, one series per sealer count, from 'gridtrade load --json' results"
          + " named sealers-S-rate-R.json in --in (benchmarks/network-figures.sh writes them), and"
          + " prints them as a Markdown table.",
      "Exit status: 0 done, 1 a chart cannot be written, 2 bad input."
    })
public final class LoadChartsCommand implements Callable<Integer> {
  private static final Pattern NAME = Pattern.compile("sealers-(\\d+)-rate-(\\d+)\\.json");

  @Spec CommandSpec spec;

  @Option(
      names = "--in",
      required = true,
      paramLabel = "DIR",
      description = "Where the load results are.")
  Path in;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Where the four PNG charts go (created if needed).")
  Path out;

  /** One load run. */
  record Run(int sealers, int rate, JsonNode result) {}

  @Override
  public Integer call() {
    if (!Files.isDirectory(in)) {
      throw bad("--in %s is not a directory".formatted(in));
    }
    Map<Integer, List<Run>> bySealers = new TreeMap<>();
    ObjectMapper json = new ObjectMapper();
    try (Stream<Path> files = Files.list(in)) {
      for (Path f : files.sorted().toList()) {
        Matcher m = NAME.matcher(f.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        JsonNode r;
        try {
          r = json.readTree(f.toFile());
        } catch (IOException e) {
          throw bad("--in: %s is not JSON: %s".formatted(f.getFileName(), e.getMessage()));
        }
        for (String field :
            List.of("tps", "latencyP50Ms", "latencyP99Ms", "txPerBlockMean", "blockSizeStd")) {
          if (r == null || !r.path(field).isNumber()) {
            throw bad(
                "--in: %s has no number '%s' (not a 'gridtrade load --json' result)"
                    .formatted(f.getFileName(), field));
          }
        }
        int sealers = Integer.parseInt(m.group(1));
        bySealers
            .computeIfAbsent(sealers, s -> new ArrayList<>())
            .add(new Run(sealers, Integer.parseInt(m.group(2)), r));
      }
    } catch (IOException e) {
      throw bad("--in %s cannot be read: %s".formatted(in, e.getMessage()));
    }
    if (bySealers.isEmpty()) {
      throw bad("--in %s holds no file named sealers-S-rate-R.json".formatted(in));
    }
    bySealers.values().forEach(l -> l.sort(java.util.Comparator.comparingInt(Run::rate)));
    try {
      chart(
          bySealers,
          "Committed throughput (Aggarwal Fig. 3.9)",
          "committed tx/s",
          "throughput.png",
          r -> r.path("tps").asDouble());
      chart(
          bySealers,
          "Commit latency, median (Aggarwal Fig. 3.10)",
          "latency p50 (ms)",
          "latency.png",
          r -> r.path("latencyP50Ms").asDouble());
      chart(
          bySealers,
          "Transactions per block (Aggarwal Fig. 4.9-4.11)",
          "tx per block (mean)",
          "tx-per-block.png",
          r -> r.path("txPerBlockMean").asDouble());
      chart(
          bySealers,
          "Block size deviation (Aggarwal Fig. 4.12)",
          "std of tx per block",
          "block-size-std.png",
          r -> r.path("blockSizeStd").asDouble());
    } catch (IOException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.printf("load-charts: FAILED: %s%n", e.getMessage());
      err.flush();
      return GridTradeCommand.EXIT_FAILURE;
    }
    PrintWriter o = spec.commandLine().getOut();
    o.println(
        "| sealers | sent tx/s | committed tx/s | latency p50 / p99 (ms) | tx per block (mean)"
            + " | block size std |");
    o.println("|---|---|---|---|---|---|");
    for (List<Run> runs : bySealers.values()) {
      for (Run r : runs) {
        JsonNode j = r.result();
        o.printf(
            Locale.ROOT,
            "| %d | %,d | %,.0f | %,d / %,d | %,.1f | %,.1f |%n",
            r.sealers(),
            r.rate(),
            j.path("tps").asDouble(),
            j.path("latencyP50Ms").asLong(),
            j.path("latencyP99Ms").asLong(),
            j.path("txPerBlockMean").asDouble(),
            j.path("blockSizeStd").asDouble());
      }
    }
    o.printf("charts: %s%n", out.resolve("{throughput,latency,tx-per-block,block-size-std}.png"));
    o.flush();
    return 0;
  }

  private void chart(
      Map<Integer, List<Run>> bySealers,
      String title,
      String yTitle,
      String file,
      ToDoubleFunction<JsonNode> y)
      throws IOException {
    XYChart c =
        new XYChartBuilder()
            .width(960)
            .height(540)
            .title(title)
            .xAxisTitle("sent tx/s")
            .yAxisTitle(yTitle)
            .build();
    for (Map.Entry<Integer, List<Run>> e : bySealers.entrySet()) {
      double[] xs = e.getValue().stream().mapToDouble(Run::rate).toArray();
      double[] ys = e.getValue().stream().mapToDouble(r -> y.applyAsDouble(r.result())).toArray();
      c.addSeries(e.getKey() + " sealers", xs, ys).setMarker(SeriesMarkers.CIRCLE);
    }
    Charts.write(c, out.resolve(file));
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}

package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gridtrade.examples.demo.CommunityDay;
import org.gridtrade.examples.report.StackelbergCharts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.series.Series;

/**
 * Reads the demo's written report back as a reader's browser would: which images it embeds, which
 * files it references, and whether the numbers in its text are the JSON summary's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class DemoReportTest {
  private static final Pattern ATTRIBUTE = Pattern.compile("\\b(src|href)=\"([^\"]*)\"");
  private static final Pattern IMG = Pattern.compile("<img\\b[^>]*\\bsrc=\"([^\"]*)\"");
  private static final Pattern ROW =
      Pattern.compile("<tr><td><b>([^<]*)</b></td><td>([^<]*)</td></tr>");
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");

  private Path dir;
  private String html;
  private JsonNode json;
  private Map<String, String> rows;

  @BeforeAll
  void runTheDemo(@TempDir Path tmp) throws Exception {
    dir = tmp.resolve("report");
    Cli r =
        Cli.run(
            "demo",
            "--json",
            "--in-memory",
            "--out",
            dir.toString(),
            "--seed",
            "5",
            "--evs",
            "8",
            "--prosumers",
            "10",
            "--sps",
            "3",
            "--nodes",
            "3");
    assertThat(r.exitCode()).as(r.err()).isZero();
    json = r.json();
    html = Files.readString(dir.resolve("report.html"), StandardCharsets.UTF_8);
    rows = new LinkedHashMap<>();
    Matcher m = ROW.matcher(html);
    while (m.find()) {
      rows.put(unescape(m.group(1)), unescape(m.group(2)));
    }
  }

  @Test
  void report_embedsEveryChartExactlyOnce_asOneImageFormat() throws Exception {
    List<String> images = new ArrayList<>();
    Matcher m = IMG.matcher(html);
    while (m.find()) {
      images.add(unescape(m.group(1)));
    }
    Map<String, Integer> byChart = new HashMap<>();
    for (String src : images) {
      byChart.merge(withoutExtension(src), 1, Integer::sum);
    }
    assertThat(byChart).as("images per chart").allSatisfy((k, v) -> assertThat(v).isOne());
    // Every chart written (in whichever formats) is shown, once.
    List<String> charts;
    try (Stream<Path> files = Files.list(dir.resolve("charts"))) {
      charts =
          files
              .map(p -> "charts/" + withoutExtension(p.getFileName().toString()))
              .distinct()
              .toList();
    }
    assertThat(byChart.keySet()).containsExactlyInAnyOrderElementsOf(charts);
    assertThat(charts).contains("charts/stackelberg-prices", "charts/stackelberg-load");
  }

  @Test
  void report_referencesOnlyFilesThatExist() {
    Matcher m = ATTRIBUTE.matcher(html);
    int references = 0;
    while (m.find()) {
      references++;
      Path p = dir.resolve(unescape(m.group(2)));
      assertThat(p).as(m.group()).isRegularFile().isNotEmptyFile();
    }
    assertThat(references).isPositive();
  }

  @Test
  void report_numbersInTheText_areTheJsonSummarys() {
    assertThat(rows)
        .containsKeys(
            "leader",
            "leader profit",
            "PAR",
            "partition",
            "energy",
            "line loss",
            "auction",
            "welfare",
            "transactions",
            "blocks",
            "commit latency",
            "misbehaviour",
            "verification",
            "reopened");

    // "sp-05, elected by every node at height H; bid B c/kWh, paid the second price P c/kWh (M
    // micro-coins for the lot ...)"
    assertThat(rows.get("leader")).startsWith(json.get("leader").asText() + ",");
    JsonNode clearing = json.get("markets").get("clearings").get(0);
    List<Double> leader = numbers(rows.get("leader"));
    assertThat(leader.get(0)).isEqualTo(clearing.get("height").asDouble());
    assertThat(leader.get(2) * 10_000).isEqualTo(clearing.get("paymentMicroPerKWh").asDouble());
    assertThat(leader.get(3))
        .isEqualTo(json.get("markets").get("trades").get(0).get("paidMicro").asDouble());
    List<Double> checks = numbers(rows.get("checks"));
    close(checks.get(checks.size() - 1), json.get("priceCap"), 2);

    close(numbers(rows.get("leader profit")).get(0), json.get("leaderProfit"), 2);

    List<Double> par = numbers(rows.get("PAR"));
    close(par.get(0), json.get("parUnscheduled"), 3);
    close(par.get(1), json.get("par"), 3);
    double reduction =
        100 * (1 - json.get("par").asDouble() / json.get("parUnscheduled").asDouble());
    assertThat(par.get(2)).isCloseTo(reduction, within(0.05 + 1e-9));

    // "N prosumers -> C coalitions of 2+ and S singletons; M merges, stable"
    List<Double> partition = numbers(rows.get("partition"));
    assertThat(partition.get(1) + partition.get(3)).isEqualTo(json.get("coalitions").asDouble());
    assertThat(partition.get(4)).isEqualTo(json.get("merges").asDouble());

    List<Double> energy = numbers(rows.get("energy"));
    assertThat(energy.get(2)).isCloseTo(100 * json.get("internalShare").asDouble(), within(0.051));
    List<Double> loss = numbers(rows.get("line loss"));
    assertThat(loss.get(2)).isCloseTo(100 * json.get("lossSaving").asDouble(), within(0.051));

    assertThat(numbers(rows.get("auction")).get(2)).isEqualTo(json.get("drRounds").asDouble());
    assertThat(numbers(rows.get("welfare")).get(2))
        .isCloseTo(100 * json.get("drWelfareGap").asDouble(), within(0.051));
    assertThat(rows.get("welfare"))
        .contains(
            "individually rational "
                + (json.get("drIndividuallyRational").asBoolean() ? "yes" : "no"));

    List<Double> tx = numbers(rows.get("transactions"));
    assertThat(tx.get(0)).isEqualTo(json.get("transactions").asDouble());
    assertThat(rows.get("transactions")).contains(json.get("refused").asInt() + " refused");
    assertThat(numbers(rows.get("blocks")).get(0)).isEqualTo(json.get("blocks").asDouble());
    // "... node-1: p50 X ms, p99 Y ms ...": the 50 and 99 of p50 and p99 are numbers too.
    List<Double> latency = numbers(rows.get("commit latency"));
    assertThat(latency.get(1)).isEqualTo(json.get("latencyP50Millis").asDouble());
    assertThat(latency.get(3)).isEqualTo(json.get("latencyP99Millis").asDouble());
    assertThat(numbers(rows.get("misbehaviour")).get(0))
        .isEqualTo(json.get("rejectedBlocks").asDouble());

    assertThat(rows.get("verification")).endsWith("tip " + json.get("tip").asText());
    // The genesis block is verified too: one more than the sealed blocks.
    assertThat(numbers(rows.get("verification")).get(0))
        .isEqualTo(json.get("blocks").asDouble() + 1);
    assertThat(rows.get("reopened")).endsWith("state root " + json.get("stateRoot").asText());
  }

  @Test
  void hourAxes_areLabelledAsClockTimes_from0800To0800() {
    CommunityDay.Markets m = CommunityDay.run(new CommunityDay.Settings(5, 8, 10, 3, 3));
    SimpleDateFormat label = new SimpleDateFormat("HH:mm", Locale.ROOT);
    label.setTimeZone(TimeZone.getTimeZone("UTC"));
    for (XYChart c :
        List.of(StackelbergCharts.pricesChart(m.pets()), StackelbergCharts.loadChart(m.pets()))) {
      assertThat(c.getXAxisTitle()).contains("08:00");
      // A date axis printed as clock times in the day's zone.
      assertThat(c.getStyler().getDatePattern()).isEqualTo("HH:mm");
      assertThat(c.getStyler().getTimezone()).isEqualTo(TimeZone.getTimeZone("UTC"));
      for (XYSeries s : c.getSeriesMap().values()) {
        assertThat(s.getxAxisDataType()).isEqualTo(Series.DataType.Date);
        double[] x = s.getXData();
        // 24 hours and the step's closing point: 08:00, 09:00, ..., 07:00, 08:00 next day.
        assertThat(x).hasSize(25);
        assertThat(label.format(new Date((long) x[0]))).isEqualTo("08:00");
        assertThat(label.format(new Date((long) x[16]))).isEqualTo("00:00");
        assertThat(label.format(new Date((long) x[23]))).isEqualTo("07:00");
        assertThat(x[24] - x[0]).isEqualTo(24 * 3_600_000.0);
      }
    }
  }

  private static void close(double printed, JsonNode value, int decimals) {
    assertThat(printed).isCloseTo(value.asDouble(), within(0.5 * Math.pow(10, -decimals) + 1e-9));
  }

  /** The decimal numbers in a row, in order (hex hashes and names like sp-01 count too). */
  private static List<Double> numbers(String text) {
    List<Double> out = new ArrayList<>();
    Matcher m = NUMBER.matcher(text.replaceAll("\\b[a-z]+-\\d+\\b", "").replace(",", " "));
    while (m.find()) {
      out.add(Double.parseDouble(m.group()));
    }
    return out;
  }

  private static String withoutExtension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }

  private static String unescape(String s) {
    return s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
  }
}

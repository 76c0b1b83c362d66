package org.gridtrade.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a JMH JSON result file and prints each benchmark against its baseline, with the target each
 * one is judged by. Used by {@code benchmarks/run.sh}.
 */
public final class Report {
  private Report() {}

  /**
   * Prints the comparison table.
   *
   * @param args the JMH JSON result file
   * @throws IOException if the file cannot be read
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: Report RESULTS.json");
      System.exit(2);
    }
    JsonNode root = new ObjectMapper().readTree(new File(args[0]));
    Map<String, double[]> scores = new LinkedHashMap<>();
    Map<String, String> units = new LinkedHashMap<>();
    for (JsonNode r : root) {
      String name = r.get("benchmark").asText().replace("org.gridtrade.benchmarks.", "");
      JsonNode params = r.get("params");
      if (params != null) {
        StringBuilder sb = new StringBuilder(name);
        params
            .fieldNames()
            .forEachRemaining(
                k -> sb.append(' ').append(k).append('=').append(params.get(k).asText()));
        name = sb.toString();
      }
      JsonNode pm = r.get("primaryMetric");
      scores.put(name, new double[] {pm.get("score").asDouble(), pm.get("scoreError").asDouble()});
      units.put(name, pm.get("scoreUnit").asText());
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT, "%-70s %14s %12s  %s%n", "benchmark", "score", "± error", "unit");
    scores.forEach(
        (k, v) ->
            System.out.printf(
                Locale.ROOT, "%-70s %14.3f %12.3f  %s%n", k, v[0], v[1], units.get(k)));
    System.out.println();
    System.out.println("Comparisons (lower time is better):");
    for (String n : new String[] {"1000", "100000"}) {
      ratio(
          scores,
          "MerkleBenchmark.merkleRoot leaves=" + n,
          "MerkleBenchmark.rawSha256Baseline leaves=" + n,
          "Merkle root / raw SHA-256, " + n + " leaves (target <= 1.25)");
    }
    ratio(
        scores,
        "BlockValidationBenchmark.rawVerifySingleCore",
        "BlockValidationBenchmark.validateBlock",
        "1,000-tx block: single-core raw verify / full validation (target >= 1.60 on 2 cores)");
    for (String n : new String[] {"64", "1048576"}) {
      ratio(
          scores,
          "Sha256Benchmark.bouncyCastle size=" + n,
          "Sha256Benchmark.jdk size=" + n,
          "SHA-256 BouncyCastle / JDK, " + n + " bytes");
    }
    ratio(
        scores,
        "SignatureBenchmark.jdkVerify",
        "SignatureBenchmark.bcVerify",
        "Ed25519 verify JDK / BouncyCastle");
    ratio(
        scores,
        "SignatureBenchmark.jdkSign",
        "SignatureBenchmark.bcSign",
        "Ed25519 sign JDK / BouncyCastle");
    ratio(
        scores,
        "ClearingBenchmark.uniformPriceClearing",
        "ClearingBenchmark.sortDoublesBaseline",
        "uniform-price clearing / Arrays.sort, 1,000,000 orders (target <= 2.0)");
    ratio(
        scores,
        "ClearingBenchmark.uniformPriceClearingAndReadTrades",
        "ClearingBenchmark.sortDoublesBaseline",
        "uniform-price clearing + reading every trade / Arrays.sort, 1,000,000 orders");
    for (String n : new String[] {"20000", "200000"}) {
      ratio(
          scores,
          "DurableAppendBenchmark.mvStoreAppend blockBytes=" + n,
          "DurableAppendBenchmark.rawFileAppendAndForce blockBytes=" + n,
          "durable append MVStore / raw file+fsync, " + n + " bytes");
    }
  }

  private static void ratio(Map<String, double[]> s, String a, String b, String label) {
    if (s.containsKey(a) && s.containsKey(b)) {
      System.out.printf(Locale.ROOT, "  %-82s %8.2f%n", label, s.get(a)[0] / s.get(b)[0]);
    }
  }
}

package org.gridtrade.examples.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.gridtrade.examples.auction.DemandResponseExample;
import org.gridtrade.examples.auction.DoubleAuctionExample;
import org.gridtrade.examples.auction.OrderBookExample;
import org.gridtrade.examples.auction.ReverseAuctionExample;
import org.gridtrade.examples.auction.SupplyDemandRatioExample;
import org.gridtrade.examples.auction.SurplusShareExample;
import org.gridtrade.examples.auction.TrustAccessExample;
import org.gridtrade.examples.cluster.ClusterAttestationExample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gridtrade example NAME}: runs one of the example programs. */
@Command(
    name = "example",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    description = {
      "Runs one of the example programs: small, readable programs, one per mechanism, whose"
          + " source is in examples/src/main/java/org/gridtrade/examples/. '--list' names them."
    })
public final class ExampleCommand implements Callable<Integer> {

  /** The examples by name, in the order {@code --list} prints them. */
  static final Map<String, Example> EXAMPLES = new LinkedHashMap<>();

  /** One example: its main method and one line about it. */
  record Example(Consumer<String[]> main, String about) {}

  static {
    add(
        "reverse-auction",
        ReverseAuctionExample::main,
        "sealed-bid reverse auctions, commit-reveal");
    add("double-auction", DoubleAuctionExample::main, "uniform price, pay-as-bid and McAfee");
    add("order-book", OrderBookExample::main, "continuous limit-order book, price-time priority");
    add("sdr-pricing", SupplyDemandRatioExample::main, "two-level supply-demand-ratio pricing");
    add("surplus-share", SurplusShareExample::main, "MES surplus allocation, capacity check");
    add("trust-access", TrustAccessExample::main, "trust-rated market access (TRP)");
    add("demand-response", DemandResponseExample::main, "iterative demand-response auction");
    add(
        "cluster-attestation",
        ClusterAttestationExample::main,
        "parent/neighbour validation of meter readings, attacks");
  }

  private static void add(String name, Consumer<String[]> main, String about) {
    EXAMPLES.put(name, new Example(main, about));
  }

  @Spec CommandSpec spec;

  @Option(names = "--list", description = "Name every example and say what it shows.")
  boolean list;

  @Parameters(arity = "0..1", paramLabel = "NAME", description = "The example to run.")
  String name;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (list || name == null) {
      if (!list) {
        throw new ParameterException(
            spec.commandLine(), "name an example, one of: " + String.join(", ", EXAMPLES.keySet()));
      }
      EXAMPLES.forEach((k, v) -> out.printf("%-16s %s%n", k, v.about()));
      out.flush();
      return 0;
    }
    Example e = EXAMPLES.get(name);
    if (e == null) {
      throw new ParameterException(
          spec.commandLine(),
          "no example '%s'; one of: %s".formatted(name, String.join(", ", EXAMPLES.keySet())));
    }
    e.main().accept(new String[0]);
    return 0;
  }
}

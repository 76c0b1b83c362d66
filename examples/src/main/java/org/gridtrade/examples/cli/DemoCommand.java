package org.gridtrade.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.examples.demo.CommunityDay;
import org.gridtrade.examples.demo.CommunityDemo;
import org.gridtrade.examples.demo.DemoChain;
import org.gridtrade.examples.report.DemoReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gridtrade demo}: the flagship flow, one simulated community day end to end. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "One simulated day of a community, end to end: SPs bid in a sealed second-price reverse"
          + " auction, the leader sets 24 prices by GA, EVs schedule their charging, prosumers"
          + " form coalitions, demand response clears by the iterative double auction, every"
          + " settlement becomes a signed transaction, blocks are sealed under the chosen"
          + " consensus by an in-process network of nodes with durable stores, the chain is"
          + " verified end to end, and a report with charts is written.",
      "Seeded: the same options give the same chain (same tip hash)."
    })
public final class DemoCommand implements Callable<Integer> {
  static final int MAX_EVS = 200;
  static final int MAX_PROSUMERS = 200;
  static final int MAX_SPS = 50;
  static final int MAX_NODES = 25;

  /** Game hours (0 = 08:00) at which {@code --crash} stops and restarts its node. */
  static final int CRASH_HOUR = 5;

  static final int RESTART_HOUR = 7;

  @Spec CommandSpec spec;

  @Option(
      names = "--consensus",
      paramLabel = "NAME",
      defaultValue = "poa",
      description = "poa, poeg, posoc or trust (default: ${DEFAULT-VALUE}).")
  CommunityDemo.Consensus consensus;

  /**
   * The default day: the first seed from 1 on which, with the default sizes, every stage visibly
   * acts (see {@link #showsEveryMechanism}; docs/demo.md, "The default day").
   */
  static final long DEFAULT_SEED = 17;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "" + DEFAULT_SEED,
      description =
          "Seed of every market and key (default: ${DEFAULT-VALUE}, a day on which every"
              + " mechanism visibly acts; other seeds are other days).")
  long seed;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Directory for genesis.bin, the node stores (nodes/*.mv), report.html, report.md"
              + " and charts/; must be new or empty (default: a new temporary directory).")
  Path out;

  @Option(
      names = "--evs",
      paramLabel = "N",
      defaultValue = "20",
      description = "EVs, 1.." + MAX_EVS + " (default: ${DEFAULT-VALUE}).")
  int evs;

  @Option(
      names = "--prosumers",
      paramLabel = "N",
      defaultValue = "20",
      description = "Prosumers, 2.." + MAX_PROSUMERS + " (default: ${DEFAULT-VALUE}).")
  int prosumers;

  @Option(
      names = "--sps",
      paramLabel = "N",
      defaultValue = "5",
      description = "Service providers (SPs), 2.." + MAX_SPS + " (default: ${DEFAULT-VALUE}).")
  int sps;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      defaultValue = "5",
      description = "Nodes of the network, 1.." + MAX_NODES + " (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = "--in-memory",
      description = "Keep the node stores in memory instead of H2 MVStore files.")
  boolean inMemory;

  @Option(
      names = "--crash",
      paramLabel = "K",
      description =
          "Stop node K (2..nodes) at 13:00 and restart it from its store just before 15:00; it"
              + " must catch up and end with the same chain. Needs the durable stores.")
  Integer crash;

  @Option(
      names = "--cheat",
      description =
          "With --consensus trust: sp-02's node never seals honestly; in its first turn from 10:00"
              + " it sends a block crediting itself through the state root. The other nodes reject"
              + " it, attest it in their seals, and confiscate its deposit.")
  boolean cheat;

  @Mixin JsonOutput output;

  /**
   * Whether a day shows each mechanism at work, the rule the default seed was chosen by: the
   * leader's prices lower the PAR by at least 10 %, prosumers merge at least once and trade at
   * least 25 % of their energy inside coalitions, and the demand-response auction reaches the
   * welfare optimum (gap below 0.1 %) with every EV and SP individually rational, even under
   * Aggarwal's payments (Eq. 4.15, settled) against not trading at all.
   */
  static boolean showsEveryMechanism(CommunityDay.Markets m) {
    return m.pets().parReduction() >= 0.10
        && m.coalitions().merges() >= 1
        && m.coalitions().internalShare() >= 0.25
        && m.dr().welfareGap() < 0.001
        && m.dr().individuallyRational()
        && eq415BeatsNotTrading(m);
  }

  private static boolean eq415BeatsNotTrading(CommunityDay.Markets m) {
    for (DemandResponseResult.EvOutcome e : m.dr().comparedPayments().evs()) {
      if (e.utility() < e.payment()) {
        return false;
      }
    }
    for (DemandResponseResult.SpOutcome s : m.dr().comparedPayments().sps()) {
      if (!s.individuallyRational()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Integer call() throws IOException {
    range("--evs", evs, 1, MAX_EVS);
    range("--prosumers", prosumers, 2, MAX_PROSUMERS);
    range("--sps", sps, 2, MAX_SPS);
    range("--nodes", nodes, 1, MAX_NODES);
    if (crash != null) {
      range("--crash", crash, 2, nodes);
      if (inMemory) {
        throw new ParameterException(
            spec.commandLine(),
            "--crash needs the durable stores: a node kept in memory has nothing to restart from");
      }
    }
    if (cheat) {
      Optional<String> problem = CommunityDemo.cheatProblem(consensus, nodes, sps);
      if (problem.isPresent()) {
        throw new ParameterException(spec.commandLine(), problem.get());
      }
    }
    Path dir = outputDirectory();
    CommunityDemo.Report report =
        CommunityDemo.run(
            new CommunityDay.Settings(seed, evs, prosumers, sps, nodes),
            consensus,
            dir,
            !inMemory,
            crash == null ? null : new DemoChain.Crash(crash - 1, CRASH_HOUR, RESTART_HOUR),
            cheat);
    List<Path> files = DemoReport.write(report, dir);
    output.print(() -> DemoReport.toJson(report, files), () -> DemoReport.toText(report, files));
    return report.verified() ? 0 : GridTradeCommand.EXIT_FAILURE;
  }

  private void range(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ParameterException(
          spec.commandLine(), "%s %d is outside %d..%d".formatted(option, value, min, max));
    }
  }

  private Path outputDirectory() {
    try {
      if (out == null) {
        return Files.createTempDirectory("gridtrade-demo-").toAbsolutePath();
      }
      if (Files.exists(out)) {
        if (!Files.isDirectory(out)) {
          throw new ParameterException(
              spec.commandLine(), "--out %s exists and is not a directory".formatted(out));
        }
        try (Stream<Path> entries = Files.list(out)) {
          if (entries.findAny().isPresent()) {
            throw new ParameterException(
                spec.commandLine(),
                "--out %s is not empty (the demo writes a new chain there)".formatted(out));
          }
        }
      }
      return Files.createDirectories(out).toAbsolutePath();
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "--out %s cannot be created: %s".formatted(out, e.getMessage()));
    }
  }
}

package org.gridtrade.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.ChainReport;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Ledger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gridtrade ledger}: operator commands on a durable chain. */
@Command(
    name = "ledger",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    description = "Operator commands on a durable chain (a chain.mv store and its genesis.bin).",
    subcommands = {LedgerCommand.Verify.class})
final class LedgerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(),
        "a subcommand is required, one of: " + String.join(", ", spec.subcommands().keySet()));
  }

  /** {@code gridtrade ledger verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      versionProvider = GridTradeCommand.Version.class,
      sortOptions = false,
      description = {
        "Opens a durable chain from its stored state (checking block 0, the last blocks' links and"
            + " state roots against the stored state) and, with --all, replays and verifies every"
            + " block from genesis (links, Merkle roots, signatures, state, state roots), with a"
            + " progress bar on standard error.",
        "Consensus seals are not checked here (the ledger alone does not know the protocol).",
        "Exit status: 0 valid, 1 the chain does not verify, 2 bad input."
      })
  static final class Verify implements Callable<Integer> {
    private static final ObjectMapper JSON =
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec CommandSpec spec;

    @Option(
        names = "--store",
        required = true,
        paramLabel = "FILE",
        description =
            "The chain's durable store (e.g. chain.mv written by 'gridtrade ledger-demo').")
    Path store;

    @Option(
        names = "--genesis",
        required = true,
        paramLabel = "FILE",
        description = "The chain's genesis in its canonical encoding (genesis.bin).")
    Path genesis;

    @Option(names = "--all", description = "Replay and verify every block, not only open.")
    boolean all;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() {
      if (!Files.isRegularFile(store)) {
        throw bad("--store %s is not a file".formatted(store));
      }
      if (!Files.isRegularFile(genesis)) {
        throw bad("--genesis %s is not a file".formatted(genesis));
      }
      Genesis g;
      try {
        g = Genesis.decode(Files.readAllBytes(genesis));
      } catch (DecodeException e) {
        throw bad("--genesis %s is not a GridTrade genesis: %s".formatted(genesis, e.getMessage()));
      } catch (IOException e) {
        throw bad("--genesis %s cannot be read: %s".formatted(genesis, e.getMessage()));
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      long start = System.nanoTime();
      try (Ledger ledger = Ledger.open(g, BlockStores.openDurable(store))) {
        long openMillis = (System.nanoTime() - start) / 1_000_000;
        ChainReport report = null;
        if (all) {
          long total = ledger.height() + 1;
          int[] shown = {-1};
          report =
              ledger.verify(
                  h -> {
                    int percent = (int) ((h + 1) * 100 / total);
                    if (percent / 10 != shown[0]) { // at most 11 lines, whatever the length
                      shown[0] = percent / 10;
                      err.printf(
                          Locale.ROOT,
                          "verifying: %,d of %,d blocks (%d %%)%n",
                          h + 1,
                          total,
                          percent);
                      err.flush();
                    }
                  });
        }
        boolean valid = report == null || report.valid();
        if (json) {
          ObjectNode j = JSON.createObjectNode();
          j.put("command", "ledger verify");
          j.put("valid", valid);
          j.put("height", ledger.height());
          j.put("head", ledger.head().hash().toHex());
          j.put("stateRoot", ledger.state().root().toHex());
          j.put("openMillis", openMillis);
          j.put("replayed", all);
          if (report != null) {
            j.put("verifiedBlocks", report.validBlocks());
            j.put("problem", report.problem().orElse(null));
          }
          out.println(JSON.writeValueAsString(j));
        } else {
          out.printf(
              Locale.ROOT,
              "opened          height %d, head %s, state root %s, in %d ms (from its stored state)%n",
              ledger.height(),
              ledger.head().hash().toHex(),
              ledger.state().root().toHex(),
              openMillis);
          if (report != null) {
            out.printf(Locale.ROOT, "replayed        %s%n", report);
          }
          out.println(valid ? "result          VALID" : "result          INVALID");
        }
        out.flush();
        return valid ? 0 : GridTradeCommand.EXIT_FAILURE;
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      } catch (IllegalStateException | UncheckedIOException e) {
        err.printf("ledger verify: FAILED: %s%n", e.getMessage().replace('\n', ' '));
        err.flush();
        return GridTradeCommand.EXIT_FAILURE;
      }
    }

    private ParameterException bad(String message) {
      return new ParameterException(spec.commandLine(), message);
    }
  }
}

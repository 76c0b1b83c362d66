package org.gridtrade.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import picocli.CommandLine.Mixin;
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
    subcommands = {
      LedgerCommand.Verify.class,
      LedgerCommand.Snapshot.class,
      LedgerCommand.Restore.class
    })
public final class LedgerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw GridTradeCommand.subcommandRequired(spec);
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
    private static final ObjectMapper JSON = new ObjectMapper();

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

    @Mixin JsonOutput output;

    @Override
    public Integer call() {
      if (!Files.isRegularFile(store)) {
        throw bad("--store %s is not a file".formatted(store));
      }
      Genesis g = readGenesis(spec, "--genesis", genesis);
      PrintWriter err = spec.commandLine().getErr();
      long start = System.nanoTime();
      try (Ledger ledger = open(spec, g, store)) {
        long openMillis = (System.nanoTime() - start) / 1_000_000;
        ChainReport report = all ? replay(ledger, err) : null;
        boolean valid = report == null || report.valid();
        output.print(
            () -> toJson(ledger, report, valid, openMillis),
            () -> toText(ledger, report, valid, openMillis));
        return valid ? 0 : GridTradeCommand.EXIT_FAILURE;
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      } catch (IllegalStateException | UncheckedIOException e) {
        err.printf("ledger verify: FAILED: %s%n", e.getMessage().replace('\n', ' '));
        err.flush();
        return GridTradeCommand.EXIT_FAILURE;
      }
    }

    /** Replays and verifies every block, with a progress bar on {@code err}. */
    private static ChainReport replay(Ledger ledger, PrintWriter err) {
      long total = ledger.height() + 1;
      int[] shown = {-1};
      return ledger.verify(
          h -> {
            int percent = (int) ((h + 1) * 100 / total);
            if (percent / 10 != shown[0]) { // at most 11 lines, whatever the length
              shown[0] = percent / 10;
              err.printf(
                  Locale.ROOT, "verifying: %,d of %,d blocks (%d %%)%n", h + 1, total, percent);
              err.flush();
            }
          });
    }

    private ObjectNode toJson(Ledger ledger, ChainReport report, boolean valid, long openMillis) {
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
      return j;
    }

    private static String toText(
        Ledger ledger, ChainReport report, boolean valid, long openMillis) {
      StringBuilder b = new StringBuilder();
      b.append(
          String.format(
              Locale.ROOT,
              "opened          height %d, head %s, state root %s, in %d ms (from its stored state)%n",
              ledger.height(),
              ledger.head().hash().toHex(),
              ledger.state().root().toHex(),
              openMillis));
      if (report != null) {
        b.append(String.format(Locale.ROOT, "replayed        %s%n", report));
      }
      b.append(valid ? "result          VALID" : "result          INVALID")
          .append(System.lineSeparator());
      return b.toString();
    }

    private ParameterException bad(String message) {
      return new ParameterException(spec.commandLine(), message);
    }
  }

  /** Reads and decodes a genesis file; bad input is a parameter error (exit 2, one line). */
  /**
   * The on-chain modules the genesis names (lib-market's), so that a market chain replays; a module
   * this build does not provide is a usage error naming it.
   */
  static java.util.List<org.gridtrade.ledger.spi.LedgerModule> modules(
      CommandSpec spec, Genesis g) {
    try {
      return org.gridtrade.market.MarketModules.forGenesis(g);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--genesis: " + e.getMessage());
    }
  }

  /** Opens a durable chain with the modules its genesis names. */
  static Ledger open(CommandSpec spec, Genesis g, Path store) {
    java.util.List<org.gridtrade.ledger.spi.LedgerModule> modules = modules(spec, g);
    return Ledger.open(
        g,
        BlockStores.openDurable(store),
        org.gridtrade.ledger.spi.SealVerifier.acceptAll(),
        Ledger.DEFAULT_STATE_RETENTION,
        modules);
  }

  static Genesis readGenesis(CommandSpec spec, String option, Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ParameterException(
          spec.commandLine(), "%s %s is not a file".formatted(option, file));
    }
    try {
      return Genesis.decode(Files.readAllBytes(file));
    } catch (DecodeException e) {
      throw new ParameterException(
          spec.commandLine(),
          "%s %s is not a GridTrade genesis: %s".formatted(option, file, e.getMessage()));
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "%s %s cannot be read: %s".formatted(option, file, e.getMessage()));
    }
  }

  /** {@code gridtrade ledger snapshot}. */
  @Command(
      name = "snapshot",
      mixinStandardHelpOptions = true,
      versionProvider = GridTradeCommand.Version.class,
      sortOptions = false,
      description = {
        "Writes a snapshot of a durable chain's state after one height (every key and value, with"
            + " the block's hash and state root), from which 'gridtrade ledger restore' starts a"
            + " new node without replaying the chain.",
        "Exit status: 0 written, 1 the store cannot be opened, 2 bad input."
      })
  static final class Snapshot implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--store", required = true, paramLabel = "FILE", description = "The store.")
    Path store;

    @Option(
        names = "--genesis",
        required = true,
        paramLabel = "FILE",
        description = "The chain's genesis in its canonical encoding (genesis.bin).")
    Path genesis;

    @Option(
        names = "--height",
        paramLabel = "H",
        description =
            "The height whose state to write (default: the head; older heights only"
                + " while their state is kept).")
    Long height;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The snapshot.")
    Path outFile;

    @Override
    public Integer call() {
      if (!Files.isRegularFile(store)) {
        throw new ParameterException(
            spec.commandLine(), "--store %s is not a file".formatted(store));
      }
      Genesis g = readGenesis(spec, "--genesis", genesis);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try (Ledger ledger = open(spec, g, store)) {
        long h = height == null ? ledger.height() : height;
        if (h < 0 || h > ledger.height()) {
          throw new ParameterException(
              spec.commandLine(),
              "--height %d is not in 0..%d (the chain's height)".formatted(h, ledger.height()));
        }
        long keys;
        try (java.io.OutputStream o = Files.newOutputStream(outFile)) {
          keys = ledger.exportStateSnapshot(h, o);
        } catch (IllegalArgumentException e) {
          Files.deleteIfExists(outFile);
          throw new ParameterException(spec.commandLine(), "--height " + e.getMessage());
        }
        out.printf(
            Locale.ROOT,
            "snapshot        height %d, block %s, %d keys, %d bytes, written to %s%n",
            h,
            ledger.block(h).orElseThrow().hash().toHex(),
            keys,
            Files.size(outFile),
            outFile);
        out.flush();
        return 0;
      } catch (IOException e) {
        err.printf("ledger snapshot: FAILED: %s%n", e.getMessage());
        err.flush();
        return GridTradeCommand.EXIT_FAILURE;
      } catch (IllegalStateException | UncheckedIOException e) {
        err.printf("ledger snapshot: FAILED: %s%n", e.getMessage().replace('\n', ' '));
        err.flush();
        return GridTradeCommand.EXIT_FAILURE;
      }
    }
  }

  /** {@code gridtrade ledger restore}. */
  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      versionProvider = GridTradeCommand.Version.class,
      sortOptions = false,
      description = {
        "Starts a new durable store from a state snapshot and a trusted head, without replaying"
            + " the chain: the blocks (read from another store) must lead from the genesis to the"
            + " block whose hash you trust, and the snapshot's tree must have that block's state"
            + " root. The new store then opens like any other.",
        "Exit status: 0 restored, 1 the stores cannot be opened, 2 bad input (nothing written)."
      })
  static final class Restore implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--genesis",
        required = true,
        paramLabel = "FILE",
        description = "The chain's genesis in its canonical encoding (genesis.bin).")
    Path genesis;

    @Option(
        names = "--blocks-from",
        required = true,
        paramLabel = "FILE",
        description = "A store holding the chain's blocks up to the trusted head (read only).")
    Path blocksFrom;

    @Option(
        names = "--trusted-hash",
        required = true,
        paramLabel = "HEX",
        description = "The hash of the block the snapshot is of, from a source you trust.")
    String trustedHash;

    @Option(
        names = "--snapshot",
        required = true,
        paramLabel = "FILE",
        description = "The snapshot.")
    Path snapshot;

    @Option(
        names = "--store",
        required = true,
        paramLabel = "FILE",
        description = "The new store; must not exist.")
    Path store;

    @Override
    public Integer call() {
      Genesis g = readGenesis(spec, "--genesis", genesis);
      org.gridtrade.ledger.Hash trusted;
      try {
        trusted = org.gridtrade.ledger.Hash.fromHex(trustedHash);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(), "--trusted-hash '%s': %s".formatted(trustedHash, e.getMessage()));
      }
      for (Path p : new Path[] {blocksFrom, snapshot}) {
        if (!Files.isRegularFile(p)) {
          throw new ParameterException(spec.commandLine(), "%s is not a file".formatted(p));
        }
      }
      if (Files.exists(store)) {
        throw new ParameterException(
            spec.commandLine(), "--store %s exists: restore writes a new store".formatted(store));
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      java.util.List<org.gridtrade.ledger.spi.LedgerModule> modules = modules(spec, g);
      try (org.gridtrade.ledger.spi.BlockStore source = BlockStores.openDurable(blocksFrom);
          java.io.InputStream in = Files.newInputStream(snapshot)) {
        Iterable<org.gridtrade.ledger.Block> blocks = () -> new SourceBlocks(source);
        long start = System.nanoTime();
        try (Ledger ledger =
            Ledger.openFromSnapshot(
                g,
                BlockStores.openDurable(store),
                org.gridtrade.ledger.spi.SealVerifier.acceptAll(),
                modules,
                blocks,
                trusted,
                in)) {
          out.printf(
              Locale.ROOT,
              "restored        height %d, head %s, state root %s, %d accounts, in %d ms%n",
              ledger.height(),
              ledger.head().hash().toHex(),
              ledger.state().root().toHex(),
              ledger.state().accountCount(),
              (System.nanoTime() - start) / 1_000_000);
          out.flush();
          return 0;
        }
      } catch (IllegalArgumentException e) {
        deleteQuietly(store);
        throw new ParameterException(spec.commandLine(), e.getMessage().replace('\n', ' '));
      } catch (IOException | IllegalStateException | UncheckedIOException e) {
        err.printf(
            "ledger restore: FAILED: %s%n", String.valueOf(e.getMessage()).replace('\n', ' '));
        err.flush();
        return GridTradeCommand.EXIT_FAILURE;
      }
    }

    private static void deleteQuietly(Path p) {
      try {
        Files.deleteIfExists(p);
        Files.deleteIfExists(p.resolveSibling(p.getFileName() + ".head"));
      } catch (IOException e) {
        // best effort: the store was created empty
      }
    }
  }

  /** The blocks of a store, decoded in height order. */
  private static final class SourceBlocks
      implements java.util.Iterator<org.gridtrade.ledger.Block> {
    private final org.gridtrade.ledger.spi.BlockStore source;
    private final long size;
    private long next;

    SourceBlocks(org.gridtrade.ledger.spi.BlockStore source) {
      this.source = source;
      this.size = source.size();
    }

    @Override
    public boolean hasNext() {
      return next < size;
    }

    @Override
    public org.gridtrade.ledger.Block next() {
      long h = next++;
      byte[] bytes =
          source
              .read(h)
              .orElseThrow(() -> new IllegalArgumentException("--blocks-from has no block " + h))
              .encoded();
      try {
        return org.gridtrade.ledger.Block.decode(bytes);
      } catch (DecodeException e) {
        throw new IllegalArgumentException(
            "--blocks-from block %d does not decode: %s".formatted(h, e.getMessage()));
      }
    }
  }
}

package org.gridtrade.examples.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.gridtrade.node.GridTradeClient;
import org.gridtrade.node.GridTradeNode;
import org.gridtrade.node.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gridtrade node}: run a node as its own process, or ask one for its status. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    description = "Runs a GridTrade node (see 'gridtrade testnet' for a ready-made configuration).",
    subcommands = {NodeCommand.Init.class, NodeCommand.Run.class, NodeCommand.Status.class})
public final class NodeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw GridTradeCommand.subcommandRequired(spec);
  }

  /** {@code gridtrade node init}. */
  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      versionProvider = GridTradeCommand.Version.class,
      description = {
        "Writes a new node into --dir: an encrypted key (node-0/node.key, its password in"
            + " node-0/password), a configuration (node-0/config.json: loopback addresses on free"
            + " ports, this node the only sealer and the only member of its network) and a genesis"
            + " funding one user key (users/). Edit the configuration's peers, network and sealers"
            + " to join other nodes; 'gridtrade node run --config DIR/node-0/config.json' starts it.",
        "Exit status: 0 written, 2 bad input (nothing written)."
      })
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where to write.")
    Path dir;

    @Option(
        names = "--block-period-ms",
        defaultValue = "1000",
        paramLabel = "MS",
        description = "Time between blocks, 100..60000 (default 1000).")
    long blockPeriodMs;

    @Override
    public Integer call() {
      if (blockPeriodMs < 100 || blockPeriodMs > 60_000) {
        throw new ParameterException(
            spec.commandLine(),
            "--block-period-ms %d is outside 100..60000".formatted(blockPeriodMs));
      }
      org.gridtrade.node.LocalTestnet net;
      try {
        net =
            org.gridtrade.node.LocalTestnet.write(
                dir,
                1,
                java.time.Duration.ofMillis(blockPeriodMs),
                new java.security.SecureRandom());
      } catch (IllegalArgumentException | UncheckedIOException e) {
        throw new ParameterException(spec.commandLine(), "--dir " + e.getMessage());
      }
      NodeConfig c = NodeConfig.read(net.configs().get(0));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          Locale.ROOT,
          "node written: config %s (p2p %s:%d, api http://%s:%d), genesis %s, user keys %s%n",
          net.configs().get(0),
          c.p2p().getHostString(),
          c.p2p().getPort(),
          c.api().getHostString(),
          c.api().getPort(),
          net.genesis(),
          dir.resolve("users"));
      out.flush();
      return 0;
    }
  }

  /** {@code gridtrade node run}. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      versionProvider = GridTradeCommand.Version.class,
      description = {
        "Runs a node until it is stopped (SIGTERM or Ctrl-C: a clean shutdown that closes the"
            + " store): reopens its chain, listens for peers (mutual TLS) and API clients (HTTP),"
            + " dials its peers and seals when its key is a sealer.",
        "The keystore's password comes from the config's passwordFile, or from the"
            + " GRIDTRADE_KEY_PASSWORD environment variable.",
        "Exit status: 0 stopped cleanly, 1 failed while running, 2 bad configuration."
      })
  static final class Run implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--config",
        required = true,
        paramLabel = "FILE",
        description = "The node's config.json.")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
      if (!Files.isRegularFile(config)) {
        throw new ParameterException(
            spec.commandLine(), "--config %s is not a file".formatted(config));
      }
      NodeConfig c;
      GridTradeNode node;
      try {
        c = NodeConfig.read(config);
        node = GridTradeNode.start(c);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      } catch (UncheckedIOException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          Locale.ROOT,
          "node %s running: height %d, p2p %s, api http://127.0.0.1:%d%n",
          node.transport().localId(),
          node.engine().ledger().height(),
          node.p2pAddress(),
          node.apiAddress().getPort());
      out.flush();
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                node.close();
                stopped.countDown();
              },
              "gridtrade-node-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      // Runs until stopped, or until the engine fails (out of memory, say): then exit 1, so that
      // a supervisor restarts the node from its store rather than leave it half alive.
      while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
        if (node.engine().failure().isPresent()) {
          PrintWriter err = spec.commandLine().getErr();
          err.printf("node: FAILED: the engine stopped: %s%n", node.engine().failure().get());
          err.flush();
          Runtime.getRuntime().removeShutdownHook(hook);
          node.close();
          return GridTradeCommand.EXIT_FAILURE;
        }
      }
      return 0;
    }
  }

  /** {@code gridtrade node status}. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      versionProvider = GridTradeCommand.Version.class,
      description = {
        "Asks a node's API for its status: height, head, peers, whether it is catching up.",
        "Exit status: 0 answered, 1 the node cannot be reached, 2 bad input."
      })
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--api",
        required = true,
        paramLabel = "URL",
        description = "The node's API, e.g. http://127.0.0.1:26657.")
    String api;

    @Mixin JsonOutput output;

    @Override
    public Integer call() {
      GridTradeClient client;
      try {
        client = GridTradeClient.of(URI.create(api));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(), "--api '%s': %s".formatted(api, e.getMessage()));
      }
      PrintWriter out = spec.commandLine().getOut();
      try {
        GridTradeClient.Status s = client.status();
        if (output.requested()) {
          out.printf(
              Locale.ROOT,
              "{\"nodeId\":\"%s\",\"height\":%d,\"head\":\"%s\",\"syncing\":%b,\"peers\":%d}%n",
              s.nodeId(),
              s.height(),
              s.head().toHex(),
              s.syncing(),
              s.peers().size());
        } else {
          out.printf(
              Locale.ROOT,
              "node %s: height %d, head %s, %d peers%s%n",
              s.nodeId(),
              s.height(),
              s.head().toHex(),
              s.peers().size(),
              s.syncing() ? ", catching up" : "");
        }
        out.flush();
        return 0;
      } catch (UncheckedIOException e) {
        PrintWriter err = spec.commandLine().getErr();
        err.printf("node status: FAILED: %s%n", e.getMessage());
        err.flush();
        return GridTradeCommand.EXIT_FAILURE;
      }
    }
  }
}

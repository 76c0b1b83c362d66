package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gridtrade.node.GridTradeClient;
import org.gridtrade.node.LocalTestnet;
import org.gridtrade.node.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gridtrade testnet}: writes a local test network and starts one {@code gridtrade node run}
 * process per node on loopback.
 */
@Command(
    name = "testnet",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Writes a local test network into --dir (keys, a genesis funding one user per node, one"
          + " config per node; every node a block signer of the --consensus protocol dialling the"
          + " others over mutual TLS on loopback), starts one 'gridtrade node run' process per node, waits until"
          + " every node answers with all its peers connected, and writes --dir/testnet.json ="
          + " {\"nodes\":[{\"id\",\"api\",\"p2p\",\"pid\",\"dataDir\",\"command\"}]} (the command"
          + " restarts that node).",
      "Without --detach it runs until stopped (Ctrl-C or SIGTERM stops every node); with --detach"
          + " it returns and leaves the nodes running (stop them by their pids).",
      "Exit status: 0 started, 1 a node failed to start, 2 bad input."
    })
public final class TestnetCommand implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandSpec spec;

  @Option(
      names = "--nodes",
      defaultValue = "4",
      paramLabel = "N",
      description = "1..25 (default 4; the sources ran 1 to 25 sealers).")
  int nodes;

  @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where to write it.")
  Path dir;

  @Option(
      names = "--block-period-ms",
      defaultValue = "1000",
      paramLabel = "MS",
      description = "Time between blocks, 100..60000 (default 1000).")
  long blockPeriodMs;

  @Option(
      names = "--max-block-transactions",
      defaultValue = "1000",
      paramLabel = "N",
      description = "The most transactions a block holds (default 1000).")
  int maxBlockTransactions;

  @Option(
      names = "--consensus",
      defaultValue = "poa",
      paramLabel = "P",
      description = {
        "poa (default): every node a Proof of Authority sealer; trust: trust-based stake, every"
            + " node in the first committee, epochs of 10 blocks; poeg: Proof of Energy Generation,"
            + " node i a coalition with proof score i + 1; posoc: Proof of State of Charge, node i"
            + " an EV with daily score i + 1, periods of 100 blocks.",
        "The last three wait twice the block period per rank and pay their rewards with a"
            + " treasury key that is an authority of the genesis (node-i/treasury.key)."
      })
  String consensus;

  @Option(
      names = "--heap-mb",
      defaultValue = "512",
      paramLabel = "MB",
      description = "Each node's maximum heap, 256..65536 MB (default 512).")
  int heapMb;

  @Option(
      names = "--gc",
      defaultValue = "parallel",
      paramLabel = "GC",
      description =
          "Each node's garbage collector: parallel (default; more throughput and lower latency than"
              + " G1 in our measurements, docs/node.md) or g1.")
  String gc;

  @Option(names = "--detach", description = "Return once the nodes run, leaving them running.")
  boolean detach;

  @Override
  public Integer call() throws InterruptedException {
    if (nodes < 1 || nodes > 25) {
      throw new ParameterException(
          spec.commandLine(), "--nodes %d is outside 1..25".formatted(nodes));
    }
    if (blockPeriodMs < 100 || blockPeriodMs > 60_000) {
      throw new ParameterException(
          spec.commandLine(),
          "--block-period-ms %d is outside 100..60000".formatted(blockPeriodMs));
    }
    if (heapMb < 256 || heapMb > 65_536) {
      throw new ParameterException(
          spec.commandLine(), "--heap-mb %d is outside 256..65536".formatted(heapMb));
    }
    if (!gc.equals("parallel") && !gc.equals("g1")) {
      throw new ParameterException(
          spec.commandLine(), "--gc '%s' is not one of parallel, g1".formatted(gc));
    }
    if (!LocalTestnet.PROTOCOLS.contains(consensus)) {
      throw new ParameterException(
          spec.commandLine(),
          "--consensus '%s' is not one of %s"
              .formatted(consensus, String.join(", ", LocalTestnet.PROTOCOLS)));
    }
    LocalTestnet net;
    try {
      net =
          LocalTestnet.write(
              dir,
              nodes,
              Duration.ofMillis(blockPeriodMs),
              maxBlockTransactions,
              consensus,
              new SecureRandom());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(),
          e.getMessage().startsWith("maxBlockTransactions")
              ? "--max-block-transactions " + e.getMessage().substring(21)
              : "--dir " + e.getMessage());
    } catch (UncheckedIOException e) {
      throw new ParameterException(spec.commandLine(), "--dir " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = System.getProperty("java.class.path");
    List<Process> started = new ArrayList<>();
    ObjectNode doc = JSON.createObjectNode();
    ArrayNode list = doc.putArray("nodes");
    try {
      for (int i = 0; i < nodes; i++) {
        Path config = net.configs().get(i);
        NodeConfig c = NodeConfig.read(config);
        List<String> command =
            List.of(
                java,
                "-Xmx" + heapMb + "m",
                gc.equals("parallel") ? "-XX:+UseParallelGC" : "-XX:+UseG1GC",
                "-cp",
                classPath,
                GridTradeCommand.class.getName(),
                "node",
                "run",
                "--config",
                config.toAbsolutePath().toString());
        Path log = config.resolveSibling("node.log");
        Process p =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        started.add(p);
        ObjectNode n = list.addObject();
        n.put("id", "node-" + i);
        n.put("api", "http://%s:%d".formatted(c.api().getHostString(), c.api().getPort()));
        n.put("p2p", "%s:%d".formatted(c.p2p().getHostString(), c.p2p().getPort()));
        n.put("pid", p.pid());
        n.put("dataDir", c.dataDir().toString());
        n.put("log", log.toString());
        ArrayNode cmd = n.putArray("command");
        command.forEach(cmd::add);
      }
      Files.writeString(dir.resolve("testnet.json"), JSON.writeValueAsString(doc) + "\n");
      // Ready when every node answers with all its peers connected.
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      for (int i = 0; i < nodes; i++) {
        GridTradeClient client = GridTradeClient.of(URI.create(list.get(i).get("api").asText()));
        while (true) {
          if (!started.get(i).isAlive()) {
            throw new IllegalStateException(
                "node-%d exited with status %d (see %s)"
                    .formatted(i, started.get(i).exitValue(), list.get(i).get("log").asText()));
          }
          try {
            if (client.status().peers().size() == nodes - 1) {
              break;
            }
          } catch (UncheckedIOException notYet) {
            // not listening yet
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("node-%d did not come up within 120 s".formatted(i));
          }
          Thread.sleep(100);
        }
      }
    } catch (IOException | RuntimeException e) {
      started.forEach(Process::destroyForcibly);
      err.printf("testnet: FAILED: %s%n", e.getMessage());
      err.flush();
      return GridTradeCommand.EXIT_FAILURE;
    }
    out.printf(
        Locale.ROOT, "testnet of %d nodes running (%s):%n", nodes, dir.resolve("testnet.json"));
    for (int i = 0; i < nodes; i++) {
      out.printf(
          Locale.ROOT,
          "  node-%d  pid %d  api %s  p2p %s%n",
          i,
          list.get(i).get("pid").asLong(),
          list.get(i).get("api").asText(),
          list.get(i).get("p2p").asText());
    }
    out.printf(
        Locale.ROOT, "funded user keys: %s (password in users/password)%n", dir.resolve("users"));
    out.flush();
    if (detach) {
      return 0;
    }
    Thread hook = new Thread(() -> stop(started), "gridtrade-testnet-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    for (Process p : started) {
      p.waitFor();
    }
    return 0;
  }

  private static void stop(List<Process> processes) {
    processes.forEach(Process::destroy); // SIGTERM: each node shuts down cleanly
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}

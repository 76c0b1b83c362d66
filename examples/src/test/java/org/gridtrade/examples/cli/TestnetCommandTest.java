package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.node.GridTradeClient;
import org.gridtrade.node.LocalTestnet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gridtrade testnet} starts real node processes on loopback: a transaction sent to one
 * node's API is included on every node; a node stopped with SIGTERM exits cleanly, and restarted
 * with its command from testnet.json it reopens its chain and catches up. Every process started is
 * stopped.
 */
public class TestnetCommandTest {
  @TempDir Path dir;
  private final List<Long> pids = new ArrayList<>();
  private final List<Process> restarted = new ArrayList<>();

  @AfterEach
  void stopEveryProcess() {
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    restarted.forEach(Process::destroyForcibly);
  }

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = GridTradeCommand.configure(new CommandLine(new GridTradeCommand()));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  /**
   * Runs {@code gridtrade testnet --dir net --block-period-ms 300 --detach} with the given options,
   * remembers the started pids (stopped after the test) and returns testnet.json; exit 0 required.
   */
  private JsonNode startTestnet(Path net, StringWriter out, String... options) throws Exception {
    StringWriter err = new StringWriter();
    List<String> args = new ArrayList<>(List.of("testnet"));
    args.addAll(List.of(options));
    args.addAll(List.of("--dir", net.toString(), "--block-period-ms", "300", "--detach"));
    int code = run(out, err, args.toArray(String[]::new));
    Path json = net.resolve("testnet.json");
    JsonNode doc = Files.exists(json) ? new ObjectMapper().readTree(json.toFile()) : null;
    if (doc != null) {
      doc.get("nodes").forEach(n -> pids.add(n.get("pid").asLong()));
    }
    assertThat(code).as(err.toString()).isZero();
    return doc;
  }

  private static Transaction transfer(KeyPair from, long nonce, KeyPair to, long amount) {
    return new TransactionBody(
            LocalTestnet.CHAIN_ID,
            from.publicKey(),
            nonce,
            10,
            new Payload.Transfer(to.address(), amount))
        .sign(from);
  }

  @Test
  void testnet_ofThreeProcesses_includesTransactions_andARestartedNodeCatchesUp() throws Exception {
    Path net = dir.resolve("net");
    StringWriter out = new StringWriter();
    JsonNode doc = startTestnet(net, out, "--nodes", "3");
    assertThat(out.toString()).contains("testnet of 3 nodes running");
    List<GridTradeClient> clients = new ArrayList<>();
    doc.get("nodes")
        .forEach(n -> clients.add(GridTradeClient.of(URI.create(n.get("api").asText()))));

    char[] pw = Files.readString(net.resolve("users/password")).strip().toCharArray();
    KeyPair alice = Keystore.read(net.resolve("users/user-0.key"), pw);
    KeyPair bob = Keystore.read(net.resolve("users/user-1.key"), pw);
    Transaction first = transfer(alice, 0, bob, 1_000);
    assertThat(clients.get(0).submit(first).accepted()).isTrue();
    for (GridTradeClient c : clients) {
      assertThat(c.awaitInclusion(first.id(), Duration.ofSeconds(90)).included()).isTrue();
    }

    // SIGTERM: node-1 shuts down cleanly, and its API is gone.
    long pid1 = doc.get("nodes").get(1).get("pid").asLong();
    ProcessHandle h1 = ProcessHandle.of(pid1).orElseThrow();
    h1.destroy();
    h1.onExit().get(60, TimeUnit.SECONDS);
    StringWriter sOut = new StringWriter();
    StringWriter sErr = new StringWriter();
    String api1 = doc.get("nodes").get(1).get("api").asText();
    assertThat(run(sOut, sErr, "node", "status", "--api", api1)).isEqualTo(1);
    assertThat(sErr.toString().strip().lines().count()).isEqualTo(1);

    Transaction second = transfer(alice, 1, bob, 2_000);
    assertThat(clients.get(0).submit(second).accepted()).isTrue();
    assertThat(clients.get(0).awaitInclusion(second.id(), Duration.ofSeconds(90)).included())
        .isTrue();

    // Restarted with its command, node-1 reopens its chain and takes the block it missed.
    List<String> command = new ArrayList<>();
    doc.get("nodes").get(1).get("command").forEach(c -> command.add(c.asText()));
    restarted.add(
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(net.resolve("node-1/node.log").toFile()))
            .start());
    GridTradeClient.TxStatus seen = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (seen == null) {
      try {
        seen = clients.get(1).awaitInclusion(second.id(), Duration.ofSeconds(60));
      } catch (java.io.UncheckedIOException notUpYet) {
        assertThat(System.nanoTime()).as("node-1 came back").isLessThan(deadline);
        Thread.sleep(200);
      }
    }
    assertThat(seen.included()).isTrue();
    assertThat(Files.readString(net.resolve("node-1/node.log"))).contains("running: height");
  }

  @Test
  void testnet_runsAnotherProtocol_whenAsked() throws Exception {
    Path net = dir.resolve("poeg");
    JsonNode doc = startTestnet(net, new StringWriter(), "--nodes", "2", "--consensus", "poeg");
    assertThat(
            org.gridtrade.node.NodeConfig.read(net.resolve("node-1/config.json"))
                .consensus()
                .protocol())
        .isEqualTo("poeg");
    char[] pw = Files.readString(net.resolve("users/password")).strip().toCharArray();
    KeyPair alice = Keystore.read(net.resolve("users/user-0.key"), pw);
    KeyPair bob = Keystore.read(net.resolve("users/user-1.key"), pw);
    Transaction tx = transfer(alice, 0, bob, 1_000);
    GridTradeClient first =
        GridTradeClient.of(URI.create(doc.get("nodes").get(0).get("api").asText()));
    assertThat(first.submit(tx).accepted()).isTrue();
    for (JsonNode n : doc.get("nodes")) {
      GridTradeClient c = GridTradeClient.of(URI.create(n.get("api").asText()));
      assertThat(c.awaitInclusion(tx.id(), Duration.ofSeconds(90)).included()).isTrue();
    }
  }

  @Test
  void nodeInit_writesARunnableNode() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path d = dir.resolve("one");
    assertThat(run(out, err, "node", "init", "--dir", d.toString(), "--block-period-ms", "200"))
        .as(err.toString())
        .isZero();
    assertThat(out.toString()).contains("node written");
    org.gridtrade.node.NodeConfig c =
        org.gridtrade.node.NodeConfig.read(d.resolve("node-0/config.json"));
    assertThat(c.sealers()).hasSize(1);
    try (org.gridtrade.node.GridTradeNode node = org.gridtrade.node.GridTradeNode.start(c)) {
      assertThat(node.engine().status().role().name()).isEqualTo("SEALER");
    }
    assertThat(run(out, err, "node", "init", "--dir", d.toString())).isEqualTo(2);
  }

  @Test
  void testnet_withBadOptions_isBadInput() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(run(out, err, "testnet", "--nodes", "0", "--dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--nodes 0").doesNotContain("Exception");
    StringWriter err2 = new StringWriter();
    assertThat(
            run(
                out,
                err2,
                "testnet",
                "--nodes",
                "1",
                "--max-block-transactions",
                "0",
                "--dir",
                dir.resolve("t").toString()))
        .isEqualTo(2);
    assertThat(err2.toString())
        .contains("--max-block-transactions 0 not in 1..100000")
        .doesNotContain("Exception");
    assertThat(run(out, err, "node", "run", "--config", dir.resolve("none.json").toString()))
        .isEqualTo(2);
    StringWriter err3 = new StringWriter();
    assertThat(
            run(out, err3, "testnet", "--consensus", "pow", "--dir", dir.resolve("u").toString()))
        .isEqualTo(2);
    assertThat(err3.toString())
        .contains("--consensus 'pow' is not one of poa, trust, poeg, posoc")
        .doesNotContain("Exception");
    assertThat(dir.resolve("u")).doesNotExist();
    StringWriter err4 = new StringWriter();
    assertThat(run(out, err4, "testnet", "--heap-mb", "100", "--dir", dir.resolve("v").toString()))
        .isEqualTo(2);
    assertThat(err4.toString())
        .contains("--heap-mb 100 is outside 256..65536")
        .doesNotContain("Exception");
    assertThat(dir.resolve("v")).doesNotExist();
    StringWriter err5 = new StringWriter();
    assertThat(run(out, err5, "testnet", "--gc", "zgc", "--dir", dir.resolve("w").toString()))
        .isEqualTo(2);
    assertThat(err5.toString())
        .contains("--gc 'zgc' is not one of parallel, g1")
        .doesNotContain("Exception");
    assertThat(dir.resolve("w")).doesNotExist();
  }
}

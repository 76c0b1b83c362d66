package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.StateProof;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes of a local test network in one JVM, talking over loopback with mutual TLS and served
 * through their client APIs: a transaction submitted to one node is included on all, an account's
 * state proof from the API checks against the block header from the API, restarted nodes reopen
 * their chains, and bad requests get clear errors.
 */
class GridTradeNodeTest {
  @TempDir Path dir;

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  private static URI uri(GridTradeNode n) {
    return URI.create("http://127.0.0.1:" + n.apiAddress().getPort());
  }

  @Test
  void testnet_ofThreeNodes_includesTransactionsOnAll_andServesProofs() throws Exception {
    LocalTestnet net = LocalTestnet.write(dir, 3, Duration.ofMillis(300), new SecureRandom());
    char[] pw = Files.readString(dir.resolve("users/password")).strip().toCharArray();
    List<KeyPair> users = new ArrayList<>();
    for (Path k : net.userKeys()) {
      users.add(Keystore.read(k, pw));
    }
    List<GridTradeNode> nodes = new ArrayList<>();
    try {
      for (Path c : net.configs()) {
        nodes.add(GridTradeNode.start(NodeConfig.read(c)));
      }
      List<GridTradeClient> clients = nodes.stream().map(n -> GridTradeClient.of(uri(n))).toList();
      await(
          "every node has both peers",
          () -> clients.stream().allMatch(c -> c.status().peers().size() == 2));
      List<Hash> ids = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        KeyPair u = users.get(i % 3);
        GridTradeClient c = clients.get(i % 3);
        long nonce = c.account(u.address()).pendingNonce();
        Transaction tx =
            new TransactionBody(
                    LocalTestnet.CHAIN_ID,
                    u.publicKey(),
                    nonce,
                    10,
                    new Payload.Transfer(users.get((i + 1) % 3).address(), 1_000 + i))
                .sign(u);
        GridTradeClient.Submitted s = c.submit(tx);
        assertThat(s.accepted()).as("%s", s.rejection()).isTrue();
        assertThat(s.id()).isEqualTo(tx.id());
        ids.add(tx.id());
      }
      for (Hash id : ids) {
        for (GridTradeClient c : clients) {
          assertThat(c.awaitInclusion(id, Duration.ofSeconds(60)).included()).isTrue();
        }
      }
      // A light client: the account's state proof checks against the header the API serves.
      GridTradeClient.AccountView a = clients.get(1).account(users.get(0).address());
      assertThat(a.nonce()).isEqualTo(2);
      BlockHeader header = header(uri(nodes.get(1)), a.height());
      StateProof proof = StateProof.decode(a.stateProof());
      assertThat(proof.verify(header, StateKey.account(users.get(0).address()))).isTrue();
      assertThat(proof.account().orElseThrow().balance()).isEqualTo(a.balance());

      // Subscriptions: server-sent events for new blocks, and for one sender's transactions.
      java.util.concurrent.BlockingQueue<String> blockEvents =
          new java.util.concurrent.LinkedBlockingQueue<>();
      java.util.concurrent.BlockingQueue<String> senderEvents =
          new java.util.concurrent.LinkedBlockingQueue<>();
      HttpClient sse = HttpClient.newHttpClient();
      sse.sendAsync(
              HttpRequest.newBuilder(uri(nodes.get(1)).resolve("/v1/events/blocks")).build(),
              HttpResponse.BodyHandlers.ofLines())
          .thenAccept(r -> r.body().forEach(blockEvents::add));
      sse.sendAsync(
              HttpRequest.newBuilder(
                      uri(nodes.get(1)).resolve("/v1/events/senders/" + users.get(2).address()))
                  .build(),
              HttpResponse.BodyHandlers.ofLines())
          .thenAccept(r -> r.body().forEach(senderEvents::add));
      await(
          "both streams are open",
          () -> quietly(uri(nodes.get(1)), "/metrics").contains("gridtrade_event_streams 2"));
      Transaction watched =
          new TransactionBody(
                  LocalTestnet.CHAIN_ID,
                  users.get(2).publicKey(),
                  clients.get(2).account(users.get(2).address()).pendingNonce(),
                  10,
                  new Payload.Transfer(users.get(0).address(), 9))
              .sign(users.get(2));
      assertThat(clients.get(2).submit(watched).accepted()).isTrue();
      String txEvent = null;
      long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (txEvent == null || !txEvent.contains(watched.id().toHex())) {
        txEvent = senderEvents.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        assertThat(System.nanoTime()).as("the sender's event arrives").isLessThan(until);
      }
      assertThat(blockEvents.poll(60, java.util.concurrent.TimeUnit.SECONDS))
          .startsWith("event: block");

      // Metrics: what the node did, in the Prometheus text format (once it holds the block).
      assertThat(clients.get(0).awaitInclusion(watched.id(), Duration.ofSeconds(60)).included())
          .isTrue();
      // The status says what verifies signatures: libsodium where this platform has a build.
      String status = get(uri(nodes.get(0)), "/v1/status");
      assertThat(status).contains("\"signatures\"");
      if (System.getProperty("os.name").startsWith("Linux")
          && System.getProperty("os.arch").equals("amd64")) {
        assertThat(status).contains("libsodium 1.0.18 confirms, BouncyCastle decides the rest");
      }
      String metrics = get(uri(nodes.get(0)), "/metrics");
      assertThat(metrics)
          .contains("# TYPE gridtrade_height gauge")
          .contains("gridtrade_peers 2")
          .contains("gridtrade_commit_latency_seconds_count 2")
          .containsPattern("gridtrade_p2p_sent_bytes_total [1-9]");

      // Every committed transaction counted (a block replaced by a competitor counts too).
      java.util.regex.Matcher committed =
          java.util.regex.Pattern.compile("gridtrade_transactions_committed_total ([0-9.]+)")
              .matcher(metrics);
      assertThat(committed.find()).isTrue();
      assertThat(Double.parseDouble(committed.group(1))).isGreaterThanOrEqualTo(7);

      // A replayed transaction is refused with its reason; junk is refused as malformed.
      Transaction again =
          new TransactionBody(
                  LocalTestnet.CHAIN_ID,
                  users.get(0).publicKey(),
                  0,
                  10,
                  new Payload.Transfer(users.get(1).address(), 5))
              .sign(users.get(0));
      GridTradeClient.Submitted r = clients.get(0).submit(again);
      assertThat(r.rejection()).hasValueSatisfying(x -> assertThat(x).startsWith("NONCE_REPLAY"));
      assertThat(clients.get(0).transaction(again.id()).status()).isEqualTo("rejected");
      assertThat(get(uri(nodes.get(0)), "/metrics"))
          .contains("gridtrade_rejected_transactions_total{reason=\"NONCE_REPLAY\"} 1");
      assertThat(post(uri(nodes.get(0)), "{\"transaction\":\"zz\"}")).contains("MALFORMED");
      assertThat(post(uri(nodes.get(0)), "[1,2")).contains("MALFORMED");
      assertThat(clients.get(0).transaction(Hash.sha256(new byte[] {1})).status())
          .isEqualTo("unknown");

      // Restart node 2 from its data directory: it reopens its chain, reconnects, and takes the
      // blocks sealed meanwhile (blocks are sealed when transactions wait).
      long before = clients.get(2).status().height();
      nodes.get(2).close();
      Transaction later =
          new TransactionBody(
                  LocalTestnet.CHAIN_ID,
                  users.get(1).publicKey(),
                  clients.get(0).account(users.get(1).address()).pendingNonce(),
                  10,
                  new Payload.Transfer(users.get(2).address(), 77))
              .sign(users.get(1));
      assertThat(clients.get(0).submit(later).accepted()).isTrue();
      assertThat(clients.get(0).awaitInclusion(later.id(), Duration.ofSeconds(60)).included())
          .isTrue();
      nodes.set(2, GridTradeNode.start(NodeConfig.read(net.configs().get(2))));
      GridTradeClient restarted = GridTradeClient.of(uri(nodes.get(2)));
      assertThat(restarted.status().height())
          .isGreaterThanOrEqualTo(before); // reopened, not replayed from 0
      GridTradeClient.TxStatus seen = restarted.awaitInclusion(later.id(), Duration.ofSeconds(60));
      assertThat(seen.height()).isGreaterThan(before);
      long h = seen.height();
      assertThat(headerHash(uri(nodes.get(2)), h)).isEqualTo(headerHash(uri(nodes.get(0)), h));
    } finally {
      nodes.forEach(GridTradeNode::close);
    }
  }

  @Test
  void start_withAWrongPassword_orAMissingField_failsNamingIt() throws Exception {
    LocalTestnet net = LocalTestnet.write(dir, 1, Duration.ofMillis(300), new SecureRandom());
    Path config = net.configs().get(0);
    Files.writeString(config.resolveSibling("password"), "wrong\n");
    assertThatThrownBy(() -> GridTradeNode.start(NodeConfig.read(config)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keystore");
    Files.writeString(config, Files.readString(config).replace("\"p2p\"", "\"p2q\""));
    assertThatThrownBy(() -> NodeConfig.read(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field p2p is missing");
  }

  private static BlockHeader header(URI api, long height) throws Exception {
    String body = get(api, "/v1/blocks/" + height);
    String hex =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("encoded").asText();
    return Block.decode(java.util.HexFormat.of().parseHex(hex)).header();
  }

  private static String headerHash(URI api, long height) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(get(api, "/v1/blocks/" + height))
          .path("hash")
          .asText();
    } catch (Exception e) {
      return "unavailable: " + e;
    }
  }

  private static String get(URI api, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(api.resolve(path)).GET().build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static String quietly(URI api, String path) {
    try {
      return get(api, path);
    } catch (Exception e) {
      return "unavailable: " + e;
    }
  }

  private static String post(URI api, String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(api.resolve("/v1/transactions"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}

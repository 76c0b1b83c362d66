package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;

/** What the tests of nodes on a local test network share. */
final class NodeTests {
  private NodeTests() {}

  /** Waits, by polling, until {@code done}; fails after 90 s. */
  static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  /** The funded user keys of a test network written into {@code dir}. */
  static java.util.List<KeyPair> users(java.nio.file.Path dir, LocalTestnet net)
      throws java.io.IOException, org.gridtrade.ledger.KeystoreException {
    char[] pw = java.nio.file.Files.readString(dir.resolve("users/password")).strip().toCharArray();
    java.util.List<KeyPair> users = new java.util.ArrayList<>();
    for (java.nio.file.Path k : net.userKeys()) {
      users.add(org.gridtrade.ledger.Keystore.read(k, pw));
    }
    return users;
  }

  /** Closes a child node process's input (it stops cleanly), or kills it after 20 s. */
  static void stop(Process child) throws java.io.IOException, InterruptedException {
    if (child == null) {
      return;
    }
    child.getOutputStream().close();
    if (!child.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
      child.destroyForcibly().waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /** A file's text, or "" if it does not exist (yet) or cannot be read. */
  static String read(java.nio.file.Path file) {
    try {
      return java.nio.file.Files.exists(file) ? java.nio.file.Files.readString(file) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** A node's API address. */
  static URI uri(GridTradeNode n) {
    return URI.create("http://127.0.0.1:" + n.apiAddress().getPort());
  }

  /** GETs a path and checks the answer is 200. */
  static String get(URI api, String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(api.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  /** The status code of a GET, or -1 if the node does not answer. */
  static int status(GridTradeNode n, String path) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(uri(n).resolve(path)).build(),
              HttpResponse.BodyHandlers.ofString())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Signs with the sender's pending nonce, submits, waits for inclusion; returns its height. */
  static long submit(GridTradeClient c, KeyPair k, Payload p) throws Exception {
    long nonce = c.account(k.address()).pendingNonce();
    Transaction tx =
        new TransactionBody(LocalTestnet.CHAIN_ID, k.publicKey(), nonce, 10, p).sign(k);
    GridTradeClient.Submitted s = c.submit(tx);
    assertThat(s.accepted()).as("%s", s.rejection()).isTrue();
    GridTradeClient.TxStatus st = c.awaitInclusion(tx.id(), Duration.ofSeconds(60));
    assertThat(st.included()).isTrue();
    return st.height();
  }
}

package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.gridtrade.node.NodeTests.uri;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/transactions/batch}: many transactions in one request, each with its own answer;
 * a batch with one undecodable item submits nothing.
 */
class BatchSubmitTest {
  @TempDir Path dir;

  private static Transaction transfer(KeyPair from, long nonce, KeyPair to) {
    return new TransactionBody(
            LocalTestnet.CHAIN_ID,
            from.publicKey(),
            nonce,
            1,
            new Payload.Transfer(to.address(), 7))
        .sign(from);
  }

  @Test
  void batch_admitsEachInOrder_answersEach_andAMalformedBatchSubmitsNothing() throws Exception {
    LocalTestnet net = LocalTestnet.write(dir, 1, Duration.ofMillis(200), new SecureRandom());
    char[] pw = Files.readString(dir.resolve("users/password")).strip().toCharArray();
    KeyPair user = Keystore.read(net.userKeys().get(0), pw);
    KeyPair other = KeyPair.fromSeed(new byte[32]);
    try (GridTradeNode node = GridTradeNode.start(NodeConfig.read(net.configs().get(0)))) {
      GridTradeClient c = GridTradeClient.of(uri(node));
      long nonce = c.account(user.address()).pendingNonce();
      List<Transaction> txs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        txs.add(transfer(user, nonce + i, other));
      }
      // One forged signature and one replay of the first: both refused, the rest admitted.
      Transaction good = transfer(user, nonce + 40, other);
      byte[] forged = good.encode();
      forged[forged.length - 1] ^= 1;
      txs.add(Transaction.decode(forged));
      txs.add(txs.get(0));
      List<GridTradeClient.Submitted> answers = c.submitAll(txs);
      assertThat(answers).hasSize(42);
      for (int i = 0; i < 40; i++) {
        assertThat(answers.get(i).accepted()).as("transaction %d: %s", i, answers.get(i)).isTrue();
        assertThat(answers.get(i).id()).isEqualTo(txs.get(i).id());
      }
      assertThat(answers.get(40).rejection()).get().asString().startsWith("BAD_SIGNATURE");
      assertThat(answers.get(41).rejection()).get().asString().startsWith("DUPLICATE");
      assertThat(c.account(user.address()).pendingNonce()).isEqualTo(nonce + 40);

      // A batch whose last item is not hex: refused whole, nothing submitted.
      String hex = HexFormat.of().formatHex(transfer(user, nonce + 40, other).encode());
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(uri(node).resolve("/v1/transactions/batch"))
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"transactions\":[\"" + hex + "\",\"zz\"]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("transactions[1]");
      assertThat(c.account(user.address()).pendingNonce()).isEqualTo(nonce + 40);

      assertThatThrownBy(() -> c.submitAll(List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1..2000");
      URI api = uri(node);
      HttpResponse<String> empty =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(api.resolve("/v1/transactions/batch"))
                      .POST(HttpRequest.BodyPublishers.ofString("{\"transactions\":[]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(empty.statusCode()).isEqualTo(400);
      assertThat(empty.body()).contains("0 items, must be 1..2000");
    }
  }
}

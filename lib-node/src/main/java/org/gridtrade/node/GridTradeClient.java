package org.gridtrade.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.Transaction;

/**
 * A client of a node's API ({@link GridTradeNode}): status, submitting transactions, following them
 * to inclusion, accounts. Thread-safe; one instance per node address.
 */
public final class GridTradeClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http;
  private final Duration timeout;

  private GridTradeClient(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * A client of the node whose API is at {@code base}.
   *
   * @param base e.g. {@code http://127.0.0.1:26657}
   * @return the client (requests time out after 10 s)
   * @throws IllegalArgumentException if {@code base} is not an http URL
   */
  public static GridTradeClient of(URI base) {
    Objects.requireNonNull(base, "base");
    if (!"http".equals(base.getScheme()) || base.getHost() == null) {
      throw new IllegalArgumentException("api URL '%s' must be http://host:port".formatted(base));
    }
    return new GridTradeClient(base, Duration.ofSeconds(10));
  }

  /**
   * A node's status.
   *
   * @param nodeId the node key's address
   * @param height its height
   * @param head its head block's hash
   * @param syncing whether it knows of a higher block
   * @param peers the peers connected now
   */
  public record Status(String nodeId, long height, Hash head, boolean syncing, List<String> peers) {
    /** Copies the peers. */
    public Status {
      peers = List.copyOf(peers);
    }
  }

  /**
   * An account at a node's head.
   *
   * @param height the head's height
   * @param balance micro-coins
   * @param nonce the next nonce in the state
   * @param stake micro-coins staked
   * @param pendingNonce the nonce a new transaction should carry, counting pending ones
   * @param stateProof the state proof's encoding, checkable against the head's header
   */
  public record AccountView(
      long height, long balance, long nonce, long stake, long pendingNonce, byte[] stateProof) {}

  /**
   * Where a transaction is.
   *
   * @param status {@code pending}, {@code included}, {@code rejected} or {@code unknown}
   * @param height the block it is in, or -1
   * @param index its index in the block, or -1
   * @param reason why it was rejected, or empty
   */
  public record TxStatus(String status, long height, int index, Optional<String> reason) {
    /**
     * Whether it is in a block.
     *
     * @return true if included
     */
    public boolean included() {
      return status.equals("included");
    }
  }

  /**
   * The node's status.
   *
   * @return the status
   * @throws UncheckedIOException if the node cannot be reached or answers with an error
   */
  public Status status() {
    JsonNode n = get("/v1/status", 200);
    List<String> peers = new ArrayList<>();
    n.path("peers").forEach(p -> peers.add(p.asText()));
    return new Status(
        n.path("nodeId").asText(),
        n.path("height").asLong(),
        Hash.fromHex(n.path("head").asText()),
        n.path("syncing").asBoolean(),
        peers);
  }

  /**
   * Submits a transaction.
   *
   * @param tx the signed transaction
   * @return its id if the node accepted it into its mempool, or the node's rejection ({@code
   *     REASON: detail})
   */
  public Submitted submit(Transaction tx) {
    String body = "{\"transaction\":\"" + HexFormat.of().formatHex(tx.encode()) + "\"}";
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(base.resolve("/v1/transactions"))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    JsonNode n = parse(r.body());
    if (r.statusCode() == 202) {
      return new Submitted(Hash.fromHex(n.path("id").asText()), Optional.empty());
    }
    JsonNode e = n.path("error");
    return new Submitted(
        tx.id(), Optional.of(e.path("reason").asText() + ": " + e.path("detail").asText()));
  }

  /**
   * Submits transactions in one request ({@code POST /v1/transactions/batch}); the node checks
   * their signatures in parallel and admits each in order.
   *
   * @param txs 1 to {@link GridTradeNode#MAX_BATCH} signed transactions
   * @return one answer per transaction, in order
   * @throws IllegalArgumentException if {@code txs} is empty or too long
   * @throws java.io.UncheckedIOException if the node cannot be reached or refuses the batch whole
   */
  public List<Submitted> submitAll(List<Transaction> txs) {
    Objects.requireNonNull(txs, "txs");
    if (txs.isEmpty() || txs.size() > GridTradeNode.MAX_BATCH) {
      throw new IllegalArgumentException(
          "txs: %d transactions, must be 1..%d".formatted(txs.size(), GridTradeNode.MAX_BATCH));
    }
    StringBuilder body = new StringBuilder("{\"transactions\":[");
    for (int i = 0; i < txs.size(); i++) {
      body.append(i == 0 ? "\"" : ",\"").append(HexFormat.of().formatHex(txs.get(i).encode()));
      body.append('"');
    }
    body.append("]}");
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(base.resolve("/v1/transactions/batch"))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build());
    JsonNode n = parse(r.body());
    if (r.statusCode() != 200) {
      JsonNode e = n.path("error");
      throw new UncheckedIOException(
          new IOException(
              "batch refused (%d): %s: %s"
                  .formatted(
                      r.statusCode(), e.path("reason").asText(), e.path("detail").asText())));
    }
    List<Submitted> out = new ArrayList<>(txs.size());
    JsonNode results = n.path("results");
    for (int i = 0; i < txs.size(); i++) {
      JsonNode x = results.path(i);
      if ("pending".equals(x.path("status").asText())) {
        out.add(new Submitted(txs.get(i).id(), Optional.empty()));
      } else {
        JsonNode e = x.path("error");
        out.add(
            new Submitted(
                txs.get(i).id(),
                Optional.of(e.path("reason").asText() + ": " + e.path("detail").asText())));
      }
    }
    return out;
  }

  /**
   * The answer to a submission.
   *
   * @param id the transaction's id
   * @param rejection the node's reason for refusing it, or empty if it was accepted
   */
  public record Submitted(Hash id, Optional<String> rejection) {
    /**
     * Whether the node accepted it.
     *
     * @return true if accepted
     */
    public boolean accepted() {
      return rejection.isEmpty();
    }
  }

  /**
   * Where a transaction is, as this node knows.
   *
   * @param id the transaction id
   * @return its status ({@code unknown} if the node does not know it)
   */
  public TxStatus transaction(Hash id) {
    HttpResponse<String> r = send(request("/v1/transactions/" + id.toHex()));
    if (r.statusCode() == 404) {
      return new TxStatus("unknown", -1, -1, Optional.empty());
    }
    JsonNode n = checked(r, 200);
    return new TxStatus(
        n.path("status").asText(),
        n.path("height").asLong(-1),
        n.path("index").asInt(-1),
        n.has("reason") ? Optional.of(n.path("reason").asText()) : Optional.empty());
  }

  /**
   * Waits until the node has the transaction in a block, polling every 100 ms.
   *
   * @param id the transaction id
   * @param patience how long to wait at most
   * @return its status, included
   * @throws TimeoutException if it is not included in time (or was rejected)
   * @throws InterruptedException if interrupted while waiting
   */
  public TxStatus awaitInclusion(Hash id, Duration patience)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      TxStatus s = transaction(id);
      if (s.included()) {
        return s;
      }
      if (s.status().equals("rejected")) {
        throw new TimeoutException("transaction %s was rejected: %s".formatted(id, s.reason()));
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "transaction %s not included within %s (%s)".formatted(id, patience, s.status()));
      }
      Thread.sleep(100);
    }
  }

  /**
   * An account at the node's head.
   *
   * @param address the account
   * @return its view, with a state proof
   */
  public AccountView account(Address address) {
    JsonNode n = get("/v1/accounts/" + address, 200);
    return new AccountView(
        n.path("height").asLong(),
        n.path("balance").asLong(),
        n.path("nonce").asLong(),
        n.path("stake").asLong(),
        n.path("pendingNonce").asLong(),
        HexFormat.of().parseHex(n.path("stateProof").asText()));
  }

  /**
   * A block as the node serves it.
   *
   * @param height its height
   * @param hash its hash
   * @param timestamp its time, epoch ms
   * @param transactions its transactions' ids, in block order
   */
  public record BlockView(long height, Hash hash, long timestamp, List<Hash> transactions) {
    /** Copies the ids. */
    public BlockView {
      transactions = List.copyOf(transactions);
    }
  }

  /**
   * A block of the node's chain.
   *
   * @param height the height
   * @return the block, or empty if the node has none at that height
   */
  public Optional<BlockView> block(long height) {
    HttpResponse<String> r = send(request("/v1/blocks/" + height));
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    JsonNode n = checked(r, 200);
    List<Hash> ids = new ArrayList<>();
    n.path("transactions").forEach(t -> ids.add(Hash.fromHex(t.asText())));
    return Optional.of(
        new BlockView(
            n.path("height").asLong(),
            Hash.fromHex(n.path("hash").asText()),
            n.path("timestamp").asLong(),
            ids));
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).GET().build();
  }

  private JsonNode get(String path, int expected) {
    return checked(send(request(path)), expected);
  }

  private JsonNode checked(HttpResponse<String> r, int expected) {
    JsonNode n = parse(r.body());
    if (r.statusCode() != expected) {
      throw new UncheckedIOException(
          new IOException(
              "%s answered %d: %s"
                  .formatted(r.uri(), r.statusCode(), n.path("error").path("detail").asText())));
    }
    return n;
  }

  private HttpResponse<String> send(HttpRequest req) {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach " + req.uri() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted calling " + req.uri(), e));
    }
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("the node answered with something other than JSON", e);
    }
  }
}

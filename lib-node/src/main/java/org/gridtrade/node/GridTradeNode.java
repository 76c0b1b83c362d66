package org.gridtrade.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.BlockPolicy;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.poeg.ProofOfEnergyGeneration;
import org.gridtrade.consensus.posoc.ProofOfStateOfCharge;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.consensus.spi.EnergyProofSource;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Account;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.KeystoreException;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Mempool;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.market.AttestingMeters;
import org.gridtrade.market.DemandResponseMarket;
import org.gridtrade.market.DrRound;
import org.gridtrade.market.Market;
import org.gridtrade.market.MarketModules;
import org.gridtrade.market.MarketTrade;
import org.gridtrade.market.Markets;
import org.gridtrade.market.SealedAuction;
import org.gridtrade.market.SealedBidAuction;
import org.gridtrade.node.internal.HttpApi;
import org.gridtrade.node.internal.Libsodium;
import org.gridtrade.node.internal.MarketJson;
import org.gridtrade.node.internal.NodeMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: its durable chain, its block engine, its {@link NetworkTransport} to the other
 * nodes, and its client API over HTTP and JSON (documented in {@code docs/api/openapi.yaml} and
 * served at {@code /openapi.yaml}):
 *
 * <ul>
 *   <li>{@code GET /health}: 200, or 503 once the engine has stopped on an error (restart the
 *       node); {@code GET /v1/status}: height, head, state root, peers, whether it is catching up;
 *   <li>{@code POST /v1/transactions/batch} with {@code {"transactions": ["<hex>", ...]}} (at most
 *       {@link #MAX_BATCH}): each one's id and whether it is pending or rejected (and why);
 *   <li>{@code POST /v1/transactions} with {@code {"transaction": "<hex>"}}: the id, or the
 *       rejection and its reason;
 *   <li>{@code GET /v1/transactions/{id}}: pending, included (height, index and the inclusion
 *       proof), rejected (with the reason) or unknown;
 *   <li>{@code GET /v1/blocks/{height}}, {@code GET /v1/blocks/latest};
 *   <li>{@code GET /v1/accounts/{address}}: balance, nonce, stake, the next nonce counting pending
 *       transactions, and the state proof against the head;
 *   <li>{@code GET /v1/events/blocks} and {@code GET /v1/events/senders/{address}}: server-sent
 *       events for each new block, or for each new transaction of one sender;
 *   <li>{@code GET /metrics}: Prometheus text exposition.
 * </ul>
 *
 * <p>Thread-safe; {@link #close()} stops the API, the engine and the transport, and closes the
 * store.
 */
public final class GridTradeNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GridTradeNode.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int REMEMBERED_REJECTIONS = 10_000;

  /** The most recent blocks whose transactions {@code GET /v1/transactions/{id}} finds. */
  static final int INDEXED_BLOCKS = 1_000;

  private final BlockEngine engine;
  private final NetworkTransport transport;
  private final HttpApi api;
  private final InetSocketAddress p2p;
  private final NodeMetrics metrics;
  // Open event streams: each gets every appended block; a null sender filter means all blocks.
  private final Map<HttpApi.EventSink, Optional<Address>> subscribers = new ConcurrentHashMap<>();
  private static final int MAX_SUBSCRIBERS = 256;
  // Where each transaction of the last INDEXED_BLOCKS blocks is (fewer blocks when they hold more
  // transactions than a sixteenth of the heap allows for, at about 160 bytes each).
  private final TransactionIndex included =
      new TransactionIndex(
          INDEXED_BLOCKS, Math.max(10_000, Runtime.getRuntime().maxMemory() / 16 / 160));
  private final Map<Hash, String> rejected =
      java.util.Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Hash, String> e) {
              return size() > REMEMBERED_REJECTIONS;
            }
          });

  private GridTradeNode(
      NodeConfig config,
      KeyPair key,
      Genesis genesis,
      List<LedgerModule> modules,
      ConsensusProtocol protocol,
      KeyPair slasher) {
    NodeIdentity identity = NodeIdentity.of(key);
    this.transport = NetworkTransport.create(identity, config.network());
    BlockEngine[] engineRef = new BlockEngine[1];
    this.metrics =
        new NodeMetrics(
            () -> engineRef[0] == null ? 0 : engineRef[0].ledger().height(),
            () -> transport.connectedPeers().size(),
            () -> engineRef[0] == null ? 0 : engineRef[0].mempool().size(),
            () -> engineRef[0] == null ? 0 : engineRef[0].mempool().bytes(),
            transport::bytesReceived,
            transport::bytesSent,
            () -> subscribers.size());
    BlockEngine e = null;
    HttpApi a = null;
    try {
      this.p2p = transport.listen(resolved(config.p2p()));
      Files.createDirectories(config.dataDir());
      BlockEngine.Builder b =
          BlockEngine.builder()
              .id(identity.address().toString())
              .genesis(genesis)
              .store(BlockStores.openDurable(config.dataDir().resolve("chain.mv")))
              .schedule(ConsensusSchedule.of(protocol))
              .sealingKey(key)
              .policy(
                  BlockPolicy.DEFAULT
                      .withBlockPeriod(config.blockPeriod())
                      .withMaxTransactions(config.maxBlockTransactions())
                      // A chain that runs modules seals every period even when no transaction
                      // waits, so that gate closures and auction deadlines arrive on time.
                      .withOnlyWhenTransactionsWait(genesis.modules().isEmpty()))
              .transport(transport)
              .mempool(
                  // The pool's byte bound stays well inside the heap: a quarter of it, at most the
                  // engine's default of 256 MiB.
                  Mempool.create(
                      100_000, Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4), 64))
              .modules(modules)
              .listener(new Indexer());
      if (slasher != null) {
        b.slashEquivocation(slasher, config.slashing().orElseThrow().amountMicro());
      }
      e = b.build();
      engineRef[0] = e;
      Ledger ledger = e.ledger();
      for (long h = Math.max(1, ledger.height() - INDEXED_BLOCKS + 1); h <= ledger.height(); h++) {
        ledger.block(h).ifPresent(this::index);
      }
      a = HttpApi.start(resolved(config.api()), this::route);
    } catch (IOException | RuntimeException x) {
      if (e != null) {
        e.close();
      }
      transport.close();
      if (x instanceof IOException io) {
        throw new UncheckedIOException("cannot create " + config.dataDir(), io);
      }
      throw (RuntimeException) x;
    }
    this.engine = e;
    this.api = a;
    for (InetSocketAddress peer : config.peers()) {
      transport.connect(resolved(peer));
    }
    engine.start();
    LOG.info(
        "node {} at height {}: p2p {}, api {}",
        identity.address(),
        engine.ledger().height(),
        p2p,
        api.address());
  }

  /**
   * Starts a node: reads its genesis and key, opens its store (reopening the chain it holds,
   * without replaying it), listens for peers and API clients, dials its peers and starts sealing.
   *
   * @param config the configuration
   * @return the running node
   * @throws IllegalArgumentException if a file named by the configuration is missing or invalid, or
   *     the keystore's password is wrong or missing
   * @throws IllegalStateException if an address cannot be bound, or the stored chain does not
   *     verify
   */
  public static GridTradeNode start(NodeConfig config) {
    return start(config, List.of());
  }

  /**
   * Starts a node that runs an integrator's own on-chain modules besides this SDK's market modules
   * ({@link MarketModules}): for each module the genesis names, a module of that name given here is
   * run, or else the SDK's. Every node of a network must run the same modules.
   *
   * @param config the configuration
   * @param modules modules to run, by name (each name at most once)
   * @return the running node
   * @throws IllegalArgumentException as {@link #start(NodeConfig)}, or if the genesis names a
   *     module that is neither given nor one of the SDK's
   * @throws IllegalStateException as {@link #start(NodeConfig)}
   */
  public static GridTradeNode start(NodeConfig config, List<? extends LedgerModule> modules) {
    return startWith(config, modules, null);
  }

  /**
   * Starts a node as {@link #start(NodeConfig, List)} does, running the given consensus protocol
   * instead of the one its configuration describes: for a protocol fed by live data (the proof
   * scores of {@link org.gridtrade.consensus.poeg.ProofOfEnergyGeneration} from metering, those of
   * {@link org.gridtrade.consensus.posoc.ProofOfStateOfCharge} from the EVs), which a configuration
   * file can only fix. Every node of a network must run the same protocol.
   *
   * @param config the configuration (its consensus settings are ignored)
   * @param modules modules to run, by name (each name at most once)
   * @param protocol the protocol, active from height 1
   * @return the running node
   * @throws IllegalArgumentException as {@link #start(NodeConfig, List)}
   * @throws IllegalStateException as {@link #start(NodeConfig)}
   */
  public static GridTradeNode start(
      NodeConfig config, List<? extends LedgerModule> modules, ConsensusProtocol protocol) {
    return startWith(config, modules, Objects.requireNonNull(protocol, "protocol"));
  }

  // Starts a node with the given protocol, or with its configuration's when `protocol` is null.
  private static GridTradeNode startWith(
      NodeConfig config, List<? extends LedgerModule> modules, ConsensusProtocol protocol) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(modules, "modules");
    Libsodium.install(); // once per process; answers stay BouncyCastle's (Libsodium says why)
    Genesis genesis;
    try {
      genesis = Genesis.decode(Files.readAllBytes(config.genesis()));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "genesis %s cannot be read: %s".formatted(config.genesis(), e.getMessage()));
    } catch (DecodeException e) {
      throw new IllegalArgumentException(
          "genesis %s is not a GridTrade genesis: %s".formatted(config.genesis(), e.getMessage()));
    }
    char[] password = password(config);
    KeyPair key;
    KeyPair treasury;
    KeyPair slasher;
    try {
      key = readKey("keystore", config.keystore(), password);
      treasury =
          config.consensus().treasury().map(t -> readKey("treasury", t, password)).orElse(null);
      slasher =
          config
              .slashing()
              .map(sl -> readKey("slashing.keystore", sl.keystore(), password))
              .orElse(null);
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
    if (slasher != null && !genesis.authorities().contains(slasher.address())) {
      throw new IllegalArgumentException(
          "slashing.keystore %s holds %s, which is not an authority of the genesis"
              .formatted(config.slashing().orElseThrow().keystore(), slasher.address()));
    }
    if (treasury != null && !genesis.authorities().contains(treasury.address())) {
      throw new IllegalArgumentException(
          "treasury %s holds %s, which is not an authority of the genesis"
              .formatted(config.consensus().treasury().orElseThrow(), treasury.address()));
    }
    return new GridTradeNode(
        config,
        key,
        genesis,
        modulesFor(genesis, modules),
        protocol != null ? protocol : protocol(config, treasury),
        slasher);
  }

  private static KeyPair readKey(String field, Path file, char[] password) {
    try {
      return Keystore.read(file, password);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "%s %s cannot be read: %s".formatted(field, file, e.getMessage()));
    } catch (KeystoreException e) {
      throw new IllegalArgumentException("%s %s: %s".formatted(field, file, e.getMessage()));
    }
  }

  /** The protocol a configuration describes. */
  private static ConsensusProtocol protocol(NodeConfig config, KeyPair treasury) {
    ConsensusSettings s = config.consensus();
    if (s instanceof ConsensusSettings.Trust t) {
      TrustStake.Builder b =
          TrustStake.builder()
              .initialValidators(config.sealers())
              .epochLength(t.epochLength())
              .selectionBlock(Math.min(5, t.epochLength()))
              .committeeSize(t.committeeSize())
              .timeout(t.timeout());
      if (treasury != null) {
        b.treasury(treasury);
      }
      return b.build();
    }
    if (s instanceof ConsensusSettings.EnergyGeneration g) {
      List<EnergyProofSource.Candidate> coalitions = g.coalitions();
      ProofOfEnergyGeneration.Builder b =
          ProofOfEnergyGeneration.builder()
              .source(height -> coalitions)
              .timeout(g.timeout())
              .blockReward(g.blockRewardMicro())
              .slashAmount(g.slashMicro());
      if (treasury != null) {
        b.treasury(treasury);
      }
      return b.build();
    }
    if (s instanceof ConsensusSettings.StateOfCharge c) {
      ProofOfStateOfCharge.Builder b =
          ProofOfStateOfCharge.builder()
              .source(StateOfChargeSource.fixed(c.evs(), List.of()))
              .blocksPerPeriod(c.blocksPerPeriod())
              .timeout(c.timeout());
      if (treasury != null) {
        b.treasury(treasury);
      }
      return b.build();
    }
    return ProofOfAuthority.builder()
        .sealers(config.sealers())
        .outOfTurnDelay(config.blockPeriod().multipliedBy(2))
        .wiggle(config.blockPeriod())
        .build();
  }

  private static List<LedgerModule> modulesFor(
      Genesis genesis, List<? extends LedgerModule> given) {
    List<LedgerModule> out = new ArrayList<>();
    for (String name : genesis.modules()) {
      Optional<? extends LedgerModule> mine =
          given.stream().filter(m -> m.name().equals(name)).findFirst();
      if (mine.isPresent()) {
        out.add(mine.get());
      } else {
        out.add(
            MarketModules.named(name)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "the genesis names module '%s', which this node does not run; it runs %s%s"
                                .formatted(
                                    name,
                                    MarketModules.names(),
                                    given.isEmpty()
                                        ? ""
                                        : " and "
                                            + given.stream().map(LedgerModule::name).toList()))));
      }
    }
    return out;
  }

  private static char[] password(NodeConfig config) {
    if (config.passwordFile() != null) {
      try {
        return Files.readString(config.passwordFile()).strip().toCharArray();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "passwordFile %s cannot be read: %s".formatted(config.passwordFile(), e.getMessage()));
      }
    }
    String env = System.getenv(NodeConfig.PASSWORD_VARIABLE);
    if (env == null) {
      throw new IllegalArgumentException(
          "no keystore password: the config names no passwordFile and %s is not set"
              .formatted(NodeConfig.PASSWORD_VARIABLE));
    }
    return env.toCharArray();
  }

  private static InetSocketAddress resolved(InetSocketAddress a) {
    return a.isUnresolved() ? new InetSocketAddress(a.getHostString(), a.getPort()) : a;
  }

  /**
   * The block engine.
   *
   * @return the engine
   */
  public BlockEngine engine() {
    return engine;
  }

  /**
   * Where peers connect.
   *
   * @return the bound address
   */
  public InetSocketAddress p2pAddress() {
    return p2p;
  }

  /**
   * Where the client API listens.
   *
   * @return the bound address
   */
  public InetSocketAddress apiAddress() {
    return api.address();
  }

  /**
   * The transport.
   *
   * @return the transport
   */
  public NetworkTransport transport() {
    return transport;
  }

  @Override
  public void close() {
    api.close();
    engine.close();
    transport.close();
  }

  // ---- the index of included transactions ----

  private final class Indexer implements EngineListener {
    @Override
    public void onBlock(Block block, boolean local) {
      index(block);
      metrics.appended(block);
      publish(block);
    }

    @Override
    public void onRejected(EngineListener.Rejection r) {
      metrics.rejectedBlock(r.kind().name());
    }

    @Override
    public void onRemoved(List<Block> removed) {
      included.remove(removed);
    }
  }

  private void publish(Block b) {
    if (subscribers.isEmpty()) {
      return;
    }
    String blockEvent =
        "{\"height\":%d,\"hash\":\"%s\",\"transactions\":%d}"
            .formatted(b.height(), b.hash().toHex(), b.transactions().size());
    subscribers.forEach(
        (sink, sender) -> {
          boolean open = true;
          if (sender.isEmpty()) {
            open = sink.send("block", blockEvent);
          } else {
            List<Transaction> txs = b.transactions();
            for (int i = 0; i < txs.size() && open; i++) {
              if (txs.get(i).sender().equals(sender.get())) {
                open =
                    sink.send(
                        "transaction",
                        "{\"id\":\"%s\",\"height\":%d,\"index\":%d,\"nonce\":%d}"
                            .formatted(
                                txs.get(i).id().toHex(), b.height(), i, txs.get(i).body().nonce()));
              }
            }
          }
          if (!open) {
            subscribers.remove(sink);
          }
        });
  }

  private HttpApi.Response subscribe(Optional<Address> sender) throws JsonProcessingException {
    if (subscribers.size() >= MAX_SUBSCRIBERS) {
      return error(
          503,
          "BUSY",
          "%d event streams are open, the most a node serves".formatted(MAX_SUBSCRIBERS));
    }
    return HttpApi.Response.events(
        (sink, closed) -> {
          subscribers.put(sink, sender);
          closed.accept(() -> subscribers.remove(sink));
        });
  }

  private void index(Block b) {
    included.add(b);
  }

  // ---- the API ----

  private HttpApi.Response route(String method, String path, String body) {
    for (int attempt = 1; ; attempt++) {
      try {
        return routeOnce(method, path, body);
      } catch (IllegalStateException e) {
        // A reorganisation rolled back the state version a read was using: a GET reads again
        // from the new head (submissions recheck inside the engine).
        if (!method.equals("GET") || attempt == 3) {
          throw e;
        }
      }
    }
  }

  private HttpApi.Response routeOnce(String method, String path, String body) {
    try {
      if (path.equals("/health") && method.equals("GET")) {
        Optional<Throwable> failed = engine.failure();
        if (failed.isPresent()) {
          return error(503, "FAILED", "the engine stopped: " + failed.get());
        }
        return HttpApi.Response.json(200, "{\"status\":\"ok\"}");
      }
      if (path.equals("/openapi.yaml") && method.equals("GET")) {
        return openApi();
      }
      if (path.equals("/metrics") && method.equals("GET")) {
        return new HttpApi.Response(200, metrics.contentType(), metrics.scrape());
      }
      String[] p = path.split("/");
      if (p.length >= 3 && p[1].equals("v1")) {
        switch (p[2]) {
          case "status":
            if (p.length == 3 && method.equals("GET")) {
              return ok(status());
            }
            break;
          case "transactions":
            if (p.length == 3 && method.equals("POST")) {
              return submit(body);
            }
            if (p.length == 4 && p[3].equals("batch") && method.equals("POST")) {
              return submitBatch(body);
            }
            if (p.length == 4 && method.equals("GET")) {
              return transaction(p[3]);
            }
            break;
          case "blocks":
            if (p.length == 4 && method.equals("GET")) {
              return block(p[3]);
            }
            break;
          case "accounts":
            if (p.length == 4 && method.equals("GET")) {
              return account(p[3]);
            }
            break;
          case "markets":
            if (p.length >= 4 && method.equals("GET")) {
              return market(p);
            }
            break;
          case "auctions":
            if (p.length == 4 && method.equals("GET")) {
              return auction(p[3]);
            }
            break;
          case "meters":
            if (p.length == 4 && method.equals("GET")) {
              return meters(p[3]);
            }
            break;
          case "dr-rounds":
            if (p.length == 4 && method.equals("GET")) {
              return drRound(p[3]);
            }
            break;
          case "events":
            if (p.length == 4 && p[3].equals("blocks") && method.equals("GET")) {
              return subscribe(Optional.empty());
            }
            if (p.length == 5 && p[3].equals("senders") && method.equals("GET")) {
              try {
                return subscribe(Optional.of(Address.parse(p[4])));
              } catch (IllegalArgumentException e) {
                return error(400, "MALFORMED", "address '%s': %s".formatted(p[4], e.getMessage()));
              }
            }
            break;
          default:
            break;
        }
      }
      return error(404, "NOT_FOUND", "no route %s %s".formatted(method, path));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HttpApi.Response ok(ObjectNode o) throws JsonProcessingException {
    return HttpApi.Response.json(200, JSON.writeValueAsString(o));
  }

  private static HttpApi.Response error(int status, String reason, String detail)
      throws JsonProcessingException {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode e = o.putObject("error");
    e.put("reason", reason);
    e.put("detail", detail);
    return HttpApi.Response.json(status, JSON.writeValueAsString(o));
  }

  private HttpApi.Response openApi() {
    try (var in = GridTradeNode.class.getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        return HttpApi.Response.json(
            404, "{\"error\":{\"reason\":\"NOT_FOUND\",\"detail\":\"no document\"}}");
      }
      return new HttpApi.Response(200, "application/yaml", in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ObjectNode status() {
    Ledger ledger = engine.ledger();
    BlockHeader head = ledger.head();
    ObjectNode o = JSON.createObjectNode();
    o.put("nodeId", transport.localId());
    o.put("height", head.height());
    o.put("head", head.hash().toHex());
    o.put("stateRoot", head.stateRoot().toHex());
    o.put("bestKnownHeight", engine.bestKnownHeight());
    o.put("syncing", engine.bestKnownHeight() > head.height());
    o.put("role", engine.status().role().name());
    o.put("pending", engine.mempool().size());
    ArrayNode peers = o.putArray("peers");
    transport.connectedPeers().forEach(peers::add);
    o.put("signatures", Libsodium.install());
    return o;
  }

  private HttpApi.Response submit(String body) throws JsonProcessingException {
    String hex;
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject() || !n.path("transaction").isTextual()) {
        return error(400, "MALFORMED", "body must be {\"transaction\": \"<hex>\"}");
      }
      hex = n.get("transaction").asText();
    } catch (JsonProcessingException e) {
      return error(400, "MALFORMED", "body is not JSON: " + e.getOriginalMessage());
    }
    Transaction tx;
    try {
      tx = Transaction.decode(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      return error(400, "MALFORMED", "transaction is not hex: " + e.getMessage());
    } catch (DecodeException e) {
      return error(400, "MALFORMED", "transaction: " + e.getMessage());
    }
    if (admit(tx) instanceof TxResult.Rejected rej) {
      return error(422, rej.reason().name(), rej.detail());
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("id", tx.id().toHex());
    o.put("status", "pending");
    return HttpApi.Response.json(202, JSON.writeValueAsString(o));
  }

  // Admits one transaction through the engine, and keeps the API's record of the answer.
  private TxResult admit(Transaction tx) {
    TxResult r = engine.submit(tx);
    if (r instanceof TxResult.Rejected rej) {
      metrics.rejected(rej.reason().name());
      rejected.put(tx.id(), rej.reason() + ": " + rej.detail());
    } else {
      metrics.submitted(tx.id());
    }
    return r;
  }

  /** The most transactions one {@code POST /v1/transactions/batch} may carry. */
  public static final int MAX_BATCH = 2_000;

  // Submits up to MAX_BATCH transactions in one request: all decode or none is submitted; their
  // signatures are checked in parallel, then each is admitted in order, with its own answer.
  private HttpApi.Response submitBatch(String body) throws JsonProcessingException {
    JsonNode list;
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject() || !n.path("transactions").isArray()) {
        return error(400, "MALFORMED", "body must be {\"transactions\": [\"<hex>\", ...]}");
      }
      list = n.get("transactions");
    } catch (JsonProcessingException e) {
      return error(400, "MALFORMED", "body is not JSON: " + e.getOriginalMessage());
    }
    if (list.size() < 1 || list.size() > MAX_BATCH) {
      return error(
          400,
          "MALFORMED",
          "transactions: %d items, must be 1..%d".formatted(list.size(), MAX_BATCH));
    }
    List<Transaction> txs = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      try {
        if (!item.isTextual()) {
          return error(400, "MALFORMED", "transactions[%d] is not a hex string".formatted(i));
        }
        txs.add(Transaction.decode(HexFormat.of().parseHex(item.asText())));
      } catch (IllegalArgumentException e) {
        return error(
            400, "MALFORMED", "transactions[%d] is not hex: %s".formatted(i, e.getMessage()));
      } catch (DecodeException e) {
        return error(400, "MALFORMED", "transactions[%d]: %s".formatted(i, e.getMessage()));
      }
    }
    // The expensive part, on every core; each transaction remembers that it verified.
    txs.parallelStream().forEach(Transaction::signatureProblem);
    ObjectNode o = JSON.createObjectNode();
    ArrayNode results = o.putArray("results");
    for (Transaction tx : txs) {
      ObjectNode r = results.addObject();
      r.put("id", tx.id().toHex());
      if (admit(tx) instanceof TxResult.Rejected rej) {
        r.put("status", "rejected");
        ObjectNode e = r.putObject("error");
        e.put("reason", rej.reason().name());
        e.put("detail", rej.detail());
      } else {
        r.put("status", "pending");
      }
    }
    return HttpApi.Response.json(200, JSON.writeValueAsString(o));
  }

  /** The most orders or trades one market page holds. */
  static final int MARKET_PAGE = 1_000;

  /**
   * {@code /v1/markets/{id}}, {@code /v1/markets/{id}/orders[/{from}]}, {@code
   * /v1/markets/{id}/trades[/{from}]}, {@code /v1/markets/{id}/deliveries[/{from}]}.
   */
  private HttpApi.Response market(String[] p) throws JsonProcessingException {
    long id;
    int from = 0;
    try {
      id = Long.parseLong(p[3]);
      if (p.length == 6) {
        from = Integer.parseInt(p[5]);
      }
    } catch (NumberFormatException e) {
      return error(
          400,
          "MALFORMED",
          "market id and page start must be integers: %s".formatted(e.getMessage()));
    }
    if (p.length > 6
        || (p.length >= 5
            && !p[4].equals("orders")
            && !p[4].equals("trades")
            && !p[4].equals("deliveries"))
        || from < 0) {
      return error(404, "NOT_FOUND", "no route GET %s".formatted(String.join("/", p)));
    }
    LedgerState state = engine.ledger().state();
    Optional<Market> m = Markets.market(state, id);
    if (m.isEmpty()) {
      return error(
          404, "UNKNOWN", "market %d does not exist at height %d".formatted(id, state.height()));
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("height", state.height());
    if (p.length == 4) {
      MarketJson.market(o.putObject("market"), m.get());
      return ok(o);
    }
    ArrayNode items = o.putArray(p[4]);
    if (p[4].equals("deliveries")) {
      // the settlements of the asks among orders [from, from + page)
      int to = (int) Math.min(m.get().orderCount(), (long) from + MARKET_PAGE);
      for (int order = from; order < to; order++) {
        Markets.delivery(state, id, order)
            .ifPresent(d -> MarketJson.delivery(items.addObject(), d));
      }
      o.put("from", from);
      o.put("next", Math.max(from, to));
      return ok(o);
    }
    if (p[4].equals("orders")) {
      Markets.orders(state, id, from, MARKET_PAGE)
          .forEach(x -> MarketJson.order(items.addObject(), x));
    } else {
      for (MarketTrade x : Markets.trades(state, id, from, MARKET_PAGE)) {
        ObjectNode n = items.addObject();
        MarketJson.trade(n, x);
        OptionalInt rating = Markets.rating(state, id, x.index());
        if (rating.isPresent()) {
          n.put("rating", rating.getAsInt());
        } else {
          n.putNull("rating");
        }
      }
    }
    o.put("from", from);
    o.put("next", from + items.size());
    return ok(o);
  }

  /** {@code /v1/meters/{address}}: the meters that attest a seller's deliveries. */
  private HttpApi.Response meters(String addressText) throws JsonProcessingException {
    Address a;
    try {
      a = Address.parse(addressText);
    } catch (IllegalArgumentException e) {
      return error(400, "MALFORMED", "address '%s': %s".formatted(addressText, e.getMessage()));
    }
    LedgerState state = engine.ledger().state();
    Optional<AttestingMeters> m = Markets.attestingMeters(state, a);
    if (m.isEmpty()) {
      return error(
          404,
          "UNKNOWN",
          "%s has no registered meters at height %d; an authority reports its deliveries"
              .formatted(a, state.height()));
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("height", state.height());
    o.put("seller", a.toString());
    MarketJson.meters(o.putObject("attestingMeters"), m.get());
    return ok(o);
  }

  private HttpApi.Response auction(String idText) throws JsonProcessingException {
    long id;
    try {
      id = Long.parseLong(idText);
    } catch (NumberFormatException e) {
      return error(400, "MALFORMED", "auction id '%s' must be an integer".formatted(idText));
    }
    LedgerState state = engine.ledger().state();
    Optional<SealedAuction> a = SealedBidAuction.auction(state, id);
    if (a.isEmpty()) {
      return error(
          404, "UNKNOWN", "auction %d does not exist at height %d".formatted(id, state.height()));
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("height", state.height());
    MarketJson.auction(o.putObject("auction"), a.get(), SealedBidAuction.bids(state, id));
    return ok(o);
  }

  /** {@code /v1/dr-rounds/{id}}: a demand-response round, its certificate, payments and ratings. */
  private HttpApi.Response drRound(String idText) throws JsonProcessingException {
    long id;
    try {
      id = Long.parseLong(idText);
    } catch (NumberFormatException e) {
      return error(400, "MALFORMED", "round id '%s' must be an integer".formatted(idText));
    }
    LedgerState state = engine.ledger().state();
    Optional<DrRound> r = DemandResponseMarket.round(state, id);
    if (r.isEmpty()) {
      return error(
          404,
          "UNKNOWN",
          "demand-response round %d does not exist at height %d".formatted(id, state.height()));
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("height", state.height());
    MarketJson.drRound(o.putObject("round"), r.get(), state);
    return ok(o);
  }

  private HttpApi.Response transaction(String idText) throws JsonProcessingException {
    Hash id;
    try {
      id = Hash.fromHex(idText);
    } catch (IllegalArgumentException e) {
      return error(400, "MALFORMED", "id '%s' is not a 32-byte hex hash".formatted(idText));
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("id", id.toHex());
    long[] at = included.get(id);
    if (at != null) {
      o.put("status", "included");
      o.put("height", at[0]);
      o.put("index", at[1]);
      o.put("finalized", engine.ledger().height() - at[0] >= Ledger.REORG_DEPTH);
      try {
        o.put(
            "inclusionProof",
            HexFormat.of()
                .formatHex(engine.ledger().proveTransaction(at[0], (int) at[1]).encode()));
      } catch (RuntimeException e) {
        // removed by a reorganisation meanwhile: report what is known
        o.put("status", "pending");
      }
      return ok(o);
    }
    if (engine.mempool().contains(id)) {
      o.put("status", "pending");
      return ok(o);
    }
    String why = rejected.get(id);
    if (why != null) {
      o.put("status", "rejected");
      o.put("reason", why);
      return ok(o);
    }
    return error(404, "UNKNOWN", "transaction %s is not known to this node".formatted(id));
  }

  private HttpApi.Response block(String which) throws JsonProcessingException {
    Ledger ledger = engine.ledger();
    long h;
    if (which.equals("latest")) {
      h = ledger.height();
    } else {
      try {
        h = Long.parseLong(which);
      } catch (NumberFormatException e) {
        return error(400, "MALFORMED", "height '%s' is not a number or 'latest'".formatted(which));
      }
    }
    var b = h < 0 ? java.util.Optional.<Block>empty() : ledger.block(h);
    if (b.isEmpty()) {
      return error(404, "UNKNOWN", "no block %s (height is %d)".formatted(which, ledger.height()));
    }
    BlockHeader hd = b.get().header();
    ObjectNode o = JSON.createObjectNode();
    o.put("height", hd.height());
    o.put("hash", hd.hash().toHex());
    o.put("previousHash", hd.previousHash().toHex());
    o.put("stateRoot", hd.stateRoot().toHex());
    o.put("transactionsRoot", hd.transactionsRoot().toHex());
    o.put("timestamp", hd.timestamp());
    o.put("proposer", hd.proposer().toString());
    ArrayNode txs = o.putArray("transactions");
    b.get().transactions().forEach(t -> txs.add(t.id().toHex()));
    o.put("encoded", HexFormat.of().formatHex(b.get().encode()));
    return ok(o);
  }

  private HttpApi.Response account(String text) throws JsonProcessingException {
    Address a;
    try {
      a = Address.parse(text);
    } catch (IllegalArgumentException e) {
      return error(400, "MALFORMED", "address '%s': %s".formatted(text, e.getMessage()));
    }
    Ledger ledger = engine.ledger();
    BlockHeader head = ledger.head();
    var proof = ledger.proveState(StateKey.account(a), head.height());
    Account acc = proof.account().orElse(Account.EMPTY);
    ObjectNode o = JSON.createObjectNode();
    o.put("address", a.toString());
    o.put("height", head.height());
    o.put("head", head.hash().toHex());
    o.put("balance", acc.balance());
    o.put("nonce", acc.nonce());
    o.put("stake", acc.stake());
    o.put("pendingNonce", engine.mempool().nextNonce(a, ledger.state()));
    o.put("stateProof", HexFormat.of().formatHex(proof.encode()));
    return ok(o);
  }

  /** For logs. */
  @Override
  public String toString() {
    return "GridTradeNode[%s, p2p %s, api %s]".formatted(transport.localId(), p2p, api.address());
  }
}

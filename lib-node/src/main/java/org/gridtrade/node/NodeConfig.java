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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.gridtrade.consensus.spi.EnergyProofSource;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.PublicKey;

/**
 * A node's configuration: where its files are, where it listens, whom it dials, which keys make up
 * the network, and the consensus ({@link ConsensusSettings}: Proof of Authority by default). Read
 * from a JSON file:
 *
 * <pre>{@code
 * {
 *   "genesis": "genesis.bin",        // the chain's genesis, canonical encoding
 *   "dataDir": "data",               // the durable store lives here
 *   "keystore": "node.key",          // the node's encrypted key
 *   "passwordFile": "password",      // optional; else the GRIDTRADE_KEY_PASSWORD variable
 *   "p2p": "127.0.0.1:26656",        // where peers connect (mutual TLS)
 *   "api": "127.0.0.1:26657",        // the client API (HTTP)
 *   "peers": ["127.0.0.1:26666"],    // dialled and redialled
 *   "network": ["<public key hex>"], // the node keys allowed to connect
 *   "sealers": ["<address>"],        // PoA sealers, or trust-stake's first committee
 *   "blockPeriodMillis": 1000,
 *   "maxBlockTransactions": 1000,    // optional, at most Block.MAX_TRANSACTIONS
 *   "consensus": {"protocol": "poa"},// optional, see below
 *   "slashing": {"keystore": "slasher.key", "amountMicro": 1000000} // optional
 * }
 * }</pre>
 *
 * The {@code consensus} object names the protocol and its parameters (fields of {@link
 * ConsensusSettings}'s records; {@code timeoutMillis} defaults to 2,000, the treasury is optional):
 *
 * <pre>{@code
 * {"protocol": "poa"}
 * {"protocol": "trust", "epochLength": 10, "committeeSize": 10, "timeoutMillis": 2000,
 *  "treasury": "treasury.key"}
 * {"protocol": "poeg", "timeoutMillis": 2000, "blockRewardMicro": 1000000, "slashMicro": 0,
 *  "treasury": "treasury.key",
 *  "coalitions": [{"id": "c0", "proofScore": 3.5,
 *                  "members": [{"address": "<address>", "score": 3.5, "rewardWeight": 1}]}]}
 * {"protocol": "posoc", "blocksPerPeriod": 100, "timeoutMillis": 2000, "treasury": "treasury.key",
 *  "evs": [{"address": "<address>", "dailyScore": 0.8, "profitMicro": 0}]}
 * }</pre>
 *
 * {@code sealers} is required for {@code poa} and {@code trust} and ignored by the others, whose
 * signers are the coalitions' and the EVs'. {@code slashing} makes the node slash equivocation
 * ({@link org.gridtrade.consensus.BlockEngine.Builder#slashEquivocation}) with the key in that
 * keystore, which must be an authority of the genesis; keystores are read with the node's password.
 * Relative paths are resolved against the configuration file's directory.
 *
 * @param genesis the genesis file
 * @param dataDir the data directory
 * @param keystore the node's keystore
 * @param passwordFile the keystore's password file, or null for the environment variable
 * @param p2p where peers connect
 * @param api where the client API listens
 * @param peers the peers to dial
 * @param network the node keys allowed to connect
 * @param sealers the Proof of Authority sealers, or the first committee of trust-based stake
 * @param blockPeriod the time between blocks
 * @param maxBlockTransactions the most transactions a block holds
 * @param consensus the consensus protocol and its parameters
 * @param slashing how this node slashes equivocation, or empty for not at all
 */
public record NodeConfig(
    Path genesis,
    Path dataDir,
    Path keystore,
    Path passwordFile,
    InetSocketAddress p2p,
    InetSocketAddress api,
    List<InetSocketAddress> peers,
    Set<PublicKey> network,
    List<Address> sealers,
    Duration blockPeriod,
    int maxBlockTransactions,
    ConsensusSettings consensus,
    Optional<Slashing> slashing) {

  /** The most transactions in a block unless the configuration says otherwise. */
  public static final int DEFAULT_MAX_BLOCK_TRANSACTIONS = 1_000;

  /** The environment variable holding the keystore's password when no password file is named. */
  public static final String PASSWORD_VARIABLE = "GRIDTRADE_KEY_PASSWORD";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Slashing of equivocation.
   *
   * @param keystore the keystore of an authority key of the genesis (read with the node's password)
   * @param amountMicro micro-coins to slash per piece of evidence at most, 1 or more
   */
  public record Slashing(Path keystore, long amountMicro) {
    /** Validates the fields. */
    public Slashing {
      Objects.requireNonNull(keystore, "keystore");
      if (amountMicro < 1) {
        throw new IllegalArgumentException(
            "slashing.amountMicro %d must be >= 1".formatted(amountMicro));
      }
    }
  }

  /**
   * A Proof of Authority configuration without slashing.
   *
   * @param genesis the genesis file
   * @param dataDir the data directory
   * @param keystore the node's keystore
   * @param passwordFile the keystore's password file, or null for the environment variable
   * @param p2p where peers connect
   * @param api where the client API listens
   * @param peers the peers to dial
   * @param network the node keys allowed to connect
   * @param sealers the Proof of Authority sealers
   * @param blockPeriod the time between blocks
   * @param maxBlockTransactions the most transactions a block holds
   */
  public NodeConfig(
      Path genesis,
      Path dataDir,
      Path keystore,
      Path passwordFile,
      InetSocketAddress p2p,
      InetSocketAddress api,
      List<InetSocketAddress> peers,
      Set<PublicKey> network,
      List<Address> sealers,
      Duration blockPeriod,
      int maxBlockTransactions) {
    this(
        genesis,
        dataDir,
        keystore,
        passwordFile,
        p2p,
        api,
        peers,
        network,
        sealers,
        blockPeriod,
        maxBlockTransactions,
        new ConsensusSettings.Poa(),
        Optional.empty());
  }

  /**
   * This configuration with other consensus settings.
   *
   * @param settings the protocol and its parameters
   * @return the new configuration
   */
  public NodeConfig withConsensus(ConsensusSettings settings) {
    return with(settings, slashing);
  }

  /**
   * This configuration with other slashing settings.
   *
   * @param settings how to slash
   * @return the new configuration
   */
  public NodeConfig withSlashing(Slashing settings) {
    return with(consensus, Optional.of(settings));
  }

  private NodeConfig with(ConsensusSettings c, Optional<Slashing> s) {
    return new NodeConfig(
        genesis,
        dataDir,
        keystore,
        passwordFile,
        p2p,
        api,
        peers,
        network,
        sealers,
        blockPeriod,
        maxBlockTransactions,
        c,
        s);
  }

  /** Validates the fields; the lists are copied. */
  public NodeConfig {
    Objects.requireNonNull(genesis, "genesis");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(keystore, "keystore");
    Objects.requireNonNull(p2p, "p2p");
    Objects.requireNonNull(api, "api");
    peers = List.copyOf(peers);
    network = Set.copyOf(network);
    sealers = List.copyOf(sealers);
    Objects.requireNonNull(blockPeriod, "blockPeriod");
    if (network.isEmpty()) {
      throw new IllegalArgumentException("network: lists no node keys");
    }
    Objects.requireNonNull(consensus, "consensus");
    Objects.requireNonNull(slashing, "slashing");
    if (sealers.isEmpty()
        && (consensus instanceof ConsensusSettings.Poa
            || consensus instanceof ConsensusSettings.Trust)) {
      throw new IllegalArgumentException(
          "sealers: lists no sealer; %s needs at least one".formatted(consensus.protocol()));
    }
    if (maxBlockTransactions < 1
        || maxBlockTransactions > org.gridtrade.ledger.Block.MAX_TRANSACTIONS) {
      throw new IllegalArgumentException(
          "maxBlockTransactions %d not in 1..%d"
              .formatted(maxBlockTransactions, org.gridtrade.ledger.Block.MAX_TRANSACTIONS));
    }
    if (blockPeriod.toMillis() < 10) {
      throw new IllegalArgumentException(
          "blockPeriodMillis %d must be >= 10".formatted(blockPeriod.toMillis()));
    }
  }

  /**
   * Reads a configuration file.
   *
   * @param file the JSON file
   * @return the configuration
   * @throws IllegalArgumentException naming the file, the field, the value and the rule, if the
   *     file is not a valid configuration
   * @throws UncheckedIOException if it cannot be read
   */
  public static NodeConfig read(Path file) {
    Objects.requireNonNull(file, "file");
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "config %s: not JSON: %s".formatted(file, e.getOriginalMessage()));
    } catch (IOException e) {
      throw new UncheckedIOException("config " + file + " cannot be read", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("config %s: not a JSON object".formatted(file));
    }
    Path base = file.toAbsolutePath().getParent();
    Reader r = new Reader(file, root);
    try {
      return new NodeConfig(
          base.resolve(r.text("genesis")),
          base.resolve(r.text("dataDir")),
          base.resolve(r.text("keystore")),
          root.has("passwordFile") ? base.resolve(r.text("passwordFile")) : null,
          r.address("p2p"),
          r.address("api"),
          r.list("peers", r::parseAddress),
          new java.util.LinkedHashSet<>(r.list("network", r::parseKey)),
          root.has("sealers") ? r.list("sealers", r::parseSealer) : List.of(),
          Duration.ofMillis(r.number("blockPeriodMillis")),
          root.has("maxBlockTransactions")
              ? Math.toIntExact(
                  Math.max(
                      Integer.MIN_VALUE,
                      Math.min(Integer.MAX_VALUE, r.number("maxBlockTransactions"))))
              : DEFAULT_MAX_BLOCK_TRANSACTIONS,
          root.has("consensus")
              ? consensus(r.object("consensus"), base)
              : new ConsensusSettings.Poa(),
          root.has("slashing")
              ? Optional.of(slashing(r.object("slashing"), base))
              : Optional.empty());
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config ")
          ? e
          : new IllegalArgumentException("config %s: %s".formatted(file, e.getMessage()));
    }
  }

  private static Slashing slashing(Reader r, Path base) {
    return new Slashing(base.resolve(r.text("keystore")), r.number("amountMicro"));
  }

  private static ConsensusSettings consensus(Reader r, Path base) {
    String protocol = r.text("protocol");
    Duration timeout =
        r.root().has("timeoutMillis")
            ? Duration.ofMillis(r.number("timeoutMillis"))
            : ConsensusSettings.DEFAULT_TIMEOUT;
    Optional<Path> treasury =
        r.root().has("treasury") ? Optional.of(base.resolve(r.text("treasury"))) : Optional.empty();
    return switch (protocol) {
      case "poa" -> new ConsensusSettings.Poa();
      case "trust" ->
          new ConsensusSettings.Trust(
              r.root().has("epochLength") ? r.integer("epochLength") : 10,
              r.root().has("committeeSize") ? r.integer("committeeSize") : 10,
              timeout,
              treasury);
      case "poeg" ->
          new ConsensusSettings.EnergyGeneration(
              r.objects("coalitions").stream().map(NodeConfig::coalition).toList(),
              timeout,
              r.root().has("blockRewardMicro") ? r.number("blockRewardMicro") : 0,
              r.root().has("slashMicro") ? r.number("slashMicro") : 0,
              treasury);
      case "posoc" ->
          new ConsensusSettings.StateOfCharge(
              r.objects("evs").stream()
                  .map(
                      e ->
                          new StateOfChargeSource.Candidate(
                              e.account("address"),
                              e.decimal("dailyScore"),
                              e.number("profitMicro")))
                  .toList(),
              r.number("blocksPerPeriod"),
              timeout,
              treasury);
      default ->
          throw new IllegalArgumentException(
              "field %sprotocol: '%s' is not one of poa, trust, poeg, posoc"
                  .formatted(r.prefix(), protocol));
    };
  }

  private static EnergyProofSource.Candidate coalition(Reader c) {
    return new EnergyProofSource.Candidate(
        c.text("id"),
        c.decimal("proofScore"),
        c.objects("members").stream()
            .map(
                m ->
                    new EnergyProofSource.Member(
                        m.account("address"), m.decimal("score"), m.decimal("rewardWeight")))
            .toList());
  }

  /**
   * Writes this configuration as JSON, paths relative to {@code file}'s directory where they are
   * inside it.
   *
   * @param file where to write
   * @throws UncheckedIOException if writing fails
   */
  public void write(Path file) {
    Path base = file.toAbsolutePath().getParent();
    ObjectNode o = JSON.createObjectNode();
    o.put("genesis", relative(base, genesis));
    o.put("dataDir", relative(base, dataDir));
    o.put("keystore", relative(base, keystore));
    if (passwordFile != null) {
      o.put("passwordFile", relative(base, passwordFile));
    }
    o.put("p2p", text(p2p));
    o.put("api", text(api));
    ArrayNode ps = o.putArray("peers");
    peers.forEach(p -> ps.add(text(p)));
    ArrayNode ns = o.putArray("network");
    new TreeSet<>(network.stream().map(k -> HexFormat.of().formatHex(k.bytes())).toList())
        .forEach(ns::add);
    ArrayNode ss = o.putArray("sealers");
    sealers.forEach(a -> ss.add(a.toString()));
    o.put("blockPeriodMillis", blockPeriod.toMillis());
    o.put("maxBlockTransactions", maxBlockTransactions);
    writeConsensus(o.putObject("consensus"), base);
    slashing.ifPresent(
        sl ->
            o.putObject("slashing")
                .put("keystore", relative(base, sl.keystore()))
                .put("amountMicro", sl.amountMicro()));
    try {
      Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private void writeConsensus(ObjectNode c, Path base) {
    c.put("protocol", consensus.protocol());
    if (consensus instanceof ConsensusSettings.Trust t) {
      c.put("epochLength", t.epochLength());
      c.put("committeeSize", t.committeeSize());
      c.put("timeoutMillis", t.timeout().toMillis());
    } else if (consensus instanceof ConsensusSettings.EnergyGeneration g) {
      c.put("timeoutMillis", g.timeout().toMillis());
      c.put("blockRewardMicro", g.blockRewardMicro());
      c.put("slashMicro", g.slashMicro());
      ArrayNode cs = c.putArray("coalitions");
      for (EnergyProofSource.Candidate k : g.coalitions()) {
        ObjectNode o = cs.addObject();
        o.put("id", k.id());
        o.put("proofScore", k.proofScore());
        ArrayNode ms = o.putArray("members");
        for (EnergyProofSource.Member m : k.members()) {
          ms.addObject()
              .put("address", m.address().toString())
              .put("score", m.score())
              .put("rewardWeight", m.rewardWeight());
        }
      }
    } else if (consensus instanceof ConsensusSettings.StateOfCharge s) {
      c.put("blocksPerPeriod", s.blocksPerPeriod());
      c.put("timeoutMillis", s.timeout().toMillis());
      ArrayNode es = c.putArray("evs");
      for (StateOfChargeSource.Candidate e : s.evs()) {
        es.addObject()
            .put("address", e.address().toString())
            .put("dailyScore", e.dailyScore())
            .put("profitMicro", e.profitMicro());
      }
    }
    consensus.treasury().ifPresent(t -> c.put("treasury", relative(base, t)));
  }

  private static String relative(Path base, Path p) {
    Path abs = p.toAbsolutePath();
    return abs.startsWith(base) ? base.relativize(abs).toString() : abs.toString();
  }

  /** {@code host:port}. */
  static String text(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  /**
   * Reads fields of one JSON object, naming the file, the field (with its path from the root, e.g.
   * {@code consensus.coalitions[0].id}), the value and the rule on bad input.
   */
  private record Reader(Path file, JsonNode root, String prefix) {
    Reader(Path file, JsonNode root) {
      this(file, root, "");
    }

    JsonNode field(String name) {
      JsonNode n = root.get(name);
      if (n == null || n.isNull()) {
        throw new IllegalArgumentException(
            "config %s: field %s%s is missing".formatted(file, prefix, name));
      }
      return n;
    }

    String text(String name) {
      JsonNode n = field(name);
      if (!n.isTextual() || n.asText().isBlank()) {
        throw new IllegalArgumentException(
            "config %s: field %s%s: %s is not a non-empty string".formatted(file, prefix, name, n));
      }
      return n.asText();
    }

    long number(String name) {
      JsonNode n = field(name);
      if (!n.isIntegralNumber() || !n.canConvertToLong()) {
        throw new IllegalArgumentException(
            "config %s: field %s%s: %s is not an integer".formatted(file, prefix, name, n));
      }
      return n.asLong();
    }

    int integer(String name) {
      long v = number(name);
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "config %s: field %s%s: %d is out of the int range".formatted(file, prefix, name, v));
      }
      return (int) v;
    }

    double decimal(String name) {
      JsonNode n = field(name);
      if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
        throw new IllegalArgumentException(
            "config %s: field %s%s: %s is not a finite number".formatted(file, prefix, name, n));
      }
      return n.asDouble();
    }

    Address account(String name) {
      return parseSealer(prefix + name, text(name));
    }

    Reader object(String name) {
      JsonNode n = field(name);
      if (!n.isObject()) {
        throw new IllegalArgumentException(
            "config %s: field %s%s: %s is not an object".formatted(file, prefix, name, n));
      }
      return new Reader(file, n, prefix + name + ".");
    }

    List<Reader> objects(String name) {
      JsonNode n = field(name);
      if (!n.isArray()) {
        throw new IllegalArgumentException(
            "config %s: field %s%s: %s is not an array".formatted(file, prefix, name, n));
      }
      List<Reader> out = new ArrayList<>();
      for (int i = 0; i < n.size(); i++) {
        JsonNode e = n.get(i);
        String field = prefix + name + "[" + i + "]";
        if (!e.isObject()) {
          throw new IllegalArgumentException(
              "config %s: field %s: %s is not an object".formatted(file, field, e));
        }
        out.add(new Reader(file, e, field + "."));
      }
      return out;
    }

    InetSocketAddress address(String name) {
      return parseAddress(name, text(name));
    }

    <T> List<T> list(String name, Parser<T> parser) {
      JsonNode n = field(name);
      if (!n.isArray()) {
        throw new IllegalArgumentException(
            "config %s: field %s: %s is not an array".formatted(file, name, n));
      }
      List<T> out = new ArrayList<>();
      int i = 0;
      for (Iterator<JsonNode> it = n.elements(); it.hasNext(); i++) {
        JsonNode e = it.next();
        String field = name + "[" + i + "]";
        if (!e.isTextual()) {
          throw new IllegalArgumentException(
              "config %s: field %s: %s is not a string".formatted(file, field, e));
        }
        out.add(parser.parse(field, e.asText()));
      }
      return out;
    }

    InetSocketAddress parseAddress(String field, String s) {
      int colon = s.lastIndexOf(':');
      int port = -1;
      if (colon > 0) {
        try {
          port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
          port = -1;
        }
      }
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException(
            "config %s: field %s: '%s' is not host:port with a port in 0..65535"
                .formatted(file, field, s));
      }
      return InetSocketAddress.createUnresolved(s.substring(0, colon), port);
    }

    PublicKey parseKey(String field, String s) {
      try {
        return PublicKey.of(HexFormat.of().parseHex(s));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "config %s: field %s: '%s' is not a 32-byte public key in hex"
                .formatted(file, field, s));
      }
    }

    Address parseSealer(String field, String s) {
      try {
        return Address.parse(s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "config %s: field %s: '%s' is not an address: %s"
                .formatted(file, field, s, e.getMessage()));
      }
    }
  }

  @FunctionalInterface
  private interface Parser<T> {
    T parse(String field, String text);
  }
}

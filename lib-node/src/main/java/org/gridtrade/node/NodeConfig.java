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
import java.util.Set;
import java.util.TreeSet;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.PublicKey;

/**
 * A node's configuration: where its files are, where it listens, whom it dials, which keys make up
 * the network, and the consensus (Proof of Authority with a list of sealers; the other protocols
 * are configured in code for now). Read from a JSON file:
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
 *   "sealers": ["<address>"],        // the Proof of Authority sealers
 *   "blockPeriodMillis": 1000,
 *   "maxBlockTransactions": 1000     // optional, at most Block.MAX_TRANSACTIONS
 * }
 * }</pre>
 *
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
 * @param sealers the Proof of Authority sealers
 * @param blockPeriod the time between blocks
 * @param maxBlockTransactions the most transactions a block holds
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
    int maxBlockTransactions) {

  /** The most transactions in a block unless the configuration says otherwise. */
  public static final int DEFAULT_MAX_BLOCK_TRANSACTIONS = 1_000;

  /** The environment variable holding the keystore's password when no password file is named. */
  public static final String PASSWORD_VARIABLE = "GRIDTRADE_KEY_PASSWORD";

  private static final ObjectMapper JSON = new ObjectMapper();

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
    if (sealers.isEmpty()) {
      throw new IllegalArgumentException("sealers: lists no sealer");
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
          r.list("sealers", r::parseSealer),
          Duration.ofMillis(r.number("blockPeriodMillis")),
          root.has("maxBlockTransactions")
              ? Math.toIntExact(
                  Math.max(
                      Integer.MIN_VALUE,
                      Math.min(Integer.MAX_VALUE, r.number("maxBlockTransactions"))))
              : DEFAULT_MAX_BLOCK_TRANSACTIONS);
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config ")
          ? e
          : new IllegalArgumentException("config %s: %s".formatted(file, e.getMessage()));
    }
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
    try {
      Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String relative(Path base, Path p) {
    Path abs = p.toAbsolutePath();
    return abs.startsWith(base) ? base.relativize(abs).toString() : abs.toString();
  }

  /** {@code host:port}. */
  static String text(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  /** Reads fields, naming the file, the field, the value and the rule on bad input. */
  private record Reader(Path file, JsonNode root) {
    JsonNode field(String name) {
      JsonNode n = root.get(name);
      if (n == null || n.isNull()) {
        throw new IllegalArgumentException("config %s: field %s is missing".formatted(file, name));
      }
      return n;
    }

    String text(String name) {
      JsonNode n = field(name);
      if (!n.isTextual() || n.asText().isBlank()) {
        throw new IllegalArgumentException(
            "config %s: field %s: %s is not a non-empty string".formatted(file, name, n));
      }
      return n.asText();
    }

    long number(String name) {
      JsonNode n = field(name);
      if (!n.isIntegralNumber() || !n.canConvertToLong()) {
        throw new IllegalArgumentException(
            "config %s: field %s: %s is not an integer".formatted(file, name, n));
      }
      return n.asLong();
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

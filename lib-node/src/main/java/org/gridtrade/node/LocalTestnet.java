package org.gridtrade.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.market.MarketModules;

/**
 * The files of a local test network (like CometBFT's {@code testnet} or Besu's dev network): for
 * each of {@code n} nodes a directory with an encrypted key, its password and a configuration
 * listening on loopback, every node a Proof of Authority sealer dialling every other; a genesis
 * that funds {@code n} user accounts, whose keys are written beside it. The genesis runs the market
 * modules ({@link MarketModules}); user 0 is the network's authority, so it may open markets and
 * sealed-bid auctions. Nothing runs: start each node with {@link GridTradeNode#start(NodeConfig)}
 * or {@code gridtrade node run --config F}.
 */
public final class LocalTestnet {
  /** Micro-coins each user account receives in the genesis. */
  public static final long USER_FUNDS = 1_000_000_000_000L;

  /** The chain id of a local test network. */
  public static final int CHAIN_ID = 1337;

  private final List<Path> configs;
  private final List<Path> userKeys;
  private final Path genesis;

  private LocalTestnet(List<Path> configs, List<Path> userKeys, Path genesis) {
    this.configs = List.copyOf(configs);
    this.userKeys = List.copyOf(userKeys);
    this.genesis = genesis;
  }

  /**
   * Writes a test network's files into {@code dir}: {@code genesis.bin}, {@code users/user-i.key}
   * and {@code users/password}, {@code node-i/{node.key,password,config.json}}. Ports are free
   * loopback ports found now.
   *
   * @param dir the directory (created if needed; must not hold a test network already)
   * @param nodes how many nodes, 1 to 64
   * @param blockPeriod the time between blocks
   * @param random the source of the keys and the keystores' salts
   * @return the layout
   * @throws IllegalArgumentException if {@code nodes} is out of range or {@code dir} already holds
   *     a genesis
   * @throws UncheckedIOException if a file cannot be written
   */
  public static LocalTestnet write(Path dir, int nodes, Duration blockPeriod, SecureRandom random) {
    return write(dir, nodes, blockPeriod, NodeConfig.DEFAULT_MAX_BLOCK_TRANSACTIONS, random);
  }

  /**
   * Writes a test network's files as {@link #write(Path, int, Duration, SecureRandom)} does, with
   * blocks of at most {@code maxBlockTransactions} transactions.
   *
   * @param dir the directory (created if needed; must not hold a test network already)
   * @param nodes how many nodes, 1 to 64
   * @param blockPeriod the time between blocks
   * @param maxBlockTransactions the most transactions a block holds, 1 to {@link
   *     org.gridtrade.ledger.Block#MAX_TRANSACTIONS}
   * @param random the source of the keys and the keystores' salts
   * @return the layout
   * @throws IllegalArgumentException if {@code nodes} or {@code maxBlockTransactions} is out of
   *     range or {@code dir} already holds a genesis
   * @throws UncheckedIOException if a file cannot be written
   */
  public static LocalTestnet write(
      Path dir, int nodes, Duration blockPeriod, int maxBlockTransactions, SecureRandom random) {
    Objects.requireNonNull(dir, "dir");
    if (maxBlockTransactions < 1
        || maxBlockTransactions > org.gridtrade.ledger.Block.MAX_TRANSACTIONS) {
      throw new IllegalArgumentException(
          "maxBlockTransactions %d not in 1..%d"
              .formatted(maxBlockTransactions, org.gridtrade.ledger.Block.MAX_TRANSACTIONS));
    }
    Objects.requireNonNull(blockPeriod, "blockPeriod");
    Objects.requireNonNull(random, "random");
    if (nodes < 1 || nodes > 64) {
      throw new IllegalArgumentException("nodes %d not in 1..64".formatted(nodes));
    }
    if (Files.exists(dir.resolve("genesis.bin"))) {
      throw new IllegalArgumentException(
          "%s already holds a test network (genesis.bin)".formatted(dir));
    }
    try {
      Files.createDirectories(dir.resolve("users"));
      char[] userPassword = password(random);
      Files.writeString(dir.resolve("users/password"), new String(userPassword) + "\n");
      Map<Address, Long> alloc = new TreeMap<>();
      List<Path> userKeys = new ArrayList<>();
      Address operator = null;
      for (int i = 0; i < nodes; i++) {
        KeyPair u = KeyPair.generate(random);
        Path f = dir.resolve("users/user-" + i + ".key");
        Keystore.write(f, u, userPassword, Keystore.Params.fast(), random);
        alloc.put(u.address(), USER_FUNDS);
        userKeys.add(f);
        if (i == 0) {
          operator = u.address();
        }
      }
      Genesis g =
          new Genesis(CHAIN_ID, alloc, Set.of(operator), System.currentTimeMillis())
              .withModules(MarketModules.names());
      Path genesisFile = dir.resolve("genesis.bin");
      Files.write(genesisFile, g.encode());
      List<KeyPair> keys = new ArrayList<>();
      List<InetSocketAddress> p2p = new ArrayList<>();
      List<InetSocketAddress> api = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        keys.add(KeyPair.generate(random));
        p2p.add(new InetSocketAddress("127.0.0.1", freePort()));
        api.add(new InetSocketAddress("127.0.0.1", freePort()));
      }
      Set<PublicKey> network = new LinkedHashSet<>();
      keys.forEach(k -> network.add(k.publicKey()));
      List<Address> sealers = keys.stream().map(KeyPair::address).toList();
      List<Path> configs = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        Path nd = dir.resolve("node-" + i);
        Files.createDirectories(nd);
        char[] pw = password(random);
        Files.writeString(nd.resolve("password"), new String(pw) + "\n");
        Keystore.write(nd.resolve("node.key"), keys.get(i), pw, Keystore.Params.fast(), random);
        List<InetSocketAddress> peers = new ArrayList<>(p2p);
        peers.remove(i);
        NodeConfig c =
            new NodeConfig(
                genesisFile,
                nd.resolve("data"),
                nd.resolve("node.key"),
                nd.resolve("password"),
                p2p.get(i),
                api.get(i),
                peers,
                network,
                sealers,
                blockPeriod,
                maxBlockTransactions);
        Path cf = nd.resolve("config.json");
        c.write(cf);
        configs.add(cf);
      }
      return new LocalTestnet(configs, userKeys, genesisFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the test network into " + dir, e);
    }
  }

  private static char[] password(SecureRandom random) {
    byte[] b = new byte[12];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b).toCharArray();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Each node's configuration file, in node order.
   *
   * @return the paths
   */
  public List<Path> configs() {
    return configs;
  }

  /**
   * The funded user keys' keystores (their password is in {@code users/password}).
   *
   * @return the paths
   */
  public List<Path> userKeys() {
    return userKeys;
  }

  /**
   * The genesis file.
   *
   * @return the path
   */
  public Path genesis() {
    return genesis;
  }
}

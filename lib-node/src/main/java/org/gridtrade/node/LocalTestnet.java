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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gridtrade.consensus.spi.EnergyProofSource;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.market.MarketModules;

/**
 * The files of a local test network (like CometBFT's {@code testnet} or Besu's dev network): for
 * each of {@code n} nodes a directory with an encrypted key, its password and a configuration
 * listening on loopback, every node a block signer dialling every other; a genesis that funds
 * {@code n} user accounts, whose keys are written beside it. The genesis runs the market modules
 * ({@link MarketModules}); user 0 is the network's authority, so it may open markets and sealed-bid
 * auctions. Nothing runs: start each node with {@link GridTradeNode#start(NodeConfig)} or {@code
 * gridtrade node run --config F}.
 *
 * <p>The consensus ({@link #PROTOCOLS}): {@code poa}, every node a sealer; {@code trust}, every
 * node in the first committee (epochs of 10 blocks); {@code poeg}, node {@code i} a coalition of
 * its own with proof score {@code i + 1}, earning a 1-coin block reward; {@code posoc}, node {@code
 * i} an EV with daily score {@code i + 1} and no profit to settle, periods of 100 blocks. The last
 * three wait twice the block period per rank and have a treasury key ({@code node-i/treasury.key},
 * one key under each node's password), an authority of the genesis, that pays their rewards.
 */
public final class LocalTestnet {
  /** Micro-coins each user account receives in the genesis. */
  public static final long USER_FUNDS = 1_000_000_000_000L;

  /** The chain id of a local test network. */
  public static final int CHAIN_ID = 1337;

  /** The consensus protocols a test network can run. */
  public static final List<String> PROTOCOLS = List.of("poa", "trust", "poeg", "posoc");

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
    return write(dir, nodes, blockPeriod, maxBlockTransactions, "poa", random);
  }

  /**
   * Writes a test network's files as {@link #write(Path, int, Duration, int, SecureRandom)} does,
   * running the named consensus protocol (see the class comment).
   *
   * @param dir the directory (created if needed; must not hold a test network already)
   * @param nodes how many nodes, 1 to 64
   * @param blockPeriod the time between blocks
   * @param maxBlockTransactions the most transactions a block holds, 1 to {@link
   *     org.gridtrade.ledger.Block#MAX_TRANSACTIONS}
   * @param protocol one of {@link #PROTOCOLS}
   * @param random the source of the keys and the keystores' salts
   * @return the layout
   * @throws IllegalArgumentException if a number is out of range, the protocol is unknown or {@code
   *     dir} already holds a genesis
   * @throws UncheckedIOException if a file cannot be written
   */
  public static LocalTestnet write(
      Path dir,
      int nodes,
      Duration blockPeriod,
      int maxBlockTransactions,
      String protocol,
      SecureRandom random) {
    Objects.requireNonNull(dir, "dir");
    if (!PROTOCOLS.contains(protocol)) {
      throw new IllegalArgumentException(
          "consensus '%s' is not one of %s".formatted(protocol, PROTOCOLS));
    }
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
      KeyPair treasury = protocol.equals("poa") ? null : KeyPair.generate(random);
      Set<Address> authorities = new TreeSet<>();
      authorities.add(operator);
      if (treasury != null) {
        authorities.add(treasury.address());
      }
      Genesis g =
          new Genesis(CHAIN_ID, alloc, authorities, System.currentTimeMillis())
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
      Duration timeout = blockPeriod.multipliedBy(2);
      List<Path> configs = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        Path nd = dir.resolve("node-" + i);
        Files.createDirectories(nd);
        char[] pw = password(random);
        Files.writeString(nd.resolve("password"), new String(pw) + "\n");
        Keystore.write(nd.resolve("node.key"), keys.get(i), pw, Keystore.Params.fast(), random);
        Optional<Path> treasuryFile = Optional.empty();
        if (treasury != null) {
          treasuryFile = Optional.of(nd.resolve("treasury.key"));
          Keystore.write(treasuryFile.get(), treasury, pw, Keystore.Params.fast(), random);
        }
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
                maxBlockTransactions,
                settings(protocol, keys, timeout, treasuryFile),
                Optional.empty());
        Path cf = nd.resolve("config.json");
        c.write(cf);
        configs.add(cf);
      }
      return new LocalTestnet(configs, userKeys, genesisFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the test network into " + dir, e);
    }
  }

  private static ConsensusSettings settings(
      String protocol, List<KeyPair> keys, Duration timeout, Optional<Path> treasury) {
    return switch (protocol) {
      case "trust" -> new ConsensusSettings.Trust(10, keys.size(), timeout, treasury);
      case "poeg" -> {
        List<EnergyProofSource.Candidate> coalitions = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
          coalitions.add(
              new EnergyProofSource.Candidate(
                  "node-" + i,
                  i + 1,
                  List.of(new EnergyProofSource.Member(keys.get(i).address(), i + 1, 1))));
        }
        yield new ConsensusSettings.EnergyGeneration(coalitions, timeout, 1_000_000, 0, treasury);
      }
      case "posoc" -> {
        List<StateOfChargeSource.Candidate> evs = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
          evs.add(new StateOfChargeSource.Candidate(keys.get(i).address(), i + 1, 0));
        }
        yield new ConsensusSettings.StateOfCharge(evs, 100, timeout, treasury);
      }
      default -> new ConsensusSettings.Poa();
    };
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

package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A perturbed network of five node processes, in the manner of CometBFT's end-to-end testnets:
 * every link between two nodes runs through a {@link FaultProxy}, a client sends signed transfers
 * to the nodes throughout, and a seeded schedule applies perturbations one after another: kill
 * (SIGKILL, then restart from the data directory), pause (SIGSTOP, then SIGCONT), disconnect (every
 * link of one node cut), partition (two nodes against three), delay (every link slowed) and
 * duplication (replayed bytes on one node's links, which TLS refuses). Each perturbation lasts
 * until the rest of the network has sealed a few blocks, and ends when the affected node has caught
 * up: the test is driven by what the nodes report, not by the clock.
 *
 * <p>Afterwards, with the load stopped and every fault healed:
 *
 * <ul>
 *   <li>all nodes converge to one chain within {@link #CONVERGENCE} of the last fault;
 *   <li>every transaction the API reported as included, in a block that is now final (32 blocks
 *       deep, the deepest reorganisation a ledger accepts), is on every node's chain exactly once,
 *       and no transaction is anywhere twice; one reported in a block that a partition's
 *       reorganisation removed is included again, unless the client had meanwhile spent its nonce
 *       through the other side (then that transaction is final instead);
 *   <li>a killed node reopens at a height at least that it had reported before the kill (nothing
 *       acknowledged is lost) and catches up with the others.
 * </ul>
 *
 * <p>{@code -Dgridtrade.faultRounds=N} runs N perturbations (default 6, one of each kind in a
 * seeded order); {@code -Dgridtrade.faultSeed=S} picks the schedule; {@code
 * -Dgridtrade.faultConsensus=poa,trust,poeg,posoc} the protocols it runs under, one network each
 * ({@link LocalTestnet#PROTOCOLS}; default poa and posoc).
 */
class FaultInjectionTest {
  private static final int NODES = 5;
  private static final int FINAL_DEPTH = 33;
  private static final Duration CONVERGENCE = Duration.ofSeconds(60);
  private static final Duration PATIENCE = Duration.ofSeconds(180);

  private enum Fault {
    KILL,
    PAUSE,
    DISCONNECT,
    PARTITION,
    DELAY,
    DUPLICATE
  }

  @TempDir Path dir;

  private final List<Process> processes = new ArrayList<>();
  private final List<List<String>> commands = new ArrayList<>();
  private final List<GridTradeClient> clients = new ArrayList<>();
  // proxies.get(i).get(j): the link node i dials to reach node j.
  private final Map<Integer, Map<Integer, FaultProxy>> proxies = new TreeMap<>();
  private final Set<Integer> down = ConcurrentHashMap.newKeySet();
  // Each node's id (its key's address), as its status reports it.
  private final List<String> ids = new ArrayList<>();

  // What the API said: transaction id -> {height, block hash} of the block it was reported in.
  private final Map<Hash, Object[]> reported = new ConcurrentHashMap<>();
  // Every transaction a node accepted: its sender and nonce.
  private final Map<Hash, String> accepted = new ConcurrentHashMap<>();
  private final AtomicLong submitErrors = new AtomicLong();

  /**
   * The protocols the network runs: {@code -Dgridtrade.faultConsensus} (comma-separated), by
   * default PoA, where every node seals, and PoSOC, where a few do: a transaction that a
   * reorganisation returns only to the mempools of nodes that do not seal must still be included.
   */
  static List<String> protocols() {
    return List.of(System.getProperty("gridtrade.faultConsensus", "poa,posoc").split(","));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("protocols")
  void perturbedNetwork_losesNoIncludedTransaction_andConverges(String protocol) throws Exception {
    int rounds = Integer.getInteger("gridtrade.faultRounds", Fault.values().length);
    long seed = Long.getLong("gridtrade.faultSeed", 1L);
    Random random = new Random(seed);
    LocalTestnet net =
        LocalTestnet.write(
            dir,
            NODES,
            Duration.ofMillis(300),
            NodeConfig.DEFAULT_MAX_BLOCK_TRANSACTIONS,
            protocol,
            new SecureRandom());
    char[] pw = Files.readString(dir.resolve("users/password")).strip().toCharArray();
    List<KeyPair> users = new ArrayList<>();
    for (Path k : net.userKeys()) {
      users.add(Keystore.read(k, pw));
    }
    List<NodeConfig> configs = new ArrayList<>();
    for (Path c : net.configs()) {
      configs.add(NodeConfig.read(c));
    }
    for (int i = 0; i < NODES; i++) {
      Map<Integer, FaultProxy> mine = new TreeMap<>();
      List<InetSocketAddress> peers = new ArrayList<>();
      for (int j = 0; j < NODES; j++) {
        if (j != i) {
          FaultProxy p = proxyAvoiding(configs.get(j).p2p(), configs);
          mine.put(j, p);
          peers.add(p.address());
        }
      }
      proxies.put(i, mine);
      NodeConfig c = configs.get(i);
      new NodeConfig(
              c.genesis(),
              c.dataDir(),
              c.keystore(),
              c.passwordFile(),
              c.p2p(),
              c.api(),
              peers,
              c.network(),
              c.sealers(),
              c.blockPeriod(),
              c.maxBlockTransactions())
          .withConsensus(c.consensus())
          .write(net.configs().get(i));
      clients.add(GridTradeClient.of(URI.create("http://127.0.0.1:" + c.api().getPort())));
    }
    AtomicBoolean loading = new AtomicBoolean(true);
    Thread load = new Thread(() -> load(users, loading), "load");
    Map<Fault, Integer> counts = new TreeMap<>();
    List<Long> restartHeights = new ArrayList<>();
    try {
      for (int i = 0; i < NODES; i++) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        commands.add(
            List.of(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                NodeProcessMain.class.getName(),
                net.configs().get(i).toString()));
        processes.add(null);
        start(i);
      }
      await("every node has its four peers", () -> allUp() && peersEverywhere(NODES - 1));
      for (GridTradeClient c : clients) {
        ids.add(c.status().nodeId());
      }
      load.start();
      await("the network seals past height 3 with load", () -> minHeight() >= 3);

      List<Fault> schedule = new ArrayList<>();
      while (schedule.size() < rounds) {
        List<Fault> all = new ArrayList<>(List.of(Fault.values()));
        java.util.Collections.shuffle(all, random);
        schedule.addAll(all);
      }
      for (Fault f : schedule.subList(0, rounds)) {
        int k = random.nextInt(NODES);
        counts.merge(f, 1, Integer::sum);
        switch (f) {
          case KILL -> restartHeights.add(kill(k));
          case PAUSE -> pause(k);
          case DISCONNECT -> isolate(Set.of(k));
          case PARTITION -> isolate(Set.of(k, (k + 1) % NODES));
          case DELAY -> delay();
          case DUPLICATE -> duplicate(k);
        }
      }
      loading.set(false);
      load.join();
      long healed = System.nanoTime();
      long target = maxHeight() + 2;
      await(
          "every node holds one chain at height " + target,
          () -> minHeight() >= target && sameBlock(target));
      double convergedSeconds = (System.nanoTime() - healed) / 1e9;
      assertThat(convergedSeconds).isLessThan(CONVERGENCE.toSeconds());

      long lastReport = reported.values().stream().mapToLong(r -> (long) r[0]).max().orElse(0L);
      long finalHeight = lastReport + FINAL_DEPTH;
      await(
          "every reported inclusion is " + FINAL_DEPTH + " blocks deep everywhere",
          () -> minHeight() >= finalHeight && sameBlock(finalHeight));

      // The chain, read from node 0; the same block at finalHeight on every node makes it theirs.
      Map<Hash, Integer> occurrences = new HashMap<>();
      Map<Long, Hash> hashes = new HashMap<>();
      for (long h = 1; h <= finalHeight; h++) {
        GridTradeClient.BlockView b = clients.get(0).block(h).orElseThrow();
        hashes.put(h, b.hash());
        for (Hash id : b.transactions()) {
          occurrences.merge(id, 1, Integer::sum);
        }
      }
      assertThat(occurrences.values()).as("transactions included twice").allMatch(n -> n == 1);
      Set<String> finalNonces = new java.util.HashSet<>();
      occurrences.keySet().forEach(id -> finalNonces.add(accepted.get(id)));
      int finalReports = 0;
      int reorged = 0;
      int reincluded = 0;
      int superseded = 0;
      for (Map.Entry<Hash, Object[]> r : reported.entrySet()) {
        long h = (long) r.getValue()[0];
        if (hashes.get(h).equals(r.getValue()[1])) {
          finalReports++;
          assertThat(occurrences.getOrDefault(r.getKey(), 0))
              .as("transaction %s reported at final height %d", r.getKey(), h)
              .isEqualTo(1);
        } else {
          reorged++;
          if (occurrences.containsKey(r.getKey())) {
            reincluded++;
          } else {
            // Not lost if the client reused its nonce (through a node on the other side of a
            // partition) and that other transaction is final: then this one can never be.
            String nonce = accepted.get(r.getKey());
            if (!finalNonces.contains(nonce)) {
              StringBuilder where = new StringBuilder();
              for (int i = 0; i < NODES; i++) {
                where.append(" node ").append(i).append(": ");
                try {
                  where.append(clients.get(i).transaction(r.getKey()));
                } catch (RuntimeException e) {
                  where.append(e);
                }
              }
              String account = nonce.substring(0, nonce.indexOf('/'));
              java.util.TreeSet<Long> accountNonces = new java.util.TreeSet<>();
              for (String n : finalNonces) {
                if (n != null && n.startsWith(account + "/")) {
                  accountNonces.add(Long.parseLong(n.substring(account.length() + 1)));
                }
              }
              throw new AssertionError(
                  ("transaction %s (%s), reported at height %d in block %s, reorganised away, is"
                          + " neither included again nor superseded; the account's final nonces"
                          + " %s; now:%s")
                      .formatted(r.getKey(), nonce, h, r.getValue()[1], accountNonces, where));
            }
            superseded++;
          }
        }
      }
      assertThat(finalReports).as("transactions reported included").isGreaterThan(0);
      for (int i = 0; i < restartHeights.size(); i++) {
        assertThat(restartHeights.get(i))
            .as("restart %d reopened below its acknowledged height", i)
            .isNotNegative();
      }
      System.out.printf(
          Locale.ROOT,
          "fault run (seed %d): %s; transactions accepted %d, reported included %d (in final"
              + " blocks %d, in blocks later reorganised away %d, of which included again %d and superseded by"
              + " the client's other transaction with the same nonce %d), lost 0, submissions refused or failed %d; converged %.1f s after the last"
              + " fault; chain height %d%n",
          seed,
          counts,
          accepted.size(),
          reported.size(),
          finalReports,
          reorged,
          reincluded,
          superseded,
          submitErrors.get(),
          convergedSeconds,
          finalHeight);
    } finally {
      loading.set(false);
      load.join(30_000);
      for (int i = 0; i < processes.size(); i++) {
        Process p = processes.get(i);
        if (p != null) {
          signal(p, "CONT");
          p.getOutputStream().close();
          if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
          }
        }
      }
      proxies.values().forEach(m -> m.values().forEach(FaultProxy::close));
    }
  }

  // Sends transfers round robin over the users to the nodes that are up, and asks after them.
  // A proxy whose own (ephemeral) port is none of the ports the nodes will bind: the testnet's
  // ports were free when it was written, and are not held until the nodes start.
  private static FaultProxy proxyAvoiding(InetSocketAddress target, List<NodeConfig> configs)
      throws IOException {
    Set<Integer> taken = new java.util.HashSet<>();
    for (NodeConfig c : configs) {
      taken.add(c.p2p().getPort());
      taken.add(c.api().getPort());
    }
    while (true) {
      FaultProxy p = new FaultProxy(target);
      if (!taken.contains(p.address().getPort())) {
        return p;
      }
      p.close();
    }
  }

  private void load(List<KeyPair> users, AtomicBoolean loading) {
    Random r = new Random(7);
    Map<Hash, Integer> pending = new HashMap<>();
    int sent = 0;
    while (loading.get()) {
      int node = r.nextInt(NODES);
      if (!down.contains(node)) {
        KeyPair from = users.get(sent % users.size());
        sent++;
        try {
          GridTradeClient c = clients.get(node);
          long nonce = c.account(from.address()).pendingNonce();
          Transaction tx =
              new TransactionBody(
                      LocalTestnet.CHAIN_ID,
                      from.publicKey(),
                      nonce,
                      10,
                      new Payload.Transfer(users.get(sent % users.size()).address(), 1 + sent))
                  .sign(from);
          GridTradeClient.Submitted s = c.submit(tx);
          if (s.accepted()) {
            accepted.put(tx.id(), from.address() + "/" + nonce);
            pending.put(tx.id(), node);
          } else {
            submitErrors.incrementAndGet();
          }
        } catch (RuntimeException e) {
          submitErrors.incrementAndGet(); // the node went down under us
        }
      }
      // Ask the node each pending transaction went to whether it is in a block yet.
      for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        int n = e.getValue();
        if (down.contains(n)) {
          continue;
        }
        try {
          GridTradeClient.TxStatus st = clients.get(n).transaction(e.getKey());
          if (st.included()) {
            clients
                .get(n)
                .block(st.height())
                .filter(b -> b.transactions().contains(e.getKey()))
                .ifPresent(b -> reported.put(e.getKey(), new Object[] {b.height(), b.hash()}));
            it.remove();
          } else if ("rejected".equals(st.status())) {
            it.remove();
          }
        } catch (RuntimeException x) {
          // down; ask again later
        }
      }
      try {
        Thread.sleep(40);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void start(int i) throws IOException, InterruptedException {
    Path log = dir.resolve("node-" + i + ".log");
    long before =
        Files.exists(log) ? Files.readString(log).split("started at height", -1).length : 1;
    Process p =
        new ProcessBuilder(commands.get(i))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    processes.set(i, p);
    await(
        "node " + i + " started",
        () -> !p.isAlive() || read(log).split("started at height", -1).length > before);
    assertThat(p.isAlive()).as(read(log)).isTrue();
    down.remove(i);
  }

  // Kills node k, waits for the others to seal three blocks, restarts it; returns how far above
  // its last reported height the restarted node opened (never negative if nothing was lost).
  private long kill(int k) throws Exception {
    long acknowledged = height(k);
    down.add(k);
    processes.get(k).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    long from = maxHeight();
    await("the others seal three blocks without node " + k, () -> maxHeight() >= from + 3);
    start(k);
    String log = read(dir.resolve("node-" + k + ".log"));
    String last = log.substring(log.lastIndexOf("started at height ") + 18).strip().split("\\s")[0];
    long reopened = Long.parseLong(last);
    catchUp(k);
    return reopened - acknowledged;
  }

  private void pause(int k) throws Exception {
    down.add(k);
    signal(processes.get(k), "STOP");
    long from = maxHeight();
    await(
        "the others seal three blocks while node " + k + " is paused",
        () -> maxHeight() >= from + 3);
    signal(processes.get(k), "CONT");
    down.remove(k);
    catchUp(k);
  }

  // Cuts every link between the group and the rest; heals when the rest sealed three blocks.
  private void isolate(Set<Integer> group) throws Exception {
    List<FaultProxy> cut = new ArrayList<>();
    proxies.forEach(
        (i, m) ->
            m.forEach(
                (j, p) -> {
                  if (group.contains(i) != group.contains(j)) {
                    cut.add(p);
                  }
                }));
    cut.forEach(p -> p.cut(true));
    int outside =
        IntStream.range(0, NODES).filter(i -> !group.contains(i)).findFirst().orElseThrow();
    long from = height(outside);
    await("the majority seals three blocks without " + group, () -> height(outside) >= from + 3);
    // The cut held: no node of the group reached past it (by peer exchange, say).
    for (int k : group) {
      for (String peer : clients.get(k).status().peers()) {
        assertThat(group.stream().map(ids::get)).as("node %d's peers", k).contains(peer);
      }
    }
    cut.forEach(p -> p.cut(false));
    for (int k : group) {
      catchUp(k);
    }
  }

  private void delay() throws Exception {
    proxies.values().forEach(m -> m.values().forEach(p -> p.delay(150)));
    long from = maxHeight();
    await("the network seals three blocks over slow links", () -> minHeight() >= from + 3);
    proxies.values().forEach(m -> m.values().forEach(p -> p.delay(0)));
  }

  private void duplicate(int k) throws Exception {
    List<FaultProxy> links = new ArrayList<>(proxies.get(k).values());
    proxies.forEach(
        (i, m) ->
            m.forEach(
                (j, p) -> {
                  if (j == k) {
                    links.add(p);
                  }
                }));
    long before = links.stream().mapToLong(FaultProxy::connections).sum();
    links.forEach(p -> p.duplicateNext(1));
    await(
        "the replayed bytes broke node " + k + "'s links and they were dialled again",
        () ->
            links.stream().mapToLong(FaultProxy::duplicated).sum() > 0
                && links.stream().mapToLong(FaultProxy::connections).sum() > before);
    links.forEach(p -> p.duplicateNext(0));
    long from = maxHeight();
    await("the network seals three blocks", () -> minHeight() >= from + 3);
    catchUp(k);
  }

  // Waits until node k is at least where the highest node was when the wait began.
  private void catchUp(int k) throws InterruptedException {
    long target = maxHeight();
    await("node " + k + " catches up to height " + target, () -> height(k) >= target);
  }

  private static void signal(Process p, String signal) throws IOException, InterruptedException {
    if (p.isAlive()) {
      new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
    }
  }

  private long height(int i) {
    if (down.contains(i)) {
      return -1;
    }
    try {
      return clients.get(i).status().height();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private long minHeight() {
    return IntStream.range(0, NODES).mapToLong(this::height).min().orElseThrow();
  }

  private long maxHeight() {
    return IntStream.range(0, NODES).mapToLong(this::height).max().orElseThrow();
  }

  private boolean allUp() {
    return IntStream.range(0, NODES).allMatch(i -> height(i) >= 0);
  }

  private boolean peersEverywhere(int n) {
    try {
      return clients.stream().allMatch(c -> c.status().peers().size() >= n);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private boolean sameBlock(long h) {
    try {
      Set<Hash> seen = new java.util.HashSet<>();
      for (GridTradeClient c : clients) {
        seen.add(c.block(h).orElseThrow().hash());
      }
      return seen.size() == 1;
    } catch (RuntimeException e) {
      return false;
    }
  }

  // Each node's status and the end of its log, for a failure's message.
  private String describe() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < NODES; i++) {
      b.append("\nnode ").append(i).append(down.contains(i) ? " (down)" : "").append(": ");
      try {
        GridTradeClient.Status s = clients.get(i).status();
        b.append("height ").append(s.height()).append(", peers ").append(s.peers());
      } catch (RuntimeException e) {
        b.append(e);
      }
      String log = read(dir.resolve("node-" + i + ".log"));
      b.append("\n  log: ").append(log.substring(Math.max(0, log.length() - 600)));
    }
    return b.toString();
  }

  private static String read(Path f) {
    try {
      return Files.exists(f) ? Files.readString(f) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what + "; " + describe());
      }
      Thread.sleep(50);
    }
  }
}

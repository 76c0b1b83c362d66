package org.gridtrade.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;

/**
 * Apache Ratis (Raft) side by side with GridTrade's Proof of Authority: a Ratis group of peers,
 * each its own process on loopback, replicating the same signed 1,000-transaction batches that
 * {@code gridtrade load --batch 1000} sends to a testnet, and verifying every signature in its
 * state machine.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.gridtrade.benchmarks.RatisComparison run \
 *     --peers 5 --rate 1000 --duration 20 [--batch 1000] [--senders K] [--warmup S] [--dir D]
 * </pre>
 *
 * <p>{@code run} starts the peers ({@code peer} mode, one process each, the same classpath), funds
 * the senders in one genesis log entry, signs every transaction before the clock (transaction n is
 * sender n mod K's (n / K)-th transfer of 1 micro-coin to sender n + 1 mod K, fee 1, as {@code
 * gridtrade load} does), then sends batches of {@code --batch} transactions at {@code --rate} tx/s
 * for {@code --duration} s open loop through Ratis' async client, and prints one JSON object like
 * {@code gridtrade load}'s: submitted, committed (applied by the leader's state machine after a
 * majority stored the entry), rejected, tps (committed over the time from the first send to the
 * last commit), latencyP50Ms and latencyP99Ms (per transaction: its batch's time from send to the
 * leader's reply), and appliedPerPeer / committedOnAll (what every peer's state machine applied,
 * asked of each peer at the end). Every peer it starts is stopped when it ends, also on failure.
 *
 * <p>The state machine decodes each batch entry (u8 kind 1, u32 count, then u32 length and the
 * canonical encoding of each transaction), verifies every signature in parallel over the cores (as
 * a GridTrade node verifies a submitted batch and a block), then applies the transfers in order to
 * a balance and nonce map: chain id, payload (transfers only), next nonce and balance (amount +
 * fee) are checked; the amount moves, the fee is burned. It keeps no Merkle state tree, no blocks
 * and no durable state: its durability is Ratis' own log, written and flushed to disk by every peer
 * before it acknowledges (Ratis' default, kept).
 *
 * <p>{@code peer --id I --peers HOST:PORT,... --dir D} runs peer I of the group: it prints {@code
 * ready} on its standard output once serving, writes its log lines to standard error, and stops
 * when its standard input closes or on SIGTERM.
 */
public final class RatisComparison {
  private static final int CHAIN = 7;
  private static final long GENESIS_BALANCE = 1_000_000_000_000L;
  private static final RaftGroupId GROUP =
      RaftGroupId.valueOf(UUID.fromString("67726964-7472-6164-6572-617469730000"));
  private static final byte GENESIS = 0;
  private static final byte BATCH = 1;
  private static final String COUNT_QUERY = "count";

  private RatisComparison() {}

  /** A bad argument: one line for the user, exit 2. */
  private static final class BadArgument extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadArgument(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Runs the driver or one peer.
   *
   * @param args {@code run [options]} or {@code peer --id I --peers HOST:PORT,... --dir D}
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    try {
      if (args.length == 0) {
        throw new BadArgument("mode missing: expected 'run' or 'peer' as the first argument");
      }
      Map<String, String> o = options(Arrays.copyOfRange(args, 1, args.length));
      switch (args[0]) {
        case "run" -> System.exit(new Driver(o).run());
        case "peer" -> peer(o);
        default ->
            throw new BadArgument("mode '%s' is neither 'run' nor 'peer'".formatted(args[0]));
      }
    } catch (BadArgument e) {
      System.err.println("ratis-comparison: " + e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      Throwable cause =
          e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
              ? e.getCause()
              : e;
      System.err.println("ratis-comparison: failed: " + cause);
      System.exit(1);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String k = args[i];
      if (!k.startsWith("--")) {
        throw new BadArgument("argument '%s' is not an option (--name value)".formatted(k));
      }
      if (i + 1 >= args.length) {
        throw new BadArgument("option %s has no value".formatted(k));
      }
      if (o.put(k, args[++i]) != null) {
        throw new BadArgument("option %s is given twice".formatted(k));
      }
    }
    return o;
  }

  private static void onlyKnown(Map<String, String> o, Set<String> known, String mode) {
    for (String k : o.keySet()) {
      if (!known.contains(k)) {
        throw new BadArgument(
            "option %s is unknown in '%s' mode (known: %s)"
                .formatted(k, mode, String.join(" ", known.stream().sorted().toList())));
      }
    }
  }

  private static int intOption(Map<String, String> o, String name, int dflt, int min, int max) {
    String v = o.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.replace("_", ""));
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BadArgument("%s '%s' is not an integer in %d..%d".formatted(name, v, min, max));
  }

  private static String required(Map<String, String> o, String name, String mode) {
    String v = o.get(name);
    if (v == null) {
      throw new BadArgument("option %s is required in '%s' mode".formatted(name, mode));
    }
    return v;
  }

  private static List<RaftPeer> peers(String list) {
    List<RaftPeer> peers = new ArrayList<>();
    for (String a : list.split(",", -1)) {
      int colon = a.lastIndexOf(':');
      boolean ok = colon > 0 && colon < a.length() - 1;
      if (ok) {
        try {
          int port = Integer.parseInt(a.substring(colon + 1));
          ok = port >= 1 && port <= 65_535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw new BadArgument(
            "--peers entry '%s' is not HOST:PORT with a port in 1..65535".formatted(a));
      }
      peers.add(RaftPeer.newBuilder().setId("p" + peers.size()).setAddress(a).build());
    }
    if (peers.size() > 25) {
      throw new BadArgument("--peers lists %d peers; at most 25".formatted(peers.size()));
    }
    return peers;
  }

  /** Settings shared by the peers and the client. */
  private static RaftProperties properties() {
    RaftProperties p = new RaftProperties();
    // A batch entry is about 150 kB: room for whole batches in the log's buffers and segments.
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf("16MB"));
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf("8MB"));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("64MB"));
    // Five JVMs share the machine's cores with the signature checks: election timeouts of 1-2 s
    // instead of 150-300 ms, so that a busy (not dead) leader is not voted out.
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2, TimeUnit.SECONDS));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(10, TimeUnit.SECONDS));
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(30, TimeUnit.SECONDS));
    return p;
  }

  // ---------------------------------------------------------------------------------- peer mode

  private static void peer(Map<String, String> o) throws IOException, InterruptedException {
    onlyKnown(o, Set.of("--id", "--peers", "--dir"), "peer");
    List<RaftPeer> peers = peers(required(o, "--peers", "peer"));
    int id = intOption(o, "--id", -1, 0, peers.size() - 1);
    if (id < 0) {
      throw new BadArgument("option --id is required in 'peer' mode");
    }
    Path dir = Path.of(required(o, "--dir", "peer"));
    Files.createDirectories(dir);
    RaftPeer me = peers.get(id);
    RaftProperties p = properties();
    RaftServerConfigKeys.setStorageDir(p, List.of(dir.toFile()));
    String address = me.getAddress();
    GrpcConfigKeys.Server.setPort(
        p, Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
    LedgerMachine machine = new LedgerMachine();
    RaftServer server =
        RaftServer.newBuilder()
            .setServerId(me.getId())
            .setGroup(RaftGroup.valueOf(GROUP, peers))
            .setProperties(p)
            .setStateMachine(machine)
            .setOption(RaftStorage.StartupOption.FORMAT)
            .build();
    AtomicBoolean closed = new AtomicBoolean();
    Runnable close =
        () -> {
          if (closed.compareAndSet(false, true)) {
            try {
              server.close();
            } catch (IOException e) {
              log("closing: " + e);
            }
            log(
                "stopped; applied %d transactions in %d batches, rejected %d (signature %d)"
                    .formatted(
                        machine.applied.get(),
                        machine.batches.get(),
                        machine.rejected.get(),
                        machine.badSignature.get()));
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(close, "ratis-peer-stop"));
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      // Ratis' threads would keep the process alive: exit, so that the driver sees it at once.
      log("peer %s could not start: %s".formatted(me.getId(), e));
      e.printStackTrace();
      System.exit(1);
    }
    log(
        "peer %s serving on %s, %d cores"
            .formatted(me.getId(), address, Runtime.getRuntime().availableProcessors()));
    System.out.println("ready");
    System.out.flush();
    InputStream in = System.in;
    byte[] buf = new byte[256];
    while (in.read(buf) >= 0) {
      // nothing is read from the driver; end of input means stop
    }
    log("standard input closed: stopping");
    close.run();
    System.exit(0);
  }

  private static void log(String line) {
    System.err.printf(Locale.ROOT, "%tT %s%n", System.currentTimeMillis(), line);
    System.err.flush();
  }

  /**
   * The replicated state: balances and next nonces of the accounts, and counters. Entries are
   * applied one at a time by Ratis' state machine updater; only the counters are read elsewhere.
   */
  static final class LedgerMachine extends BaseStateMachine {
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Map<Address, long[]> accounts = new HashMap<>(); // balance, next nonce

    /**
     * An account's balance and next nonce.
     *
     * @return {balance, next nonce}, or empty if the account is unknown
     */
    java.util.Optional<long[]> account(Address a) {
      return java.util.Optional.ofNullable(accounts.get(a)).map(long[]::clone);
    }

    final AtomicLong applied = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong badSignature = new AtomicLong();
    final AtomicLong batches = new AtomicLong();

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
        throws IOException {
      super.initialize(server, groupId, raftStorage);
      storage.init(raftStorage);
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
      return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
      LogEntryProto entry = trx.getLogEntry();
      ByteBuffer data = entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer();
      int[] result = apply(data);
      updateLastAppliedTermIndex(TermIndex.valueOf(entry));
      ByteBuffer reply = ByteBuffer.allocate(8).putInt(result[0]).putInt(result[1]);
      return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply.array())));
    }

    /**
     * Applies one entry; returns {applied, rejected}. A malformed entry changes nothing; a
     * transaction whose signature, chain, payload, nonce or balance is wrong is rejected alone.
     */
    int[] apply(ByteBuffer data) {
      try {
        byte kind = data.get();
        if (kind == GENESIS) {
          long balance = data.getLong();
          int n = data.getInt();
          if (balance < 0 || n < 0 || n != data.remaining() / Address.LENGTH) {
            return new int[] {0, 0};
          }
          for (int i = 0; i < n; i++) {
            byte[] a = new byte[Address.LENGTH];
            data.get(a);
            accounts.put(Address.ofBytes(a), new long[] {balance, 0});
          }
          return new int[] {0, 0};
        }
        if (kind != BATCH) {
          return new int[] {0, 0};
        }
        int n = data.getInt();
        if (n < 0 || n > data.remaining() / 4) {
          return new int[] {0, 0};
        }
        List<byte[]> encoded = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          int len = data.getInt();
          if (len < 0 || len > Math.min(Transaction.MAX_ENCODED_BYTES, data.remaining())) {
            return new int[] {0, n};
          }
          byte[] t = new byte[len];
          data.get(t);
          encoded.add(t);
        }
        batches.incrementAndGet();
        // Decode and verify on every core, as a node checks a submitted batch or a block.
        Transaction[] txs = new Transaction[n];
        boolean[] valid = new boolean[n];
        IntStream.range(0, n)
            .parallel()
            .forEach(
                i -> {
                  try {
                    txs[i] = Transaction.decode(encoded.get(i));
                    valid[i] = txs[i].hasValidSignatures();
                  } catch (DecodeException e) {
                    valid[i] = false;
                  }
                });
        int ok = 0;
        for (int i = 0; i < n; i++) {
          if (!valid[i]) {
            badSignature.incrementAndGet();
          } else if (transfer(txs[i].body())) {
            ok++;
          }
        }
        applied.addAndGet(ok);
        rejected.addAndGet(n - ok);
        return new int[] {ok, n - ok};
      } catch (RuntimeException e) { // a short or malformed entry: nothing more of it applies
        return new int[] {0, 0};
      }
    }

    private boolean transfer(TransactionBody b) {
      if (b.chainId() != CHAIN || !(b.payload() instanceof Payload.Transfer t)) {
        return false;
      }
      long[] from = accounts.get(b.senderAddress());
      if (from == null || from[1] != b.nonce() || from[0] - b.fee() < t.amount()) {
        return false;
      }
      from[0] -= t.amount() + b.fee();
      from[1]++;
      accounts.computeIfAbsent(t.to(), a -> new long[2])[0] += t.amount();
      return true;
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
      ByteBuffer b =
          ByteBuffer.allocate(24)
              .putLong(applied.get())
              .putLong(rejected.get())
              .putLong(
                  getLastAppliedTermIndex() == null ? -1 : getLastAppliedTermIndex().getIndex());
      return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(b.array())));
    }
  }

  // ------------------------------------------------------------------------------------ driver

  private static final class Driver {
    private final int peerCount;
    private final int rate;
    private final int duration;
    private final int batch;
    private final int senders;
    private final int warmup;
    private final String heap;
    private final Path dir;
    private final boolean keepDir;
    private final List<Process> processes = new ArrayList<>();

    Driver(Map<String, String> o) throws IOException {
      onlyKnown(
          o,
          Set.of(
              "--peers",
              "--rate",
              "--duration",
              "--batch",
              "--senders",
              "--warmup",
              "--heap",
              "--dir"),
          "run");
      peerCount = intOption(o, "--peers", 5, 1, 25);
      rate = intOption(o, "--rate", -1, 1, 1_000_000);
      if (rate < 0) {
        throw new BadArgument("option --rate is required in 'run' mode");
      }
      duration = intOption(o, "--duration", 20, 1, 3_600);
      batch = intOption(o, "--batch", 1_000, 1, 10_000);
      senders = intOption(o, "--senders", Math.max(4, Math.min(10_000, rate / 10)), 1, 10_000);
      warmup = intOption(o, "--warmup", 0, 0, 600);
      heap = o.getOrDefault("--heap", "512m");
      if (!heap.matches("[1-9][0-9]*[kKmMgG]")) {
        throw new BadArgument("--heap '%s' is not a JVM heap size like 512m".formatted(heap));
      }
      if ((long) rate * duration > 20_000_000L) {
        throw new BadArgument(
            "--rate %d times --duration %d is more than 20,000,000 transactions to pre-sign"
                .formatted(rate, duration));
      }
      keepDir = o.containsKey("--dir");
      dir = keepDir ? Path.of(o.get("--dir")) : Files.createTempDirectory("ratis-comparison");
      Files.createDirectories(dir);
    }

    int run() throws Exception {
      Thread hook = new Thread(this::stopAll, "ratis-driver-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        return measure();
      } finally {
        stopAll();
        Runtime.getRuntime().removeShutdownHook(hook);
        if (!keepDir) {
          deleteTree(dir);
        }
      }
    }

    private int measure() throws Exception {
      List<String> addresses = new ArrayList<>();
      for (int port : freePorts(peerCount)) {
        addresses.add("127.0.0.1:" + port);
      }
      String list = String.join(",", addresses);
      List<RaftPeer> peers = peers(list);
      String java = ProcessHandle.current().info().command().orElse("java");
      List<CompletableFuture<Void>> ready = new ArrayList<>();
      for (int i = 0; i < peerCount; i++) {
        Path home = dir.resolve("peer-" + i);
        Files.createDirectories(home);
        Process p =
            new ProcessBuilder(
                    java,
                    "-Xmx" + heap,
                    "-cp",
                    System.getProperty("java.class.path"),
                    RatisComparison.class.getName(),
                    "peer",
                    "--id",
                    Integer.toString(i),
                    "--peers",
                    list,
                    "--dir",
                    home.resolve("raft").toString())
                .redirectError(home.resolve("peer.log").toFile())
                .start();
        synchronized (processes) {
          processes.add(p);
        }
        ready.add(CompletableFuture.runAsync(() -> awaitReady(p)));
      }
      long readyBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      for (int i = 0; i < peerCount; i++) {
        try {
          ready.get(i).get(Math.max(1, readyBy - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
          throw new IOException(
              "peer %d was not ready within 120 s (%s); see %s"
                  .formatted(i, e, dir.resolve("peer-" + i).resolve("peer.log")));
        }
      }

      KeyPair[] measured = keys("measured", senders);
      KeyPair[] warm = keys("warmup", senders);
      RaftProperties props = properties();
      try (RaftClient client =
          RaftClient.newBuilder()
              .setProperties(props)
              .setRaftGroup(RaftGroup.valueOf(GROUP, peers))
              .build()) {
        // Funding, before the clock: one entry crediting every sender (waits for a leader).
        List<Address> funded = new ArrayList<>();
        Stream.concat(Arrays.stream(measured), Arrays.stream(warm))
            .forEach(k -> funded.add(k.address()));
        RaftClientReply genesis =
            client
                .io()
                .send(Message.valueOf(ByteString.copyFrom(genesisEntry(GENESIS_BALANCE, funded))));
        if (!genesis.isSuccess()) {
          throw new IOException("funding failed: " + genesis.getException());
        }
        if (warmup > 0) {
          load(client, warm, warmup);
        }
        Result r = load(client, measured, duration);
        long[][] counts = counts(client, peers);
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("command", "ratis-comparison");
        o.put("system", "ratis");
        o.put("peers", peerCount);
        o.put("rate", rate);
        o.put("durationSeconds", duration);
        o.put("senders", senders);
        o.put("batch", batch);
        o.put("submitted", r.submitted);
        o.put("committed", r.committed);
        o.put("rejected", r.rejected);
        o.put("failedBatches", r.failedBatches);
        o.put("tps", Math.round(r.tps * 10) / 10.0);
        o.put("latencyP50Ms", percentile(r.latencies, 0.50));
        o.put("latencyP99Ms", percentile(r.latencies, 0.99));
        ArrayNode per = o.putArray("appliedPerPeer");
        long min = Long.MAX_VALUE;
        for (long[] c : counts) {
          per.add(c[0]);
          min = Math.min(min, c[0] < 0 ? 0 : c[0]);
        }
        // Applied by every peer, less the warm-up: what all of them committed in the measurement.
        o.put("committedOnAll", Math.max(0, min - r.warmupApplied));
        System.out.println(o);
        return 0;
      }
    }

    private record Result(
        long submitted,
        long committed,
        long rejected,
        long failedBatches,
        double tps,
        long[] latencies,
        long warmupApplied) {}

    private long warmupApplied;

    /** Sends {@code seconds} of the workload from {@code keys}; open loop, async. */
    private Result load(RaftClient client, KeyPair[] keys, int seconds) throws Exception {
      int total = rate * seconds;
      int k = keys.length;
      // Signed and encoded before the clock starts, on every core.
      List<Transaction> all =
          IntStream.range(0, total)
              .parallel()
              .mapToObj(
                  n ->
                      new TransactionBody(
                              CHAIN,
                              keys[n % k].publicKey(),
                              n / k,
                              1,
                              new Payload.Transfer(keys[(n + 1) % k].address(), 1))
                          .sign(keys[n % k]))
              .toList();
      List<Message> messages = new ArrayList<>();
      for (int from = 0; from < total; from += batch) {
        List<Transaction> part = all.subList(from, Math.min(total, from + batch));
        messages.add(Message.valueOf(ByteString.copyFrom(batchEntry(part))));
      }
      AtomicLong committed = new AtomicLong();
      AtomicLong rejected = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      AtomicLong lastCommit = new AtomicLong();
      ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>(); // ms, count
      List<CompletableFuture<RaftClientReply>> pending = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < messages.size(); i++) {
        long due = start + (long) i * batch * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        long at = System.nanoTime();
        int size = Math.min(batch, total - i * batch);
        pending.add(
            client
                .async()
                .send(messages.get(i))
                .whenComplete(
                    (reply, error) -> {
                      long now = System.nanoTime();
                      if (error != null || !reply.isSuccess()) {
                        failed.incrementAndGet();
                        rejected.addAndGet(size);
                        return;
                      }
                      ByteBuffer r = reply.getMessage().getContent().asReadOnlyByteBuffer();
                      int ok = r.getInt();
                      rejected.addAndGet(size - ok);
                      committed.addAndGet(ok);
                      lastCommit.accumulateAndGet(now, Math::max);
                      latencies.add(new long[] {(now - at) / 1_000_000, ok});
                    }));
      }
      long sendEnd = System.nanoTime();
      try {
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .get(60, TimeUnit.SECONDS);
      } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
        // unanswered or failed batches are counted as not committed
      }
      long unanswered = pending.stream().filter(f -> !f.isDone()).count();
      long[] lat =
          latencies.stream()
              .flatMapToLong(l -> java.util.stream.LongStream.generate(() -> l[0]).limit(l[1]))
              .sorted()
              .toArray();
      long end = lastCommit.get() == 0 ? sendEnd : lastCommit.get();
      double secs = Math.max(1e-9, (end - start) / 1e9);
      Result r =
          new Result(
              total,
              committed.get(),
              rejected.get() + unanswered * batch,
              failed.get() + unanswered,
              committed.get() / secs,
              lat,
              warmupApplied);
      warmupApplied += committed.get();
      return r;
    }

    /** Each peer's {applied, rejected, last applied index}, once the peers stop changing. */
    private long[][] counts(RaftClient client, List<RaftPeer> peers) throws InterruptedException {
      long[][] last = null;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (true) {
        long[][] now = new long[peers.size()][];
        for (int i = 0; i < peers.size(); i++) {
          try {
            RaftClientReply r =
                client.io().sendStaleRead(Message.valueOf(COUNT_QUERY), 0, peers.get(i).getId());
            ByteBuffer b = r.getMessage().getContent().asReadOnlyByteBuffer();
            now[i] = new long[] {b.getLong(), b.getLong(), b.getLong()};
          } catch (IOException | RuntimeException e) {
            now[i] = new long[] {-1, -1, -1};
          }
        }
        boolean settled = last != null && Arrays.deepEquals(last, now);
        boolean same = Arrays.stream(now).mapToLong(c -> c[2]).distinct().count() == 1;
        if (same || settled || System.nanoTime() > until) {
          return now;
        }
        last = now;
        Thread.sleep(500);
      }
    }

    private static void awaitReady(Process p) {
      try {
        BufferedReader r =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
          if (line.equals("ready")) {
            return;
          }
        }
        throw new UncheckedIOException(new IOException("a peer exited before it was ready"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void stopAll() {
      List<Process> ps;
      synchronized (processes) {
        ps = new ArrayList<>(processes);
        processes.clear();
      }
      for (Process p : ps) {
        try {
          p.getOutputStream().close(); // end of input: the peer stops
        } catch (IOException e) {
          // already gone
        }
      }
      for (Process p : ps) {
        try {
          if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
              p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
          }
        } catch (InterruptedException e) {
          p.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * The log entry that funds accounts: kind 0, the balance (u64), the count (u32), then each
   * address.
   */
  static byte[] genesisEntry(long balance, List<Address> accounts) {
    ByteBuffer g = ByteBuffer.allocate(13 + accounts.size() * Address.LENGTH);
    g.put(GENESIS).putLong(balance).putInt(accounts.size());
    accounts.forEach(a -> g.put(a.bytes()));
    return g.array();
  }

  /**
   * The log entry of one batch: kind 1, the count (u32), then each transaction's length (u32) and
   * canonical encoding.
   */
  static byte[] batchEntry(List<Transaction> txs) {
    int size = 5 + txs.stream().mapToInt(t -> 4 + t.encodedLength()).sum();
    ByteBuffer b = ByteBuffer.allocate(size).put(BATCH).putInt(txs.size());
    for (Transaction t : txs) {
      b.putInt(t.encodedLength()).put(t.encode());
    }
    return b.array();
  }

  private static KeyPair[] keys(String label, int n) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      KeyPair[] keys = new KeyPair[n];
      for (int i = 0; i < n; i++) {
        keys[i] =
            KeyPair.fromSeed(
                sha.digest(
                    ("ratis-comparison/" + label + "/" + i).getBytes(StandardCharsets.UTF_8)));
      }
      return keys;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  private static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

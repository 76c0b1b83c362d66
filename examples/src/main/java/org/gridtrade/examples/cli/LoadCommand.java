package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.KeystoreException;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.node.GridTradeClient;
import org.gridtrade.node.GridTradeNode;
import org.gridtrade.node.LocalTestnet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gridtrade load}: an open-loop load of signed transfers at a fixed sending rate against
 * running nodes' APIs (Aggarwal's workload), reporting what was committed and how fast.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Sends signed transfers at a fixed rate for a fixed time to the nodes' APIs (round robin),"
          + " whatever the answers (open loop), from --senders fresh keys funded first by the"
          + " funded user keys in --users (a 'gridtrade testnet' users directory); then waits up"
          + " to 30 s for the last ones and reports submitted, committed and rejected"
          + " transactions, committed tx/s, commit latency (p50, p99, as seen through the first"
          + " node's API) and the blocks' sizes (mean and standard deviation).",
      "Exit status: 0 done, 1 a node cannot be reached, 2 bad input."
    })
public final class LoadCommand implements Callable<Integer> {
  // The most transactions one run signs in advance (about 1 KB of heap each).
  private static final long MAX_TRANSACTIONS = 2_000_000;

  @Spec CommandSpec spec;

  @Option(
      names = "--api",
      required = true,
      split = ",",
      paramLabel = "URL",
      description = "The nodes' APIs, comma-separated.")
  List<String> apis;

  @Option(
      names = "--users",
      required = true,
      paramLabel = "DIR",
      description = "Funded keys: user-*.key and password (a testnet's users directory).")
  Path users;

  @Option(
      names = "--rate",
      required = true,
      paramLabel = "R",
      description = "Transactions per second, 1..100000.")
  int rate;

  @Option(
      names = "--duration",
      required = true,
      paramLabel = "S",
      description = "Seconds, 1..3600.")
  int duration;

  @Option(
      names = "--senders",
      paramLabel = "K",
      description =
          "Sending keys (default: rate / 10, at least 4; each sender's nonces run ahead).")
  Integer senders;

  @Option(
      names = "--batch",
      defaultValue = "1",
      paramLabel = "B",
      description =
          "Transactions per request, 1..2000 (default 1). A request of more goes to POST"
              + " /v1/transactions/batch when its first transaction is due.")
  int batch;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the sending keys.")
  long seed;

  @Mixin JsonOutput output;

  @Override
  public Integer call() throws Exception {
    if (rate < 1 || rate > 100_000) {
      throw bad("--rate %d is outside 1..100000".formatted(rate));
    }
    if (duration < 1 || duration > 3600) {
      throw bad("--duration %d is outside 1..3600".formatted(duration));
    }
    if (batch < 1 || batch > GridTradeNode.MAX_BATCH) {
      throw bad("--batch %d is outside 1..%d".formatted(batch, GridTradeNode.MAX_BATCH));
    }
    if ((long) rate * duration > MAX_TRANSACTIONS) {
      throw bad(
          "--rate %d x --duration %d is %d transactions, more than %d (they are signed before the"
                  .formatted(rate, duration, (long) rate * duration, MAX_TRANSACTIONS)
              + " clock starts)");
    }
    int k = senders != null ? senders : Math.max(4, rate / 10);
    if (k < 1 || k > 10_000) {
      throw bad("--senders %d is outside 1..10000".formatted(k));
    }
    List<GridTradeClient> clients = new ArrayList<>();
    for (String a : apis) {
      try {
        clients.add(GridTradeClient.of(URI.create(a.strip())));
      } catch (IllegalArgumentException e) {
        throw bad("--api '%s': %s".formatted(a, e.getMessage()));
      }
    }
    List<KeyPair> funders = readUsers();
    try {
      return run(clients, funders, k);
    } catch (UncheckedIOException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.printf("load: FAILED: %s%n", e.getMessage());
      err.flush();
      return GridTradeCommand.EXIT_FAILURE;
    }
  }

  private List<KeyPair> readUsers() {
    Path pw = users.resolve("password");
    if (!Files.isRegularFile(pw)) {
      throw bad("--users %s holds no password file".formatted(users));
    }
    List<KeyPair> out = new ArrayList<>();
    try (var files = Files.list(users)) {
      char[] password = Files.readString(pw).strip().toCharArray();
      for (Path f :
          files.filter(p -> p.getFileName().toString().endsWith(".key")).sorted().toList()) {
        out.add(org.gridtrade.ledger.Keystore.read(f, password));
      }
    } catch (IOException e) {
      throw bad("--users %s cannot be read: %s".formatted(users, e.getMessage()));
    } catch (KeystoreException e) {
      throw bad("--users %s: %s".formatted(users, e.getMessage()));
    }
    if (out.isEmpty()) {
      throw bad("--users %s holds no *.key file".formatted(users));
    }
    return out;
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private static Transaction transfer(KeyPair from, long nonce, KeyPair to, long amount) {
    return new TransactionBody(
            LocalTestnet.CHAIN_ID,
            from.publicKey(),
            nonce,
            1,
            new Payload.Transfer(to.address(), amount))
        .sign(from);
  }

  private int run(List<GridTradeClient> clients, List<KeyPair> funders, int k)
      throws InterruptedException {
    GridTradeClient first = clients.get(0);
    Random random = new Random(seed);
    List<KeyPair> senders = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      byte[] s = new byte[32];
      random.nextBytes(s);
      senders.add(KeyPair.fromSeed(s));
    }
    // Fund the senders: enough for every transaction they will send, and the fees.
    long each = 1_000L * (2L * rate * duration / k + 10);
    long[] funderNonce = new long[funders.size()];
    for (int i = 0; i < funders.size(); i++) {
      funderNonce[i] = first.account(funders.get(i).address()).pendingNonce();
    }
    // In rounds of at most 32 transactions per funder: a sender's pending nonces may run at most
    // 64 past its next one.
    int perRound = 32 * funders.size();
    for (int from = 0; from < k; from += perRound) {
      List<Hash> funding = new ArrayList<>();
      for (int i = from; i < Math.min(k, from + perRound); i++) {
        int f = i % funders.size();
        Transaction t = transfer(funders.get(f), funderNonce[f]++, senders.get(i), each);
        GridTradeClient.Submitted s = first.submit(t);
        if (!s.accepted()) {
          throw new UncheckedIOException(
              new IOException(
                  "funding sender %d was refused: %s".formatted(i, s.rejection().get())));
        }
        funding.add(t.id());
      }
      for (Hash id : funding) {
        try {
          first.awaitInclusion(id, java.time.Duration.ofSeconds(120));
        } catch (TimeoutException e) {
          throw new UncheckedIOException(new IOException("funding: " + e.getMessage()));
        }
      }
    }
    long startHeight = first.status().height();

    Map<Hash, Long> sentAt = new ConcurrentHashMap<>();
    Map<Hash, Long> committedAt = new ConcurrentHashMap<>();
    AtomicLong rejected = new AtomicLong();
    Map<String, Long> rejectedBy = new ConcurrentHashMap<>();
    AtomicLong submitted = new AtomicLong();
    List<Integer> blockSizes = java.util.Collections.synchronizedList(new ArrayList<>());
    long[] seen = {startHeight};
    ExecutorService pool = Executors.newFixedThreadPool(16);
    Thread watcher =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  long h = first.status().height();
                  for (long b = seen[0] + 1; b <= h; b++) {
                    var v = first.block(b);
                    if (v.isEmpty()) {
                      break;
                    }
                    long now = System.nanoTime();
                    blockSizes.add(v.get().transactions().size());
                    for (Hash id : v.get().transactions()) {
                      if (sentAt.containsKey(id)) {
                        committedAt.putIfAbsent(id, now);
                      }
                    }
                    seen[0] = b;
                  }
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                } catch (UncheckedIOException e) {
                  // the node is busy: look again
                }
              }
            },
            "gridtrade-load-watcher");
    watcher.setDaemon(true);
    watcher.start();

    long[] nonces = new long[k];
    for (int i = 0; i < k; i++) {
      nonces[i] = first.account(senders.get(i).address()).pendingNonce(); // a seed used before
    }
    int total = rate * duration;
    // Signed before the clock starts, on every core, so that the sending rate is not the signing
    // rate: transaction n is sender n mod k's (n / k)-th.
    List<Transaction> all =
        java.util.stream.IntStream.range(0, total)
            .parallel()
            .mapToObj(
                n ->
                    transfer(
                        senders.get(n % k), nonces[n % k] + n / k, senders.get((n + 1) % k), 1))
            .toList();
    long start = System.nanoTime();
    for (int from = 0, b = 0; from < total; from += batch, b++) {
      long due = start + (long) from * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      List<Transaction> part = all.subList(from, Math.min(total, from + batch));
      GridTradeClient c = clients.get(b % clients.size());
      long at = System.nanoTime();
      part.forEach(t -> sentAt.put(t.id(), at));
      submitted.addAndGet(part.size());
      pool.execute(
          () -> {
            List<String> why = new ArrayList<>();
            try {
              List<GridTradeClient.Submitted> answers =
                  part.size() == 1 ? List.of(c.submit(part.get(0))) : c.submitAll(part);
              for (GridTradeClient.Submitted s : answers) {
                if (!s.accepted()) {
                  String r = s.rejection().get();
                  int colon = r.indexOf(':');
                  why.add(colon > 0 ? r.substring(0, colon) : r);
                  sentAt.remove(s.id());
                }
              }
            } catch (UncheckedIOException e) {
              part.forEach(
                  t -> {
                    why.add("UNREACHABLE");
                    sentAt.remove(t.id());
                  });
            }
            rejected.addAndGet(why.size());
            why.forEach(w -> rejectedBy.merge(w, 1L, Long::sum));
          });
    }
    long sendEnd = System.nanoTime();
    pool.shutdown();
    pool.awaitTermination(60, TimeUnit.SECONDS);
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (committedAt.size() < sentAt.size() && System.nanoTime() < drainUntil) {
      Thread.sleep(100);
    }
    watcher.interrupt();
    watcher.join(5_000);

    long[] lat =
        committedAt.entrySet().stream()
            .mapToLong(
                e -> (e.getValue() - sentAt.getOrDefault(e.getKey(), e.getValue())) / 1_000_000)
            .sorted()
            .toArray();
    long lastCommit =
        committedAt.values().stream().mapToLong(Long::longValue).max().orElse(sendEnd);
    double seconds = Math.max(1e-9, (lastCommit - start) / 1e9);
    int[] sizes;
    synchronized (blockSizes) {
      sizes = blockSizes.stream().mapToInt(Integer::intValue).toArray();
    }
    double mean = Arrays.stream(sizes).average().orElse(0);
    double var = Arrays.stream(sizes).mapToDouble(s -> (s - mean) * (s - mean)).average().orElse(0);
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("command", "load");
    o.put("rate", rate);
    o.put("durationSeconds", duration);
    o.put("senders", k);
    o.put("batch", batch);
    o.put("submitted", submitted.get());
    o.put("committed", committedAt.size());
    o.put("rejected", rejected.get());
    ObjectNode by = o.putObject("rejectedBy");
    new java.util.TreeMap<>(rejectedBy).forEach(by::put);
    o.put("tps", Math.round(committedAt.size() / seconds * 10) / 10.0);
    o.put("latencyP50Ms", percentile(lat, 0.50));
    o.put("latencyP99Ms", percentile(lat, 0.99));
    o.put("blocks", sizes.length);
    o.put("txPerBlockMean", Math.round(mean * 10) / 10.0);
    o.put("blockSizeStd", Math.round(Math.sqrt(var) * 10) / 10.0);
    PrintWriter out = spec.commandLine().getOut();
    if (output.requested()) {
      out.println(o.toString());
    } else {
      out.printf(
          Locale.ROOT,
          "load: %d submitted at %d/s for %d s, %d committed (%.1f tx/s), %d rejected;"
              + " latency p50 %d ms, p99 %d ms; %d blocks, %.1f tx each (std %.1f)%n",
          submitted.get(),
          rate,
          duration,
          committedAt.size(),
          o.get("tps").asDouble(),
          rejected.get(),
          o.get("latencyP50Ms").asLong(),
          o.get("latencyP99Ms").asLong(),
          sizes.length,
          mean,
          Math.sqrt(var));
    }
    out.flush();
    return 0;
  }

  private static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }
}

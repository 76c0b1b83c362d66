package org.gridtrade.examples.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.BlockPolicy;
import org.gridtrade.consensus.ConsensusMessage;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.consensus.Evidence;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.ChainReport;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.market.MarketModules;
import org.gridtrade.testkit.ManualClock;
import org.gridtrade.testkit.SimulatedNetwork;

/**
 * The chain half of the demo: {@code nodes} block engines on an in-process network with seeded
 * message delays, driven by a simulated clock on one thread (so a run is reproducible), each node
 * with its own store (durable H2 MVStore files by default). A prelude before the day (the leader
 * election) sends its batches one after the other; then orders are signed and submitted hour by
 * hour, round robin over the nodes, and after each batch or hour the run steps the network until
 * every node holds every accepted transaction. Afterwards every node's chain is compared and
 * verified, and one node's store is reopened from disk and replayed with full seal checks.
 */
public final class DemoChain {
  /** Fee of every demo transaction, micro-coins. */
  static final long FEE_MICRO = 1_000;

  /** Simulated step of the network loop, ms. */
  static final long STEP_MILLIS = 10;

  /** Coins every participant starts with. */
  static final long START_COINS = 1_000_000;

  /** Longest simulated wait for an hour's transactions to reach every node, ms. */
  static final long HOUR_BUDGET_MILLIS = 600_000;

  /** How long before the day the network starts, ms: the prelude (the election) runs then. */
  static final long PRELUDE_MILLIS = 600_000;

  /** The most batches a prelude may send before the day, or an hour after its orders. */
  static final int MAX_PRELUDE_BATCHES = 100;

  /** Simulated time a restarted node gets to catch up before the next hour starts, ms. */
  static final long CATCH_UP_MILLIS = 10_000;

  /** Message delay range of the in-process network, ms. */
  public static final long MIN_DELAY = 5;

  public static final long MAX_DELAY = 80;

  /** The engines' block policy: Aggarwal's 2 s block time, blocks of up to 1,000 transactions. */
  static final BlockPolicy POLICY = BlockPolicy.DEFAULT;

  /**
   * A node to stop at the start of one hour and restart, from its durable store, at the start of a
   * later one.
   */
  public record Crash(int node, int stopHour, int restartHour) {
    public Crash {
      if (node < 0 || stopHour < 1 || restartHour <= stopHour || restartHour > 23) {
        throw new IllegalArgumentException(
            "crash of node %d must stop at hour 1..22 and restart later, by hour 23: %d -> %d"
                .formatted(node, stopHour, restartHour));
      }
    }
  }

  /**
   * A cheating validator: its node never seals honestly; in its first turn from {@code fromHour}
   * on, it sends the others a block that credits it through the state root.
   */
  record Cheat(int node, int fromHour) {
    Cheat {
      if (node < 0 || fromHour < 0 || fromHour > 23) {
        throw new IllegalArgumentException(
            "cheat node %d must be >= 0 and its hour %d in 0..23".formatted(node, fromHour));
      }
    }
  }

  /**
   * What became of the cheat's block.
   *
   * @param node the cheat's node
   * @param cheat its validator address
   * @param height the height of its invalid block, or -1 if it never came in turn
   * @param hash the invalid block's hash, or null
   * @param rejectedAsInvalidBy the nodes that rejected it as invalid
   * @param attestedAt the heights whose seals attested it, before the confiscation
   * @param confiscatedAt the height whose seal confiscated the cheat's deposit, or -1
   */
  public record CheatOutcome(
      String node,
      Address cheat,
      long height,
      Hash hash,
      List<String> rejectedAsInvalidBy,
      List<Long> attestedAt,
      long confiscatedAt) {}

  /** One block as node 1 appended it. */
  public record BlockStat(long height, int transactions, long timestamp, Address proposer) {}

  /** Everything the run measured and checked. */
  public record Result(
      List<BlockStat> blocks,
      List<Long> commitLatencies,
      int submitted,
      List<String> refused,
      int rejectedBlocks,
      List<Evidence> evidence,
      Map<String, Hash> tips,
      boolean nodesAgree,
      ChainReport verification,
      ChainReport reopened,
      Map<Address, Long> rewards,
      Map<Address, Long> slashed,
      long wallMillis,
      String crash,
      boolean allIncluded,
      Map<String, Integer> payloads,
      Map<String, Integer> markets,
      List<BlockHeader> headers,
      CheatOutcome cheat,
      List<Object> audits) {}

  private DemoChain() {}

  /**
   * Runs the day's orders through the network.
   *
   * @param genesis the chain's genesis
   * @param keys every participant's key, by name
   * @param nodeKeys the sealing key of each node, in node order
   * @param schedule a fresh consensus schedule per node (protocols may keep per-node state)
   * @param orders the orders by hour
   * @param dir where the node stores go, or {@code null} for in-memory stores
   * @param seed seeds the network's delays
   * @param crash a node to stop and restart from its store, or {@code null}
   * @param cheat a validator that sends an invalid block (trust stake), or {@code null}
   * @param hourly more orders for an hour, decided from the chain so far (node 1's engine), e.g.
   *     PoSOC's payments to the period's aggregator
   * @param followUp more batches for an hour, each decided from node 1's chain once the batch
   *     before it (the first: the hour's orders) is on every live node, until it returns an empty
   *     batch (the day's on-chain markets: open, orders, then on to the gate); or {@code null}
   * @param prelude batches of orders before the day, each decided from node 1's chain once the
   *     batch before it is on every node, until it returns an empty batch (the leader election); or
   *     {@code null}
   * @param audit what to read from each node's final state, to compare across nodes (the result's
   *     {@code audits}, in node order)
   */
  static Result run(
      Genesis genesis,
      Map<String, KeyPair> keys,
      List<KeyPair> nodeKeys,
      Supplier<ConsensusSchedule> schedule,
      List<CommunityDay.Order> orders,
      Path dir,
      long seed,
      Crash crash,
      Cheat cheat,
      BiFunction<BlockEngine, Integer, List<CommunityDay.Order>> hourly,
      BiFunction<BlockEngine, Integer, List<CommunityDay.Order>> followUp,
      Function<BlockEngine, List<CommunityDay.Order>> prelude,
      Function<LedgerState, Object> audit)
      throws java.io.IOException {
    long wallStart = System.nanoTime();
    long start = CommunityDay.DAY_START.toEpochMilli();
    SimulatedNetwork sim =
        SimulatedNetwork.builder()
            .start(start - PRELUDE_MILLIS)
            .step(Duration.ofMillis(STEP_MILLIS))
            .seed(seed)
            .delay(Duration.ofMillis(MIN_DELAY), Duration.ofMillis(MAX_DELAY))
            .lossRate(0)
            .build();
    ManualClock clock = sim.clock();
    Map<Hash, Long> submittedAt = new HashMap<>();
    List<Long> latencies = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    List<Integer> rejectedBlocks = new ArrayList<>();
    Block[] forged = new Block[1];
    // The cheat's own protocol instance, to sign with: no honest node's evidence queue is touched.
    ConsensusSchedule forger = cheat == null ? null : schedule.get();
    List<String> rejectedAsInvalidBy = new ArrayList<>();
    Map<Hash, Evidence> evidence = new LinkedHashMap<>();
    List<BlockEngine> engines = new ArrayList<>();
    List<Set<Hash>> includedBy = new ArrayList<>();
    if (dir != null) {
      Files.createDirectories(dir.resolve("nodes"));
      Files.write(dir.resolve("genesis.bin"), genesis.encode());
    }
    int nodeCount = nodeKeys.size();
    for (int i = 0; i < nodeCount; i++) {
      includedBy.add(new HashSet<>());
    }
    IntFunction<BlockEngine> startNode =
        i -> {
          String id = CommunityDay.node(i);
          BlockStore store =
              dir == null
                  ? BlockStores.inMemory()
                  : BlockStores.openDurable(dir.resolve("nodes").resolve(id + ".mv"));
          boolean first = i == 0;
          Set<Hash> included = includedBy.get(i);
          boolean seals = cheat == null || cheat.node() != i; // the cheat never seals honestly
          return sim.node(
              id,
              builder ->
                  (seals ? builder.sealingKey(nodeKeys.get(i)) : builder)
                      .genesis(genesis)
                      .modules(MarketModules.forGenesis(genesis))
                      .store(store)
                      .schedule(schedule.get())
                      .policy(POLICY)
                      .listener(
                          new EngineListener() {
                            @Override
                            public void onBlock(Block block, boolean local) {
                              long h = block.header().height();
                              block.transactions().forEach(tx -> included.add(tx.id()));
                              if (first) {
                                for (Transaction tx : block.transactions()) {
                                  Long t = submittedAt.get(tx.id());
                                  if (t != null) {
                                    latencies.add(clock.millis() - t);
                                  }
                                }
                              }
                            }

                            @Override
                            public void onRemoved(List<Block> removed) {
                              removed.forEach(
                                  b -> b.transactions().forEach(tx -> included.remove(tx.id())));
                            }

                            @Override
                            public void onRejected(Rejection r) {
                              if (forged[0] != null && r.block().hash().equals(forged[0].hash())) {
                                if (r.kind() == Rejection.Kind.INVALID) {
                                  rejectedAsInvalidBy.add(id);
                                }
                              } else {
                                rejectedBlocks.add(1);
                              }
                            }

                            @Override
                            public void onEvidence(Evidence e) {
                              evidence.putIfAbsent(e.id(), e);
                            }
                          }));
        };
    for (int i = 0; i < nodeCount; i++) {
      engines.add(startNode.apply(i));
    }
    String crashReport = null;
    long crashHeight = -1;
    try {
      // Let the nodes learn each other's heads before the first hour.
      sim.run(Duration.ofMillis(5_000));
      Map<String, Long> nonces = new HashMap<>();
      int[] submitted = {0};
      int[] next = {0};
      Function<List<CommunityDay.Order>, List<Hash>> submitAll =
          due -> {
            List<Hash> pending = new ArrayList<>();
            for (CommunityDay.Order o : due) {
              KeyPair k = keys.get(o.signer());
              long nonce = nonces.getOrDefault(o.signer(), 0L);
              Transaction tx =
                  new TransactionBody(
                          genesis.chainId(), k.publicKey(), nonce, FEE_MICRO, o.payload())
                      .sign(k);
              BlockEngine target = null;
              while (target == null) {
                target = engines.get(next[0]++ % engines.size());
              }
              TxResult r = target.submit(tx);
              if (r.accepted()) {
                nonces.put(o.signer(), nonce + 1);
                submittedAt.put(tx.id(), clock.millis());
                pending.add(tx.id());
                submitted[0]++;
              } else {
                refused.add("%s: %s".formatted(o.signer(), r));
              }
            }
            return pending;
          };
      if (prelude != null) {
        int batches = 0;
        for (List<CommunityDay.Order> batch = prelude.apply(engines.get(0));
            !batch.isEmpty();
            batch = prelude.apply(engines.get(0))) {
          if (++batches > MAX_PRELUDE_BATCHES) {
            throw new IllegalStateException(
                "the prelude sent more than %d batches".formatted(MAX_PRELUDE_BATCHES));
          }
          List<Hash> pending = submitAll.apply(batch);
          long deadline = clock.millis() + HOUR_BUDGET_MILLIS;
          while (!includedEverywhere(includedBy, pending) && clock.millis() < deadline) {
            sim.step();
          }
          if (!includedEverywhere(includedBy, pending)) {
            throw new IllegalStateException(
                "a batch of the prelude did not reach every node within %d s of simulated time"
                    .formatted(HOUR_BUDGET_MILLIS / 1000));
          }
        }
        if (clock.millis() >= start) {
          throw new IllegalStateException(
              "the prelude ran past the start of the day (%d s of simulated time)"
                  .formatted(PRELUDE_MILLIS / 1000));
        }
      }
      // Hours 0 to 23, then 08:00 the next morning for the follow-ups alone (the last hour's
      // delivery reports).
      for (int hour = 0; hour < 24 || (hour == 24 && followUp != null); hour++) {
        if (crash != null && hour == crash.restartHour()) {
          // Restart between hours, so the node catches up before the hour's transactions arrive.
          BlockEngine up = startNode.apply(crash.node());
          engines.set(crash.node(), up);
          long reopenedAt = up.ledger().height();
          sim.run(Duration.ofMillis(CATCH_UP_MILLIS));
          crashReport =
              "%s stopped at %s (height %d), restarted from its store before %s (height %d),"
                      .formatted(
                          up.id(),
                          hourOf(crash.stopHour()),
                          crashHeight,
                          hourOf(crash.restartHour()),
                          reopenedAt)
                  + " caught up to height %d within %d s"
                      .formatted(up.ledger().height(), CATCH_UP_MILLIS / 1000);
        }
        clock.advanceTo(start + 3_600_000L * hour);
        if (crash != null && hour == crash.stopHour()) {
          BlockEngine down = engines.set(crash.node(), null);
          crashHeight = down.ledger().height();
          sim.stop(down.id());
        }
        List<CommunityDay.Order> due = new ArrayList<>();
        for (CommunityDay.Order o : orders) {
          if (o.hour() == hour) {
            due.add(o);
          }
        }
        if (hour < 24) {
          due.addAll(hourly.apply(engines.get(0), hour));
        }
        List<Set<Hash>> live = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
          if (engines.get(i) != null) {
            live.add(includedBy.get(i));
          }
        }
        int batches = 0;
        while (true) {
          List<Hash> pending = submitAll.apply(due);
          long deadline = clock.millis() + HOUR_BUDGET_MILLIS;
          while (!includedEverywhere(live, pending) && clock.millis() < deadline) {
            sim.step();
            if (cheat != null && forged[0] == null && hour >= cheat.fromHour()) {
              forged[0] = forge(engines, cheat, nodeKeys.get(cheat.node()), forger, clock);
            }
          }
          if (followUp == null || !includedEverywhere(live, pending)) {
            break;
          }
          if (++batches > MAX_PRELUDE_BATCHES) {
            throw new IllegalStateException(
                "hour %d sent more than %d follow-up batches".formatted(hour, MAX_PRELUDE_BATCHES));
          }
          due = new ArrayList<>(followUp.apply(engines.get(0), hour));
          if (due.isEmpty()) {
            break;
          }
        }
      }
      // Let the last block reach everyone.
      sim.run(Duration.ofMillis(3_000));

      BlockEngine reference = engines.get(0);
      List<Hash> refChain = hashes(reference);
      Map<String, Hash> tips = new LinkedHashMap<>();
      boolean agree = true;
      for (BlockEngine e : engines) {
        tips.put(e.id(), e.ledger().head().hash());
        agree &=
            hashes(e).equals(refChain)
                && e.ledger().state().root().equals(reference.ledger().state().root());
      }
      List<BlockStat> blocks = new ArrayList<>();
      Map<Address, Long> rewards = new LinkedHashMap<>();
      Map<Address, Long> slashed = new LinkedHashMap<>();
      Map<String, Integer> payloads = new java.util.TreeMap<>();
      Map<String, Integer> markets = new java.util.TreeMap<>();
      List<BlockHeader> headers = new ArrayList<>();
      for (long h = 1; h <= reference.ledger().height(); h++) {
        Block b = reference.ledger().block(h).orElseThrow();
        headers.add(b.header());
        for (Transaction tx : b.transactions()) {
          Payload p = tx.body().payload();
          payloads.merge(p.getClass().getSimpleName(), 1, Integer::sum);
          markets.merge(market(p), 1, Integer::sum);
        }
        blocks.add(
            new BlockStat(
                h, b.transactions().size(), b.header().timestamp(), b.header().proposer()));
        for (Transaction tx : b.transactions()) {
          if (tx.body().payload() instanceof Payload.Reward rw) {
            rewards.merge(rw.to(), rw.amount(), Long::sum);
          } else if (tx.body().payload() instanceof Payload.Slash sl) {
            slashed.merge(sl.offender(), sl.amount(), Long::sum);
          }
        }
      }
      ChainReport verification = reference.ledger().verify();
      List<Object> audits = new ArrayList<>();
      for (BlockEngine e : engines) {
        audits.add(audit.apply(e.ledger().state()));
      }
      CheatOutcome cheatOutcome =
          cheat == null
              ? null
              : outcome(
                  CommunityDay.node(cheat.node()),
                  nodeKeys.get(cheat.node()).address(),
                  forged[0],
                  rejectedAsInvalidBy,
                  reference,
                  schedule.get());
      for (BlockEngine e : engines) {
        e.close();
      }
      engines.clear();
      ChainReport reopened = verification;
      if (dir != null) {
        // Reopen node 1's file: the engine replays every block with full seal checks.
        try (BlockEngine again =
            BlockEngine.builder()
                .genesis(genesis)
                .modules(MarketModules.forGenesis(genesis))
                .store(
                    BlockStores.openDurable(
                        dir.resolve("nodes").resolve(CommunityDay.node(0) + ".mv")))
                .schedule(schedule.get())
                .clock(clock)
                .build()) {
          reopened = again.ledger().verify();
        }
      }
      Collections.sort(latencies);
      return new Result(
          List.copyOf(blocks),
          List.copyOf(latencies),
          submitted[0],
          List.copyOf(refused),
          rejectedBlocks.size(),
          List.copyOf(evidence.values()),
          tips,
          agree,
          verification,
          reopened,
          rewards,
          slashed,
          (System.nanoTime() - wallStart) / 1_000_000,
          crashReport,
          includedBy.stream().allMatch(s -> s.containsAll(submittedAt.keySet())),
          payloads,
          markets,
          List.copyOf(headers),
          cheatOutcome,
          List.copyOf(audits));
    } finally {
      sim.close();
    }
  }

  /**
   * When the cheat is in turn on the head all live nodes share, signs a block that credits it
   * through the state root and hands it to every other node as if the cheat's node had sent it.
   *
   * @return the block, or null if it is not the cheat's turn
   */
  private static Block forge(
      List<BlockEngine> engines,
      Cheat cheat,
      KeyPair key,
      ConsensusSchedule own,
      ManualClock clock) {
    BlockEngine ref = null;
    for (int i = 0; i < engines.size() && ref == null; i++) {
      if (i != cheat.node()) {
        ref = engines.get(i);
      }
    }
    if (ref == null) {
      return null;
    }
    BlockHeader head = ref.ledger().head();
    for (BlockEngine e : engines) {
      if (e != null && !e.ledger().head().equals(head)) {
        return null;
      }
    }
    long h = head.height() + 1;
    if (!(own.protocolAt(h) instanceof TrustStake signer)) {
      return null;
    }
    ChainView view = own.viewFor(ref.chain(), h);
    if (!(signer.eligibility(view, head, key.address()) instanceof Eligibility.Eligible el
        && el.inTurn())) {
      return null;
    }
    BlockHeader unsealed =
        new BlockHeader(
            h,
            head.hash(),
            Block.transactionsRoot(List.of()),
            0,
            Hash.sha256(
                "GridTrade/demo/cheat".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
            Math.max(clock.millis(), head.timestamp() + 1),
            key.address(),
            new byte[0]);
    Block bad = new Block(unsealed.withSeal(signer.seal(view, unsealed, key)), List.of());
    for (int i = 0; i < engines.size(); i++) {
      BlockEngine e = engines.get(i);
      if (e != null && i != cheat.node()) {
        e.receive(CommunityDay.node(cheat.node()), new ConsensusMessage.NewBlock(bad.encode()));
      }
    }
    return bad;
  }

  /**
   * Replays the reference chain with a fresh trust-stake instance: which blocks' seals attested the
   * cheat's block and which one confiscated its deposit.
   */
  private static CheatOutcome outcome(
      String node,
      Address cheat,
      Block forged,
      List<String> rejectedBy,
      BlockEngine reference,
      ConsensusSchedule schedule) {
    if (forged == null) {
      return new CheatOutcome(node, cheat, -1, null, List.of(), List.of(), -1);
    }
    List<Long> attested = new ArrayList<>();
    long confiscatedAt = -1;
    int before = 0;
    for (long h = forged.height(); h <= reference.ledger().height(); h++) {
      if (!(schedule.protocolAt(h) instanceof TrustStake t)) {
        break;
      }
      BlockHeader header = reference.ledger().block(h).orElseThrow().header();
      TrustStake.Snapshot s = t.snapshot(schedule.viewFor(reference.chain(), h), header);
      if (s.confiscated().contains(cheat)) {
        attested.add(h);
        confiscatedAt = h;
        break;
      }
      int now =
          s.attestations().stream()
              .filter(a -> a.offender().equals(cheat))
              .mapToInt(a -> a.attesters().size())
              .sum();
      if (now > before) {
        attested.add(h);
      }
      before = now;
    }
    return new CheatOutcome(
        node,
        cheat,
        forged.height(),
        forged.hash(),
        List.copyOf(rejectedBy),
        List.copyOf(attested),
        confiscatedAt);
  }

  /**
   * What a transaction is for: the market of a trade ({@code pets}, {@code coalition}, …), the
   * module of a call, or the kind of payload.
   */
  static String market(Payload p) {
    if (p instanceof Payload.EnergyTrade t) {
      int slash = t.market().indexOf('/');
      return slash < 0 ? t.market() : t.market().substring(0, slash);
    }
    if (p instanceof Payload.Call c) {
      return c.module();
    }
    return p.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }

  private static String hourOf(int hour) {
    return CommunityDay.DAY_START.plusSeconds(3_600L * hour).toString().substring(11, 16);
  }

  private static boolean includedEverywhere(List<Set<Hash>> includedBy, List<Hash> ids) {
    for (Set<Hash> included : includedBy) {
      if (!included.containsAll(ids)) {
        return false;
      }
    }
    return true;
  }

  private static List<Hash> hashes(BlockEngine e) {
    List<Hash> out = new ArrayList<>();
    for (long h = 0; h <= e.ledger().height(); h++) {
      out.add(e.ledger().block(h).orElseThrow().hash());
    }
    return out;
  }
}

package org.gridtrade.consensus;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.BlockStore;

/**
 * A deterministic multi-node run: engines on an {@link InMemoryNetwork}, one manual clock, one
 * thread. Each step advances the clock, delivers due messages and ticks every live engine.
 */
final class Sim {
  static final long STEP = 10;

  final ManualClock clock = new ManualClock(Fixtures.GENESIS_TIME + 60_000);
  final InMemoryNetwork net;
  final List<KeyPair> sealers;
  final List<KeyPair> users = Fixtures.keys(0, 60);
  final Genesis genesis = Fixtures.genesis(users, 1_000_000_000_000L);
  final Function<List<Address>, ConsensusSchedule> schedule;
  final BlockPolicy policy;
  final Path dir;
  final Map<String, BlockEngine> live = new LinkedHashMap<>();
  final List<EngineListener.Rejection> rejections = new ArrayList<>();
  final List<Evidence> evidence = new ArrayList<>();
  final Map<Hash, Transaction> accepted = new LinkedHashMap<>();

  /** Users below this index never send random transfers (e.g. a treasury or a staker). */
  int firstSender = 0;

  /** Users from this index on never send random transfers. */
  int endSender = 60;

  private final long[] nonces = new long[60];
  private final Random random;

  Sim(
      int sealerCount,
      long seed,
      long minDelay,
      long maxDelay,
      double loss,
      BlockPolicy policy,
      Function<List<Address>, ConsensusSchedule> schedule,
      Path dir) {
    this.net =
        InMemoryNetwork.builder()
            .manualDelivery()
            .clock(clock)
            .seed(seed)
            .delay(Duration.ofMillis(minDelay), Duration.ofMillis(maxDelay))
            .lossRate(loss)
            .build();
    this.sealers = Fixtures.keys(50, sealerCount);
    this.policy = policy;
    this.schedule = schedule;
    this.dir = dir;
    this.random = new Random(seed);
  }

  static ConsensusSchedule poa(List<Address> sealers) {
    return ConsensusSchedule.of(
        ProofOfAuthority.builder()
            .sealers(sealers)
            .outOfTurnDelay(Duration.ofMillis(600))
            .wiggle(Duration.ofMillis(300))
            .build());
  }

  String id(int i) {
    return "n" + i;
  }

  BlockEngine start(int i) {
    BlockStore store =
        dir == null ? BlockStores.inMemory() : BlockStores.openDurable(dir.resolve(id(i) + ".mv"));
    BlockEngine e =
        BlockEngine.builder()
            .genesis(genesis)
            .store(store)
            .schedule(schedule.apply(Fixtures.addresses(sealers)))
            .sealingKey(sealers.get(i))
            .policy(policy)
            .clock(clock)
            .transport(net.join(id(i)))
            .listener(
                new EngineListener() {
                  @Override
                  public void onRejected(Rejection r) {
                    rejections.add(r);
                  }

                  @Override
                  public void onEvidence(Evidence ev) {
                    evidence.add(ev);
                  }
                })
            .build();
    live.put(id(i), e);
    return e;
  }

  void startAll() {
    for (int i = 0; i < sealers.size(); i++) {
      start(i);
    }
  }

  void crash(int i) {
    BlockEngine e = live.remove(id(i));
    net.leave(id(i));
    e.close();
  }

  void step() {
    clock.advance(STEP);
    net.deliverDue();
    for (BlockEngine e : new ArrayList<>(live.values())) {
      e.tick();
    }
  }

  void run(long millis) {
    for (long t = 0; t < millis; t += STEP) {
      step();
    }
  }

  /**
   * Runs for {@code millis}, submitting a signed transfer to a random live node with prob p per
   * step.
   */
  void runWithLoad(long millis, double p) {
    for (long t = 0; t < millis; t += STEP) {
      if (random.nextDouble() < p) {
        submitRandom();
      }
      step();
    }
  }

  void submitRandom() {
    int from = firstSender + random.nextInt(endSender - firstSender);
    int to = (from + 1 + random.nextInt(users.size() - 1)) % users.size();
    Transaction tx =
        Fixtures.transfer(
            users.get(from), users.get(to).address(), nonces[from], 1 + random.nextInt(1000), 1);
    List<BlockEngine> nodes = new ArrayList<>(live.values());
    BlockEngine target = nodes.get(random.nextInt(nodes.size()));
    if (target.submit(tx).accepted()) {
      nonces[from]++;
      accepted.put(tx.id(), tx);
    }
  }

  /** The chain of one node as block hashes, heights 0..h. */
  static List<Hash> hashes(BlockEngine e) {
    List<Hash> out = new ArrayList<>();
    for (long h = 0; h <= e.ledger().height(); h++) {
      out.add(e.ledger().block(h).orElseThrow().hash());
    }
    return out;
  }

  /** Transaction ids in one node's chain, with multiplicity. */
  static Map<Hash, Integer> included(BlockEngine e) {
    Map<Hash, Integer> out = new HashMap<>();
    for (long h = 1; h <= e.ledger().height(); h++) {
      Block b = e.ledger().block(h).orElseThrow();
      b.transactions().forEach(tx -> out.merge(tx.id(), 1, Integer::sum));
    }
    return out;
  }

  void closeAll() {
    live.values().forEach(BlockEngine::close);
    live.clear();
  }
}

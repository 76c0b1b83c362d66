package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.BlockPolicy;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.consensus.InMemoryNetwork;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.spi.LedgerModule;

/**
 * Three Proof-of-Authority sealers (keys 0 to 2) on an in-process network, with a clock the test
 * moves in steps of {@value #STEP} ms; node {@code i} runs the module {@code moduleOf(i)}. Each
 * node's invalid-block rejections are kept. The byzantine network tests share it.
 */
final class SealerNetwork implements AutoCloseable {
  static final long STEP = 10;

  /** The sealers' addresses, in key order. */
  final List<Address> sealers;

  /** The sealers' addresses, sorted: the in-turn sealer of height h is {@code sorted[h mod 3]}. */
  final List<Address> sorted;

  /** The nodes' engines. */
  final List<BlockEngine> engines = new ArrayList<>();

  /** Each node's rejections of invalid blocks. */
  final List<List<EngineListener.Rejection>> invalid = new ArrayList<>();

  private final ManualClock clock = new ManualClock(MarketChain.T0 + 1_000);
  private final InMemoryNetwork net;

  SealerNetwork(List<KeyPair> keys, Genesis genesis, IntFunction<LedgerModule> moduleOf) {
    sealers = keys.subList(0, 3).stream().map(KeyPair::address).toList();
    sorted = new ArrayList<>(new TreeSet<>(sealers));
    net =
        InMemoryNetwork.builder()
            .manualDelivery()
            .clock(clock)
            .seed(7)
            .delay(Duration.ofMillis(5), Duration.ofMillis(30))
            .lossRate(0)
            .build();
    for (int i = 0; i < 3; i++) {
      List<EngineListener.Rejection> seen = Collections.synchronizedList(new ArrayList<>());
      invalid.add(seen);
      engines.add(
          BlockEngine.builder()
              .genesis(genesis)
              .store(BlockStores.inMemory())
              .schedule(
                  ConsensusSchedule.of(
                      ProofOfAuthority.builder()
                          .sealers(sealers)
                          .outOfTurnDelay(Duration.ofMillis(500))
                          .wiggle(Duration.ofMillis(200))
                          .build()))
              .policy(
                  BlockPolicy.DEFAULT
                      .withBlockPeriod(Duration.ofSeconds(1))
                      .withOnlyWhenTransactionsWait(false))
              .clock(clock)
              .transport(net.join("node-" + i))
              .sealingKey(keys.get(i))
              .modules(List.of(moduleOf.apply(i)))
              .listener(
                  new EngineListener() {
                    @Override
                    public void onRejected(Rejection r) {
                      if (r.kind() == Rejection.Kind.INVALID) {
                        seen.add(r);
                      }
                    }
                  })
              .build());
    }
  }

  /** The clock's time, epoch ms. */
  long millis() {
    return clock.millis();
  }

  /** Moves the clock one step, delivers what is due and ticks every engine. */
  void step() {
    clock.millis += STEP;
    net.deliverDue();
    engines.forEach(BlockEngine::tick);
  }

  /** Steps through {@code ms} of clock time. */
  void run(long ms) {
    for (long t = 0; t < ms; t += STEP) {
      step();
    }
  }

  /** Signs and submits a call to one node; it must be accepted. */
  void submit(int node, KeyPair k, long nonce, Payload p) {
    var r =
        engines
            .get(node)
            .submit(new TransactionBody(MarketChain.CHAIN, k.publicKey(), nonce, 1, p).sign(k));
    assertThat(r.accepted()).as("%s", r).isTrue();
  }

  @Override
  public void close() {
    engines.forEach(BlockEngine::close);
    net.close();
  }

  /** A clock the test moves. */
  private static final class ManualClock extends Clock {
    private long millis;

    ManualClock(long start) {
      millis = start;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }
}

package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.BlockPolicy;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.testkit.SimulatedNetwork;

/**
 * Three Proof-of-Authority sealers (keys 0 to 2) on a simulated network (the testkit's driver)
 * moving in steps of {@value #STEP} ms; node {@code i} runs the module {@code moduleOf(i)}. Each
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

  private final SimulatedNetwork net;

  SealerNetwork(List<KeyPair> keys, Genesis genesis, IntFunction<LedgerModule> moduleOf) {
    sealers = keys.subList(0, 3).stream().map(KeyPair::address).toList();
    sorted = new ArrayList<>(new TreeSet<>(sealers));
    net =
        SimulatedNetwork.builder()
            .start(MarketChain.T0 + 1_000)
            .step(Duration.ofMillis(STEP))
            .seed(7)
            .delay(Duration.ofMillis(5), Duration.ofMillis(30))
            .lossRate(0)
            .build();
    for (int i = 0; i < 3; i++) {
      List<EngineListener.Rejection> seen = Collections.synchronizedList(new ArrayList<>());
      invalid.add(seen);
      KeyPair key = keys.get(i);
      LedgerModule module = moduleOf.apply(i);
      engines.add(
          net.node(
              "node-" + i,
              b ->
                  b.genesis(genesis)
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
                      .sealingKey(key)
                      .modules(List.of(module))
                      .listener(
                          new EngineListener() {
                            @Override
                            public void onRejected(Rejection r) {
                              if (r.kind() == Rejection.Kind.INVALID) {
                                seen.add(r);
                              }
                            }
                          })));
    }
  }

  /** The clock's time, epoch ms. */
  long millis() {
    return net.clock().millis();
  }

  /** Moves the clock one step, delivers what is due and ticks every engine. */
  void step() {
    net.step();
  }

  /** Steps through {@code ms} of clock time. */
  void run(long ms) {
    net.run(Duration.ofMillis(ms));
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
    net.close();
  }
}

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
import java.util.Random;
import java.util.TreeSet;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.BlockPolicy;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.consensus.InMemoryNetwork;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.spi.LedgerModule;
import org.junit.jupiter.api.Test;

/**
 * Three Proof-of-Authority sealers on an in-process network; one runs a demand-response module
 * that, when it applies a certificate, pays its proposer out of the round's escrow. The certificate
 * reaches that sealer just before its turn, so it proposes the block that certifies the round; both
 * honest nodes refuse that block as invalid, an honest sealer certifies the round out of turn, and
 * both honest nodes hold the honest settlement with every escrowed coin accounted for.
 */
class DrByzantineNetworkTest {
  private static final long STEP = 10;

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

  @Test
  void skimmingSealer_thatCertifiesARound_isRefusedAndTheHonestSettlementStands() {
    List<KeyPair> keys = MarketChain.keys(7);
    Genesis genesis =
        MarketChain.genesis(keys, 1_000_000_000L).withModules(List.of(DemandResponseMarket.NAME));
    List<Address> sealers = keys.subList(0, 3).stream().map(KeyPair::address).toList();
    List<Address> sorted = new ArrayList<>(new TreeSet<>(sealers));
    int byzantine = 2;
    ManualClock clock = new ManualClock(MarketChain.T0 + 1_000);
    List<BlockEngine> engines = new ArrayList<>();
    List<List<EngineListener.Rejection>> invalid = new ArrayList<>();
    try (InMemoryNetwork net =
        InMemoryNetwork.builder()
            .manualDelivery()
            .clock(clock)
            .seed(7)
            .delay(Duration.ofMillis(5), Duration.ofMillis(30))
            .lossRate(0)
            .build()) {
      for (int i = 0; i < 3; i++) {
        List<EngineListener.Rejection> seen = Collections.synchronizedList(new ArrayList<>());
        invalid.add(seen);
        LedgerModule module =
            i == byzantine
                ? new DoctoredDrMarket(DoctoredDrMarket.Fault.SKIM)
                : new DemandResponseMarket();
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
                .modules(List.of(module))
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
      run(clock, net, engines, 3_000);
      long h0 = engines.get(0).ledger().height();
      DrTestMarkets.Market mk =
          DrTestMarkets.random(
              new Random(11),
              List.of(keys.get(3).address(), keys.get(4).address()),
              List.of(keys.get(5).address(), keys.get(6).address()),
              h0 + 40,
              h0 + 60);
      DrTestMarkets.Cert cert = DrTestMarkets.certificate(mk);
      submit(engines.get(0), keys.get(0), 0, DrCalls.open(mk.spec()));
      long until = clock.millis() + 60_000;
      while (engines.stream().anyMatch(e -> DemandResponseMarket.count(e.ledger().state()) == 0)
          && clock.millis() < until) {
        step(clock, net, engines);
      }
      submit(engines.get(0), keys.get(3), 0, DrCalls.escrow(0));
      submit(engines.get(1), keys.get(4), 0, DrCalls.escrow(0));
      until = clock.millis() + 60_000;
      while (engines.stream()
              .anyMatch(
                  e ->
                      DemandResponseMarket.round(e.ledger().state(), 0)
                          .orElseThrow()
                          .escrowMicro()
                          .contains(0L))
          && clock.millis() < until) {
        step(clock, net, engines);
      }
      // wait for a head whose next block is the doctored sealer's turn, then hand it the
      // certificate (it gossips it on, but it is in turn)
      while (!sorted
          .get((int) ((engines.get(byzantine).ledger().height() + 1) % 3))
          .equals(sealers.get(byzantine))) {
        step(clock, net, engines);
      }
      long target = engines.get(byzantine).ledger().height() + 1;
      submit(
          engines.get(byzantine),
          keys.get(0),
          1,
          DrCalls.certify(0, cert.x(), cert.u(), cert.alpha()));
      until = clock.millis() + 60_000;
      while (engines.subList(0, 2).stream()
              .anyMatch(
                  e ->
                      DemandResponseMarket.round(e.ledger().state(), 0).orElseThrow().status()
                          != DrRound.Status.CERTIFIED)
          && clock.millis() < until) {
        step(clock, net, engines);
      }
      run(clock, net, engines, 3_000);

      // Both honest nodes refused the doctored sealer's certifying block as invalid.
      for (int i = 0; i < 2; i++) {
        assertThat(invalid.get(i))
            .as("node %d's invalid-block rejections", i)
            .anySatisfy(
                r -> {
                  assertThat(r.block().header().height()).isEqualTo(target);
                  assertThat(r.block().header().proposer()).isEqualTo(sealers.get(byzantine));
                  assertThat(r.block().transactions()).hasSize(1);
                });
      }
      // They hold the same blocks, the certifying one sealed by an honest sealer, and the honest
      // settlement: the module's account holds exactly what the EVs paid.
      long height = Math.min(engines.get(0).ledger().height(), engines.get(1).ledger().height());
      Block a = engines.get(0).ledger().block(height).orElseThrow();
      Block b = engines.get(1).ledger().block(height).orElseThrow();
      assertThat(a.hash()).isEqualTo(b.hash());
      for (long h = target; h <= height; h++) {
        assertThat(engines.get(0).ledger().block(h).orElseThrow().header().proposer())
            .isNotEqualTo(sealers.get(byzantine));
      }
      DrRound round = DemandResponseMarket.round(engines.get(0).ledger().state(), 0).orElseThrow();
      long paid =
          round.certificate().orElseThrow().evPaymentsMicro().stream().mapToLong(v -> v).sum();
      assertThat(paid)
          .isEqualTo(
              java.util.Arrays.stream(DrTestMarkets.payments(mk.spec(), cert.x()).ev()).sum());
      assertThat(
              engines
                  .get(0)
                  .ledger()
                  .state()
                  .account(LedgerModule.account(DemandResponseMarket.NAME))
                  .balance())
          .isEqualTo(paid);
    } finally {
      engines.forEach(BlockEngine::close);
    }
  }

  private static void submit(BlockEngine e, KeyPair k, long nonce, Payload p) {
    var r = e.submit(new TransactionBody(MarketChain.CHAIN, k.publicKey(), nonce, 1, p).sign(k));
    assertThat(r.accepted()).as("%s", r).isTrue();
  }

  private static void run(
      ManualClock clock, InMemoryNetwork net, List<BlockEngine> engines, long ms) {
    for (long t = 0; t < ms; t += STEP) {
      step(clock, net, engines);
    }
  }

  private static void step(ManualClock clock, InMemoryNetwork net, List<BlockEngine> engines) {
    clock.millis += STEP;
    net.deliverDue();
    engines.forEach(BlockEngine::tick);
  }
}

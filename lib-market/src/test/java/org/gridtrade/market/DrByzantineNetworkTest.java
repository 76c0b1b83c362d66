package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
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
  @Test
  void skimmingSealer_thatCertifiesARound_isRefusedAndTheHonestSettlementStands() {
    List<KeyPair> keys = MarketChain.keys(7);
    Genesis genesis =
        MarketChain.genesis(keys, 1_000_000_000L).withModules(List.of(DemandResponseMarket.NAME));
    int byzantine = 2;
    try (SealerNetwork n =
        new SealerNetwork(
            keys,
            genesis,
            i ->
                i == byzantine
                    ? new DoctoredDrMarket(DoctoredDrMarket.Fault.SKIM)
                    : new DemandResponseMarket())) {
      List<Address> sealers = n.sealers;
      List<Address> sorted = n.sorted;
      List<BlockEngine> engines = n.engines;
      List<List<EngineListener.Rejection>> invalid = n.invalid;
      n.run(3_000);
      long h0 = engines.get(0).ledger().height();
      DrTestMarkets.Market mk =
          DrTestMarkets.random(
              new Random(11),
              List.of(keys.get(3).address(), keys.get(4).address()),
              List.of(keys.get(5).address(), keys.get(6).address()),
              h0 + 40,
              h0 + 60);
      DrTestMarkets.Cert cert = DrTestMarkets.certificate(mk);
      n.submit(0, keys.get(0), 0, DrCalls.open(mk.spec()));
      long until = n.millis() + 60_000;
      while (engines.stream().anyMatch(e -> DemandResponseMarket.count(e.ledger().state()) == 0)
          && n.millis() < until) {
        n.step();
      }
      n.submit(0, keys.get(3), 0, DrCalls.escrow(0));
      n.submit(1, keys.get(4), 0, DrCalls.escrow(0));
      until = n.millis() + 60_000;
      while (engines.stream()
              .anyMatch(
                  e ->
                      DemandResponseMarket.round(e.ledger().state(), 0)
                          .orElseThrow()
                          .escrowMicro()
                          .contains(0L))
          && n.millis() < until) {
        n.step();
      }
      // wait for a head whose next block is the doctored sealer's turn, then hand it the
      // certificate (it gossips it on, but it is in turn)
      while (!sorted
          .get((int) ((engines.get(byzantine).ledger().height() + 1) % 3))
          .equals(sealers.get(byzantine))) {
        n.step();
      }
      long target = engines.get(byzantine).ledger().height() + 1;
      n.submit(byzantine, keys.get(0), 1, DrCalls.certify(0, cert.x(), cert.u(), cert.alpha()));
      until = n.millis() + 60_000;
      while (engines.subList(0, 2).stream()
              .anyMatch(
                  e ->
                      DemandResponseMarket.round(e.ledger().state(), 0).orElseThrow().status()
                          != DrRound.Status.CERTIFIED)
          && n.millis() < until) {
        n.step();
      }
      n.run(3_000);

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
    }
  }
}

package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;
import org.junit.jupiter.api.Test;

/**
 * A demand-response round larger than one state value holds: 300 EVs × 20 SPs, whose spec (16 KB),
 * certificate (50 KB) and payments (66 KB) are paged. It goes through its whole life on chain, with
 * a replica appending every block (so executing it again and checking each state root), and the
 * chain's payments equal the exact-fraction recomputation of the IR rule in the test.
 */
class LargeDrRoundTest {
  private static final int N = 300;
  private static final int M = 20;

  @Test
  void roundOf300EvsAnd20Sps_livesOnChain_pagedPastOneValue_andAReplicaAgrees() {
    assertThat(N * M).isGreaterThan(4_096);
    assertThat(8L * (N * M + N + M)).isGreaterThan(ModuleContext.MAX_VALUE_BYTES / 2);
    long each = 1_000_000_000_000L;
    try (MarketChain c = new MarketChain(1 + N + M, each, new DemandResponseMarket());
        MarketChain replica = new MarketChain(1 + N + M, each, new DemandResponseMarket())) {
      List<Address> evs = c.keys.subList(1, 1 + N).stream().map(KeyPair::address).toList();
      List<Address> sps = c.keys.subList(1 + N, 1 + N + M).stream().map(KeyPair::address).toList();
      DrTestMarkets.Market mk = DrTestMarkets.random(new Random(300), evs, sps, 12, 20);
      long supply = supply(c.state());

      List<Transaction> txs = new ArrayList<>();
      DrCalls.openInParts(mk.spec()).forEach(call -> txs.add(c.tx(c.operator(), call)));
      block(c, replica, txs);
      DrRound opened = DemandResponseMarket.round(c.state(), 0).orElseThrow();
      assertThat(opened.spec()).isEqualTo(mk.spec());

      txs.clear();
      for (int i = 0; i < N; i++) {
        txs.add(c.tx(c.keys.get(1 + i), DrCalls.escrow(0)));
      }
      block(c, replica, txs);

      DrTestMarkets.Cert cert = DrTestMarkets.certificate(mk);
      List<Payload.Call> parts = DrCalls.certifyInParts(0, cert.x(), cert.u(), cert.alpha());
      assertThat(parts).hasSizeGreaterThan(30);
      txs.clear();
      parts.forEach(call -> txs.add(c.tx(c.operator(), call)));
      block(c, replica, txs);

      DrRound round = DemandResponseMarket.round(c.state(), 0).orElseThrow();
      assertThat(round.status()).isEqualTo(DrRound.Status.CERTIFIED);
      DrRound.Certificate got = round.certificate().orElseThrow();
      DrTestMarkets.Expected want = DrTestMarkets.payments(mk.spec(), cert.x());
      int paying = 0;
      for (int i = 0; i < N; i++) {
        assertThat(got.evPaymentsMicro().get(i)).as("EV %d", i).isEqualTo(want.ev()[i]);
        for (int j = 0; j < M; j++) {
          assertThat(got.allocationWh().get(i).get(j)).isEqualTo(cert.x()[i][j]);
          assertThat(got.cellPaymentsMicro().get(i).get(j)).isEqualTo(want.cell()[i][j]);
          paying += want.cell()[i][j] > 0 ? 1 : 0;
        }
      }
      assertThat(paying).as("cells that pay").isGreaterThan(N);
      assertThat(supply(c.state())).isEqualTo(supply);

      // Each SP settles every EV's first paying cell with it, and the last EV's last one.
      long t = MarketChain.T0 + (c.ledger.height() + 1) * 1_000L;
      txs.clear();
      List<int[]> settled = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        for (int j = 0; j < M; j++) {
          if (want.cell()[i][j] > 0) {
            settled.add(new int[] {i, j});
            txs.add(settle(c, i, j, t));
            break;
          }
        }
      }
      long before = c.state().account(sps.get(settled.get(0)[1])).balance();
      block(c, replica, txs);
      DrRound.Certificate after =
          DemandResponseMarket.round(c.state(), 0).orElseThrow().certificate().orElseThrow();
      for (int[] s : settled) {
        assertThat(after.settled().get(s[0]).get(s[1])).as("cell %d %d", s[0], s[1]).isTrue();
      }
      long settledCells =
          after.settled().stream().flatMap(List::stream).filter(Boolean::booleanValue).count();
      long zeroCells =
          got.cellPaymentsMicro().stream().flatMap(List::stream).filter(v -> v == 0).count();
      assertThat(settledCells).isEqualTo(settled.size() + zeroCells);
      long paidToFirst = 0;
      for (int[] s : settled) {
        if (s[1] == settled.get(0)[1]) {
          paidToFirst += want.cell()[s[0]][s[1]] - MarketChain.FEE;
        }
      }
      assertThat(c.state().account(sps.get(settled.get(0)[1])).balance() - before)
          .isEqualTo(paidToFirst);

      // The round closes at its settle height: what it holds goes back, the surplus to the
      // operator, and the module's account is empty.
      while (c.ledger.height() < 20) {
        block(c, replica, List.of());
      }
      DrRound closed = DemandResponseMarket.round(c.state(), 0).orElseThrow();
      assertThat(closed.status()).isEqualTo(DrRound.Status.CLOSED);
      assertThat(c.state().account(LedgerModule.account(DemandResponseMarket.NAME)).balance())
          .isZero();
      assertThat(supply(c.state())).isEqualTo(supply);
      assertThat(replica.state().root()).isEqualTo(c.state().root());
    }
  }

  private static Transaction settle(MarketChain c, int i, int j, long t) {
    KeyPair sp = c.keys.get(1 + N + j);
    KeyPair ev = c.keys.get(1 + i);
    Payload.DemandResponseSettlement s =
        DemandResponseMarket.settlement(
            c.state(), MarketChain.CHAIN, 0, i, j, t + 60_000, t - 1, sp, ev);
    return c.tx(sp, DrCalls.settle(0, j, s));
  }

  /** Proposes a block on c, which must take every transaction, and appends it to the replica. */
  private static void block(MarketChain c, MarketChain replica, List<Transaction> txs) {
    var p = c.block(List.copyOf(txs));
    assertThat(p.skipped()).as("%s", p.skipped()).isEmpty();
    assertThat(replica.ledger.append(p.block())).isInstanceOf(BlockResult.Appended.class);
  }

  private static long supply(LedgerState s) {
    return s.totalSupply();
  }
}

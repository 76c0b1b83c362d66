package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.junit.jupiter.api.Test;

/**
 * The demand-response settlement against the off-chain auction: lib-auction's results on random
 * markets, converted to integers, are certified on chain; the payments are those of an independent
 * recomputation of the IR rule; a certificate off by more than the tolerance is refused and changes
 * nothing; the cells settle by signed tokens and the coins are conserved.
 */
class DemandResponseMarketTest {
  static final long EACH = 1_000_000_000L;
  static final long CERTIFY_BY = 4;
  static final long SETTLE_BY = 8;

  static int accepted;
  static int perturbedX;
  static int perturbedDual;

  @Test
  void property_offChainAuctionResults_areCertifiedAndPaidByTheIrRule() {
    accepted = 0;
    perturbedX = 0;
    perturbedDual = 0;
    java.util.Arrays.fill(DrTestMarkets.STEPS, 0);
    qt().withFixedSeed(20261206L).withExamples(40).forAll(longs().all()).checkAssert(this::check);
    assertThat(accepted).isEqualTo(40);
    // most markets have an interior cell to perturb; every perturbation was refused
    assertThat(perturbedX).isGreaterThan(20);
    assertThat(perturbedDual).isGreaterThan(20);
    System.out.printf(
        java.util.Locale.ROOT,
        "DR settlement: %d markets certified; the IR rule ended with relief from the SPs' rents"
            + " in %d, charged to EVs with room in %d, SP revenues cut in %d%n",
        accepted,
        DrTestMarkets.STEPS[0],
        DrTestMarkets.STEPS[1],
        DrTestMarkets.STEPS[2]);
    // the IR rule relieved some EVs (every branch is covered by DrPaymentRuleTest)
    assertThat(java.util.Arrays.stream(DrTestMarkets.STEPS).sum()).isPositive();
  }

  private void check(long seed) {
    Random rnd = new Random(seed);
    int n = 1 + rnd.nextInt(4);
    int m = 1 + rnd.nextInt(3);
    try (MarketChain c = new MarketChain(1 + n + m, EACH, new DemandResponseMarket())) {
      List<KeyPair> evKeys = c.keys.subList(1, 1 + n);
      List<KeyPair> spKeys = c.keys.subList(1 + n, 1 + n + m);
      DrTestMarkets.Market mk =
          DrTestMarkets.random(
              rnd,
              evKeys.stream().map(KeyPair::address).toList(),
              spKeys.stream().map(KeyPair::address).toList(),
              CERTIFY_BY,
              SETTLE_BY);
      long supply = c.state().totalSupply();
      Map<Address, Long> fees = new HashMap<>();
      // block 1: open; block 2: every EV escrows
      c.block(List.of(c.tx(c.operator(), DrCalls.open(mk.spec()))));
      fee(fees, c.operator());
      List<Transaction> escrows = new ArrayList<>();
      for (KeyPair k : evKeys) {
        escrows.add(c.tx(k, DrCalls.escrow(0)));
        fee(fees, k);
      }
      assertThat(c.block(escrows).skipped()).isEmpty();
      long[] escrow = new long[n];
      for (int i = 0; i < n; i++) {
        escrow[i] = DemandResponseMarket.escrowMicro(mk.spec(), i);
        assertThat(c.state().account(evKeys.get(i).address()).balance())
            .isEqualTo(EACH - escrow[i] - 1);
      }

      DrTestMarkets.Cert cert = DrTestMarkets.certificate(mk);
      refusePerturbations(c, mk.spec(), cert, rnd);

      // block 3: the honest certificate
      Ledger.Proposal p =
          c.block(
              List.of(c.tx(c.operator(), DrCalls.certify(0, cert.x(), cert.u(), cert.alpha()))));
      assertThat(p.skipped()).as("certificate of %s refused: %s", mk.off(), p.skipped()).isEmpty();
      fee(fees, c.operator());
      accepted++;
      DrRound round = DemandResponseMarket.round(c.state(), 0).orElseThrow();
      assertThat(round.status()).isEqualTo(DrRound.Status.CERTIFIED);
      DrRound.Certificate got = round.certificate().orElseThrow();
      DrTestMarkets.Expected want = DrTestMarkets.payments(mk.spec(), cert.x());
      long paidIn = 0;
      long paidOut = 0;
      for (int i = 0; i < n; i++) {
        assertThat(got.evPaymentsMicro().get(i)).as("EV %d pays", i).isEqualTo(want.ev()[i]);
        assertThat(want.ev()[i]).isLessThanOrEqualTo(escrow[i]);
        paidIn += want.ev()[i];
        for (int j = 0; j < m; j++) {
          assertThat(got.cellPaymentsMicro().get(i).get(j))
              .as("cell [%d][%d] pays", i, j)
              .isEqualTo(want.cell()[i][j]);
          paidOut += want.cell()[i][j];
        }
        // beside the off-chain settlement of the unrounded allocation: within 0.5 % and 0.05 coin
        double offChain = mk.auction().payments().evs().get(i).payment() * 1e4;
        assertThat((double) want.ev()[i])
            .as("EV %d's payment beside the off-chain rule's %s", i, offChain)
            .isCloseTo(offChain, org.assertj.core.data.Offset.offset(50_000 + 0.005 * offChain));
      }
      assertThat(paidIn).isGreaterThanOrEqualTo(paidOut);

      // blocks 4..7: the SPs settle a random subset of the cells that pay, in random order
      List<int[]> cells = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          if (want.cell()[i][j] > 0 && rnd.nextInt(4) > 0) {
            cells.add(new int[] {i, j});
          }
        }
      }
      java.util.Collections.shuffle(cells, rnd);
      boolean[][] settled = new boolean[n][m];
      for (int[] cell : cells) {
        if (c.ledger.height() >= SETTLE_BY) {
          break;
        }
        int i = cell[0];
        int j = cell[1];
        long now = MarketChain.T0 + (c.ledger.height() + 1) * 1_000L;
        var msg =
            DemandResponseMarket.settlement(
                c.state(),
                MarketChain.CHAIN,
                0,
                i,
                j,
                now + 60_000,
                now - 1,
                spKeys.get(j),
                evKeys.get(i));
        assertThat(c.block(List.of(c.tx(spKeys.get(j), DrCalls.settle(0, j, msg)))).skipped())
            .isEmpty();
        fee(fees, spKeys.get(j));
        settled[i][j] = true;
      }
      c.advanceTo(SETTLE_BY);
      round = DemandResponseMarket.round(c.state(), 0).orElseThrow();
      assertThat(round.status()).isEqualTo(DrRound.Status.CLOSED);
      got = round.certificate().orElseThrow();

      // every balance from the model: EVs pay, get back unsettled cells (scaled), SPs get settled
      // cells, the operator the rest; fees go to the proposer (the operator)
      long returned = 0;
      long settledOut = 0;
      for (int i = 0; i < n; i++) {
        long total = 0;
        long open = 0;
        for (int j = 0; j < m; j++) {
          total += want.cell()[i][j];
          if (settled[i][j]) {
            settledOut += want.cell()[i][j];
          } else {
            open += want.cell()[i][j];
          }
        }
        long back =
            total == 0
                ? 0
                : java.math.BigInteger.valueOf(open)
                    .multiply(java.math.BigInteger.valueOf(Math.min(want.ev()[i], total)))
                    .divide(java.math.BigInteger.valueOf(total))
                    .longValueExact();
        assertThat(got.returnedMicro().get(i)).isEqualTo(back);
        assertThat(back).isLessThanOrEqualTo(want.ev()[i]);
        returned += back;
        assertThat(c.state().account(evKeys.get(i).address()).balance())
            .isEqualTo(EACH - want.ev()[i] + back - fees.get(evKeys.get(i).address()));
      }
      for (int j = 0; j < m; j++) {
        long in = 0;
        for (int i = 0; i < n; i++) {
          in += settled[i][j] ? want.cell()[i][j] : 0;
        }
        assertThat(c.state().account(spKeys.get(j).address()).balance())
            .isEqualTo(EACH + in - fees.getOrDefault(spKeys.get(j).address(), 0L));
      }
      long surplus = paidIn - settledOut - returned;
      assertThat(got.operatorMicro()).isEqualTo(surplus).isGreaterThanOrEqualTo(0);
      long allFees = fees.values().stream().mapToLong(Long::longValue).sum();
      assertThat(c.state().account(c.operator().address()).balance())
          .isEqualTo(EACH + surplus + allFees - fees.get(c.operator().address()));
      assertThat(c.state().account(LedgerModule.account(DemandResponseMarket.NAME)).balance())
          .isZero();
      assertThat(c.state().totalSupply()).isEqualTo(supply);
    }
  }

  /**
   * Perturbs one allocation cell, then one dual price, by more than the tolerance can absorb, on an
   * interior cell (more than 1 Wh from both of its bounds): each certificate is refused, and a
   * block built with it has the state root of an empty block.
   */
  private static void refusePerturbations(
      MarketChain c, DrRoundSpec s, DrTestMarkets.Cert cert, Random rnd) {
    List<int[]> interior = new ArrayList<>();
    for (int i = 0; i < cert.x().length; i++) {
      for (int j = 0; j < cert.alpha().length; j++) {
        long x = cert.x()[i][j];
        if (x > 1 && x < DrTestMarkets.cap(s, i, j) - 1) {
          interior.add(new int[] {i, j});
        }
      }
    }
    if (interior.isEmpty()) {
      return;
    }
    int[] cell = interior.get(rnd.nextInt(interior.size()));
    int i = cell[0];
    int j = cell[1];
    long c1 = s.sps().get(j).c1MicroPerKWh2();
    // moving x by d moves the SP's marginal price by 2 c1 d / 1000: past 2ε it cannot stay within ε
    long d = (2 * s.toleranceMicroPerKWh() + 1) * 1_000 / (2 * c1) + 1;
    DrTestMarkets.Cert bad = cert.copy();
    bad.x()[i][j] += rnd.nextBoolean() || bad.x()[i][j] < d ? d : -d;
    assertRefusedWithoutChange(c, bad);
    perturbedX++;

    long delta = (2 * s.toleranceMicroPerKWh() + 1) * (rnd.nextBoolean() ? 1 : -1);
    bad = cert.copy();
    if (rnd.nextBoolean()) {
      bad.u()[i] += delta;
    } else {
      bad.alpha()[j] = Math.max(0, bad.alpha()[j] + delta);
      if (bad.alpha()[j] == cert.alpha()[j]) {
        bad.alpha()[j] += Math.abs(delta);
      }
    }
    assertRefusedWithoutChange(c, bad);
    perturbedDual++;
  }

  static void assertRefusedWithoutChange(MarketChain c, DrTestMarkets.Cert bad) {
    Transaction tx = c.tx(c.operator(), DrCalls.certify(0, bad.x(), bad.u(), bad.alpha()));
    long time = MarketChain.T0 + (c.ledger.height() + 1) * 1_000L;
    LedgerState before = c.state();
    TxResult r = before.check(tx, time);
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    assertThat(((TxResult.Rejected) r).detail()).contains("dr-settlement", "certificate");
    Ledger.Proposal withBad = c.ledger.propose(List.of(tx), c.operator().address(), time);
    Ledger.Proposal empty = c.ledger.propose(List.of(), c.operator().address(), time);
    assertThat(withBad.skipped()).hasSize(1);
    assertThat(withBad.block().transactions()).isEmpty();
    Hash root = withBad.block().header().stateRoot();
    assertThat(root).isEqualTo(empty.block().header().stateRoot());
    assertThat(DemandResponseMarket.round(c.state(), 0).orElseThrow().status())
        .isEqualTo(DrRound.Status.OPEN);
    c.unuse(c.operator());
  }

  private static void fee(Map<Address, Long> fees, KeyPair k) {
    fees.merge(k.address(), MarketChain.FEE, Long::sum);
  }
}

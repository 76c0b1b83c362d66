package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Individual rationality against the outside option (an EV buys {@code e_min} from the grid at the
 * retail price, an SP sells nothing) and weak budget balance of the payment rules; every check is
 * recomputed here from the instance and the allocation (utility and cost by {@link SwmOracle}).
 */
class DemandResponseIndividualRationalityTest {

  private static final DemandResponseAuction AUCTION = DemandResponseAuction.builder().build();

  private static DrInstance market(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int n = 1 + rng.nextInt(10);
    int m = 1 + rng.nextInt(5);
    return rng.nextBoolean()
        ? DrInstance.randomWithPrices(n, m, rng)
        : DrInstance.random(n, m, rng);
  }

  private static double cost(DrInstance in, int j, double s) {
    DrInstance.Sp sp = in.sps().get(j);
    return sp.c1() * s * s + (sp.c2() + sp.minPrice()) * s;
  }

  /**
   * Independently counts the participants a settlement leaves worse off than their outside option.
   */
  private static int violations(
      DrInstance in, double[][] s, DemandResponseResult.Payments p, double retail) {
    int bad = 0;
    for (int i = 0; i < s.length; i++) {
      double total = 0;
      for (double v : s[i]) {
        total += v;
      }
      double u = SwmOracle.utility(in, i, total);
      double pay = p.evs().get(i).payment();
      double outside = -retail * in.evs().get(i).eMin();
      assertThat(p.evs().get(i).utility()).isCloseTo(u, within(u));
      assertThat(p.evs().get(i).outsideOption()).isEqualTo(outside);
      boolean ok = u - pay >= outside - 1e-7 * Math.max(1, Math.abs(pay) + Math.abs(outside));
      assertThat(p.evs().get(i).individuallyRational()).as("ev %d IR flag", i).isEqualTo(ok);
      bad += ok ? 0 : 1;
    }
    for (int j = 0; j < in.sps().size(); j++) {
      double c = 0;
      for (double[] row : s) {
        c += cost(in, j, row[j]);
      }
      double rev = p.sps().get(j).revenue();
      boolean ok = rev >= c - 1e-7 * Math.max(1, c);
      assertThat(p.sps().get(j).individuallyRational()).as("sp %d IR flag", j).isEqualTo(ok);
      bad += ok ? 0 : 1;
    }
    assertThat(p.irViolations()).isEqualTo(bad);
    return bad;
  }

  private static org.assertj.core.data.Offset<Double> within(double v) {
    return org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(v)));
  }

  private static double sumPaid(DemandResponseResult.Payments p) {
    return p.evs().stream().mapToDouble(DemandResponseResult.EvOutcome::payment).sum();
  }

  private static double sumReceived(DemandResponseResult.Payments p) {
    return p.sps().stream().mapToDouble(DemandResponseResult.SpOutcome::revenue).sum();
  }

  @Test
  void property_defaultRule_everyParticipantIndividuallyRational_andWeaklyBudgetBalanced() {
    qt().withFixedSeed(41)
        .withExamples(150)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              DrInstance in = market(seed);
              DemandResponseResult r = AUCTION.run(in);
              double[][] s = DemandResponseAuctionTest.supply(in, r);
              DemandResponseResult.Payments p = r.payments();
              assertThat(p.rule())
                  .isEqualTo(DemandResponseAuction.PaymentRule.INDIVIDUALLY_RATIONAL);
              assertThat(violations(in, s, p, DemandResponseAuction.DEFAULT_RETAIL_PRICE)).isZero();
              assertThat(r.individuallyRational()).isTrue();
              double paid = sumPaid(p);
              double received = sumReceived(p);
              assertThat(paid).isGreaterThanOrEqualTo(received - 1e-9 * Math.max(1, received));
              assertThat(p.weaklyBudgetBalanced()).isTrue();
              for (int i = 0; i < s.length; i++) {
                double bought = 0;
                for (double v : s[i]) {
                  bought += v;
                }
                // never more per kWh than the EV's maximum buying price
                assertThat(p.evs().get(i).payment())
                    .isLessThanOrEqualTo(in.evs().get(i).maxPrice() * bought * (1 + 1e-9) + 1e-9);
              }
              for (int j = 0; j < in.sps().size(); j++) {
                double sold = 0;
                for (double[] row : s) {
                  sold += row[j];
                }
                // never less per kWh than the SP's minimum selling price
                assertThat(p.sps().get(j).revenue())
                    .isGreaterThanOrEqualTo(in.sps().get(j).minPrice() * sold * (1 - 1e-9));
              }
            });
  }

  @Test
  void property_eq415_isReportedBesideTheDefault_andItsViolationsCountedTheSameWay() {
    int[] eq415 = {0};
    int[] markets = {0};
    qt().withFixedSeed(42)
        .withExamples(150)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              DrInstance in = market(seed);
              // retail price 1: the outside option is close to not trading at all
              DemandResponseResult r =
                  DemandResponseAuction.builder().retailPrice(1).build().run(in);
              double[][] s = DemandResponseAuctionTest.supply(in, r);
              DemandResponseResult.Payments source = r.comparedPayments();
              assertThat(source.rule()).isEqualTo(DemandResponseAuction.PaymentRule.EQ_4_15);
              for (int i = 0; i < s.length; i++) {
                assertThat(source.evs().get(i).payment())
                    .isEqualTo(r.settledEvPayments().get(i).amount());
              }
              eq415[0] += violations(in, s, source, 1) > 0 ? 1 : 0;
              violations(in, s, r.payments(), 1);
              markets[0]++;
            });
    // Aggarwal's rule leaves EVs near e_min worse off than not trading on some markets; the count
    // is reported, not asserted away (docs/demand-response.md, "Individual rationality")
    System.out.printf("Eq. 4.15 not IR on %d of %d markets%n", eq415[0], markets[0]);
    assertThat(eq415[0]).isPositive();
  }

  @Test
  void property_anyRetailPrice_defaultRuleIsRationalWheneverAnyRuleCanBe() {
    qt().withFixedSeed(43)
        .withExamples(150)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              DrInstance in = market(seed);
              double retail = new SplittableRandom(~seed).nextDouble(0, 10);
              DemandResponseResult r =
                  DemandResponseAuction.builder().retailPrice(retail).build().run(in);
              double[][] s = DemandResponseAuctionTest.supply(in, r);
              // what the EVs can pay while IR and within their maximum prices, against the SPs'
              // costs: any rule keeping the allocation that is IR for all and WBB needs
              // Σ_i min(U_i + R e_min_i, q_i S_i) >= Σ_j L_j
              double can = 0;
              double need = 0;
              for (int i = 0; i < s.length; i++) {
                double total = 0;
                for (int j = 0; j < s[i].length; j++) {
                  total += s[i][j];
                  need += cost(in, j, s[i][j]);
                }
                DrInstance.Ev ev = in.evs().get(i);
                can +=
                    Math.min(
                        SwmOracle.utility(in, i, total) + retail * ev.eMin(),
                        ev.maxPrice() * total);
              }
              DemandResponseResult.Payments p = r.payments();
              int bad = violations(in, s, p, retail);
              if (can >= need + 1e-6 * Math.max(1, need)) {
                assertThat(bad).as("violations while achievable").isZero();
              }
              if (can < need - 1e-6 * Math.max(1, need)) {
                assertThat(bad).as("no rule can be IR for all here").isPositive();
              }
              // the auctioneer never loses money, whatever the retail price
              assertThat(sumPaid(p))
                  .isGreaterThanOrEqualTo(sumReceived(p) - 1e-9 * Math.max(1, sumReceived(p)));
            });
  }

  @Test
  void paymentRule_eq415Selected_isTheResultsPrimarySettlement() {
    DrInstance in = market(7);
    DemandResponseResult r =
        DemandResponseAuction.builder()
            .paymentRule(DemandResponseAuction.PaymentRule.EQ_4_15)
            .build()
            .run(in);
    assertThat(r.payments().rule()).isEqualTo(DemandResponseAuction.PaymentRule.EQ_4_15);
    assertThat(r.comparedPayments().rule())
        .isEqualTo(DemandResponseAuction.PaymentRule.INDIVIDUALLY_RATIONAL);
    assertThat(r.individuallyRational()).isEqualTo(r.payments().individuallyRational());
  }
}

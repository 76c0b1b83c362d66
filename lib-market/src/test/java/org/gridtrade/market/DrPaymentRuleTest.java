package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.Address;
import org.gridtrade.market.internal.DrMath;
import org.junit.jupiter.api.Test;

/**
 * The module's integer IR payment rule against the test's independent recomputation on random
 * feasible allocations (not only optima), at retail prices from 0 to 75 cents and steep costs, so
 * that every step of the rule decides some settlement; and its logarithm against an independent
 * one.
 */
class DrPaymentRuleTest {
  @Test
  void property_randomAllocations_payAsTheIndependentRecomputation() {
    Arrays.fill(DrTestMarkets.STEPS, 0);
    int[] none = {0};
    qt().withFixedSeed(20261207L)
        .withExamples(400)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              int n = 1 + rnd.nextInt(5);
              int m = 1 + rnd.nextInt(4);
              List<Address> keys = MarketChain.keys(n + m).stream().map(k -> k.address()).toList();
              List<DrRoundSpec.Sp> sps = new ArrayList<>();
              for (int j = 0; j < m; j++) {
                sps.add(
                    new DrRoundSpec.Sp(
                        keys.get(n + j),
                        50_000 + rnd.nextInt(200_001),
                        100 + rnd.nextInt(rnd.nextBoolean() ? 1 : 20_000),
                        150,
                        50_000 + rnd.nextInt(450_001)));
              }
              List<DrRoundSpec.Ev> evs = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                long q = 100_000 + rnd.nextInt(500_001);
                evs.add(new DrRoundSpec.Ev(keys.get(i), q, 0, 1_000_000_000L, q));
              }
              DrRoundSpec open =
                  new DrRoundSpec(800_000, 900_000, rnd.nextInt(750_001), 1, 1, 2, evs, sps);
              long[][] x = new long[n][m];
              long[] col = new long[m];
              List<DrRoundSpec.Ev> withMin = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                long t = 0;
                for (int j = 0; j < m; j++) {
                  long room =
                      Math.min(DrMath.cellCapWh(open, i, j), sps.get(j).capacityWh() - col[j]);
                  x[i][j] = room <= 0 || rnd.nextInt(4) == 0 ? 0 : rnd.nextLong(room + 1) / 2;
                  col[j] += x[i][j];
                  t += x[i][j];
                }
                // e_min: up to what the row stores, so the row is feasible
                long stored = t * 720_000_000_000L / 1_000_000_000_000L;
                DrRoundSpec.Ev ev = evs.get(i);
                withMin.add(
                    new DrRoundSpec.Ev(
                        ev.address(),
                        ev.willingnessMicro(),
                        stored == 0 ? 0 : rnd.nextLong(stored + 1),
                        ev.eMaxWh(),
                        ev.maxPriceMicroPerKWh()));
              }
              DrRoundSpec s =
                  new DrRoundSpec(
                      open.etaPpm(),
                      open.rhoPpm(),
                      open.retailPriceMicroPerKWh(),
                      1,
                      1,
                      2,
                      withMin,
                      sps);
              int before = Arrays.stream(DrTestMarkets.STEPS).sum();
              DrTestMarkets.Expected want = DrTestMarkets.payments(s, x);
              none[0] += Arrays.stream(DrTestMarkets.STEPS).sum() == before ? 1 : 0;
              DrMath.Payments got = DrMath.pay(s, x);
              assertThat(got.evPayMicro()).isEqualTo(want.ev());
              assertThat(got.cellPayMicro()).isDeepEqualTo(want.cell());
              long in = Arrays.stream(got.evPayMicro()).sum();
              long out = Arrays.stream(got.cellPayMicro()).flatMapToLong(Arrays::stream).sum();
              assertThat(in).as("weakly budget balanced").isGreaterThanOrEqualTo(out);
              for (int i = 0; i < n; i++) {
                long t = DrTestMarkets.rowSum(x[i]);
                // never above the EV's maximum price
                assertThat(BigInteger.valueOf(got.evPayMicro()[i]))
                    .isLessThanOrEqualTo(
                        BigInteger.valueOf(s.evs().get(i).maxPriceMicroPerKWh() * t)
                            .add(BigInteger.valueOf(999))
                            .divide(BigInteger.valueOf(1000)));
              }
            });
    // every way the rule can end: no relief, relief from rents, charge to EVs with room, cut
    assertThat(none[0]).isPositive();
    assertThat(Arrays.stream(DrTestMarkets.STEPS).min().orElseThrow()).isPositive();
  }

  @Test
  void utility_logarithm_agreesWithAnIndependentOne() {
    Random rnd = new Random(5);
    List<Address> keys = MarketChain.keys(2).stream().map(k -> k.address()).toList();
    for (int k = 0; k < 300; k++) {
      long eMin = rnd.nextInt(1_000_000);
      DrRoundSpec s =
          new DrRoundSpec(
              100_000 + rnd.nextInt(900_001),
              100_000 + rnd.nextInt(900_001),
              0,
              0,
              1,
              2,
              List.of(
                  new DrRoundSpec.Ev(
                      keys.get(0), 1 + rnd.nextLong(1_000_000_000_000L), eMin, 1_000_000_000L, 1)),
              List.of(new DrRoundSpec.Sp(keys.get(1), 1, 1, 0, 0)));
      // a supply that stores at least e_min
      long least = eMin * 1_000_000_000_000L / ((long) s.etaPpm() * s.rhoPpm()) + 1;
      long supply = least + rnd.nextLong(1_000_000_000L);
      assertThat(DrMath.utilityPico(s, 0, supply))
          .isEqualTo(DrTestMarkets.utilityPico(s, 0, supply));
    }
  }
}

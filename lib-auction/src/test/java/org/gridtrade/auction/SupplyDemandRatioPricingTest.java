package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.gridtrade.auction.SupplyDemandRatioPricing.Allocation;
import org.gridtrade.auction.SupplyDemandRatioPricing.Clearing;
import org.gridtrade.auction.SupplyDemandRatioPricing.Microgrid;
import org.gridtrade.auction.SupplyDemandRatioPricing.NetPosition;
import org.gridtrade.auction.SupplyDemandRatioPricing.Tariff;
import org.gridtrade.auction.SupplyDemandRatioPricing.TwoLevelClearing;
import org.junit.jupiter.api.Test;

class SupplyDemandRatioPricingTest {

  private static final SupplyDemandRatioPricing PRICING =
      SupplyDemandRatioPricing.of(new Tariff(15, 5));

  @Test
  void prices_knownPoints() {
    assertThat(PRICING.sellPrice(0)).isEqualTo(15);
    assertThat(PRICING.buyPrice(0)).isEqualTo(15);
    assertThat(PRICING.sellPrice(1)).isEqualTo(5);
    assertThat(PRICING.buyPrice(1)).isEqualTo(5);
    // 5·15 / (10·0.5 + 5) = 7.5; 7.5·0.5 + 15·0.5 = 11.25
    assertThat(PRICING.sellPrice(0.5)).isEqualTo(7.5);
    assertThat(PRICING.buyPrice(0.5)).isEqualTo(11.25);
    assertThat(PRICING.sellPrice(3)).isEqualTo(5);
    assertThat(PRICING.buyPrice(Double.POSITIVE_INFINITY)).isEqualTo(5);
  }

  @Test
  void clear_deficitMarket_buyersProRataRestFromGrid() {
    Clearing c =
        PRICING.clear(
            List.of(
                new NetPosition("s", 5),
                new NetPosition("b1", -6),
                new NetPosition("b2", -4),
                new NetPosition("z", 0)));
    assertThat(c.sdr()).isEqualTo(0.5);
    assertThat(c.peerVolume()).isEqualTo(5);
    assertThat(c.allocations())
        .containsExactly(
            new Allocation("s", 5, 5, 0, 5 * 7.5),
            new Allocation("b1", -6, 3, 3, -(3 * 7.5 + 3 * 15)),
            new Allocation("b2", -4, 2, 2, -(2 * 7.5 + 2 * 15)),
            new Allocation("z", 0, 0, 0, 0));
    // each buyer pays exactly P_buy per kWh of deficit
    assertThat(-c.allocations().get(1).cashFlow() / 6).isCloseTo(c.buyPrice(), within(1e-12));
  }

  @Test
  void clear_surplusMarket_sellersProRataRestToGrid() {
    Clearing c =
        PRICING.clear(
            List.of(new NetPosition("s1", 6), new NetPosition("s2", 2), new NetPosition("b", -4)));
    assertThat(c.sdr()).isEqualTo(2);
    assertThat(c.sellPrice()).isEqualTo(5);
    assertThat(c.allocations().get(0)).isEqualTo(new Allocation("s1", 6, 3, 3, 30));
    assertThat(c.allocations().get(2)).isEqualTo(new Allocation("b", -4, 4, 0, -20));
  }

  @Test
  void clear_emptyOrOneSided_definedEdgeCases() {
    Clearing empty = PRICING.clear(List.of());
    assertThat(empty.sdr()).isEqualTo(1);
    assertThat(empty.peerVolume()).isZero();
    Clearing onlySupply = PRICING.clear(List.of(new NetPosition("s", 3)));
    assertThat(onlySupply.sdr()).isInfinite();
    assertThat(onlySupply.allocations().get(0)).isEqualTo(new Allocation("s", 3, 0, 3, 15));
    Clearing onlyDemand = PRICING.clear(List.of(new NetPosition("b", -3)));
    assertThat(onlyDemand.sdr()).isZero();
    assertThat(onlyDemand.buyPrice()).isEqualTo(15);
    assertThat(onlyDemand.allocations().get(0)).isEqualTo(new Allocation("b", -3, 0, 3, -45));
  }

  @Test
  void badInput_namesFieldAndValue() {
    assertThatThrownBy(() -> new Tariff(5, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gridBuyPrice 5.0");
    assertThatThrownBy(() -> new Tariff(10, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gridSellPrice 0.0");
    assertThatThrownBy(() -> new Tariff(Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> new NetPosition("p", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("netEnergy NaN");
    assertThatThrownBy(() -> new NetPosition(" ", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PRICING.sellPrice(-0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sdr -0.1");
    assertThatThrownBy(
            () -> PRICING.clear(List.of(new NetPosition("a", 1), new NetPosition("a", -1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a'");
  }

  /** No arbitrage, energy balance, budget balance, against a BigDecimal oracle of the formulas. */
  @Test
  void property_clear_invariantsHold() {
    qt().withFixedSeed(4_3_4L)
        .withExamples(400)
        .forAll(longs().all(), integers().between(0, 25))
        .checkAssert(
            (seed, n) -> {
              SplittableRandom rnd = new SplittableRandom(seed);
              double ls = 1 + rnd.nextDouble(20);
              double lb = ls + 0.01 + rnd.nextDouble(30);
              SupplyDemandRatioPricing pricing = SupplyDemandRatioPricing.of(new Tariff(lb, ls));
              List<NetPosition> ps = randomPositions(rnd, n, "p");
              Clearing c = pricing.clear(ps);
              checkClearing(c, ls, lb);
            });
  }

  @Test
  void property_twoLevel_levelTwoNetsAreLevelOneGridExchange() {
    qt().withFixedSeed(4_3_5L)
        .withExamples(200)
        .forAll(longs().all(), integers().between(0, 6))
        .checkAssert(
            (seed, m) -> {
              SplittableRandom rnd = new SplittableRandom(seed);
              SupplyDemandRatioPricing pricing = SupplyDemandRatioPricing.of(new Tariff(20, 4));
              List<Microgrid> grids = new ArrayList<>();
              for (int g = 0; g < m; g++) {
                grids.add(new Microgrid("m" + g, randomPositions(rnd, rnd.nextInt(8), "p")));
              }
              TwoLevelClearing t = pricing.clearTwoLevel(grids);
              assertThat(t.microgrids()).hasSize(m);
              checkClearing(t.interMicrogrid(), 4, 20);
              for (int g = 0; g < m; g++) {
                Clearing l1 = t.microgrids().get(g);
                checkClearing(l1, 4, 20);
                double gridExchange = 0;
                for (Allocation a : l1.allocations()) {
                  gridExchange += a.netEnergy() > 0 ? a.gridEnergy() : -a.gridEnergy();
                }
                assertThat(t.interMicrogrid().allocations().get(g).netEnergy())
                    .isCloseTo(gridExchange, within(1e-9));
              }
            });
  }

  private static List<NetPosition> randomPositions(SplittableRandom rnd, int n, String prefix) {
    List<NetPosition> ps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double v = rnd.nextInt(5) == 0 ? 0 : rnd.nextDouble(-50, 50);
      ps.add(new NetPosition(prefix + i, v));
    }
    return ps;
  }

  private static void checkClearing(Clearing c, double ls, double lb) {
    assertThat(c.sellPrice()).isBetween(ls, lb);
    assertThat(c.buyPrice()).isBetween(c.sellPrice(), lb);
    if (c.totalDemand() > 0 && c.sdr() <= 1) {
      MathContext mc = MathContext.DECIMAL128;
      BigDecimal s =
          BigDecimal.valueOf(c.totalSupply()).divide(BigDecimal.valueOf(c.totalDemand()), mc);
      BigDecimal bls = BigDecimal.valueOf(ls);
      BigDecimal blb = BigDecimal.valueOf(lb);
      BigDecimal sell = bls.multiply(blb).divide(blb.subtract(bls).multiply(s).add(bls), mc);
      BigDecimal buy = sell.multiply(s).add(blb.multiply(BigDecimal.ONE.subtract(s)));
      assertThat(c.sellPrice()).isCloseTo(sell.doubleValue(), within(1e-9));
      assertThat(c.buyPrice()).isCloseTo(buy.doubleValue(), within(1e-9));
    } else {
      assertThat(c.sellPrice()).isEqualTo(ls);
      assertThat(c.buyPrice()).isEqualTo(ls);
    }
    double sold = 0;
    double bought = 0;
    double received = 0;
    double paidPeer = 0;
    for (Allocation a : c.allocations()) {
      double need = Math.abs(a.netEnergy());
      assertThat(a.peerEnergy()).isBetween(0.0, need);
      assertThat(a.peerEnergy() + a.gridEnergy()).isCloseTo(need, within(1e-9));
      if (a.netEnergy() > 0) {
        sold += a.peerEnergy();
        received += a.peerEnergy() * c.sellPrice();
        assertThat(a.cashFlow()).isCloseTo(need * c.sellPrice(), within(1e-9));
      } else if (a.netEnergy() < 0) {
        bought += a.peerEnergy();
        paidPeer += -a.cashFlow() - a.gridEnergy() * lb;
        assertThat(-a.cashFlow()).isCloseTo(need * c.buyPrice(), within(1e-7));
      }
    }
    assertThat(sold).isCloseTo(c.peerVolume(), within(1e-9));
    assertThat(bought).isCloseTo(c.peerVolume(), within(1e-9));
    assertThat(paidPeer).isCloseTo(received, within(1e-7));
  }
}

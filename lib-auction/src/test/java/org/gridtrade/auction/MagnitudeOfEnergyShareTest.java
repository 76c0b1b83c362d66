package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.gridtrade.auction.MagnitudeOfEnergyShare.Allocation;
import org.gridtrade.auction.MagnitudeOfEnergyShare.Prosumer;
import org.gridtrade.auction.MagnitudeOfEnergyShare.Share;
import org.junit.jupiter.api.Test;

class MagnitudeOfEnergyShareTest {

  @Test
  void allocate_surplus_sharesProRataToCapacity() {
    // generation 30 + 20, load 30: S = 20, capacity 40 + 40 = 80, DF = 0.25, PSA = 0.75
    Allocation a =
        MagnitudeOfEnergyShare.withDefaultTolerance()
            .allocate(
                List.of(
                    new Prosumer("p1", 30, 10, 40, 40),
                    new Prosumer("p2", 20, 10, 40, 30),
                    new Prosumer("c", 0, 10, 0, 0)));
    assertThat(a.surplus()).isEqualTo(20);
    assertThat(a.deratingFactor()).isEqualTo(0.25);
    assertThat(a.psa()).isEqualTo(0.75);
    assertThat(a.shares())
        .containsExactly(new Share("p1", 30), new Share("p2", 30), new Share("c", 0));
    assertThat(a.revoked()).isEmpty();
    assertThat(a.gridImport()).isZero();
  }

  @Test
  void allocate_deficit_everyoneSuppliesAllGeneration() {
    Allocation a =
        MagnitudeOfEnergyShare.withDefaultTolerance()
            .allocate(List.of(new Prosumer("p1", 5, 10, 8, 6), new Prosumer("p2", 3, 4, 5, 5)));
    assertThat(a.surplus()).isEqualTo(-6);
    assertThat(a.gridImport()).isEqualTo(6);
    assertThat(a.shares()).containsExactly(new Share("p1", 5), new Share("p2", 3));
  }

  @Test
  void capacityCheck_boundaryKeptAndBeyondRevokedWithReason() {
    MagnitudeOfEnergyShare mes = MagnitudeOfEnergyShare.withTolerance(0.10);
    Allocation a =
        mes.allocate(
            List.of(new Prosumer("ok", 10, 0, 100, 110), new Prosumer("cheat", 10, 0, 100, 111)));
    assertThat(a.shares()).extracting(Share::id).containsExactly("ok");
    assertThat(a.revoked())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.id()).isEqualTo("cheat");
              assertThat(r.reason()).contains("111.0").contains("100.0").contains("10.0 %");
            });
    assertThat(a.totalInstalledCapacity()).isEqualTo(100);
    assertThat(MagnitudeOfEnergyShare.withDefaultTolerance().tolerance()).isEqualTo(0.15);
  }

  @Test
  void badInput_namesFieldAndValue() {
    assertThatThrownBy(() -> new Prosumer("p", Double.NaN, 0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("generation NaN");
    assertThatThrownBy(() -> new Prosumer("p", 1, -2, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("load -2.0");
    assertThatThrownBy(() -> MagnitudeOfEnergyShare.withTolerance(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tolerance 1.5");
    assertThatThrownBy(() -> MagnitudeOfEnergyShare.withTolerance(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                MagnitudeOfEnergyShare.withDefaultTolerance()
                    .allocate(
                        List.of(new Prosumer("p", 1, 0, 1, 1), new Prosumer("p", 1, 0, 1, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'p'");
    Allocation empty = MagnitudeOfEnergyShare.withDefaultTolerance().allocate(List.of());
    assertThat(empty.shares()).isEmpty();
    assertThat(empty.surplus()).isZero();
  }

  @Test
  void property_allocate_curtailsExactlyTheSurplusAndAppliesCapacityRule() {
    qt().withFixedSeed(3_4L)
        .withExamples(500)
        .forAll(longs().all(), integers().between(0, 20), integers().between(0, 30))
        .checkAssert(
            (seed, n, tolPct) -> {
              SplittableRandom rnd = new SplittableRandom(seed);
              double tol = tolPct / 100.0;
              List<Prosumer> cluster = new ArrayList<>();
              Map<String, Prosumer> byId = new HashMap<>();
              for (int i = 0; i < n; i++) {
                double cap = rnd.nextInt(4) == 0 ? 0 : rnd.nextDouble(1, 50);
                double peak = cap * rnd.nextDouble(0.5, 1.4);
                double gen = Math.min(peak, cap) * rnd.nextDouble();
                Prosumer p = new Prosumer("p" + i, gen, rnd.nextDouble(0, 40), cap, peak);
                cluster.add(p);
                byId.put(p.id(), p);
              }
              Allocation a = MagnitudeOfEnergyShare.withTolerance(tol).allocate(cluster);
              assertThat(a.shares().size() + a.revoked().size()).isEqualTo(n);
              a.revoked()
                  .forEach(
                      r ->
                          assertThat(r.peakGeneration())
                              .isGreaterThan(r.installedCapacity() * (1 + tol)));
              double cap = 0;
              double gen = 0;
              double load = cluster.stream().mapToDouble(Prosumer::load).sum();
              for (Share s : a.shares()) {
                Prosumer p = byId.get(s.id());
                assertThat(p.peakGeneration())
                    .isLessThanOrEqualTo(p.installedCapacity() * (1 + tol));
                cap += p.installedCapacity();
                gen += p.generation();
                assertThat(s.mes()).isGreaterThanOrEqualTo(0);
              }
              double surplus = gen - load;
              assertThat(a.surplus()).isCloseTo(surplus, within(1e-9));
              if (surplus <= 0) {
                for (Share s : a.shares()) {
                  assertThat(s.mes()).isEqualTo(byId.get(s.id()).generation());
                }
                assertThat(a.gridImport()).isCloseTo(-surplus, within(1e-9));
              } else if (cap > 0) {
                // curtailment against capacity equals the surplus (or all of the capacity)
                assertThat(a.totalMes()).isCloseTo(Math.max(0, cap - surplus), within(1e-9));
                for (Share s : a.shares()) {
                  assertThat(s.mes()).isLessThanOrEqualTo(byId.get(s.id()).installedCapacity());
                }
              }
            });
  }
}

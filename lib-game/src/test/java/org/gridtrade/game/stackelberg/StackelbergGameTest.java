package org.gridtrade.game.stackelberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StackelbergGameTest {

  /** A small GA so that property tests stay fast. */
  static final LeaderConfig SMALL = LeaderConfig.defaults().withGenerations(20, 30, 10);

  static StackelbergProblem randomProblem(SplittableRandom rng) {
    int n = 1 + rng.nextInt(30);
    List<Ev> evs = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      evs.add(Oracles.randomEv("EV" + j, rng));
    }
    double pMin = 5 + rng.nextInt(500) / 100.0;
    double pMax = pMin + rng.nextInt(800) / 100.0;
    PriceBounds bounds = new PriceBounds(pMin, pMax);
    GenerationCost cost = GenerationCost.thesisDefaults().scaled(Math.pow(10, rng.nextInt(4)));
    List<SpBid> bids = new ArrayList<>();
    for (int i = 0; i < 1 + rng.nextInt(4); i++) {
      bids.add(new SpBid("SP" + i, pMin + rng.nextDouble() * (pMax - pMin + 1)));
    }
    LeaderElection e = StackelbergGame.electLeader(bids, bounds);
    StackelbergProblem p = StackelbergProblem.of(evs, cost, bounds);
    return e.leader().isPresent() ? p.withElection(e) : p;
  }

  @Test
  void property_solution_respectsCapBoundsWindows_andStaysBelowUpperBound() {
    qt().withFixedSeed(404)
        .withExamples(60)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rng = new SplittableRandom(seed);
              StackelbergProblem p = randomProblem(rng);
              LeaderConfig c =
                  SMALL.withRandomSeed(seed).withLoadShapingWeight(rng.nextBoolean() ? 0 : 50);
              StackelbergSolution s = StackelbergGame.solve(p, c);
              double[] prices = new double[24];
              for (int h = 0; h < 24; h++) {
                double price = s.prices().get(h);
                prices[h] = price;
                assertThat(price).isBetween(p.bounds().pMin() - 1e-9, p.priceCap() + 1e-9);
                assertThat(price * 100).isCloseTo(Math.rint(price * 100), within(1e-6));
              }
              double[] load = new double[24];
              for (int j = 0; j < p.evs().size(); j++) {
                Ev ev = p.evs().get(j);
                Schedule sch = s.outcome().schedules().get(j);
                assertThat(sch.evId()).isEqualTo(ev.id());
                FollowerBestResponseTest.assertFeasible(ev, sch);
                assertThat(sch.energy())
                    .isEqualTo(FollowerBestResponse.respond(ev, s.prices()).energy());
                for (int h = 0; h < 24; h++) {
                  load[h] += sch.energy().get(h);
                }
              }
              double revenue = 0;
              double cost = 0;
              for (int h = 0; h < 24; h++) {
                assertThat(s.outcome().load().get(h)).isCloseTo(load[h], within(1e-9));
                revenue += prices[h] * load[h];
                cost += p.cost().cost(h, load[h]);
              }
              double scale = Math.max(1, revenue);
              assertThat(s.profit()).isCloseTo(revenue - cost, within(1e-9 * scale));
              assertThat(s.profit()).isLessThanOrEqualTo(s.upperBound() + 1e-9 * scale);
              assertThat(s.costRatio()).isGreaterThanOrEqualTo(1 - 1e-9);
              assertThat(s.fitnessTrace()).isNotEmpty();
              for (int g = 1; g < s.fitnessTrace().size(); g++) {
                assertThat(s.fitnessTrace().get(g))
                    .isGreaterThanOrEqualTo(s.fitnessTrace().get(g - 1));
              }
            });
  }

  @Test
  void property_sameSeed_sameSolution() {
    qt().withFixedSeed(405)
        .withExamples(10)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              StackelbergProblem p = randomProblem(new SplittableRandom(seed));
              LeaderConfig c =
                  LeaderConfig.thesisDefaults().withGenerations(20, 40, 10).withRandomSeed(seed);
              assertThat(StackelbergGame.solve(p, c)).isEqualTo(StackelbergGame.solve(p, c));
            });
  }

  @Test
  void solve_thesisConfiguration_isReproducible_andDiffersAcrossSeeds() {
    StackelbergProblem p =
        StackelbergProblem.of(
            EvGenerator.random(40, 3),
            GenerationCost.thesisDefaults(),
            PriceBounds.thesisDefaults());
    StackelbergSolution a =
        StackelbergGame.solve(p, LeaderConfig.thesisDefaults().withRandomSeed(5));
    StackelbergSolution b =
        StackelbergGame.solve(p, LeaderConfig.thesisDefaults().withRandomSeed(5));
    StackelbergSolution c =
        StackelbergGame.solve(p, LeaderConfig.thesisDefaults().withRandomSeed(6));
    assertThat(a).isEqualTo(b);
    assertThat(a.fitnessTrace()).isNotEqualTo(c.fitnessTrace());
  }

  @Test
  void solve_capacityBindsUnderFlatPrices_penaltySteersToAFeasibleOrder() {
    // Flat prices send both EVs to hour 0 (10 kWh > capacity 6); making hour 2 cheapest splits
    // them.
    List<Ev> evs = List.of(new Ev("A", 0, 1, 5, 0, 5), new Ev("B", 0, 2, 5, 0, 5));
    GenerationCost cost = GenerationCost.thesisDefaults(6);
    StackelbergProblem p = StackelbergProblem.of(evs, cost, PriceBounds.thesisDefaults());
    assertThat(StackelbergGame.unscheduled(p).feasible()).isFalse();
    for (LeaderConfig c : List.of(LeaderConfig.thesisDefaults(), LeaderConfig.defaults())) {
      StackelbergSolution s = StackelbergGame.solve(p, c);
      assertThat(s.outcome().feasible()).as(c.toString()).isTrue();
      assertThat(s.outcome().load()).allSatisfy(v -> assertThat(v).isLessThanOrEqualTo(6.0));
      assertThat(s.profit()).isLessThanOrEqualTo(s.upperBound());
    }
  }

  @Test
  void baselines_unscheduledChargesEarly_andTimeOfUseFollowsTable31() {
    Ev ev = new Ev("EV1", 10, 23, 14.8, 0, 7.4);
    StackelbergProblem p =
        StackelbergProblem.of(
            List.of(ev), GenerationCost.thesisDefaults(), PriceBounds.thesisDefaults());
    Outcome u = StackelbergGame.unscheduled(p);
    assertThat(u.load().subList(10, 13)).containsExactly(7.4, 7.4, 0.0);
    List<Double> tou = StackelbergGame.timeOfUsePrices(p);
    assertThat(tou.get(8)).isEqualTo(14.0); // 16:00 peak
    assertThat(tou.get(12)).isEqualTo(8.0); // 20:00 off-peak
    assertThat(tou.get(0)).isEqualTo(11.0); // 08:00 day
    Outcome t = StackelbergGame.timeOfUse(p);
    assertThat(t.load().subList(12, 14)).containsExactly(7.4, 7.4);
  }
}

package org.gridtrade.coalition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.gridtrade.coalition.internal.Evaluation;
import org.gridtrade.coalition.internal.Evaluator;
import org.gridtrade.coalition.internal.FormationEngine;
import org.gridtrade.coalition.internal.MinCostFlowSolver;
import org.junit.jupiter.api.Test;

/**
 * The fast merge checks against the reference path on communities built to tie: prosumers on a
 * coarse lattice (many equal distances, so many equal loss rates and gains) with whole-kWh amounts
 * (many equal balances, some balanced prosumers). The shortest-path search breaks ties by node
 * number in both paths; the whole run must be the same, bit for bit.
 */
class FormationTiesTest {
  private static final Area AREA = Area.square(20);

  private static FormationEngine run(Community c, boolean reference) {
    int n = c.prosumers().size();
    Evaluator ev = new Evaluator(c.network(), MinCostFlowSolver.INSTANCE, reference);
    FormationEngine engine = new FormationEngine(ev, 1e-9, 10, 2 * n + 16);
    engine.run();
    return engine;
  }

  private static Community lattice(int n, int step, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int cells = 20 / step + 1;
    List<Prosumer> ps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ps.add(
          new Prosumer(
              "p" + i,
              r.nextInt(7),
              r.nextInt(7),
              step * r.nextInt(cells),
              step * r.nextInt(cells)));
    }
    return Community.of(AREA, ps);
  }

  private static long merges;

  @Test
  void property_fastPath_matchesTheReference_whenDistancesAndAmountsTie() {
    merges = 0;
    qt().withFixedSeed(77)
        .withExamples(150)
        .forAll(integers().between(5, 45), integers().between(4, 10), longs().all())
        .checkAssert(
            (n, step, seed) -> {
              Community c = lattice(n, step, seed);
              FormationEngine fast = run(c, false);
              FormationEngine ref = run(c, true);
              assertThat(fast.converged).isEqualTo(ref.converged);
              assertThat(fast.merges).isEqualTo(ref.merges);
              assertThat(fast.splits).isEqualTo(ref.splits);
              assertThat(fast.unionChecks).isEqualTo(ref.unionChecks);
              assertThat(fast.iterationSteps).isEqualTo(ref.iterationSteps);
              assertThat(fast.iterationPartitions).hasSameSizeAs(ref.iterationPartitions);
              for (int k = 0; k < ref.iterationPartitions.size(); k++) {
                assertThat(fast.iterationPartitions.get(k))
                    .as("partition after step %d", k)
                    .isDeepEqualTo(ref.iterationPartitions.get(k));
                assertThat(fast.iterationScores.get(k))
                    .as("scores after step %d", k)
                    .containsExactly(ref.iterationScores.get(k));
              }
              assertThat(fast.result).hasSameSizeAs(ref.result);
              for (int k = 0; k < ref.result.size(); k++) {
                Evaluation a = fast.result.get(k);
                Evaluation b = ref.result.get(k);
                assertThat(a.members()).containsExactly(b.members());
                assertThat(a.flows()).isEqualTo(b.flows());
                for (int f = 0; f < b.flows(); f++) {
                  assertThat(a.flowSeller(f)).isEqualTo(b.flowSeller(f));
                  assertThat(a.flowBuyer(f)).isEqualTo(b.flowBuyer(f));
                  assertThat(a.flowEnergy(f)).isEqualTo(b.flowEnergy(f));
                }
                for (int q = 0; q < b.size(); q++) {
                  assertThat(a.score(q)).isEqualTo(b.score(q));
                  assertThat(Evaluator.dual(a, q)).isEqualTo(Evaluator.dual(b, q));
                }
              }
              merges += ref.merges;
            });
    // Not vacuous: the tied communities do form coalitions beyond the initial pairs.
    assertThat(merges).isGreaterThan(150);
  }
}

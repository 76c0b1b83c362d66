package org.gridtrade.coalition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.List;
import org.gridtrade.coalition.internal.Evaluation;
import org.gridtrade.coalition.internal.Evaluator;
import org.gridtrade.coalition.internal.FormationEngine;
import org.gridtrade.coalition.internal.MinCostFlowSolver;
import org.junit.jupiter.api.Test;

/**
 * The fast merge checks (shortest paths with a heap and a buyers' shortlist, unions given up as
 * soon as a member is proven to lose) against the reference path (plain dense shortest paths, every
 * union solved to the end): the whole run must be the same, bit for bit.
 */
class FormationFastPathTest {
  private static final Area AREA = Area.square(20);

  private static FormationEngine run(Community c, boolean reference) {
    int n = c.prosumers().size();
    Evaluator ev = new Evaluator(c.network(), MinCostFlowSolver.INSTANCE, reference);
    FormationEngine engine = new FormationEngine(ev, 1e-9, 10, 2 * n + 16);
    engine.run();
    return engine;
  }

  private static long givenUp;
  private static long unionChecks;

  @Test
  void property_fastPath_formsExactlyTheReferencePartition() {
    givenUp = 0;
    unionChecks = 0;
    qt().withFixedSeed(2026)
        .withExamples(240)
        .forAll(integers().between(5, 60), integers().between(0, 2), longs().all())
        .checkAssert(
            (n, d, seed) -> {
              ProfileGenerator.Distribution dist = ProfileGenerator.Distribution.values()[d];
              Community c =
                  Community.of(
                      AREA, ProfileGenerator.thesisDefaults().generate(n, dist, AREA, seed));
              FormationEngine fast = run(c, false);
              FormationEngine ref = run(c, true);
              assertThat(fast.converged).isEqualTo(ref.converged);
              assertThat(fast.merges).isEqualTo(ref.merges);
              assertThat(fast.splits).isEqualTo(ref.splits);
              assertThat(fast.dualChecks).isEqualTo(ref.dualChecks);
              assertThat(fast.unionChecks).isEqualTo(ref.unionChecks);
              assertThat(fast.iterationSteps).isEqualTo(ref.iterationSteps);
              assertThat(fast.iterationPartitions).hasSameSizeAs(ref.iterationPartitions);
              for (int k = 0; k < ref.iterationPartitions.size(); k++) {
                assertThat(fast.iterationPartitions.get(k))
                    .as("partition after step %d", k)
                    .isDeepEqualTo(ref.iterationPartitions.get(k));
                // Exact equality: the same transfers give the same floating-point scores.
                assertThat(fast.iterationScores.get(k))
                    .as("scores after step %d", k)
                    .containsExactly(ref.iterationScores.get(k));
              }
              assertThat(fast.result).hasSameSizeAs(ref.result);
              for (int k = 0; k < ref.result.size(); k++) {
                assertSame(fast.result.get(k), ref.result.get(k));
              }
              assertThat(fast.profitableDeviations()).isEqualTo(ref.profitableDeviations());
              givenUp += fast.givenUp;
              unionChecks += fast.unionChecks;
              assertThat(ref.givenUp).isZero();
            });
    // The give-up rule is exercised, not vacuous: a good share of the rejected unions is cut short.
    assertThat(givenUp).isGreaterThan(unionChecks / 10);
  }

  private static void assertSame(Evaluation a, Evaluation b) {
    assertThat(a.members()).containsExactly(b.members());
    assertThat(a.flows()).isEqualTo(b.flows());
    for (int f = 0; f < b.flows(); f++) {
      assertThat(a.flowSeller(f)).isEqualTo(b.flowSeller(f));
      assertThat(a.flowBuyer(f)).isEqualTo(b.flowBuyer(f));
      assertThat(a.flowEnergy(f)).isEqualTo(b.flowEnergy(f));
    }
    for (int k = 0; k < b.size(); k++) {
      assertThat(a.score(k)).isEqualTo(b.score(k));
      assertThat(a.loss(k)).isEqualTo(b.loss(k));
      assertThat(Evaluator.dual(a, k)).isEqualTo(Evaluator.dual(b, k));
    }
  }

  /** The public entry point runs the fast path and reports what the reference run forms. */
  @Test
  void form_matchesTheReferenceEngine_onTheBenchmarkCommunities() {
    for (ProfileGenerator.Distribution dist : ProfileGenerator.Distribution.values()) {
      Community c =
          Community.of(AREA, ProfileGenerator.thesisDefaults().generate(200, dist, AREA, 1));
      FormationResult r = CoalitionFormation.builder().countDeviations(false).build().form(c);
      FormationEngine ref = run(c, true);
      List<List<String>> refPartition =
          ref.result.stream()
              .map(
                  e -> Arrays.stream(e.members()).mapToObj(i -> c.prosumers().get(i).id()).toList())
              .toList();
      assertThat(r.coalitions().stream().map(Coalition::memberIds).toList())
          .as(dist.name())
          .isEqualTo(refPartition);
      assertThat(r.merges()).isEqualTo(ref.merges);
    }
  }
}

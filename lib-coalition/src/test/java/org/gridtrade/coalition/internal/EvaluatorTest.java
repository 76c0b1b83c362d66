package org.gridtrade.coalition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  static Network randomNetwork(SplittableRandom r, int n) {
    List<String> ids = new ArrayList<>();
    double[] bal = new double[n];
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      ids.add("P" + i);
      bal[i] = -15 + 25 * r.nextDouble();
      x[i] = 20 * r.nextDouble();
      y[i] = 20 * r.nextDouble();
    }
    double diag = Math.hypot(20, 20);
    return new Network(ids, bal, x, y, 10, 10, d -> 0.018 + 0.038 * d / diag);
  }

  /**
   * The duals used to prune merges are optimal: feasible (u_i + v_j >= gain_ij, u, v >= 0) and
   * their objective equals the optimal gain (strong duality), which is what makes the pruning
   * exact.
   */
  @Test
  void property_duals_areFeasibleAndOptimal() {
    qt().withFixedSeed(9)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom r = new SplittableRandom(seed);
              Network net = randomNetwork(r, 2 + r.nextInt(10));
              Evaluator ev = new Evaluator(net, MinCostFlowSolver.INSTANCE);
              Evaluation e = ev.solve(IntStream.range(0, net.size()).toArray());
              double primal = 0;
              for (int f = 0; f < e.flows(); f++) {
                primal += e.flowEnergy(f) * net.gain(e.flowSeller(f), e.flowBuyer(f));
              }
              double dual = 0;
              for (int p = 0; p < e.size(); p++) {
                assertThat(Evaluator.dual(e, p)).isGreaterThanOrEqualTo(0);
                dual += net.amount(e.member(p)) * Evaluator.dual(e, p);
                for (int q = 0; q < e.size(); q++) {
                  int i = e.member(p);
                  int j = e.member(q);
                  if (net.role(i) == Network.SELLER && net.role(j) == Network.BUYER) {
                    assertThat(Evaluator.dual(e, p) + Evaluator.dual(e, q))
                        .isGreaterThanOrEqualTo(net.gain(i, j) - 1e-9);
                  }
                }
              }
              assertThat(dual).isCloseTo(primal, within(1e-8));
              // Losses: total = all-EDC loss minus the gain.
              double alone = 0;
              for (int i = 0; i < net.size(); i++) {
                alone += net.standaloneLoss(i);
              }
              assertThat(e.totalLoss()).isCloseTo(alone - primal, within(1e-9));
            });
  }

  /** Inserting one coalition into another's optimum reaches the union's optimum (ojAlgo oracle). */
  @Test
  void property_union_byInsertion_matchesTheLpOptimum() {
    qt().withFixedSeed(10)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom r = new SplittableRandom(seed);
              Network net = randomNetwork(r, 2 + r.nextInt(14));
              Evaluator ev = new Evaluator(net, MinCostFlowSolver.INSTANCE);
              Evaluator lp = new Evaluator(net, OjAlgoLpSolver.INSTANCE);
              int cut = 1 + r.nextInt(net.size() - 1);
              int[] a = IntStream.range(0, cut).toArray();
              int[] b = IntStream.range(cut, net.size()).toArray();
              Evaluation u = ev.evaluateUnion(ev.evaluate(a), ev.evaluate(b));
              Evaluation ref = lp.solve(IntStream.range(0, net.size()).toArray());
              assertThat(u.totalLoss()).isCloseTo(ref.totalLoss(), within(1e-8));
              // Feasible: no prosumer trades more than its surplus or deficit.
              for (int k = 0; k < u.size(); k++) {
                assertThat(u.residual(k)).isBetween(-1e-9, net.amount(u.member(k)) + 1e-9);
              }
              // Its duals are optimal too (they drive the next merge checks).
              double primal = 0;
              for (int f = 0; f < u.flows(); f++) {
                primal += u.flowEnergy(f) * net.gain(u.flowSeller(f), u.flowBuyer(f));
              }
              double dual = 0;
              for (int p = 0; p < u.size(); p++) {
                dual += net.amount(u.member(p)) * Evaluator.dual(u, p);
              }
              assertThat(dual).isCloseTo(primal, within(1e-8));
            });
  }

  /**
   * The early give-up is sound: whenever evaluateUnionUnlessWorse gives up, the union solved to the
   * end leaves some member below its current score minus the tolerance; otherwise it returns the
   * very evaluation solved to the end. Current scores are the two sides' own (as in formation) or
   * those raised at random (so that give-ups are frequent).
   */
  @Test
  void property_givingUp_onlyWhenTheFullUnionMakesSomeoneLose() {
    int[] gaveUp = new int[1];
    qt().withFixedSeed(11)
        .withExamples(400)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom r = new SplittableRandom(seed);
              Network net = randomNetwork(r, 2 + r.nextInt(16));
              int n = net.size();
              int[] side = new int[n];
              for (int i = 0; i < n; i++) {
                side[i] = r.nextInt(2);
              }
              side[0] = 0;
              side[n - 1] = 1;
              int[] a = IntStream.range(0, n).filter(i -> side[i] == 0).toArray();
              int[] b = IntStream.range(0, n).filter(i -> side[i] == 1).toArray();
              Evaluator full = new Evaluator(net, MinCostFlowSolver.INSTANCE, true);
              Evaluator fast = new Evaluator(net, MinCostFlowSolver.INSTANCE);
              Evaluation ea = full.evaluate(a);
              Evaluation eb = full.evaluate(b);
              double[] current = new double[n];
              for (Evaluation e : new Evaluation[] {ea, eb}) {
                for (int k = 0; k < e.size(); k++) {
                  current[e.member(k)] = e.score(k) + (r.nextInt(3) == 0 ? r.nextDouble() : 0);
                }
              }
              double tol = 1e-9;
              Evaluation u = full.evaluateUnion(ea, eb);
              Evaluation g = fast.evaluateUnionUnlessWorse(ea, eb, current, tol);
              boolean someoneLoses = false;
              for (int k = 0; k < u.size(); k++) {
                someoneLoses |= u.score(k) < current[u.member(k)] - tol;
              }
              if (g == null) {
                gaveUp[0]++;
                assertThat(someoneLoses).as("gave up, yet nobody loses").isTrue();
                // Asked again without a bound, it is computed from the first request's sides.
                Evaluation again = fast.evaluateUnion(eb, ea);
                assertThat(again.members()).containsExactly(u.members());
                for (int k = 0; k < u.size(); k++) {
                  assertThat(again.score(k)).isEqualTo(u.score(k));
                }
              } else {
                assertThat(g.members()).containsExactly(u.members());
                for (int k = 0; k < u.size(); k++) {
                  assertThat(g.score(k)).isEqualTo(u.score(k));
                  assertThat(g.loss(k)).isEqualTo(u.loss(k));
                }
              }
            });
    assertThat(gaveUp[0]).isGreaterThan(20);
  }
}

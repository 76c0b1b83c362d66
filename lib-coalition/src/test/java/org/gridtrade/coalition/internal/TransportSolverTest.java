package org.gridtrade.coalition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TransportSolverTest {

  private static double objective(double[][] x, double[][] gain) {
    double t = 0;
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[i].length; j++) {
        t += gain[i][j] * x[i][j];
      }
    }
    return t;
  }

  private static void assertFeasible(double[][] x, double[] sup, double[] dem) {
    for (int i = 0; i < sup.length; i++) {
      double row = 0;
      for (int j = 0; j < dem.length; j++) {
        assertThat(x[i][j]).isGreaterThanOrEqualTo(0);
        row += x[i][j];
      }
      assertThat(row).isLessThanOrEqualTo(sup[i] + 1e-9);
    }
    for (int j = 0; j < dem.length; j++) {
      double col = 0;
      for (int i = 0; i < sup.length; i++) {
        col += x[i][j];
      }
      assertThat(col).isLessThanOrEqualTo(dem[j] + 1e-9);
    }
  }

  private record Instance(double[] sup, double[] dem, double[][] gain) {}

  private static Instance random(long seed, int maxS, int maxB) {
    SplittableRandom r = new SplittableRandom(seed);
    int s = 1 + r.nextInt(maxS);
    int b = 1 + r.nextInt(maxB);
    double[] sup = new double[s];
    double[] dem = new double[b];
    double[][] g = new double[s][b];
    for (int i = 0; i < s; i++) {
      sup[i] = 0.1 + 20 * r.nextDouble();
    }
    for (int j = 0; j < b; j++) {
      dem[j] = 0.1 + 20 * r.nextDouble();
    }
    for (int i = 0; i < s; i++) {
      for (int j = 0; j < b; j++) {
        g[i][j] = -0.02 + 0.1 * r.nextDouble();
      }
    }
    return new Instance(sup, dem, g);
  }

  @Test
  void property_minCostFlow_matchesOjAlgoLp() {
    qt().withFixedSeed(5)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Instance in = random(seed, 7, 7);
              double[][] fast = MinCostFlowSolver.INSTANCE.solve(in.sup, in.dem, in.gain);
              double[][] lp = OjAlgoLpSolver.INSTANCE.solve(in.sup, in.dem, in.gain);
              assertFeasible(fast, in.sup, in.dem);
              assertFeasible(lp, in.sup, in.dem);
              assertThat(objective(fast, in.gain)).isCloseTo(objective(lp, in.gain), within(1e-7));
            });
  }

  @Test
  void property_largeInstances_matchOjAlgoLp() {
    qt().withFixedSeed(6)
        .withExamples(15)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Instance in = random(seed, 30, 30);
              double[][] fast = MinCostFlowSolver.INSTANCE.solve(in.sup, in.dem, in.gain);
              double[][] lp = OjAlgoLpSolver.INSTANCE.solve(in.sup, in.dem, in.gain);
              assertFeasible(fast, in.sup, in.dem);
              assertThat(objective(fast, in.gain)).isCloseTo(objective(lp, in.gain), within(1e-6));
            });
  }

  @Test
  void oneSellerOneBuyer_closedForm() {
    double[][] x =
        MinCostFlowSolver.INSTANCE.solve(
            new double[] {5}, new double[] {3}, new double[][] {{0.01}});
    assertThat(x[0][0]).isCloseTo(3, within(1e-12));
    double[][] none =
        MinCostFlowSolver.INSTANCE.solve(
            new double[] {5}, new double[] {3}, new double[][] {{-0.01}});
    assertThat(none[0][0]).isZero();
  }

  /** One seller: the optimum fills buyers in decreasing gain while the gain is positive. */
  @Test
  void property_oneSeller_matchesGreedyOracle() {
    qt().withFixedSeed(7)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Instance in = random(seed, 1, 6);
              double greedy = greedyOneSide(in.sup[0], in.dem, in.gain[0]);
              double[][] x = MinCostFlowSolver.INSTANCE.solve(in.sup, in.dem, in.gain);
              assertThat(objective(x, in.gain)).isCloseTo(greedy, within(1e-9));
            });
  }

  /** One buyer: the mirror image. */
  @Test
  void property_oneBuyer_matchesGreedyOracle() {
    qt().withFixedSeed(8)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Instance in = random(seed, 6, 1);
              double[] col = new double[in.sup.length];
              for (int i = 0; i < col.length; i++) {
                col[i] = in.gain[i][0];
              }
              double greedy = greedyOneSide(in.dem[0], in.sup, col);
              double[][] x = MinCostFlowSolver.INSTANCE.solve(in.sup, in.dem, in.gain);
              assertThat(objective(x, in.gain)).isCloseTo(greedy, within(1e-9));
            });
  }

  private static double greedyOneSide(double amount, double[] caps, double[] gain) {
    List<Integer> order = new ArrayList<>();
    for (int j = 0; j < caps.length; j++) {
      order.add(j);
    }
    order.sort(Comparator.comparingDouble(j -> -gain[j]));
    double left = amount;
    double total = 0;
    for (int j : order) {
      if (gain[j] <= 0 || left <= 0) {
        break;
      }
      double x = Math.min(left, caps[j]);
      total += x * gain[j];
      left -= x;
    }
    return total;
  }

  @Test
  void emptySide_tradesNothing() {
    assertThat(MinCostFlowSolver.INSTANCE.solve(new double[] {1}, new double[0], new double[1][0]))
        .hasDimensions(1, 0);
    assertThat(
            Arrays.stream(
                OjAlgoLpSolver.INSTANCE.solve(new double[0], new double[] {1}, new double[0][1])))
        .isEmpty();
  }
}

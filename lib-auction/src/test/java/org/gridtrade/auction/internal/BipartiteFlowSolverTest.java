package org.gridtrade.auction.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BipartiteFlowSolverTest {

  /** A row wants 1e10 but a cell can carry at most 1e-300 · 1.8e308 ≈ 1.8e8 at a finite price. */
  private static final BipartiteFlowSolver.Problem UNREACHABLE =
      new BipartiteFlowSolver.Problem() {
        @Override
        public double flow(int i, int j, double t) {
          return t > 0 ? t * 1e-300 : 0;
        }

        @Override
        public double target(int i, double u, double total) {
          return 1e10;
        }
      };

  // Before the fix the row price went to +inf, the column price followed, the row gap at
  // inf - inf = NaN read as "too little flow" and the bracket search doubled its step forever.
  @Test
  void solve_rowPriceBeyondTheRangeOfDouble_stopsAndReportsFailure() {
    BipartiteFlowSolver s =
        new BipartiteFlowSolver(UNREACHABLE, new double[] {1e20}, new double[] {1}, new double[1]);

    boolean ok = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> s.solve(1e-12, 1_000));

    assertThat(ok).isFalse();
    assertThat(s.stalled()).isTrue();
    assertThat(s.rowPrices()[0]).isFinite();
  }

  @Test
  void solve_nonFiniteStartingPrice_stopsAndReportsFailure() {
    BipartiteFlowSolver.Problem linear =
        new BipartiteFlowSolver.Problem() {
          @Override
          public double flow(int i, int j, double t) {
            return Math.max(0, t);
          }

          @Override
          public double target(int i, double u, double total) {
            return 5;
          }
        };
    BipartiteFlowSolver s =
        new BipartiteFlowSolver(
            linear, new double[] {100}, new double[] {Double.NEGATIVE_INFINITY}, new double[1]);

    boolean ok = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> s.solve(1e-12, 1_000));

    assertThat(ok).isFalse();
  }

  @Test
  void solve_wellPosedRow_meetsItsTarget() {
    BipartiteFlowSolver.Problem linear =
        new BipartiteFlowSolver.Problem() {
          @Override
          public double flow(int i, int j, double t) {
            return Math.max(0, t);
          }

          @Override
          public double target(int i, double u, double total) {
            return 5;
          }
        };
    BipartiteFlowSolver s =
        new BipartiteFlowSolver(linear, new double[] {100, 100}, new double[] {0}, new double[2]);

    assertThat(s.solve(1e-12, 1_000)).isTrue();
    // two columns with zero capacity price share the row's 5 equally: u = 2.5
    assertThat(s.rowPrices()[0]).isCloseTo(2.5, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void solve_expiredBudget_stopsAfterTheFirstRowPass() {
    BipartiteFlowSolver.Problem linear =
        new BipartiteFlowSolver.Problem() {
          @Override
          public double flow(int i, int j, double t) {
            return Math.max(0, t);
          }

          @Override
          public double target(int i, double u, double total) {
            return 5;
          }
        };
    BipartiteFlowSolver s =
        new BipartiteFlowSolver(linear, new double[] {1}, new double[] {0}, new double[1]);

    assertThat(s.solve(1e-12, 1_000, Budget.of(Duration.ofNanos(1)))).isFalse();
    assertThat(s.sweeps()).isZero();
  }
}

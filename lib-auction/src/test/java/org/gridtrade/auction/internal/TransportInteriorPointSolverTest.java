package org.gridtrade.auction.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/**
 * The interior-point solver against ojAlgo's convex QP solver (quadratic row costs) and against the
 * optimality conditions written out here (a logarithmic row cost, which ojAlgo cannot take).
 */
class TransportInteriorPointSolverTest {

  /** A random feasible problem: a random point inside every bound is drawn first. */
  private record Problem(
      double[] a,
      double[] g,
      double[][] q,
      double[][] c,
      double[] lo,
      double[] hi,
      double[][] ub,
      double[] cap) {

    static Problem random(SplittableRandom r) {
      int n = 1 + r.nextInt(6);
      int m = 1 + r.nextInt(4);
      double[] a = new double[n];
      double[] g = new double[n];
      double[][] q = new double[n][m];
      double[][] c = new double[n][m];
      double[] lo = new double[n];
      double[] hi = new double[n];
      double[][] ub = new double[n][m];
      double[] cap = new double[m];
      double[] col = new double[m];
      for (int i = 0; i < n; i++) {
        // marginal values from 10 to 600 falling with the total (strictly: with a flat one
        // ojAlgo's active-set method can cycle)
        a[i] = r.nextDouble(0.01, 50);
        g[i] = -r.nextDouble(10, 600);
        double row = 0;
        for (int j = 0; j < m; j++) {
          q[i][j] = r.nextDouble(0.005, 0.5);
          c[i][j] = r.nextDouble(0, 60);
          ub[i][j] = r.nextInt(5) == 0 ? 0 : r.nextDouble(1, 250);
          double y = ub[i][j] * r.nextDouble();
          row += y;
          col[j] += y;
        }
        boolean fixed = r.nextInt(7) == 0;
        lo[i] = fixed ? row : row * r.nextDouble();
        hi[i] = fixed ? row : row + r.nextDouble(0, 100);
      }
      for (int j = 0; j < m; j++) {
        cap[j] = r.nextInt(6) == 0 ? col[j] : col[j] + r.nextDouble(0, 200);
      }
      return new Problem(a, g, q, c, lo, hi, ub, cap);
    }

    double objective(double[][] y) {
      double f = 0;
      for (int i = 0; i < lo.length; i++) {
        double t = 0;
        for (int j = 0; j < cap.length; j++) {
          t += y[i][j];
          f += 0.5 * q[i][j] * y[i][j] * y[i][j] + c[i][j] * y[i][j];
        }
        f += 0.5 * a[i] * t * t + g[i] * t;
      }
      return f;
    }
  }

  /** ojAlgo's solve of the same program. */
  private static double[][] ojAlgo(Problem p) {
    int n = p.lo().length;
    int m = p.cap().length;
    ExpressionsBasedModel model = new ExpressionsBasedModel();
    Expression objective = model.addExpression("objective").weight(1);
    Variable[][] y = new Variable[n][m];
    Expression[] cols = new Expression[m];
    for (int j = 0; j < m; j++) {
      cols[j] = model.addExpression("col" + j).upper(p.cap()[j]);
    }
    for (int i = 0; i < n; i++) {
      Variable t = model.addVariable("t" + i).lower(p.lo()[i]).upper(p.hi()[i]);
      objective.set(t, t, 0.5 * p.a()[i]);
      objective.set(t, p.g()[i]);
      Expression row = model.addExpression("row" + i).level(0);
      row.set(t, -1);
      for (int j = 0; j < m; j++) {
        y[i][j] = model.addVariable("y" + i + "_" + j).lower(0).upper(p.ub()[i][j]);
        objective.set(y[i][j], y[i][j], 0.5 * p.q()[i][j]);
        objective.set(y[i][j], p.c()[i][j]);
        row.set(y[i][j], 1);
        cols[j].set(y[i][j], 1);
      }
    }
    Optimisation.Result r = model.minimise();
    assertThat(r.getState().isOptimal()).as("ojAlgo: %s", r.getState()).isTrue();
    double[][] v = new double[n][m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        v[i][j] = y[i][j].getValue().doubleValue();
      }
    }
    return v;
  }

  @Test
  void property_quadraticRows_sameOptimumAsOjAlgo() {
    qt().withFixedSeed(71)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Problem p = Problem.random(new SplittableRandom(seed));
              TransportInteriorPointSolver s =
                  new TransportInteriorPointSolver(
                      p.a(), p.g(), p.q(), p.c(), p.lo(), p.hi(), p.ub(), p.cap());

              assertThat(s.solve(1e-10, 200, Budget.unlimited())).isTrue();

              double[][] y = s.flows();
              double[][] ref = ojAlgo(p);
              double scale = 1;
              for (int i = 0; i < y.length; i++) {
                for (int j = 0; j < y[i].length; j++) {
                  scale = Math.max(scale, p.ub()[i][j]);
                }
              }
              assertFeasible(p, y, 1e-8 * scale);
              assertThat(violation(p, ref)).as("ojAlgo's infeasibility").isLessThan(1e-8 * scale);
              double f = p.objective(y);
              double fRef = p.objective(ref);
              assertThat(f).isCloseTo(fRef, within(1e-7 * (1 + Math.abs(fRef))));
              // strictly convex in the cells: the optimum is one point
              for (int i = 0; i < y.length; i++) {
                for (int j = 0; j < y[i].length; j++) {
                  assertThat(y[i][j]).isCloseTo(ref[i][j], within(1e-4 * scale));
                }
              }
            });
  }

  @Test
  void property_logarithmicRows_meetTheOptimalityConditions() {
    qt().withFixedSeed(72)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom r = new SplittableRandom(seed);
              Problem p = Problem.random(r);
              int n = p.lo().length;
              int m = p.cap().length;
              // f_i(T) = −w_i ln(T − lo_i + 1): minus a logarithmic utility as in Eq. 4.1
              double[] w = new double[n];
              for (int i = 0; i < n; i++) {
                w[i] = r.nextDouble(10, 600);
              }
              TransportInteriorPointSolver s =
                  new TransportInteriorPointSolver(
                      new TransportInteriorPointSolver.RowCost() {
                        @Override
                        public double gradient(int i, double t) {
                          return -w[i] / (t - p.lo()[i] + 1);
                        }

                        @Override
                        public double curvature(int i, double t) {
                          double d = t - p.lo()[i] + 1;
                          return w[i] / (d * d);
                        }
                      },
                      p.q(),
                      p.c(),
                      p.lo(),
                      p.hi(),
                      p.ub(),
                      p.cap());

              assertThat(s.solve(1e-10, 200, Budget.unlimited())).isTrue();

              double[][] y = s.flows();
              double[] u = s.rowPrices();
              double[] alpha = s.columnPrices();
              double scale = 1;
              double price = 1;
              for (int i = 0; i < n; i++) {
                price = Math.max(price, w[i]);
                for (int j = 0; j < m; j++) {
                  scale = Math.max(scale, p.ub()[i][j]);
                  price = Math.max(price, p.c()[i][j] + p.q()[i][j] * p.ub()[i][j]);
                }
              }
              assertFeasible(p, y, 1e-8 * scale);
              double tol = 1e-6 * price;
              double near = 1e-6 * scale;
              for (int i = 0; i < n; i++) {
                double t = 0;
                boolean open = false;
                for (int j = 0; j < m; j++) {
                  t += y[i][j];
                  open |= p.ub()[i][j] > 0;
                }
                if (!open) {
                  continue; // a row without an open cell has no price to check
                }
                // the row's price is its marginal value, unless its total sits at a bound
                double value = w[i] / (t - p.lo()[i] + 1);
                if (t > p.lo()[i] + near && t < p.hi()[i] - near) {
                  assertThat(u[i]).isCloseTo(value, within(tol));
                } else if (t <= p.lo()[i] + near && t < p.hi()[i] - near) {
                  assertThat(u[i]).isGreaterThanOrEqualTo(value - tol);
                } else if (t >= p.hi()[i] - near && t > p.lo()[i] + near) {
                  assertThat(u[i]).isLessThanOrEqualTo(value + tol);
                }
                for (int j = 0; j < m; j++) {
                  if (p.ub()[i][j] == 0) {
                    continue;
                  }
                  // a cell's marginal cost equals the net price inside its bounds
                  double reduced = u[i] - alpha[j] - (p.c()[i][j] + p.q()[i][j] * y[i][j]);
                  if (y[i][j] > near && y[i][j] < p.ub()[i][j] - near) {
                    assertThat(reduced).isCloseTo(0, within(tol));
                  } else if (y[i][j] <= near) {
                    assertThat(reduced).isLessThanOrEqualTo(tol);
                  } else {
                    assertThat(reduced).isGreaterThanOrEqualTo(-tol);
                  }
                }
              }
              for (int j = 0; j < m; j++) {
                double col = 0;
                for (int i = 0; i < n; i++) {
                  col += y[i][j];
                }
                // a capacity price only where the capacity is used up
                if (col < p.cap()[j] - near) {
                  assertThat(alpha[j]).isLessThanOrEqualTo(tol);
                }
              }
            });
  }

  private static double violation(Problem p, double[][] y) {
    int n = p.lo().length;
    int m = p.cap().length;
    double v = 0;
    double[] col = new double[m];
    for (int i = 0; i < n; i++) {
      double t = 0;
      for (int j = 0; j < m; j++) {
        v = Math.max(v, Math.max(-y[i][j], y[i][j] - p.ub()[i][j]));
        t += y[i][j];
        col[j] += y[i][j];
      }
      v = Math.max(v, Math.max(p.lo()[i] - t, t - p.hi()[i]));
    }
    for (int j = 0; j < m; j++) {
      v = Math.max(v, col[j] - p.cap()[j]);
    }
    return v;
  }

  private static void assertFeasible(Problem p, double[][] y, double tol) {
    int n = p.lo().length;
    int m = p.cap().length;
    double[] col = new double[m];
    for (int i = 0; i < n; i++) {
      double t = 0;
      for (int j = 0; j < m; j++) {
        assertThat(y[i][j]).isBetween(0.0, p.ub()[i][j]);
        t += y[i][j];
        col[j] += y[i][j];
      }
      assertThat(t).as("row %d", i).isBetween(p.lo()[i] - tol, p.hi()[i] + tol);
    }
    for (int j = 0; j < m; j++) {
      assertThat(col[j]).as("column %d", j).isLessThanOrEqualTo(p.cap()[j] + tol);
    }
  }
}

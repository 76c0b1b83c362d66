package org.gridtrade.coalition.internal;

import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/**
 * The transfer LP stated as written (Eq. 3.11–3.15 as docs/coalition.md, "The model", states them)
 * and solved by ojAlgo's {@link ExpressionsBasedModel}. Slower than {@link MinCostFlowSolver}; kept
 * as the reference the fast solver is tested against and as a user-selectable option. Thread-safe:
 * each call builds its own model.
 */
public final class OjAlgoLpSolver implements TransportSolver {
  /** The shared instance. */
  public static final OjAlgoLpSolver INSTANCE = new OjAlgoLpSolver();

  private OjAlgoLpSolver() {}

  @Override
  public double[][] solve(double[] supply, double[] demand, double[][] gain) {
    int s = supply.length;
    int b = demand.length;
    double[][] x = new double[s][b];
    if (s == 0 || b == 0) {
      return x;
    }
    ExpressionsBasedModel model = new ExpressionsBasedModel();
    Variable[][] vars = new Variable[s][b];
    for (int i = 0; i < s; i++) {
      for (int j = 0; j < b; j++) {
        // Minimise -gain·X, i.e. the coalition's loss minus the all-EDC loss.
        vars[i][j] = model.addVariable("x_" + i + "_" + j).lower(0).weight(-gain[i][j]);
      }
    }
    for (int i = 0; i < s; i++) {
      Expression e = model.addExpression("seller_" + i).upper(supply[i]);
      for (int j = 0; j < b; j++) {
        e.set(vars[i][j], 1);
      }
    }
    for (int j = 0; j < b; j++) {
      Expression e = model.addExpression("buyer_" + j).upper(demand[j]);
      for (int i = 0; i < s; i++) {
        e.set(vars[i][j], 1);
      }
    }
    Optimisation.Result r = model.minimise();
    if (!r.getState().isOptimal() && !r.getState().isFeasible()) {
      throw new IllegalStateException("ojAlgo could not solve the transfer LP: " + r.getState());
    }
    for (int i = 0; i < s; i++) {
      for (int j = 0; j < b; j++) {
        x[i][j] = Math.max(0, vars[i][j].getValue().doubleValue());
      }
    }
    return x;
  }
}

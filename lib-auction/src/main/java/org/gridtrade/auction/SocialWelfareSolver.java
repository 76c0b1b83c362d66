package org.gridtrade.auction;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.gridtrade.auction.internal.Budget;
import org.gridtrade.auction.internal.DrModel;

/**
 * Solves the demand-response social welfare maximisation SWM directly (Aggarwal Eq. 4.3–4.4 with
 * the utility of Eq. 4.1 as docs/demand-response.md, "The model", states it: Aggarwal's {@code Σ_j
 * (e_ij − e_i^min)} is garbled; we use {@code η Σ_j e_ij − e_i^min}, consistent with its gradient
 * Eq. 4.6).
 *
 * <p>Method: the Lagrange dual in the SPs' capacity prices {@code α_j}. Given them, each EV's
 * problem is solved exactly by water-filling ({@code s_ji = (u_i − α_j − c2 − minPrice_j)/(2 c1)}
 * clipped to {@code [0, cellCapacity(i, j)]}: docs/demand-response.md, "Minimum prices") and a 1-D
 * search for {@code u_i}. The capacity prices are found by a projected Newton method; where it
 * stalls at a kink (EVs held at {@code e_min} sharing a nearly full SP), by a primal-dual
 * interior-point method followed by Newton from its prices, which puts every cell exactly at a
 * bound or at reduced price 0; as a last resort by exact block-coordinate ascent. The objective is
 * strictly concave, so the optimum is unique; a solve stops when the KKT residual (reported) is
 * below about 1e-12, which makes the welfare accurate to about 1e-9 relative or better. The work is
 * bounded (steps, sweeps and an optional time limit); a solve that stops at a limit is reported
 * with {@link SocialWelfareSolution#converged()} false, never by an exception or a hang. Stateless
 * and thread-safe.
 */
public final class SocialWelfareSolver {

  private SocialWelfareSolver() {}

  /**
   * The SWM optimum of an instance.
   *
   * @param instance the instance
   * @return the optimal allocation, welfare, multipliers and KKT residual
   */
  public static SocialWelfareSolution solve(DrInstance instance) {
    return solve(instance, Budget.unlimited());
  }

  /**
   * The SWM optimum of an instance, computed within a time limit.
   *
   * @param instance the instance
   * @param timeLimit the most wall-clock time, positive; when it runs out the last iterate is
   *     returned with {@link SocialWelfareSolution#converged()} false
   * @return the optimal (or last) allocation, welfare, multipliers and KKT residual
   * @throws IllegalArgumentException if the time limit is not positive
   */
  public static SocialWelfareSolution solve(DrInstance instance, Duration timeLimit) {
    return solve(instance, Budget.of(DemandResponseAuction.requirePositive(timeLimit)));
  }

  static SocialWelfareSolution solve(DrInstance instance, Budget budget) {
    Objects.requireNonNull(instance, "instance");
    DrModel.Solution s = DrModel.solveSwm(instance, budget);
    double[][] x = s.x();
    List<DrFlow> flows = flows(instance, x);
    List<Double> u = new ArrayList<>();
    for (double v : s.u()) {
      u.add(v);
    }
    List<Double> alpha = new ArrayList<>();
    for (double v : s.alpha()) {
      alpha.add(v);
    }
    return new SocialWelfareSolution(
        flows,
        DrModel.welfare(instance, x),
        u,
        alpha,
        DrModel.kktResidual(instance, x, s.u(), s.alpha()),
        s.sweeps(),
        s.converged());
  }

  static List<DrFlow> flows(DrInstance instance, double[][] x) {
    List<DrFlow> flows = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[i].length; j++) {
        double sji = Math.max(0, x[i][j]);
        flows.add(
            new DrFlow(
                instance.evs().get(i).id(), instance.sps().get(j).id(), instance.rho() * sji, sji));
      }
    }
    return flows;
  }
}

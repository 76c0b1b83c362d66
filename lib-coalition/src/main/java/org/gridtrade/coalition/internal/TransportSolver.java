package org.gridtrade.coalition.internal;

/**
 * Solves the transfer problem inside one coalition: maximise {@code Σ gain_ij · X_ij} subject to
 * {@code Σ_j X_ij <= supply_i}, {@code Σ_i X_ij <= demand_j}, {@code X >= 0}. With {@code gain_ij =
 * λ_iE + λ_jE − λ_ij} this is the loss-minimising LP of docs/coalition.md, "The model" (Eq.
 * 3.11–3.15) minus a constant: the loss of everyone trading with the EDC.
 */
public interface TransportSolver {
  /**
   * Solves one instance.
   *
   * @param supply sellers' surpluses, kWh, each more than 0
   * @param demand buyers' deficits, kWh, each more than 0
   * @param gain per-kWh gain of each seller–buyer pair, {@code gain[i][j]}
   * @return the transfers {@code X[i][j]}, kWh
   */
  double[][] solve(double[] supply, double[] demand, double[][] gain);
}

package org.gridtrade.auction;

import java.util.List;
import java.util.Objects;

/**
 * The social-welfare-maximising allocation of a demand-response instance (SWM, Aggarwal Eq.
 * 4.3–4.4) with the multipliers that certify it.
 *
 * <p>{@code evPrices.get(i)} is {@code u_i}, EV i's value of one more kWh of SP supply ({@code
 * ∂U_i/∂s_ji} plus {@code ηρ} times the net multiplier of its energy bounds); {@code
 * spShadowPrices.get(j)} is {@code α_j ≥ 0}, the multiplier of SP j's capacity. KKT: {@code u_i −
 * α_j = 2 c1 s_ji + c2} where {@code s_ji > 0}, {@code ≤} where {@code s_ji = 0}.
 *
 * @param allocation every (EV, SP) cell in EV-major order
 * @param welfare Σ U_i − Σ L_j at the allocation
 * @param evPrices u_i per EV, in instance order
 * @param spShadowPrices α_j per SP, in instance order
 * @param kktResidual the largest scaled violation of the KKT conditions (dimensionless)
 * @param sweeps solver steps used: Newton and interior-point steps, and block-coordinate sweeps
 *     where those fall back to them
 * @param converged true if the solver met its tolerance; false if it stopped at its sweep or time
 *     limit, in which case the allocation is the last iterate and {@code kktResidual} says how far
 *     it is from optimal
 */
public record SocialWelfareSolution(
    List<DrFlow> allocation,
    double welfare,
    List<Double> evPrices,
    List<Double> spShadowPrices,
    double kktResidual,
    int sweeps,
    boolean converged) {
  public SocialWelfareSolution {
    allocation = List.copyOf(Objects.requireNonNull(allocation, "allocation"));
    evPrices = List.copyOf(Objects.requireNonNull(evPrices, "evPrices"));
    spShadowPrices = List.copyOf(Objects.requireNonNull(spShadowPrices, "spShadowPrices"));
    if (!Double.isFinite(welfare)) {
      throw new IllegalArgumentException("welfare %s must be finite".formatted(welfare));
    }
    if (!(kktResidual >= 0)) {
      throw new IllegalArgumentException("kktResidual %s must be >= 0".formatted(kktResidual));
    }
  }
}

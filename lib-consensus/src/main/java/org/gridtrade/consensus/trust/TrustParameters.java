package org.gridtrade.consensus.trust;

/**
 * The units that turn ledger quantities into the counts the trust formulas scale with ξ, and the
 * trust a new validator starts from.
 *
 * @param betaUnitMillis how many milliseconds of registration make β = 1 (default one day), more
 *     than 0
 * @param coinUnitMicro how many micro-coins make γ = 1 (default one coin, 1,000,000), more than 0
 * @param baseValidatorTrust the trust a validator starts from before it proposed a block (Haider:
 *     3), 0 to 5
 */
public record TrustParameters(long betaUnitMillis, long coinUnitMicro, double baseValidatorTrust) {
  /** One day in milliseconds. */
  public static final long DAY_MILLIS = 86_400_000L;

  /** One day, one coin, base validator trust 3. */
  public static final TrustParameters DEFAULT = new TrustParameters(DAY_MILLIS, 1_000_000L, 3.0);

  /** Validates the ranges. */
  public TrustParameters {
    if (betaUnitMillis <= 0) {
      throw new IllegalArgumentException("betaUnitMillis %d must be > 0".formatted(betaUnitMillis));
    }
    if (coinUnitMicro <= 0) {
      throw new IllegalArgumentException("coinUnitMicro %d must be > 0".formatted(coinUnitMicro));
    }
    if (!(baseValidatorTrust >= 0 && baseValidatorTrust <= 5)) {
      throw new IllegalArgumentException(
          "baseValidatorTrust %s not in 0..5".formatted(baseValidatorTrust));
    }
  }

  /**
   * β for a registration age.
   *
   * @param ageMillis milliseconds since registration, negative counts as 0
   * @return the age in units of {@link #betaUnitMillis}
   */
  public double beta(long ageMillis) {
    return Math.max(0, ageMillis) / (double) betaUnitMillis;
  }

  /**
   * γ (or TC_b) for an amount of micro-coins.
   *
   * @param micro micro-coins, 0 or more
   * @return the amount in units of {@link #coinUnitMicro}
   */
  public double coins(long micro) {
    return micro / (double) coinUnitMicro;
  }
}

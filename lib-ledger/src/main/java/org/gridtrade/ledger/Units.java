package org.gridtrade.ledger;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The one place where the optimisation modules' {@code double} units become the ledger's integer
 * units, always rounding {@link RoundingMode#HALF_EVEN}.
 *
 * <p>Ledger units: energy in watt-hours (Wh), money in micro-coins (one coin = 10<sup>6</sup>
 * micro-coins). The examples price one coin as one cent, so cents/kWh become coins/kWh.
 */
public final class Units {
  /** Micro-coins in one coin. */
  public static final long MICRO_PER_COIN = 1_000_000L;

  /** Watt-hours in one kilowatt-hour. */
  public static final long WH_PER_KWH = 1_000L;

  private Units() {}

  /**
   * Converts kWh to Wh, rounding half-even.
   *
   * @param kWh energy in kilowatt-hours; finite
   * @return energy in watt-hours
   * @throws IllegalArgumentException if {@code kWh} is not finite or the result does not fit a
   *     {@code long}
   */
  public static long kWhToWh(double kWh) {
    return scaled("kWh", kWh, 3);
  }

  /**
   * Converts coins (the examples' cents) to micro-coins, rounding half-even.
   *
   * @param coins an amount of money in coins; finite
   * @return the amount in micro-coins
   * @throws IllegalArgumentException if {@code coins} is not finite or the result does not fit a
   *     {@code long}
   */
  public static long coinsToMicro(double coins) {
    return scaled("coins", coins, 6);
  }

  /**
   * The payment for {@code energyWh} at {@code priceMicroPerKWh}: {@code energyWh × price / 1000},
   * rounded half-even, computed exactly.
   *
   * @param energyWh energy in Wh, 0 or more
   * @param priceMicroPerKWh unit price in micro-coins per kWh, 0 or more
   * @return the payment in micro-coins
   * @throws ArithmeticException if the payment does not fit a {@code long}
   * @throws IllegalArgumentException if an argument is negative
   */
  public static long paymentMicro(long energyWh, long priceMicroPerKWh) {
    if (energyWh < 0) {
      throw new IllegalArgumentException("energyWh %d < 0".formatted(energyWh));
    }
    if (priceMicroPerKWh < 0) {
      throw new IllegalArgumentException("priceMicroPerKWh %d < 0".formatted(priceMicroPerKWh));
    }
    return BigDecimal.valueOf(energyWh)
        .multiply(BigDecimal.valueOf(priceMicroPerKWh))
        .divide(BigDecimal.valueOf(WH_PER_KWH), 0, RoundingMode.HALF_EVEN)
        .longValueExact();
  }

  private static long scaled(String field, double value, int decimals) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("%s %s is not finite".formatted(field, value));
    }
    try {
      return BigDecimal.valueOf(value)
          .movePointRight(decimals)
          .setScale(0, RoundingMode.HALF_EVEN)
          .longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "%s %s does not fit a long after scaling by 10^%d".formatted(field, value, decimals), e);
    }
  }
}

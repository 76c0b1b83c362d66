package org.gridtrade.ledger;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The one bridge between the mechanisms' units and the ledger's: the optimisation modules work in
 * {@code double} kWh, cents and cents/kWh; the ledger stores {@code long} watt-hours and
 * micro-coins.
 *
 * <p>The coin is defined here and nowhere else:
 *
 * <ul>
 *   <li>1 coin = 100 cents = 1,000,000 micro-coins, so 1 cent = 10,000 micro-coins;
 *   <li>1 kWh = 1,000 Wh;
 *   <li>a price of {@code p} cents/kWh is {@code p × 10,000} micro-coins per kWh (the ledger keeps
 *       prices per kWh and energy in Wh, see {@link #paymentMicro}).
 * </ul>
 *
 * <p>Every conversion to a ledger unit reads the {@code double} as its shortest decimal form
 * ({@link Double#toString}) and rounds {@link RoundingMode#HALF_EVEN} to a whole unit, computed
 * exactly in {@link BigDecimal}; a value that is not finite or whose result does not fit a {@code
 * long} is rejected with an {@link IllegalArgumentException} naming the field. Conversions back to
 * the mechanisms' units are exact up to {@code double} precision (the nearest {@code double} to the
 * exact decimal quotient). Negative amounts are allowed (net energy, balance changes).
 */
public final class Units {
  /** Micro-coins in one coin. */
  public static final long MICRO_PER_COIN = 1_000_000L;

  /** Cents in one coin. */
  public static final long CENTS_PER_COIN = 100L;

  /** Micro-coins in one cent: {@code MICRO_PER_COIN / CENTS_PER_COIN}. */
  public static final long MICRO_PER_CENT = MICRO_PER_COIN / CENTS_PER_COIN;

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
   * Converts Wh to kWh.
   *
   * @param wh energy in watt-hours
   * @return energy in kilowatt-hours, the {@code double} nearest to {@code wh / 1000}
   */
  public static double whToKWh(long wh) {
    return BigDecimal.valueOf(wh, 3).doubleValue();
  }

  /**
   * Converts cents to micro-coins (1 cent = 10,000 micro-coins), rounding half-even.
   *
   * @param cents an amount of money in cents; finite
   * @return the amount in micro-coins
   * @throws IllegalArgumentException if {@code cents} is not finite or the result does not fit a
   *     {@code long}
   */
  public static long centsToMicro(double cents) {
    return scaled("cents", cents, 4);
  }

  /**
   * Converts micro-coins to cents.
   *
   * @param micro an amount of money in micro-coins
   * @return the amount in cents, the {@code double} nearest to {@code micro / 10,000}
   */
  public static double microToCents(long micro) {
    return BigDecimal.valueOf(micro, 4).doubleValue();
  }

  /**
   * Converts a price in cents/kWh to the ledger's micro-coins per kWh, rounding half-even.
   *
   * @param centsPerKWh a price in cents per kilowatt-hour; finite
   * @return the price in micro-coins per kilowatt-hour
   * @throws IllegalArgumentException if {@code centsPerKWh} is not finite or the result does not
   *     fit a {@code long}
   */
  public static long centsPerKWhToMicroPerKWh(double centsPerKWh) {
    return scaled("centsPerKWh", centsPerKWh, 4);
  }

  /**
   * Converts a ledger price in micro-coins per kWh to cents/kWh.
   *
   * @param microPerKWh a price in micro-coins per kilowatt-hour
   * @return the price in cents per kilowatt-hour, the {@code double} nearest to {@code microPerKWh
   *     / 10,000}
   */
  public static double microPerKWhToCentsPerKWh(long microPerKWh) {
    return BigDecimal.valueOf(microPerKWh, 4).doubleValue();
  }

  /**
   * Converts coins (100 cents each) to micro-coins, rounding half-even.
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
   * Converts micro-coins to coins.
   *
   * @param micro an amount of money in micro-coins
   * @return the amount in coins, the {@code double} nearest to {@code micro / 1,000,000}
   */
  public static double microToCoins(long micro) {
    return BigDecimal.valueOf(micro, 6).doubleValue();
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
      throw new IllegalArgumentException(
          "%s %s is not finite; it must be a finite number".formatted(field, value));
    }
    try {
      return BigDecimal.valueOf(value)
          .movePointRight(decimals)
          .setScale(0, RoundingMode.HALF_EVEN)
          .longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "%s %s is out of range: times 10^%d it must fit a long (|x| <= %d)"
              .formatted(field, value, decimals, Long.MAX_VALUE),
          e);
    }
  }
}

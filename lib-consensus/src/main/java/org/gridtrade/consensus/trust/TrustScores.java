package org.gridtrade.consensus.trust;

import java.util.List;
import java.util.Objects;

/**
 * The trust formulas of Haider Ch. 4 (Alg. 1–4) as docs/trust.md, "Formulas", states them: pure
 * functions on a 0–5 scale.
 *
 * <ul>
 *   <li>{@link #xi ξ(x)} {@code = 5 / (1 + e^(−0.5 x))} maps an unbounded count into (0, 5).
 *   <li>{@link #traderTrust Alg. 1}: {@code temp = (α + ξ(β) + ξ(γ)) / 3}, {@code NTS = (n · PTS +
 *       temp) / (n + 1)}. Haider sums the three terms without dividing and applies ξ to β twice;
 *       both are typos (the scores live on a 0–5 scale, and γ is the coins traded).
 *   <li>{@link #platformTrust Alg. 2}: {@code NTSP = (FN · PTSP + (δ + ε)/2) / (FN + 1)}.
 *   <li>{@link #blockTrustCoins Alg. 3}: {@code ρ_b = R_b + λ_b + ω_b + tv_b}, {@code R_b = 5},
 *       {@code λ_b = Σ tf_i · ts_i}, {@code ω_b = 1/(1 + e^(−0.5 θ_b))}, {@code θ_b = Σ mt_i}.
 *   <li>{@link #validatorBlockTrust Alg. 4}: {@code avg = (ξ(β_v) + ξ(TC_b) + ξ(|TL_b|)) / 3} (seed
 *       004 divides by 2, a typo for 3 terms), {@code tv_b = (1/|V'|) Σ_{i∈V'} avg · trust(i) / 5};
 *       {@link #validatorTrust} {@code NTS_v = (PTS_v · |PB_v| + tv_b) / (|PB_v| + 1)}.
 * </ul>
 *
 * <p>Every function uses {@link StrictMath}, so every node computes bit-identical scores.
 *
 * <p><b>Trust rating points</b> ({@link #trp}, for lib-auction's trust-rated access, Haider §3.5;
 * docs/trust.md, "Trust rating points"): TRP 4 from a trust score of {@value #TRP4_MIN}, TRP 3 from
 * {@value #TRP3_MIN}, TRP 2 from {@value #TRP2_MIN}, TRP 1 below (and for an account never rated,
 * whose trust is 0). A trader rated 5 every time reaches 4.17 on its first day ({@code (5 + ξ(0) +
 * ξ(γ→∞))/3}) and 4.5 from about the second day; one rated 1 every time stays below 3.67 however
 * long it trades.
 */
public final class TrustScores {
  /** Lowest trust score for TRP 2. */
  public static final double TRP2_MIN = 3.5;

  /** Lowest trust score for TRP 3. */
  public static final double TRP3_MIN = 4.0;

  /** Lowest trust score for TRP 4. */
  public static final double TRP4_MIN = 4.5;

  /** Alg. 3's fixed block reward {@code R_b}, in trust coins. */
  public static final double BLOCK_REWARD = 5;

  private TrustScores() {}

  /**
   * The sigmoid scaler ξ of Haider Eq. 4.1.
   *
   * @param x a count, finite
   * @return {@code 5 / (1 + e^(−0.5 x))}, in (0, 5)
   * @throws IllegalArgumentException if {@code x} is not finite
   */
  public static double xi(double x) {
    finite("x", x);
    return 5 / (1 + StrictMath.exp(-0.5 * x));
  }

  /**
   * Alg. 1's per-transaction trust {@code temp = (α + ξ(β) + ξ(γ)) / 3}.
   *
   * @param rating the rating α received, 1 to 5
   * @param beta time registered β, in the configured unit (days by default), 0 or more
   * @param gamma coins traded γ, in the configured unit (coins by default), 0 or more
   * @return the transaction's trust, in (1, 5)
   * @throws IllegalArgumentException if an argument is out of range
   */
  public static double transactionTrust(int rating, double beta, double gamma) {
    if (rating < 1 || rating > 5) {
      throw new IllegalArgumentException("rating %d not in 1..5".formatted(rating));
    }
    nonNegative("beta", beta);
    nonNegative("gamma", gamma);
    return (rating + xi(beta) + xi(gamma)) / 3;
  }

  /**
   * Alg. 1: a trader's new trust after one more rated transaction, the weighted mean {@code (n ·
   * PTS + temp) / (n + 1)}.
   *
   * @param previous PTS, the trust before, 0 to 5
   * @param n how many rated transactions made up {@code previous}, 0 or more
   * @param rating the rating α received, 1 to 5
   * @param beta time registered β in the configured unit, 0 or more
   * @param gamma coins traded γ in the configured unit, 0 or more
   * @return NTS, 0 to 5
   * @throws IllegalArgumentException if an argument is out of range
   */
  public static double traderTrust(double previous, long n, int rating, double beta, double gamma) {
    score("previous", previous);
    count("n", n);
    return Math.min(5, (n * previous + transactionTrust(rating, beta, gamma)) / (n + 1));
  }

  /**
   * Alg. 2: the platform's new trust after one more feedback, {@code (FN · PTSP + (δ + ε)/2) / (FN
   * + 1)}.
   *
   * @param previous PTSP, 0 to 5
   * @param feedbacks FN, the earlier feedback count, 0 or more
   * @param humanExperience δ, 0 to 5
   * @param serviceExperience ε, 0 to 5
   * @return NTSP, 0 to 5
   * @throws IllegalArgumentException if an argument is out of range
   */
  public static double platformTrust(
      double previous, long feedbacks, double humanExperience, double serviceExperience) {
    score("previous", previous);
    count("feedbacks", feedbacks);
    score("humanExperience", humanExperience);
    score("serviceExperience", serviceExperience);
    return Math.min(
        5, (feedbacks * previous + (humanExperience + serviceExperience) / 2) / (feedbacks + 1));
  }

  /**
   * One trade of a block, as Alg. 3 sees it.
   *
   * @param trustFee tf_i, the trust fee paid, in trust coins, 0 or more
   * @param buyerTrust ts_i, the buyer's trust, 0 to 5
   * @param money mt_i, the money transacted, in trust coins, 0 or more
   */
  public record BlockTrade(double trustFee, double buyerTrust, double money) {
    /** Validates the ranges. */
    public BlockTrade {
      nonNegative("trustFee", trustFee);
      score("buyerTrust", buyerTrust);
      nonNegative("money", money);
    }
  }

  /**
   * Alg. 3: the trust coins of a block, {@code ρ_b = 5 + Σ tf_i · ts_i + 1/(1 + e^(−0.5 θ_b)) +
   * tv_b}.
   *
   * @param trades the block's trades
   * @param validatorTrust tv_b of the block ({@link #validatorBlockTrust}), 0 to 5
   * @return ρ_b, 5 or more
   * @throws IllegalArgumentException if {@code validatorTrust} is out of range
   */
  public static double blockTrustCoins(List<BlockTrade> trades, double validatorTrust) {
    Objects.requireNonNull(trades, "trades");
    score("validatorTrust", validatorTrust);
    double lambda = 0;
    double theta = 0;
    for (BlockTrade t : trades) {
      lambda += t.trustFee() * t.buyerTrust();
      theta += t.money();
    }
    return BLOCK_REWARD + lambda + 1 / (1 + StrictMath.exp(-0.5 * theta)) + validatorTrust;
  }

  /**
   * Alg. 4: the trust value {@code tv_b} the other validators give a block's proposer, {@code avg ·
   * mean(trust(i)) / 5} with {@code avg = (ξ(β_v) + ξ(TC_b) + ξ(|TL_b|)) / 3}. With no other
   * validator the mean is taken as 5 ({@code tv_b = avg}).
   *
   * @param beta the proposer's time registered β_v in the configured unit, 0 or more
   * @param coinsTraded TC_b, coins traded in the block in the configured unit, 0 or more
   * @param transactions |TL_b|, the block's transaction count, 0 or more
   * @param otherValidatorTrusts trust(i) of the other validators V', each 0 to 5
   * @return tv_b, 0 to 5
   * @throws IllegalArgumentException if an argument is out of range
   */
  public static double validatorBlockTrust(
      double beta, double coinsTraded, long transactions, double[] otherValidatorTrusts) {
    nonNegative("beta", beta);
    nonNegative("coinsTraded", coinsTraded);
    count("transactions", transactions);
    double avg = (xi(beta) + xi(coinsTraded) + xi(transactions)) / 3;
    if (otherValidatorTrusts.length == 0) {
      return avg;
    }
    double sum = 0;
    for (double t : otherValidatorTrusts) {
      score("otherValidatorTrusts[i]", t);
      sum += avg * t / 5;
    }
    return sum / otherValidatorTrusts.length;
  }

  /**
   * Alg. 4: a validator's new trust after proposing one more block, {@code (PTS_v · |PB_v| + tv_b)
   * / (|PB_v| + 1)}.
   *
   * @param previous PTS_v, 0 to 5
   * @param proposedBlocks |PB_v|, blocks it proposed before, 0 or more
   * @param blockTrust tv_b, 0 to 5
   * @return NTS_v, 0 to 5
   * @throws IllegalArgumentException if an argument is out of range
   */
  public static double validatorTrust(double previous, long proposedBlocks, double blockTrust) {
    score("previous", previous);
    count("proposedBlocks", proposedBlocks);
    score("blockTrust", blockTrust);
    return Math.min(5, (previous * proposedBlocks + blockTrust) / (proposedBlocks + 1));
  }

  /**
   * Trust rating points for trust-rated market access: 4 from {@value #TRP4_MIN}, 3 from {@value
   * #TRP3_MIN}, 2 from {@value #TRP2_MIN}, else 1.
   *
   * @param trust a trust score, 0 to 5
   * @return TRP 1 to 4
   * @throws IllegalArgumentException if {@code trust} is out of range
   */
  public static int trp(double trust) {
    score("trust", trust);
    if (trust >= TRP4_MIN) {
      return 4;
    }
    if (trust >= TRP3_MIN) {
      return 3;
    }
    return trust >= TRP2_MIN ? 2 : 1;
  }

  private static void finite(String field, double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("%s %s must be finite".formatted(field, v));
    }
  }

  private static void nonNegative(String field, double v) {
    if (!(v >= 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException("%s %s must be finite and >= 0".formatted(field, v));
    }
  }

  private static void score(String field, double v) {
    if (!(v >= 0 && v <= 5)) {
      throw new IllegalArgumentException("%s %s not in 0..5".formatted(field, v));
    }
  }

  private static void count(String field, long v) {
    if (v < 0) {
      throw new IllegalArgumentException("%s %d must be >= 0".formatted(field, v));
    }
  }
}

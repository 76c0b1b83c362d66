package org.gridtrade.coalition;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Random prosumer profiles for one daily slot (Moniruzzaman §3.4.4): consumption and generation
 * drawn from a distribution with the Ausgrid daily means (12.41 kWh consumption, 7.45 kWh
 * generation) and standard deviation 8.0 kWh, locations uniform over the area. Deterministic for a
 * seed; immutable and thread-safe.
 *
 * <p><b>Negative draws.</b> Energy cannot be negative. {@link Distribution#LOGNORMAL} is positive
 * by construction and keeps the nominal mean and standard deviation exactly ({@code σ² = ln(1 +
 * sd²/mean²)}, {@code μ = ln(mean) − σ²/2}). {@link Distribution#NORMAL} and {@link
 * Distribution#UNIFORM} (on {@code mean ± √3·sd}, which has the nominal mean and sd) are truncated
 * at zero by redrawing negative values; this raises the realised mean and lowers the sd, more for
 * generation, whose mean is closer to zero: normal consumption ≈ 13.3 kWh (sd ≈ 7.1), normal
 * generation ≈ 9.6 kWh (sd ≈ 6.2); uniform consumption ≈ 13.4 (sd ≈ 7.1), uniform generation ≈ 10.6
 * (sd ≈ 6.0). Moniruzzaman does not say how negatives were handled; truncation keeps every
 * prosumer's profile a draw from one stated distribution.
 *
 * @param meanConsumption nominal mean consumption, kWh, finite and more than 0
 * @param meanGeneration nominal mean generation, kWh, finite and more than 0
 * @param sd nominal standard deviation, kWh, finite and more than 0
 */
public record ProfileGenerator(double meanConsumption, double meanGeneration, double sd) {

  /** The distribution of daily energy. */
  public enum Distribution {
    /** Normal, truncated at zero. */
    NORMAL,
    /** Uniform on {@code mean ± √3·sd}, truncated at zero. */
    UNIFORM,
    /** Log-normal with the nominal mean and sd. */
    LOGNORMAL
  }

  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException naming the field when a value is not finite and positive
   */
  public ProfileGenerator {
    check("meanConsumption", meanConsumption);
    check("meanGeneration", meanGeneration);
    check("sd", sd);
  }

  private static void check(String field, double v) {
    if (!Double.isFinite(v) || v <= 0) {
      throw new IllegalArgumentException("%s %s must be finite and > 0".formatted(field, v));
    }
  }

  /**
   * The parameters of Moniruzzaman's thesis (§3.4.4): 12.41, 7.45 and 8.0 kWh.
   *
   * @return the generator
   */
  public static ProfileGenerator thesisDefaults() {
    return new ProfileGenerator(12.41, 7.45, 8.0);
  }

  /**
   * Generates prosumers {@code P0 … P(n−1)}.
   *
   * @param n how many, 1 to 1,000,000 (a {@link Community} takes at most {@link
   *     Community#MAX_PROSUMERS})
   * @param distribution the distribution
   * @param area the area (locations are uniform over it)
   * @param seed the random seed
   * @return the prosumers
   * @throws IllegalArgumentException if n is out of range
   */
  public List<Prosumer> generate(int n, Distribution distribution, Area area, long seed) {
    Objects.requireNonNull(distribution, "distribution");
    Objects.requireNonNull(area, "area");
    if (n < 1 || n > 1_000_000) {
      throw new IllegalArgumentException("n %d must be in 1..1000000".formatted(n));
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Prosumer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double c = draw(rnd, distribution, meanConsumption);
      double g = draw(rnd, distribution, meanGeneration);
      double x = rnd.nextDouble() * area.width();
      double y = rnd.nextDouble() * area.height();
      out.add(new Prosumer("P" + i, g, c, x, y));
    }
    return out;
  }

  private double draw(SplittableRandom rnd, Distribution d, double mean) {
    switch (d) {
      case LOGNORMAL -> {
        double s2 = Math.log(1 + sd * sd / (mean * mean));
        double mu = Math.log(mean) - s2 / 2;
        return Math.exp(mu + Math.sqrt(s2) * gaussian(rnd));
      }
      case NORMAL -> {
        while (true) {
          double v = mean + sd * gaussian(rnd);
          if (v >= 0) {
            return v;
          }
        }
      }
      default -> {
        double half = Math.sqrt(3) * sd;
        while (true) {
          double v = mean - half + 2 * half * rnd.nextDouble();
          if (v >= 0) {
            return v;
          }
        }
      }
    }
  }

  // Marsaglia polar method: SplittableRandom has no nextGaussian on Java 17.
  private static double gaussian(SplittableRandom rnd) {
    while (true) {
      double u = 2 * rnd.nextDouble() - 1;
      double v = 2 * rnd.nextDouble() - 1;
      double s = u * u + v * v;
      if (s > 0 && s < 1) {
        return u * Math.sqrt(-2 * Math.log(s) / s);
      }
    }
  }
}

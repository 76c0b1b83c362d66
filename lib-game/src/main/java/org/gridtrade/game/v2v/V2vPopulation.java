package org.gridtrade.game.v2v;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * EVs drawn as in Moniruzzaman Table 4.1: arrival {@code N(7, 1²)} clipped to [4, 10], departure
 * {@code N(18, 1²)} clipped to [8, 22], initial SOC {@code N(0.5, 0.1²)} clipped to [0.4, 0.9]
 * ({@link #normal}); or uniform over the same ranges ({@link #uniform}, the "UD" data of Fig.
 * 4.10). Times are rounded to whole hours (slots are hourly); a departure not after the arrival
 * becomes arrival + 1. Everything else (battery, charger, SOC limits, {@code η}, mode, tariff)
 * comes from a template scenario.
 *
 * @param uniform whether to draw uniformly instead of from the normal distributions
 * @param template the scenario whose other fields every drawn EV shares
 */
public record V2vPopulation(boolean uniform, V2vScenario template) {

  /**
   * Validates the population.
   *
   * @throws NullPointerException when the template is null
   */
  public V2vPopulation {
    Objects.requireNonNull(template, "template");
  }

  /**
   * Table 4.1's normal distributions.
   *
   * @param template the shared fields
   * @return the population
   */
  public static V2vPopulation normal(V2vScenario template) {
    return new V2vPopulation(false, template);
  }

  /**
   * The uniform variant over Table 4.1's ranges.
   *
   * @param template the shared fields
   * @return the population
   */
  public static V2vPopulation uniform(V2vScenario template) {
    return new V2vPopulation(true, template);
  }

  /**
   * Draws one EV: arrival, then departure, then initial SOC (three draws from {@code rng}).
   *
   * @param rng the source of randomness
   * @return the EV's scenario
   */
  public V2vScenario sample(RandomGenerator rng) {
    Objects.requireNonNull(rng, "rng");
    double a = draw(rng, 7, 1, 4, 10);
    double d = draw(rng, 18, 1, 8, 22);
    double soc = draw(rng, 0.5, 0.1, 0.4, 0.9);
    int arrival = (int) Math.round(a);
    int departure = (int) Math.round(d);
    if (departure <= arrival) {
      departure = arrival + 1;
    }
    return template.withDay(arrival, departure, soc);
  }

  private double draw(RandomGenerator rng, double mean, double sd, double lo, double hi) {
    if (uniform) {
      return lo + (hi - lo) * rng.nextDouble();
    }
    return Math.max(lo, Math.min(hi, mean + sd * rng.nextGaussian()));
  }
}

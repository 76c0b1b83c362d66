package org.gridtrade.game.stackelberg;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded generator of EV fleets for the 08:00-to-08:00 scheduling day (hour index 0 = 08:00),
 * standing in for Aggarwal's 113-customer data set, which is not public.
 *
 * <p>Distributions (clock times; index = clock hour − 8, mod 24):
 *
 * <ul>
 *   <li><b>Arrival</b>: 70 % home charging, arriving at a normal time with mean 18:00 and standard
 *       deviation 1.5 h, clipped to 14:00–23:00; 30 % daytime charging, arriving uniformly
 *       08:00–13:00.
 *   <li><b>Window</b>: home charging leaves at a normal time with mean 07:00 and standard deviation
 *       1 h, clipped to 04:00–07:00 (the window then ends at that hour, at the latest index 23 =
 *       07:00–08:00); daytime charging stays 3 to 9 hours (uniform).
 *   <li><b>Charger</b> {@code alphaMax}: 3.7 kW (40 %), 7.4 kW (50 %), 11 kW (10 %); one hour at
 *       full power gives {@code alphaMax} kWh.
 *   <li><b>Daily energy</b>: log-normal with median 10 kWh and log-sd 0.5, clipped to 2–40 kWh and
 *       to what the window allows ({@code M·alphaMax}), rounded to 0.01 kWh.
 *   <li><b>alphaMin</b>: 0 for 70 % of EVs; otherwise 10 % of {@code alphaMax} (a trickle the
 *       charger keeps), lowered to {@code E/M} if needed.
 * </ul>
 *
 * Same {@code n} and {@code seed} give the same fleet. Stateless and thread-safe.
 */
public final class EvGenerator {

  private EvGenerator() {}

  /**
   * A random fleet.
   *
   * @param n number of EVs, 0 or more
   * @param seed random seed
   * @return EVs named {@code EV1..EVn}
   * @throws IllegalArgumentException when n is negative
   */
  public static List<Ev> random(int n, long seed) {
    if (n < 0) {
      throw new IllegalArgumentException("n %d must be >= 0".formatted(n));
    }
    SplittableRandom rng = new SplittableRandom(seed);
    List<Ev> evs = new ArrayList<>(n);
    for (int j = 1; j <= n; j++) {
      int start;
      int end;
      if (rng.nextDouble() < 0.7) {
        double arrival = clamp(18 + 1.5 * gaussian(rng), 14, 23);
        double departure = clamp(7 + gaussian(rng), 4, 7);
        start = (int) Math.floor(arrival) - 8;
        end = (int) Math.floor(departure) + 24 - 8;
      } else {
        start = rng.nextInt(0, 6);
        end = Math.min(23, start + rng.nextInt(3, 10) - 1);
      }
      int m = end - start + 1;
      double u = rng.nextDouble();
      double alphaMax = u < 0.4 ? 3.7 : u < 0.9 ? 7.4 : 11.0;
      double energy = clamp(10 * Math.exp(0.5 * gaussian(rng)), 2, 40);
      energy = Math.floor(Math.min(energy, m * alphaMax) * 100) / 100;
      double alphaMin = rng.nextDouble() < 0.7 ? 0 : 0.1 * alphaMax;
      alphaMin = Math.floor(Math.min(alphaMin, energy / m) * 1000) / 1000;
      evs.add(new Ev("EV" + j, start, end, energy, alphaMin, alphaMax));
    }
    return List.copyOf(evs);
  }

  private static double gaussian(SplittableRandom rng) {
    // Box–Muller: SplittableRandom has no nextGaussian on Java 17 without RandomGenerator's
    // default.
    double u1 = 1 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}

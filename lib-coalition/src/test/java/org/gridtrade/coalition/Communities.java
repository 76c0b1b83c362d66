package org.gridtrade.coalition;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random test communities. */
final class Communities {
  private Communities() {}

  static Community random(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Prosumer> ps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double p = r.nextInt(4) == 0 ? 0 : 20 * r.nextDouble();
      double c = 20 * r.nextDouble();
      ps.add(new Prosumer("P" + i, p, c, 20 * r.nextDouble(), 20 * r.nextDouble()));
    }
    return Community.of(Area.square(20), ps);
  }
}

package org.gridtrade.auction.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MeritOrderTest {

  /**
   * The packed-key sort equals a plain comparator sort by (price, index), including exact ties,
   * prices one ulp apart (same truncated key), long runs of near-equal prices and zero.
   */
  @Test
  void property_sort_matchesComparatorSort() {
    qt().withFixedSeed(3_1L)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rnd = new SplittableRandom(seed);
              int n = rnd.nextInt(8) == 0 ? rnd.nextInt(20_000) : rnd.nextInt(400);
              double[] p = new double[n];
              double base = rnd.nextDouble(50);
              for (int i = 0; i < n; i++) {
                p[i] =
                    switch (rnd.nextInt(4)) {
                      case 0 -> rnd.nextInt(5);
                      case 1 -> base + rnd.nextInt(60) * Math.ulp(base);
                      case 2 -> rnd.nextDouble(100);
                      default -> 0.0;
                    };
              }
              for (boolean desc : new boolean[] {false, true}) {
                Comparator<Integer> byPrice = Comparator.comparingDouble(i -> p[i]);
                Comparator<Integer> cmp =
                    (desc ? byPrice.reversed() : byPrice).thenComparing(Comparator.naturalOrder());
                int[] expected =
                    IntStream.range(0, n).boxed().sorted(cmp).mapToInt(Integer::intValue).toArray();
                assertThat(MeritOrder.sort(p, desc))
                    .as("desc=%s %s", desc, Arrays.toString(p))
                    .containsExactly(expected);
              }
            });
  }

  @Test
  void requireUniqueIds_namesTheDuplicate() {
    String[] ids = new String[2000];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = "o" + i;
    }
    MeritOrder.requireUniqueIds(ids, "buy");
    // "Aa" and "BB" share a hash code but are different ids
    MeritOrder.requireUniqueIds(new String[] {"Aa", "BB", "AaBB", "BBAa"}, "buy");
    // 32 distinct ids with one hash code (the large-group path), then with a repeat
    String[] colliding = new String[33];
    for (int i = 0; i < 32; i++) {
      StringBuilder sb = new StringBuilder();
      for (int bit = 0; bit < 5; bit++) {
        sb.append((i >> bit & 1) == 0 ? "Aa" : "BB");
      }
      colliding[i] = sb.toString();
    }
    colliding[32] = "x";
    MeritOrder.requireUniqueIds(colliding, "sell");
    colliding[32] = new String(colliding[5]);
    assertThatThrownBy(() -> MeritOrder.requireUniqueIds(colliding, "sell"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate sell order id '" + colliding[5] + "' at indices 5 and 32");
    ids[1999] = new String("o17");
    assertThatThrownBy(() -> MeritOrder.requireUniqueIds(ids, "buy"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'o17' at indices 17 and 1999");
  }
}

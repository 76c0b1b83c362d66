package org.gridtrade.coalition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class ShapleyTest {

  /** A random game on n players: a table of worths, v(∅) = 0. */
  private static ToDoubleFunction<BitSet> randomGame(SplittableRandom r, int n) {
    double[] v = new double[1 << n];
    for (int m = 1; m < v.length; m++) {
      v[m] = -5 + 20 * r.nextDouble();
    }
    return s -> v[(int) (s.isEmpty() ? 0 : s.toLongArray()[0])];
  }

  private static int mask(BitSet s) {
    return (int) (s.isEmpty() ? 0 : s.toLongArray()[0]);
  }

  /** Oracle: average marginal contribution over all n! orders. */
  private static double[] byPermutations(int n, ToDoubleFunction<BitSet> v) {
    double[] phi = new double[n];
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    long count = 0;
    do {
      BitSet s = new BitSet();
      double prev = v.applyAsDouble((BitSet) s.clone());
      for (int k = 0; k < n; k++) {
        s.set(p[k]);
        double now = v.applyAsDouble((BitSet) s.clone());
        phi[p[k]] += now - prev;
        prev = now;
      }
      count++;
    } while (nextPermutation(p));
    for (int i = 0; i < n; i++) {
      phi[i] /= count;
    }
    return phi;
  }

  private static boolean nextPermutation(int[] a) {
    int i = a.length - 2;
    while (i >= 0 && a[i] >= a[i + 1]) {
      i--;
    }
    if (i < 0) {
      return false;
    }
    int j = a.length - 1;
    while (a[j] <= a[i]) {
      j--;
    }
    int t = a[i];
    a[i] = a[j];
    a[j] = t;
    for (int l = i + 1, r = a.length - 1; l < r; l++, r--) {
      t = a[l];
      a[l] = a[r];
      a[r] = t;
    }
    return true;
  }

  @Test
  void property_exact_matchesAllPermutations() {
    qt().withFixedSeed(41)
        .withExamples(100)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom r = new SplittableRandom(seed);
              int n = 1 + r.nextInt(6);
              ToDoubleFunction<BitSet> v = randomGame(r, n);
              double[] oracle = byPermutations(n, v);
              ShapleyResult s = Shapley.exact(n, v);
              for (int i = 0; i < n; i++) {
                assertThat(s.value(i)).isCloseTo(oracle[i], within(1e-9));
              }
            });
  }

  @Test
  void property_efficiency_symmetry_nullPlayer_additivity() {
    qt().withFixedSeed(42)
        .withExamples(200)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom r = new SplittableRandom(seed);
              int n = 2 + r.nextInt(7);
              ToDoubleFunction<BitSet> v = randomGame(r, n);
              ToDoubleFunction<BitSet> w = randomGame(r, n);
              ShapleyResult sv = Shapley.exact(n, v);
              // Efficiency.
              BitSet all = new BitSet();
              all.set(0, n);
              assertThat(sv.values().stream().mapToDouble(Double::doubleValue).sum())
                  .isCloseTo(v.applyAsDouble(all), within(1e-9));
              // Additivity.
              ShapleyResult sw = Shapley.exact(n, w);
              ShapleyResult sum = Shapley.exact(n, s -> v.applyAsDouble(s) + w.applyAsDouble(s));
              for (int i = 0; i < n; i++) {
                assertThat(sum.value(i)).isCloseTo(sv.value(i) + sw.value(i), within(1e-9));
              }
              // Null player: player n-1 adds nothing, so the worth ignores it.
              int last = 1 << (n - 1);
              ToDoubleFunction<BitSet> withNull =
                  s -> v.applyAsDouble(BitSet.valueOf(new long[] {mask(s) & ~last}));
              assertThat(Shapley.exact(n, withNull).value(n - 1)).isCloseTo(0, within(1e-9));
              // Symmetry: players 0 and 1 interchangeable.
              ToDoubleFunction<BitSet> sym =
                  s -> {
                    int m = mask(s);
                    int b0 = m & 1;
                    int b1 = (m >> 1) & 1;
                    int swapped = (m & ~3) | (b0 << 1) | b1;
                    return v.applyAsDouble(BitSet.valueOf(new long[] {m}))
                        + v.applyAsDouble(BitSet.valueOf(new long[] {swapped}));
                  };
              ShapleyResult ss = Shapley.exact(n, sym);
              assertThat(ss.value(0)).isCloseTo(ss.value(1), within(1e-9));
            });
  }

  @Test
  void sampling_isWithinFourStandardErrors_andDeterministic() {
    SplittableRandom r = new SplittableRandom(43);
    int n = 10;
    ToDoubleFunction<BitSet> v = randomGame(r, n);
    ShapleyResult exact = Shapley.exact(n, v);
    ShapleyResult est = Shapley.sample(n, v, 4000, 99);
    assertThat(est.exact()).isFalse();
    for (int i = 0; i < n; i++) {
      assertThat(est.standardErrors().get(i)).isPositive();
      assertThat(Math.abs(est.value(i) - exact.value(i)))
          .isLessThan(4 * est.standardErrors().get(i));
    }
    assertThat(Shapley.sample(n, v, 4000, 99)).isEqualTo(est);
  }

  @Test
  void core_convexGameContainsShapley_andBlockingCoalitionIsFound() {
    // Convex game v(S) = |S|^2: the Shapley value (n each) lies in the core.
    int n = 4;
    ToDoubleFunction<BitSet> v = s -> Math.pow(s.cardinality(), 2);
    ShapleyResult s = Shapley.exact(n, v);
    assertThat(Shapley.inCore(s.values(), v, 1e-9)).isTrue();
    // Give player 0 everything: {1,2,3} (worth 9) is blocking.
    List<Double> unfair = new ArrayList<>(List.of(16.0, 0.0, 0.0, 0.0));
    BitSet block = Shapley.blockingCoalition(unfair, v, 1e-9).orElseThrow();
    assertThat(unfair.stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(16.0);
    double paid = block.stream().mapToDouble(unfair::get).sum();
    assertThat(paid).isLessThan(v.applyAsDouble(block));
    // Not efficient: the grand coalition blocks.
    assertThat(
            Shapley.blockingCoalition(List.of(1.0, 1.0, 1.0, 1.0), v, 1e-9)
                .orElseThrow()
                .cardinality())
        .isEqualTo(4);
    // Glove game (one left, two right gloves): the core is {(1,0,0)}; Shapley (2/3,1/6,1/6) is not.
    ToDoubleFunction<BitSet> glove = t -> t.get(0) && (t.get(1) || t.get(2)) ? 1 : 0;
    assertThat(Shapley.inCore(Shapley.exact(3, glove).values(), glove, 1e-9)).isFalse();
    assertThat(Shapley.inCore(List.of(1.0, 0.0, 0.0), glove, 1e-9)).isTrue();
  }

  @Test
  void badInput_isRejected() {
    assertThatThrownBy(() -> Shapley.exact(26, s -> 0)).hasMessageContaining("players 26");
    assertThatThrownBy(() -> Shapley.exact(2, s -> Double.NaN)).hasMessageContaining("NaN");
    assertThatThrownBy(() -> Shapley.sample(3, s -> 0, 1, 1))
        .hasMessageContaining("permutations 1");
  }
}

package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.Hash;
import org.junit.jupiter.api.Test;

class FederatedAveragingTest {

  private static List<double[]> models(Random r, int n, int len) {
    List<double[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] w = new double[len];
      for (int j = 0; j < len; j++) {
        w[j] = r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3);
      }
      out.add(w);
    }
    return out;
  }

  @Test
  void average_byHand() {
    double[] g =
        FederatedAveraging.average(List.of(new double[] {1, 2, 3}, new double[] {3, 6, -3}));
    assertThat(g).containsExactly(2, 4, 0);
  }

  @Test
  void property_meanOfIdenticalModels_isTheModel() {
    qt().withFixedSeed(3L)
        .withExamples(200)
        .forAll(longs().all(), integers().between(1, 9), integers().between(1, 40))
        .checkAssert(
            (seed, n, len) -> {
              double[] w = models(new Random(seed), 1, len).get(0);
              List<double[]> same = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                same.add(w.clone());
              }
              double[] g = FederatedAveraging.average(same);
              for (int j = 0; j < len; j++) {
                assertThat(g[j]).isCloseTo(w[j], within(Math.ulp(w[j]) * 16));
              }
            });
  }

  @Test
  void property_permutationInvariant_bitForBit_andInputsUntouched() {
    qt().withFixedSeed(4L)
        .withExamples(200)
        .forAll(longs().all(), integers().between(1, 9), integers().between(1, 40))
        .checkAssert(
            (seed, n, len) -> {
              Random r = new Random(seed);
              List<double[]> ms = models(r, n, len);
              List<double[]> copy = ms.stream().map(double[]::clone).toList();
              double[] g = FederatedAveraging.average(ms);
              List<double[]> shuffled = new ArrayList<>(ms);
              Collections.shuffle(shuffled, r);
              assertThat(FederatedAveraging.average(shuffled)).containsExactly(g);
              assertThat(FederatedAveraging.modelHash(FederatedAveraging.average(shuffled)))
                  .isEqualTo(FederatedAveraging.modelHash(g));
              for (int i = 0; i < n; i++) {
                assertThat(ms.get(i)).containsExactly(copy.get(i));
              }
            });
  }

  @Test
  void property_linear_andElementwiseMeanByAnotherSummation() {
    qt().withFixedSeed(5L)
        .withExamples(200)
        .forAll(longs().all(), integers().between(1, 9), integers().between(1, 30))
        .checkAssert(
            (seed, n, len) -> {
              Random r = new Random(seed);
              List<double[]> x = models(r, n, len);
              List<double[]> y = models(r, n, len);
              double a = r.nextGaussian();
              double b = r.nextGaussian();
              List<double[]> combo = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                double[] z = new double[len];
                for (int j = 0; j < len; j++) {
                  z[j] = a * x.get(i)[j] + b * y.get(i)[j];
                }
                combo.add(z);
              }
              double[] gx = FederatedAveraging.average(x);
              double[] gy = FederatedAveraging.average(y);
              double[] gz = FederatedAveraging.average(combo);
              for (int j = 0; j < len; j++) {
                // Oracle: the mean of column j by Kahan summation in input order.
                double sum = 0;
                double comp = 0;
                double scale = 0;
                for (double[] w : x) {
                  double v = w[j] - comp;
                  double t = sum + v;
                  comp = (t - sum) - v;
                  sum = t;
                  scale = Math.max(scale, Math.abs(w[j]));
                }
                assertThat(gx[j]).isCloseTo(sum / n, within(1e-12 * (scale + 1)));
                double tol = 1e-9 * (Math.abs(a) + Math.abs(b) + 1) * 1e3;
                assertThat(gz[j]).isCloseTo(a * gx[j] + b * gy[j], within(tol));
              }
            });
  }

  @Test
  void property_hashChangesWhenAnyElementChanges() {
    qt().withFixedSeed(6L)
        .withExamples(300)
        .forAll(longs().all(), integers().between(1, 30))
        .checkAssert(
            (seed, len) -> {
              Random r = new Random(seed);
              double[] w = models(r, 1, len).get(0);
              Hash h = FederatedAveraging.modelHash(w);
              assertThat(FederatedAveraging.modelHash(w.clone())).isEqualTo(h);
              int j = r.nextInt(len);
              double[] v = w.clone();
              v[j] = Math.nextUp(v[j]);
              assertThat(FederatedAveraging.modelHash(v)).as("element %d", j).isNotEqualTo(h);
              double[] longer = java.util.Arrays.copyOf(w, len + 1);
              assertThat(FederatedAveraging.modelHash(longer)).isNotEqualTo(h);
            });
  }

  @Test
  void modelHash_followsTheDocumentedEncoding_andNormalisesNegativeZero() {
    double[] w = {1.5, -2.25, 0.0};
    ByteBuffer b = ByteBuffer.allocate(4 + 24).putInt(3);
    b.put(new byte[] {0x3F, (byte) 0xF8, 0, 0, 0, 0, 0, 0}); // 1.5
    b.put(new byte[] {(byte) 0xC0, 0x02, 0, 0, 0, 0, 0, 0}); // -2.25
    b.put(new byte[8]); // +0.0
    Hash expected =
        Hash.sha256("GridTrade/posoc/model/v1".getBytes(StandardCharsets.US_ASCII), b.array());
    assertThat(FederatedAveraging.modelHash(w)).isEqualTo(expected);
    assertThat(FederatedAveraging.modelHash(new double[] {1.5, -2.25, -0.0})).isEqualTo(expected);
  }

  @Test
  void badInput_isRefused() {
    assertThatThrownBy(() -> FederatedAveraging.average(List.of()))
        .hasMessageContaining("localModels is empty");
    assertThatThrownBy(
            () -> FederatedAveraging.average(List.of(new double[] {1, 2}, new double[] {1})))
        .hasMessageContaining("localModels[1] has 1 weights, localModels[0] has 2");
    assertThatThrownBy(() -> FederatedAveraging.average(List.of(new double[0])))
        .hasMessageContaining("localModels[0] has no weights");
    assertThatThrownBy(
            () ->
                FederatedAveraging.average(
                    List.of(new double[] {1, 2}, new double[] {1, Double.NaN})))
        .hasMessageContaining("localModels[1][1] = NaN must be finite");
    assertThatThrownBy(() -> FederatedAveraging.modelHash(new double[] {Double.NEGATIVE_INFINITY}))
        .hasMessageContaining("model[0] = -Infinity must be finite");
    assertThatThrownBy(() -> FederatedAveraging.modelHash(new double[0]))
        .hasMessageContaining("model has no weights");
  }
}

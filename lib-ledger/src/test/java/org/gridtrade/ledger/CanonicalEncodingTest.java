package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The byte-level canonicality checks in front of a signature confirmer, against the same rules
 * written with {@link BigInteger}s: {@code S < L}, and a key's {@code y < p} other than 1 and
 * {@code p - 1}.
 */
class CanonicalEncodingTest {
  private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
  private static final BigInteger L =
      BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

  private static BigInteger littleEndian(byte[] b, int off, int len) {
    byte[] be = new byte[len];
    for (int i = 0; i < len; i++) {
      be[i] = b[off + len - 1 - i];
    }
    return new BigInteger(1, be);
  }

  private static byte[] le32(BigInteger v) {
    byte[] be = v.toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < 32 && i < be.length; i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  // Random values, and values within a few units of the edges (0, 1, p - 1, p, L, 2^255).
  private static BigInteger value(long seed, int edge) {
    Random r = new Random(seed);
    BigInteger[] edges = {BigInteger.ZERO, BigInteger.ONE, P.subtract(BigInteger.ONE), P, L};
    if (edge < edges.length * 5) {
      BigInteger v = edges[edge / 5].add(BigInteger.valueOf(edge % 5 - 2));
      return v.signum() < 0 ? BigInteger.ZERO : v;
    }
    return new BigInteger(edge % 2 == 0 ? 255 : 253, r);
  }

  @Test
  void canonicalKey_isYBelowPAndNotOneOrPMinusOne() {
    qt().withFixedSeed(157L)
        .withExamples(2_000)
        .forAll(longs().all(), integers().between(0, 40), integers().between(0, 1))
        .checkAssert(
            (seed, edge, sign) -> {
              BigInteger y = value(seed, edge);
              byte[] key = le32(y);
              key[31] |= (byte) (sign << 7);
              boolean expected =
                  y.compareTo(P) < 0
                      && !y.equals(BigInteger.ONE)
                      && !y.equals(P.subtract(BigInteger.ONE));
              assertThat(PublicKey.canonicalKey(key)).as("y = %s", y).isEqualTo(expected);
            });
  }

  @Test
  void canonicalScalar_isSBelowL() {
    qt().withFixedSeed(158L)
        .withExamples(2_000)
        .forAll(longs().all(), integers().between(0, 40))
        .checkAssert(
            (seed, edge) -> {
              BigInteger s = value(seed, edge);
              byte[] sig = new byte[64];
              new Random(seed).nextBytes(sig);
              System.arraycopy(le32(s), 0, sig, 32, 32);
              assertThat(littleEndian(sig, 32, 32)).isEqualTo(s);
              assertThat(PublicKey.canonicalScalar(sig))
                  .as("S = %s", s)
                  .isEqualTo(s.compareTo(L) < 0);
            });
  }
}

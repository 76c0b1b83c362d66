package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.internal.SignatureConfirmer;
import org.gridtrade.node.internal.Libsodium;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With libsodium installed as the confirmer, {@link PublicKey#verify} answers exactly as
 * BouncyCastle alone does, on honest signatures and on the cases where the two libraries disagree:
 * an {@code R} of small order, and keys with a small-order component whose signatures hold only up
 * to a point of small order (BouncyCastle, whose check is cofactored, accepts them; libsodium
 * refuses), non-canonical {@code S}. The edge cases are built with the curve arithmetic below, in
 * {@link BigInteger}s, written apart from both libraries.
 */
class SignatureConfirmerTest {
  private static SignatureConfirmer.Confirmer sodium;
  private final AtomicInteger confirmed = new AtomicInteger();

  @BeforeAll
  static void installLibsodium() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String outcome = Libsodium.install(); // the process's confirmer from now on, as in a node
    if (os.startsWith("linux") && System.getProperty("os.arch").equals("amd64")) {
      assertThat(outcome).startsWith("libsodium 1.0.");
    }
    assumeTrue(outcome.startsWith("libsodium"), outcome);
    sodium = SignatureConfirmer.installed();
  }

  @BeforeEach
  void countConfirmations() {
    SignatureConfirmer.install(
        (k, s, m, off, len) -> {
          boolean yes = sodium.confirms(k, s, m, off, len);
          if (yes) {
            confirmed.incrementAndGet();
          }
          return yes;
        });
  }

  @AfterEach
  void restore() {
    SignatureConfirmer.install(sodium);
  }

  private static boolean bouncyCastle(byte[] key, byte[] sig, byte[] msg) {
    return Ed25519.verify(sig, 0, key, 0, msg, 0, msg.length);
  }

  private static boolean ours(byte[] key, byte[] sig, byte[] msg) {
    return PublicKey.of(key).verify(msg, Signature.of(sig));
  }

  @Test
  void honestAndMutatedSignatures_answerAsBouncyCastle_honestOnesConfirmedByLibsodium() {
    AtomicInteger honest = new AtomicInteger();
    qt().withFixedSeed(151L)
        .withExamples(300)
        .forAll(longs().all(), integers().between(-1, 64 * 8 + 200 * 8 - 1))
        .checkAssert(
            (seed, flip) -> {
              Random r = new Random(seed);
              byte[] sk = new byte[32];
              r.nextBytes(sk);
              byte[] pk = new byte[32];
              Ed25519.generatePublicKey(sk, 0, pk, 0);
              byte[] msg = new byte[1 + r.nextInt(200)];
              r.nextBytes(msg);
              byte[] sig = new byte[64];
              Ed25519.sign(sk, 0, pk, 0, msg, 0, msg.length, sig, 0);
              if (flip >= 0 && flip < 64 * 8) {
                sig[flip / 8] ^= (byte) (1 << (flip % 8));
              } else if (flip >= 64 * 8 && (flip - 64 * 8) / 8 < msg.length) {
                int b = flip - 64 * 8;
                msg[b / 8] ^= (byte) (1 << (b % 8));
              } else {
                honest.incrementAndGet();
              }
              assertThat(ours(pk, sig, msg)).isEqualTo(bouncyCastle(pk, sig, msg));
            });
    assertThat(honest.get()).isPositive();
    assertThat(confirmed.get()).isGreaterThanOrEqualTo(honest.get());
  }

  @Test
  void nonCanonicalS_isRefusedAsBouncyCastleRefusesIt() {
    Random r = new Random(152L);
    for (int i = 0; i < 50; i++) {
      Signer s = Signer.random(r);
      byte[] msg = bytes(r, 40);
      byte[] sig = s.sign(msg, Curve.randomScalar(r), Curve.IDENTITY);
      byte[] high = sig.clone();
      System.arraycopy(Curve.le32(Curve.scalar(sig, 32).add(Curve.L)), 0, high, 32, 32);
      assertThat(ours(s.key, sig, msg)).isTrue();
      assertThat(bouncyCastle(s.key, high, msg)).isFalse();
      assertThat(ours(s.key, high, msg)).isFalse();
    }
  }

  @Test
  void smallOrderR_libsodiumRefuses_bouncyCastleDecides() {
    Random r = new Random(153L);
    int disagreements = 0;
    for (int i = 0; i < 40; i++) {
      Signer s = Signer.random(r);
      byte[] msg = bytes(r, 50);
      // r = 0: R is the neutral element, S = k·a. The cofactorless equation holds.
      byte[] sig = s.sign(msg, BigInteger.ZERO, Curve.IDENTITY);
      boolean bc = bouncyCastle(s.key, sig, msg);
      if (bc != sodium.confirms(s.key, sig, msg, 0, msg.length)) {
        disagreements++;
      }
      assertThat(ours(s.key, sig, msg)).isEqualTo(bc);
    }
    assertThat(disagreements).as("cases where the libraries disagree").isPositive();
  }

  @Test
  void keysWithASmallOrderComponent_answerAsBouncyCastle() {
    Random r = new Random(154L);
    int exact = 0;
    int bouncyCastleOnly = 0;
    for (int i = 0; i < 80; i++) {
      Signer honest = Signer.random(r);
      // A' = aB + T for a point T of order 2, 4 or 8: neither of small nor of prime order.
      Signer mixed = honest.plusTorsion(Curve.mul(BigInteger.valueOf(1 + r.nextInt(7)), Curve.T8));
      byte[] msg = bytes(r, 30);
      // Half of them satisfy [S]B - [k]A' = R exactly; the rest only up to a small-order point.
      byte[] sig =
          i % 2 == 0
              ? mixed.signExactly(msg, r)
              : mixed.sign(
                  msg,
                  Curve.randomScalar(r),
                  Curve.mul(BigInteger.valueOf(r.nextInt(8)), Curve.T8));
      boolean bc = bouncyCastle(mixed.key, sig, msg);
      boolean ls = sodium.confirms(mixed.key, sig, msg, 0, msg.length);
      if (i % 2 == 0) {
        assertThat(ls).as("libsodium accepts the exact equation").isTrue();
        exact++;
      }
      if (bc && !ls) {
        bouncyCastleOnly++;
      }
      assertThat(ours(mixed.key, sig, msg)).isEqualTo(bc);
    }
    assertThat(exact).isEqualTo(40);
    assertThat(bouncyCastleOnly)
        .as("signatures BouncyCastle accepts and libsodium refuses")
        .isPositive();
  }

  @Test
  void smallOrderKeys_answerAsBouncyCastle() {
    Random r = new Random(155L);
    for (int j = 0; j < 8; j++) {
      byte[] key = Curve.encode(Curve.mul(BigInteger.valueOf(j), Curve.T8));
      for (int i = 0; i < 10; i++) {
        byte[] msg = bytes(r, 20);
        byte[] sig = new byte[64];
        System.arraycopy(
            Curve.encode(Curve.mul(BigInteger.valueOf(r.nextInt(8)), Curve.T8)), 0, sig, 0, 32);
        sig[32] = (byte) r.nextInt(3);
        assertThat(ours(key, sig, msg)).isEqualTo(bouncyCastle(key, sig, msg));
      }
    }
  }

  @Test
  void nonCanonicalKeys_answerAsBouncyCastle() {
    Random r = new Random(156L);
    int cases = 0;
    // y = p + j (non-canonical encodings of y = j), and y = 1 or p - 1 with the sign bit set.
    for (int j = -1; j < 19; j++) {
      for (int sign = 0; sign < 2; sign++) {
        BigInteger y =
            j < 0 ? Curve.P.subtract(BigInteger.ONE) : Curve.P.add(BigInteger.valueOf(j));
        byte[] key = Curve.le32(y);
        key[31] |= (byte) (sign << 7);
        byte[] msg = bytes(r, 16);
        // R the neutral element and S = 0: [S]B - [k]A = R holds for A the neutral element.
        byte[] sig = new byte[64];
        System.arraycopy(Curve.encode(Curve.IDENTITY), 0, sig, 0, 32);
        assertThat(ours(key, sig, msg)).isEqualTo(bouncyCastle(key, sig, msg));
        r.nextBytes(sig);
        sig[63] &= 0x0f;
        assertThat(ours(key, sig, msg)).isEqualTo(bouncyCastle(key, sig, msg));
        cases++;
      }
    }
    byte[] one = Curve.encode(Curve.IDENTITY);
    one[31] |= (byte) 0x80; // y = 1, x = 0 with the sign bit set
    byte[] sig = new byte[64];
    System.arraycopy(Curve.encode(Curve.IDENTITY), 0, sig, 0, 32);
    assertThat(ours(one, sig, new byte[1])).isEqualTo(bouncyCastle(one, sig, new byte[1]));
    assertThat(cases).isEqualTo(40);
  }

  private static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  /** A signer that knows its secret scalar, so it can sign with any nonce and any torsion. */
  private record Signer(BigInteger a, Curve.Pt point, byte[] key) {
    static Signer random(Random r) {
      BigInteger a = Curve.randomScalar(r);
      Curve.Pt p = Curve.mul(a, Curve.B);
      return new Signer(a, p, Curve.encode(p));
    }

    Signer plusTorsion(Curve.Pt t) {
      Curve.Pt p = Curve.add(point, t);
      return new Signer(a, p, Curve.encode(p));
    }

    // R = [r]B + torsion, k = H(R || A || M), S = r + k·a mod L.
    byte[] sign(byte[] msg, BigInteger r, Curve.Pt torsion) {
      byte[] rBytes = Curve.encode(Curve.add(Curve.mul(r, Curve.B), torsion));
      BigInteger k = Curve.challenge(rBytes, key, msg);
      byte[] sig = new byte[64];
      System.arraycopy(rBytes, 0, sig, 0, 32);
      System.arraycopy(Curve.le32(r.add(k.multiply(a)).mod(Curve.L)), 0, sig, 32, 32);
      return sig;
    }

    // With A = aB + T, a signature for which [S]B - [k]A = R holds exactly: R = [r]B - [k]T, which
    // needs R's torsion part guessed before k is known; retried until the guess is right.
    byte[] signExactly(byte[] msg, Random rnd) {
      Curve.Pt t = Curve.add(point, Curve.negate(Curve.mul(a, Curve.B)));
      while (true) {
        BigInteger r = Curve.randomScalar(rnd);
        int guess = rnd.nextInt(8);
        Curve.Pt torsion = Curve.negate(Curve.mul(BigInteger.valueOf(guess), t));
        byte[] sig = sign(msg, r, torsion);
        BigInteger k = Curve.challenge(Arrays.copyOf(sig, 32), key, msg);
        if (k.mod(BigInteger.valueOf(8)).intValue() == guess) {
          return sig;
        }
      }
    }
  }

  /** Twisted Edwards arithmetic of edwards25519 in affine coordinates (RFC 8032, §5.1). */
  private static final class Curve {
    static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    static final BigInteger L =
        BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    static final BigInteger D =
        BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    static final BigInteger SQRT_M1 =
        BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);

    record Pt(BigInteger x, BigInteger y) {}

    static final Pt IDENTITY = new Pt(BigInteger.ZERO, BigInteger.ONE);
    static final Pt B =
        decode(le32(BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P)));
    static final Pt T8 = torsionOfOrder8();

    static Pt add(Pt p, Pt q) {
      BigInteger t = D.multiply(p.x).multiply(q.x).multiply(p.y).multiply(q.y).mod(P);
      BigInteger x =
          p.x.multiply(q.y).add(q.x.multiply(p.y)).multiply(BigInteger.ONE.add(t).modInverse(P));
      BigInteger y =
          p.y
              .multiply(q.y)
              .add(p.x.multiply(q.x))
              .multiply(BigInteger.ONE.subtract(t).mod(P).modInverse(P));
      return new Pt(x.mod(P), y.mod(P));
    }

    static Pt negate(Pt p) {
      return new Pt(p.x.negate().mod(P), p.y);
    }

    static Pt mul(BigInteger k, Pt p) {
      Pt acc = IDENTITY;
      for (int i = k.bitLength() - 1; i >= 0; i--) {
        acc = add(acc, acc);
        if (k.testBit(i)) {
          acc = add(acc, p);
        }
      }
      return acc;
    }

    static byte[] encode(Pt p) {
      byte[] b = le32(p.y);
      if (p.x.testBit(0)) {
        b[31] |= (byte) 0x80;
      }
      return b;
    }

    static Pt decode(byte[] b) {
      boolean sign = (b[31] & 0x80) != 0;
      byte[] c = b.clone();
      c[31] &= 0x7f;
      BigInteger y = scalar(c, 0);
      BigInteger u = y.multiply(y).subtract(BigInteger.ONE).mod(P);
      BigInteger v = D.multiply(y).multiply(y).add(BigInteger.ONE).mod(P);
      BigInteger x2 = u.multiply(v.modInverse(P)).mod(P);
      BigInteger x = x2.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
      if (!x.multiply(x).mod(P).equals(x2)) {
        x = x.multiply(SQRT_M1).mod(P);
      }
      if (!x.multiply(x).mod(P).equals(x2)) {
        throw new IllegalArgumentException("not a point");
      }
      if (x.testBit(0) != sign) {
        x = P.subtract(x).mod(P);
      }
      return new Pt(x, y);
    }

    // A point of order exactly 8: [L]Q for a point Q whose torsion part has order 8.
    private static Pt torsionOfOrder8() {
      for (int y = 2; ; y++) {
        Pt q;
        try {
          q = decode(le32(BigInteger.valueOf(y)));
        } catch (IllegalArgumentException notAPoint) {
          continue;
        }
        Pt t = mul(L, q);
        if (!mul(BigInteger.valueOf(4), t).equals(IDENTITY)) {
          assertThat(mul(BigInteger.valueOf(8), t)).isEqualTo(IDENTITY);
          return t;
        }
      }
    }

    static BigInteger randomScalar(Random r) {
      return new BigInteger(300, r).mod(L);
    }

    static BigInteger challenge(byte[] rBytes, byte[] key, byte[] msg) {
      try {
        MessageDigest h = MessageDigest.getInstance("SHA-512");
        h.update(rBytes);
        h.update(key);
        h.update(msg);
        return scalar(h.digest(), 0, 64).mod(L);
      } catch (NoSuchAlgorithmException e) {
        throw new AssertionError(e);
      }
    }

    static BigInteger scalar(byte[] b, int off) {
      return scalar(b, off, 32);
    }

    static BigInteger scalar(byte[] b, int off, int len) {
      byte[] be = new byte[len];
      for (int i = 0; i < len; i++) {
        be[i] = b[off + len - 1 - i];
      }
      return new BigInteger(1, be);
    }

    static byte[] le32(BigInteger v) {
      byte[] be = v.toByteArray();
      byte[] le = new byte[32];
      for (int i = 0; i < 32 && i < be.length; i++) {
        le[i] = be[be.length - 1 - i];
      }
      return le;
    }
  }
}

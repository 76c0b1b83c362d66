package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SignatureTest {
  /** The order L of the Ed25519 base point. */
  private static final BigInteger L =
      BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

  @Test
  void property_signatures_verifyWithTheJdkEdDsa() throws Exception {
    // Independent oracle: the JDK's own EdDSA implementation accepts our signatures.
    java.security.Signature jdk = java.security.Signature.getInstance("Ed25519");
    KeyFactory kf = KeyFactory.getInstance("Ed25519");
    Random rnd = new Random(21);
    for (int i = 0; i < 50; i++) {
      KeyPair k = TestKit.key(i);
      byte[] msg = new byte[rnd.nextInt(300)];
      rnd.nextBytes(msg);
      Signature sig = k.sign(msg);
      jdk.initVerify(kf.generatePublic(jdkKey(k.publicKey().bytes())));
      jdk.update(msg);
      assertThat(jdk.verify(sig.bytes())).as("JDK verifies signature %d", i).isTrue();
      assertThat(k.publicKey().verify(msg, sig)).isTrue();
    }
  }

  @Test
  void freshInstancesOfKeys_thatShareACacheSlot_verifyOnlyTheirOwnSignatures() throws Exception {
    // The decoded-point cache is direct-mapped by a key's first 12 bits: keys that share a slot,
    // valid and invalid, must still verify exactly what the JDK's EdDSA says, instance after
    // instance.
    java.security.Signature jdk = java.security.Signature.getInstance("Ed25519");
    KeyFactory kf = KeyFactory.getInstance("Ed25519");
    Random rnd = new Random(23);
    java.util.List<KeyPair> keys = new java.util.ArrayList<>();
    for (int i = 0; keys.size() < 3; i++) {
      KeyPair k = TestKit.key(1000 + i);
      byte[] b = k.publicKey().bytes();
      byte[] first = keys.isEmpty() ? b : keys.get(0).publicKey().bytes();
      if (b[0] == first[0] && (b[1] & 0x0f) == (first[1] & 0x0f)) {
        keys.add(k); // the same slot: the first byte and the low four bits of the second
      }
    }
    byte[] invalid = keys.get(0).publicKey().bytes();
    invalid[31] ^= 0x7f; // most such bytes are no curve point
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < keys.size(); i++) {
        byte[] msg = new byte[1 + rnd.nextInt(100)];
        rnd.nextBytes(msg);
        Signature sig = keys.get(i).sign(msg);
        for (int j = 0; j < keys.size(); j++) {
          PublicKey fresh = PublicKey.of(keys.get(j).publicKey().bytes());
          jdk.initVerify(kf.generatePublic(jdkKey(fresh.bytes())));
          jdk.update(msg);
          assertThat(fresh.verify(msg, sig))
              .as("key %d, signature of %d", j, i)
              .isEqualTo(jdk.verify(sig.bytes()));
          assertThat(fresh.verify(msg, sig)).isEqualTo(i == j);
        }
        assertThat(PublicKey.of(invalid).verify(msg, sig)).isFalse();
      }
    }
  }

  /**
   * {@link PublicKey#isValid} against RFC 8032 §5.1.3's decoding written out with {@code
   * BigInteger}: y below p, and x² = (y² − 1) / (d y² + 1) a square mod p, with x = 0 only for sign
   * bit 0. Every generated key is valid; random bytes are valid about half the time.
   */
  @Test
  void isValid_isRfc8032Decoding() {
    java.math.BigInteger p =
        java.math.BigInteger.TWO.pow(255).subtract(java.math.BigInteger.valueOf(19));
    java.math.BigInteger d =
        java.math.BigInteger.valueOf(-121665)
            .multiply(java.math.BigInteger.valueOf(121666).modInverse(p))
            .mod(p);
    Random rnd = new Random(29);
    int valid = 0;
    for (int i = 0; i < 400; i++) {
      byte[] b = new byte[32];
      rnd.nextBytes(b);
      boolean sign = (b[31] & 0x80) != 0;
      byte[] be = new byte[32];
      for (int k = 0; k < 32; k++) {
        be[k] = b[31 - k];
      }
      be[0] &= 0x7f;
      java.math.BigInteger y = new java.math.BigInteger(1, be);
      boolean expected;
      if (y.compareTo(p) >= 0) {
        expected = false;
      } else {
        java.math.BigInteger y2 = y.multiply(y).mod(p);
        java.math.BigInteger u = y2.subtract(java.math.BigInteger.ONE).mod(p);
        java.math.BigInteger v = d.multiply(y2).add(java.math.BigInteger.ONE).mod(p);
        java.math.BigInteger x2 = u.multiply(v.modInverse(p)).mod(p);
        boolean square =
            x2.signum() == 0
                || x2.modPow(p.subtract(java.math.BigInteger.ONE).shiftRight(1), p)
                    .equals(java.math.BigInteger.ONE);
        expected = square && !(x2.signum() == 0 && sign);
      }
      valid += expected ? 1 : 0;
      assertThat(PublicKey.of(b).isValid()).as("key %d", i).isEqualTo(expected);
      assertThat(TestKit.key(2000 + i).publicKey().isValid()).isTrue();
    }
    assertThat(valid).isBetween(120, 280);
  }

  @Test
  void property_anyFlippedBit_rejected() {
    qt().withFixedSeed(22)
        .withExamples(500)
        .forAll(longs().all(), integers().between(0, 10_000))
        .checkAssert(
            (seed, where) -> {
              Random rnd = new Random(seed);
              KeyPair k = TestKit.key(rnd.nextInt(20));
              byte[] msg = new byte[1 + rnd.nextInt(200)];
              rnd.nextBytes(msg);
              byte[] sig = k.sign(msg).bytes();
              byte[] pk = k.publicKey().bytes();
              int total = (msg.length + sig.length + pk.length) * 8;
              int bit = where % total;
              int at = bit / 8;
              byte mask = (byte) (1 << (bit % 8));
              if (at < msg.length) {
                msg[at] ^= mask;
              } else if (at < msg.length + sig.length) {
                sig[at - msg.length] ^= mask;
              } else {
                pk[at - msg.length - sig.length] ^= mask;
              }
              assertThat(PublicKey.of(pk).verify(msg, Signature.of(sig))).isFalse();
            });
  }

  @Test
  void nonCanonicalS_rejected() {
    KeyPair k = TestKit.key(3);
    byte[] msg = "energy".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] sig = k.sign(msg).bytes();
    // S is little-endian in the last 32 bytes; S + L is the same point equation but S >= L.
    byte[] sLe = java.util.Arrays.copyOfRange(sig, 32, 64);
    BigInteger s = new BigInteger(1, reverse(sLe));
    byte[] malleated = reverse(toFixed(s.add(L), 32));
    System.arraycopy(malleated, 0, sig, 32, 32);
    assertThat(k.publicKey().verify(msg, Signature.of(sig))).isFalse();
  }

  @Test
  void property_garbage_neverThrows() {
    qt().withFixedSeed(23)
        .withExamples(1000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              byte[] pk = new byte[32];
              byte[] sig = new byte[64];
              rnd.nextBytes(pk);
              rnd.nextBytes(sig);
              if (rnd.nextBoolean()) {
                java.util.Arrays.fill(pk, (byte) (rnd.nextBoolean() ? 0 : 0xff));
              }
              byte[] msg = new byte[rnd.nextInt(64)];
              assertThat(PublicKey.of(pk).verify(msg, Signature.of(sig))).isFalse();
            });
  }

  @Test
  void keyPair_toString_hidesSeed() {
    KeyPair k = TestKit.key(5);
    String hex = java.util.HexFormat.of().formatHex(k.privateSeed());
    assertThat(k.toString()).doesNotContain(hex).contains(k.publicKey().toString());
  }

  private static EdECPublicKeySpec jdkKey(byte[] encoded) {
    byte[] le = encoded.clone();
    boolean xOdd = (le[31] & 0x80) != 0;
    le[31] &= 0x7f;
    BigInteger y = new BigInteger(1, reverse(le));
    return new EdECPublicKeySpec(NamedParameterSpec.ED25519, new EdECPoint(xOdd, y));
  }

  private static byte[] reverse(byte[] b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[b.length - 1 - i];
    }
    return r;
  }

  private static byte[] toFixed(BigInteger v, int n) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[n];
    int copy = Math.min(raw.length, n);
    System.arraycopy(raw, raw.length - copy, out, n - copy, copy);
    return out;
  }
}

package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GenesisTest {
  private static Genesis random(Random rnd) {
    Map<Address, Long> alloc = new HashMap<>();
    Set<Address> auth = new HashSet<>();
    for (int i = 0, n = rnd.nextInt(20); i < n; i++) {
      alloc.put(TestKit.key(rnd.nextInt(40)).address(), 1 + (rnd.nextLong() >>> 8));
    }
    for (int i = 0, n = rnd.nextInt(4); i < n; i++) {
      auth.add(TestKit.key(rnd.nextInt(40)).address());
    }
    return new Genesis(rnd.nextInt(), alloc, auth, rnd.nextLong() >>> 1);
  }

  @Test
  void property_roundTrip_andHostileBytesOnlyDecodeException() {
    qt().withFixedSeed(51)
        .withExamples(500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              Genesis g = random(rnd);
              byte[] enc = g.encode();
              try {
                Genesis back = Genesis.decode(enc);
                assertThat(back).isEqualTo(g);
                assertThat(back.block().hash()).isEqualTo(g.block().hash());
              } catch (DecodeException e) {
                fail("valid genesis did not decode: " + e);
              }
              byte[] bad = enc.clone();
              bad[rnd.nextInt(bad.length)] ^= (byte) (1 + rnd.nextInt(255));
              if (rnd.nextBoolean()) {
                bad = java.util.Arrays.copyOf(bad, rnd.nextInt(bad.length + 4));
              }
              try {
                Genesis other = Genesis.decode(bad);
                // A flip inside a value can still decode: then it is a different chain.
                assertThat(other.block().hash()).isNotEqualTo(g.block().hash());
              } catch (DecodeException expected) {
                assertThat(expected.getMessage()).startsWith("genesis");
              }
            });
  }
}

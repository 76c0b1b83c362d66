package org.gridtrade.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

/** The JDK's SHA-256 behind {@link Hash#sha256} against BouncyCastle's independent SHA256Digest. */
class Sha256CrossCheckTest {
  @Test
  void property_sha256_matchesBouncyCastle() {
    qt().withFixedSeed(256L)
        .withExamples(400)
        .forAll(
            Generate.byteArrays(
                integers().between(0, 10_000),
                Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0)),
            integers().between(0, 10_000))
        .checkAssert(
            (data, cut) -> {
              Hash expected = Hash.of(Rfc6962Oracle.sha256(data));
              assertEquals(expected, Hash.sha256(data), "length " + data.length);
              // The same bytes fed in two parts, split anywhere.
              int at = Math.min(cut, data.length);
              byte[] head = Arrays.copyOfRange(data, 0, at);
              byte[] tail = Arrays.copyOfRange(data, at, data.length);
              assertEquals(expected, Hash.sha256(head, tail), "split at " + at);
            });
  }

  @Test
  void sha256_blockBoundaryLengths_matchBouncyCastle() {
    for (int length = 0; length <= 200; length++) {
      byte[] data = new byte[length];
      Arrays.fill(data, (byte) length);
      assertEquals(Hash.of(Rfc6962Oracle.sha256(data)), Hash.sha256(data), "length " + length);
    }
  }

  @Test
  void sha256_knownAnswers() {
    // FIPS 180-2 appendix B.1 ("abc") and the empty string.
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        Hash.sha256("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).toHex());
    assertEquals(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hash.sha256().toHex());
  }
}

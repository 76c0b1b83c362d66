package org.gridtrade.ledger;

import static org.gridtrade.ledger.MerkleFixtures.SOME_HASH;
import static org.gridtrade.ledger.MerkleFixtures.randomLeaves;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

class InclusionProofTest {
  @Test
  void property_everyLeafOfRandomTrees_verifiesAndEveryCorruptionFails() {
    qt().withFixedSeed(6962L)
        .withExamples(40)
        .forAll(integers().between(1, 500), longs().all())
        .checkAssert(
            (n, seed) -> {
              List<byte[]> leaves = randomLeaves(n, seed);
              MerkleTree tree = MerkleTree.of(leaves);
              Hash root = Rfc6962Oracle.root(leaves); // the root a verifier trusts
              for (int i = 0; i < n; i++) {
                InclusionProof proof = tree.inclusionProof(i);
                Hash leaf = MerkleTree.leafHash(leaves.get(i));
                assertTrue(proof.verify(leaf, root), "leaf " + i + " of " + n);
                assertTrue(proof.verifyLeafData(leaves.get(i), root), "leaf " + i + " of " + n);
                for (MerkleFixtures.InclusionProbe probe :
                    MerkleFixtures.corruptions(proof, leaf, root)) {
                  int index = i;
                  assertFalse(
                      probe.verifies(),
                      () -> "leaf " + index + " of " + n + " verified with " + probe.description());
                }
              }
            });
  }

  @Test
  void verify_everyOtherLeafAtTheSameIndex_fails() {
    List<byte[]> leaves = randomLeaves(33, 3);
    MerkleTree tree = MerkleTree.of(leaves);
    for (int i = 0; i < leaves.size(); i++) {
      InclusionProof proof = tree.inclusionProof(i);
      for (int j = 0; j < leaves.size(); j++) {
        assertEquals(i == j, proof.verifyLeafData(leaves.get(j), tree.root()), i + " vs " + j);
      }
    }
  }

  @Test
  void verify_proofOfOneTree_failsAgainstTheRootOfAnother() {
    MerkleTree tree = MerkleTree.of(randomLeaves(20, 1));
    MerkleTree other = MerkleTree.of(randomLeaves(20, 2));
    for (int i = 0; i < 20; i++) {
      assertFalse(tree.inclusionProof(i).verify(tree.leafHash(i), other.root()));
    }
  }

  @Test
  void verify_singleLeafTree_rootIsTheLeafAndPathEmpty() {
    byte[] data = "data".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Hash leaf = MerkleTree.leafHash(data);
    InclusionProof proof = MerkleTree.of(List.of(data)).inclusionProof(0);
    assertEquals(new InclusionProof(0, 1, List.of()), proof);
    assertTrue(proof.verify(leaf, leaf));
    assertFalse(proof.verify(leaf, SOME_HASH));
    assertFalse(proof.verify(SOME_HASH, leaf));
  }

  @Test
  void verify_indexNotBelowSize_falseNotThrown() {
    // From the CT reference tests: {index, size} = {0, 0}, {0, 1}, {1, 0}, {2, 1}, whatever hashes.
    long[][] probes = {{0, 0}, {1, 0}, {2, 1}, {1, 1}, {Long.MAX_VALUE, 1}, {5, Long.MAX_VALUE}};
    for (long[] p : probes) {
      InclusionProof proof = new InclusionProof(p[0], p[1], List.of());
      assertFalse(proof.verify(SOME_HASH, MerkleFixtures.EMPTY_ROOT), p[0] + "/" + p[1]);
      assertFalse(proof.verify(MerkleFixtures.EMPTY_ROOT, SOME_HASH), p[0] + "/" + p[1]);
      assertFalse(proof.verify(SOME_HASH, SOME_HASH), p[0] + "/" + p[1]);
    }
    assertFalse(new InclusionProof(0, 0, List.of()).verify(SOME_HASH, SOME_HASH));
    assertFalse(
        new InclusionProof(3, 3, List.of(SOME_HASH, SOME_HASH)).verify(SOME_HASH, SOME_HASH));
  }

  @Test
  void verify_hugeSizesAndLongPaths_falseNotThrown() {
    List<Hash> longest = Collections.nCopies(InclusionProof.MAX_PATH_LENGTH, SOME_HASH);
    assertFalse(new InclusionProof(0, 2, longest).verify(SOME_HASH, SOME_HASH));
    assertFalse(
        new InclusionProof(Long.MAX_VALUE - 1, Long.MAX_VALUE, longest)
            .verify(SOME_HASH, SOME_HASH));
    assertFalse(new InclusionProof(0, Long.MAX_VALUE, List.of()).verify(SOME_HASH, SOME_HASH));
  }

  @Test
  void constructor_badArguments_rejectedNamingFieldValueAndRule() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new InclusionProof(-1, 5, List.of()));
    assertEquals("leafIndex -1 < 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new InclusionProof(0, -5, List.of()));
    assertEquals("treeSize -5 < 0", e.getMessage());
    List<Hash> tooLong = Collections.nCopies(65, SOME_HASH);
    e = assertThrows(IllegalArgumentException.class, () -> new InclusionProof(0, 5, tooLong));
    assertEquals("path length 65 > 64", e.getMessage());
    List<Hash> withNull = new ArrayList<>(List.of(SOME_HASH, SOME_HASH));
    withNull.set(1, null);
    MerkleTreeTest.assertNpe("path[1]", () -> new InclusionProof(0, 5, withNull));
    MerkleTreeTest.assertNpe("path", () -> new InclusionProof(0, 5, null));
    InclusionProof proof = new InclusionProof(0, 1, List.of());
    MerkleTreeTest.assertNpe("leafHash", () -> proof.verify(null, SOME_HASH));
    MerkleTreeTest.assertNpe("root", () -> proof.verify(SOME_HASH, null));
    MerkleTreeTest.assertNpe("bytes", () -> InclusionProof.decode(null));
  }

  @Test
  void path_isACopyAndUnmodifiable() {
    List<Hash> path = new ArrayList<>(List.of(SOME_HASH));
    InclusionProof proof = new InclusionProof(0, 2, path);
    path.clear();
    assertEquals(List.of(SOME_HASH), proof.path());
    assertThrows(UnsupportedOperationException.class, () -> proof.path().clear());
  }

  @Test
  void encode_layoutIsVersionIndexSizeCountHashes() {
    InclusionProof proof = MerkleTree.of(MerkleTreeTest.ctLeaves(3)).inclusionProof(2);
    String expected =
        "01"
            + "0000000000000002"
            + "0000000000000003"
            + "01"
            + "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125";
    assertEquals(expected, HexFormat.of().formatHex(proof.encode()));
  }

  @Test
  void property_encodeDecode_roundTrips() {
    qt().withFixedSeed(42L)
        .withExamples(300)
        .forAll(
            longs().between(0, Long.MAX_VALUE),
            longs().between(0, Long.MAX_VALUE),
            integers().between(0, InclusionProof.MAX_PATH_LENGTH),
            longs().all())
        .checkAssert(
            (index, size, count, seed) -> {
              InclusionProof proof = new InclusionProof(index, size, randomPath(count, seed));
              byte[] bytes = proof.encode();
              assertEquals(18 + 32 * count, bytes.length);
              try {
                assertEquals(proof, InclusionProof.decode(bytes));
              } catch (DecodeException e) {
                fail("decode of " + proof + " threw " + e.getMessage());
              }
            });
  }

  @Test
  void encodeDecode_realProofs_roundTripAndStillVerify() throws DecodeException {
    List<byte[]> leaves = randomLeaves(100, 8);
    MerkleTree tree = MerkleTree.of(leaves);
    for (int i = 0; i < 100; i++) {
      InclusionProof decoded = InclusionProof.decode(tree.inclusionProof(i).encode());
      assertTrue(decoded.verifyLeafData(leaves.get(i), tree.root()));
    }
  }

  @Test
  void decode_badInput_throwsDecodeExceptionNamingTheRule() {
    byte[] valid = new InclusionProof(1, 3, List.of(SOME_HASH, SOME_HASH)).encode();
    assertDecodeError("inclusion proof length 0 < header length 18 bytes", new byte[0]);
    assertDecodeError(
        "inclusion proof length 17 < header length 18 bytes", java.util.Arrays.copyOf(valid, 17));

    byte[] version = valid.clone();
    version[0] = 2;
    assertDecodeError("inclusion proof version 2 != supported version 1", version);

    byte[] index = valid.clone();
    index[1] = (byte) 0x80;
    assertDecodeError(
        "leafIndex 9223372036854775809 > 9223372036854775807 (Long.MAX_VALUE)", index);

    byte[] size = valid.clone();
    size[9] = (byte) 0xff;
    assertDecodeError("treeSize 18374686479671623683 > 9223372036854775807 (Long.MAX_VALUE)", size);

    byte[] count = valid.clone();
    count[17] = (byte) 65;
    assertDecodeError("path length 65 > 64 (MAX_PATH_LENGTH)", count);
    count[17] = (byte) 0xff;
    assertDecodeError("path length 255 > 64 (MAX_PATH_LENGTH)", count);

    assertDecodeError(
        "inclusion proof length 81 != 82 bytes for 2 path hashes (truncated)",
        java.util.Arrays.copyOf(valid, valid.length - 1));
    assertDecodeError(
        "inclusion proof length 83 != 82 bytes for 2 path hashes (trailing bytes)",
        java.util.Arrays.copyOf(valid, valid.length + 1));
  }

  private static void assertDecodeError(String message, byte[] bytes) {
    DecodeException e = assertThrows(DecodeException.class, () -> InclusionProof.decode(bytes));
    assertEquals(message, e.getMessage());
  }

  @Test
  void property_decodeRandomBytes_onlyDecodeExceptionOrCanonicalProof() {
    qt().withFixedSeed(7L)
        .withExamples(3000)
        .forAll(
            Generate.byteArrays(
                integers().between(0, 300),
                Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0)))
        .checkAssert(InclusionProofTest::assertDecodesCanonicallyOrRejects);
  }

  @Test
  void property_decodeMutatedEncodings_onlyDecodeExceptionOrCanonicalProof() {
    qt().withFixedSeed(8L)
        .withExamples(3000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom random = new SplittableRandom(seed);
              InclusionProof proof =
                  new InclusionProof(
                      random.nextLong(0, Long.MAX_VALUE),
                      random.nextLong(0, Long.MAX_VALUE),
                      randomPath(random.nextInt(0, 8), seed));
              assertDecodesCanonicallyOrRejects(mutate(proof.encode(), random));
            });
  }

  /** Truncates, extends, overwrites or flips bytes of {@code bytes}, favouring the header. */
  private static byte[] mutate(byte[] bytes, SplittableRandom random) {
    byte[] b = bytes.clone();
    switch (random.nextInt(5)) {
      case 0:
        return java.util.Arrays.copyOf(b, random.nextInt(b.length));
      case 1:
        byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(64));
        for (int i = b.length; i < longer.length; i++) {
          longer[i] = (byte) random.nextInt();
        }
        return longer;
      case 2:
        b[17] = (byte) random.nextInt(); // the path count
        return b;
      case 3:
        b[random.nextInt(Math.min(b.length, 18))] ^= (byte) (1 << random.nextInt(8));
        return b;
      default:
        b[random.nextInt(b.length)] = (byte) random.nextInt();
        return b;
    }
  }

  private static void assertDecodesCanonicallyOrRejects(byte[] bytes) {
    InclusionProof decoded;
    try {
      decoded = InclusionProof.decode(bytes);
    } catch (DecodeException e) {
      return;
    } catch (RuntimeException | Error e) {
      throw new AssertionError("decode threw " + e + " for " + HexFormat.of().formatHex(bytes), e);
    }
    assertArrayEquals(bytes, decoded.encode(), "decode accepted a non-canonical encoding");
  }

  private static List<Hash> randomPath(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Hash> path = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] h = new byte[Hash.LENGTH];
      random.nextBytes(h);
      path.add(Hash.of(h));
    }
    return path;
  }
}

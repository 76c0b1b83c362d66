package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link BlockHeader#decode}: the canonical header encoding read back, hostile bytes refused. */
class BlockHeaderCodecTest {

  private static Hash hash(SplittableRandom r) {
    byte[] b = new byte[Hash.LENGTH];
    r.nextBytes(b);
    return Hash.of(b);
  }

  private static BlockHeader randomHeader(long seed, int sealLength) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] proposer = new byte[Address.LENGTH];
    r.nextBytes(proposer);
    byte[] seal = new byte[sealLength];
    r.nextBytes(seal);
    return new BlockHeader(
        r.nextLong(0, Long.MAX_VALUE),
        hash(r),
        hash(r),
        r.nextInt(0, Block.MAX_TRANSACTIONS + 1),
        hash(r),
        r.nextLong(0, Long.MAX_VALUE),
        Address.ofBytes(proposer),
        seal);
  }

  /** The layout as documented on {@link BlockHeader#encode()}, written out independently. */
  private static byte[] oracle(BlockHeader h) {
    byte[] seal = h.seal();
    return ByteBuffer.allocate(139 + seal.length)
        .put((byte) 1)
        .putLong(h.height())
        .put(h.previousHash().bytes())
        .put(h.transactionsRoot().bytes())
        .putInt(h.transactionCount())
        .put(h.stateRoot().bytes())
        .putLong(h.timestamp())
        .put(h.proposer().bytes())
        .putShort((short) seal.length)
        .put(seal)
        .array();
  }

  @Test
  void decode_randomHeaders_roundTripThroughTheDocumentedLayout() {
    qt().withFixedSeed(20_261_206L)
        .withExamples(300)
        .forAll(longs().all(), integers().between(0, BlockHeader.MAX_SEAL_BYTES))
        .checkAssert(
            (seed, sealLength) -> {
              BlockHeader h = randomHeader(seed, sealLength);
              byte[] expected = oracle(h);
              assertThat(h.encode()).isEqualTo(expected);
              assertThat(expected).hasSizeLessThanOrEqualTo(BlockHeader.MAX_ENCODED_BYTES);
              try {
                BlockHeader back = BlockHeader.decode(expected);
                assertThat(back).isEqualTo(h);
                assertThat(back.hash()).isEqualTo(h.hash());
              } catch (DecodeException e) {
                fail("a valid encoding was refused: " + e.getMessage());
              }
            });
  }

  @Test
  void encodedBytesConstants_matchTheLayout() {
    assertThat(randomHeader(1, 0).encode()).hasSize(BlockHeader.ENCODED_BYTES_WITHOUT_SEAL);
    assertThat(randomHeader(2, BlockHeader.MAX_SEAL_BYTES).encode())
        .hasSize(BlockHeader.MAX_ENCODED_BYTES);
  }

  @Test
  void decode_truncatedOrExtended_throwsDecodeExceptionNamingTheField() {
    byte[] ok = randomHeader(3, 70).encode();
    assertThatThrownBy(() -> BlockHeader.decode(Arrays.copyOf(ok, ok.length - 1)))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("header.seal");
    assertThatThrownBy(() -> BlockHeader.decode(Arrays.copyOf(ok, ok.length + 1)))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("header");
    assertThatThrownBy(() -> BlockHeader.decode(new byte[0]))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("header.version");
  }

  @Test
  void decode_longerThanTheLongestHeader_isRefusedBeforeReading() {
    byte[] huge = new byte[BlockHeader.MAX_ENCODED_BYTES + 1];
    huge[0] = 1;
    assertThatThrownBy(() -> BlockHeader.decode(huge))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("length " + huge.length);
  }

  @Test
  void decode_fieldsBreakingTheRules_throwDecodeException() {
    byte[] ok = randomHeader(4, 10).encode();
    byte[] version = ok.clone();
    version[0] = 2;
    assertThatThrownBy(() -> BlockHeader.decode(version))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("version 2");
    byte[] negativeHeight = ok.clone();
    negativeHeight[1] = (byte) 0x80;
    assertThatThrownBy(() -> BlockHeader.decode(negativeHeight))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("height");
    byte[] count = ok.clone();
    ByteBuffer.wrap(count).putInt(1 + 8 + 2 * Hash.LENGTH, Block.MAX_TRANSACTIONS + 1);
    assertThatThrownBy(() -> BlockHeader.decode(count))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("transactionCount");
    byte[] sealLength = ok.clone();
    ByteBuffer.wrap(sealLength).putShort(BlockHeader.ENCODED_BYTES_WITHOUT_SEAL - 2, (short) 4097);
    assertThatThrownBy(() -> BlockHeader.decode(sealLength))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("header.seal");
  }

  /**
   * Fuzz-style: 30,000 seeded mutations of valid encodings (bytes flipped or overwritten, cut,
   * extended, the seal length rewritten, random bytes). Each decodes to a header that re-encodes to
   * exactly the input, or throws {@link DecodeException}; nothing else ever escapes.
   */
  @Test
  void decode_seededMutations_decodeCanonicallyOrThrowDecodeException() {
    SplittableRandom r = new SplittableRandom(20_261_206L);
    List<byte[]> bases =
        List.of(
            randomHeader(5, 0).encode(),
            randomHeader(6, 65).encode(),
            randomHeader(7, 200).encode(),
            randomHeader(8, BlockHeader.MAX_SEAL_BYTES).encode());
    int decoded = 0;
    int refused = 0;
    for (int i = 0; i < 30_000; i++) {
      byte[] base = bases.get(r.nextInt(bases.size()));
      byte[] m = mutate(base, r);
      try {
        BlockHeader h = BlockHeader.decode(m);
        assertThat(h.encode()).as("mutation %d re-encodes to its input", i).isEqualTo(m);
        decoded++;
      } catch (DecodeException e) {
        assertThat(e.getMessage()).isNotBlank();
        refused++;
      } catch (RuntimeException | Error e) {
        throw new AssertionError("mutation %d threw %s on %d bytes".formatted(i, e, m.length), e);
      }
    }
    assertThat(decoded).as("mutations that still decode").isGreaterThan(1_000);
    assertThat(refused).as("mutations refused").isGreaterThan(1_000);
  }

  private static byte[] mutate(byte[] base, SplittableRandom r) {
    byte[] m = base.clone();
    switch (r.nextInt(6)) {
      case 0 -> m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
      case 1 -> {
        for (int k = r.nextInt(1, 6); k > 0; k--) {
          m[r.nextInt(m.length)] = (byte) r.nextInt(256);
        }
      }
      case 2 -> m = Arrays.copyOf(m, r.nextInt(m.length));
      case 3 -> {
        m = Arrays.copyOf(m, m.length + r.nextInt(1, 64));
        for (int k = base.length; k < m.length; k++) {
          m[k] = (byte) r.nextInt(256);
        }
      }
      case 4 ->
          ByteBuffer.wrap(m)
              .putShort(BlockHeader.ENCODED_BYTES_WITHOUT_SEAL - 2, (short) r.nextInt(65_536));
      default -> {
        m = new byte[r.nextInt(BlockHeader.MAX_ENCODED_BYTES + 64)];
        r.nextBytes(m);
      }
    }
    return m;
  }
}

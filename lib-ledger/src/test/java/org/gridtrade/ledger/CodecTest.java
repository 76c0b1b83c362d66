package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class CodecTest {
  private static final Gen<Transaction> TRANSACTIONS =
      longs().all().map(seed -> TestKit.randomTransaction(new Random(seed)));

  @Test
  void property_transactionRoundTrip_isIdentity() {
    qt().withFixedSeed(11)
        .withExamples(2000)
        .forAll(TRANSACTIONS)
        .checkAssert(
            tx -> {
              byte[] enc = tx.encode();
              Transaction back = decode(enc);
              assertEquals(tx, back);
              assertEquals(tx.body(), back.body());
              assertEquals(tx.id(), back.id());
              assertArrayEquals(enc, back.encode());
              assertTrue(back.hasValidSignatures(), "signature survives the round trip");
              assertTrue(enc.length <= Transaction.MAX_ENCODED_BYTES);
            });
  }

  @Test
  void property_blockRoundTrip_isIdentity() {
    qt().withFixedSeed(12)
        .withExamples(200)
        .forAll(longs().all(), integers().between(0, 40))
        .checkAssert(
            (seed, n) -> {
              Random rnd = new Random(seed);
              List<Transaction> txs = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                txs.add(TestKit.randomTransaction(rnd));
              }
              byte[] seal = new byte[rnd.nextInt(200)];
              rnd.nextBytes(seal);
              Block b =
                  new Block(
                      new BlockHeader(
                          rnd.nextInt(1_000_000),
                          Hash.sha256(seal),
                          Block.transactionsRoot(txs),
                          n,
                          Hash.sha256(TestKit.longBytes(seed)),
                          rnd.nextInt(Integer.MAX_VALUE),
                          TestKit.key(rnd.nextInt(5)).address(),
                          seal),
                      txs);
              byte[] enc = b.encode();
              Block back;
              try {
                back = Block.decode(enc);
              } catch (DecodeException e) {
                throw new AssertionError(e);
              }
              assertEquals(b, back);
              assertEquals(b.hash(), back.hash());
              assertArrayEquals(enc, back.encode());
            });
  }

  @Test
  void property_verifiedTransaction_memoNeverCoversATamperedCopy() {
    qt().withFixedSeed(15)
        .withExamples(300)
        .forAll(TRANSACTIONS, integers().between(1, 64))
        .checkAssert(
            (tx, back) -> {
              assertTrue(tx.hasValidSignatures());
              assertTrue(tx.hasValidSignatures(), "a verified transaction stays verified");
              byte[] enc = tx.encode();
              // Flip one byte of the trailing 64-byte sender signature: still decodes, must fail.
              enc[enc.length - back] ^= 0x01;
              Transaction tampered = decode(enc);
              assertThat(tampered.hasValidSignatures()).isFalse();
              assertThat(tampered.signatureProblem()).isPresent();
              assertTrue(tx.hasValidSignatures());
            });
  }

  @Test
  void property_hostileBytes_onlyDecodeException() {
    // Random bytes, truncations and single-byte mutations of valid encodings.
    qt().withFixedSeed(13)
        .withExamples(3000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              byte[] valid = TestKit.randomTransaction(rnd).encode();
              byte[] hostile =
                  switch (rnd.nextInt(4)) {
                    case 0 -> {
                      byte[] b = new byte[rnd.nextInt(600)];
                      rnd.nextBytes(b);
                      yield b;
                    }
                    case 1 -> java.util.Arrays.copyOf(valid, rnd.nextInt(valid.length));
                    case 2 -> {
                      byte[] b = valid.clone();
                      b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
                      yield b;
                    }
                    default -> java.util.Arrays.copyOf(valid, valid.length + 1 + rnd.nextInt(4));
                  };
              try {
                Transaction t = Transaction.decode(hostile);
                // A mutation may land in the signature: that decodes, and is caught by the
                // signature check instead. Either way the result re-encodes to the same bytes.
                assertArrayEquals(hostile, t.encode());
                if (!java.util.Arrays.equals(hostile, valid)) {
                  assertThat(t.hasValidSignatures()).isFalse();
                }
              } catch (DecodeException expected) {
                assertThat(expected.getMessage()).isNotBlank();
              } catch (RuntimeException | Error e) {
                fail("decoder threw " + e + " for " + java.util.HexFormat.of().formatHex(hostile));
              }
            });
  }

  @Test
  void property_hostileBlockBytes_onlyDecodeException() {
    qt().withFixedSeed(14)
        .withExamples(1500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              List<Transaction> txs = new ArrayList<>();
              for (int i = 0, n = rnd.nextInt(5); i < n; i++) {
                txs.add(TestKit.randomTransaction(rnd));
              }
              Block b =
                  new Block(
                      new BlockHeader(
                          1,
                          Hash.ZERO,
                          Block.transactionsRoot(txs),
                          txs.size(),
                          Hash.ZERO,
                          5,
                          TestKit.key(1).address(),
                          new byte[3]),
                      txs);
              byte[] hostile = b.encode();
              int flips = 1 + rnd.nextInt(3);
              for (int i = 0; i < flips; i++) {
                hostile[rnd.nextInt(hostile.length)] = (byte) rnd.nextInt(256);
              }
              if (rnd.nextBoolean()) {
                hostile = java.util.Arrays.copyOf(hostile, rnd.nextInt(hostile.length + 8));
              }
              try {
                Block.decode(hostile);
              } catch (DecodeException expected) {
                assertThat(expected.getMessage()).isNotBlank();
              } catch (RuntimeException | Error e) {
                fail("decoder threw " + e);
              }
            });
  }

  @Test
  void decode_hugeDeclaredCount_rejectedWithoutAllocating() {
    BlockHeader h =
        new BlockHeader(
            1,
            Hash.ZERO,
            MerkleTree.root(List.of()),
            0,
            Hash.ZERO,
            5,
            Genesis.NO_PROPOSER,
            new byte[0]);
    byte[] enc = new Block(h, List.of()).encode();
    // Claim 100,000 transactions in both the header and the list prefix, with no bytes behind.
    int countAt = 1 + 8 + 32 + 32;
    enc[countAt] = 0;
    enc[countAt + 1] = 1;
    enc[countAt + 2] = (byte) 0x86;
    enc[countAt + 3] = (byte) 0xa0;
    enc[enc.length - 4] = 0;
    enc[enc.length - 3] = 1;
    enc[enc.length - 2] = (byte) 0x86;
    enc[enc.length - 1] = (byte) 0xa0;
    DecodeException e = assertThrows(DecodeException.class, () -> Block.decode(enc));
    assertThat(e.getMessage()).contains("100000").contains("cannot fit");
  }

  @Test
  void decode_unknownPayloadTag_namesTheTag() {
    byte[] enc =
        new TransactionBody(TestKit.CHAIN, TestKit.key(1).publicKey(), 0, 0, new Payload.Stake(5))
            .sign(TestKit.key(1))
            .encode();
    enc[Codec.PAYLOAD_TAG_OFFSET] = 99;
    DecodeException e = assertThrows(DecodeException.class, () -> Transaction.decode(enc));
    assertThat(e.getMessage()).contains("tag 99 is unknown");
    assertTrue(Codec.hasUnknownPayloadTag(enc));
  }

  @Test
  void decode_nonCanonicalUtf8_rejected() {
    Transaction tx =
        new TransactionBody(
                TestKit.CHAIN,
                TestKit.key(1).publicKey(),
                0,
                0,
                new Payload.MeterReading("m/", 0, 900, 1, 2))
            .sign(TestKit.key(1));
    byte[] enc = tx.encode();
    // Replace '/' (0x2f) by its overlong two-byte form is impossible in place; use an invalid byte.
    int at = Codec.PAYLOAD_TAG_OFFSET + 1 + 2 + 1;
    assertEquals('/', enc[at]);
    enc[at] = (byte) 0xc0;
    DecodeException e = assertThrows(DecodeException.class, () -> Transaction.decode(enc));
    assertThat(e.getMessage()).contains("meterId").contains("UTF-8");
  }

  private static Transaction decode(byte[] b) {
    try {
      return Transaction.decode(b);
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
  }
}

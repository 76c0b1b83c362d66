package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.gridtrade.consensus.ConsensusMessage;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.Hash;
import org.gridtrade.node.internal.WireCodec;
import org.junit.jupiter.api.Test;

/** The wire codec: every message round-trips; any other bytes are refused, never thrown on. */
class WireCodecTest {
  private static byte[] bytes(Random r, int max) {
    byte[] b = new byte[r.nextInt(max + 1)];
    r.nextBytes(b);
    return b;
  }

  private static ConsensusMessage random(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> new ConsensusMessage.NewTransaction(bytes(r, 2048));
      case 1 -> new ConsensusMessage.NewBlock(bytes(r, 5000));
      case 2 -> new ConsensusMessage.Status(r.nextLong() >>> 1, Hash.sha256(bytes(r, 8)));
      case 3 -> new ConsensusMessage.BlockRequest(1 + (r.nextLong() >>> 2), 1 + r.nextInt(1000));
      case 4 -> {
        List<byte[]> blocks = new ArrayList<>();
        for (int i = r.nextInt(5); i > 0; i--) {
          blocks.add(bytes(r, 3000));
        }
        yield new ConsensusMessage.BlockResponse(blocks);
      }
      default -> new ConsensusMessage.EvidenceNotice(bytes(r, 900), bytes(r, 900));
    };
  }

  // An independent equality: the records compare arrays by identity.
  private static String describe(ConsensusMessage m) {
    if (m instanceof ConsensusMessage.NewTransaction t) {
      return "tx" + Arrays.toString(t.encoded());
    } else if (m instanceof ConsensusMessage.NewBlock b) {
      return "block" + Arrays.toString(b.encoded());
    } else if (m instanceof ConsensusMessage.BlockResponse br) {
      return "response" + br.encoded().stream().map(Arrays::toString).toList();
    } else if (m instanceof ConsensusMessage.EvidenceNotice n) {
      return "evidence" + Arrays.toString(n.first()) + Arrays.toString(n.second());
    }
    return m.toString();
  }

  @Test
  void property_everyMessage_roundTrips() {
    qt().withFixedSeed(61L)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              ConsensusMessage m = random(new Random(seed));
              List<byte[]> frames = WireCodec.encode(m);
              assertThat(frames).hasSize(1);
              try {
                assertThat(describe(WireCodec.decode(frames.get(0)))).isEqualTo(describe(m));
              } catch (DecodeException e) {
                throw new AssertionError(e);
              }
            });
  }

  @Test
  void property_mutatedOrTruncatedFrames_areRefusedOrStillWellFormed() {
    qt().withFixedSeed(62L)
        .withExamples(2_000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              byte[] f = WireCodec.encode(random(r)).get(0);
              byte[] bad = r.nextBoolean() ? Arrays.copyOf(f, r.nextInt(f.length + 8)) : flip(f, r);
              try {
                ConsensusMessage m = WireCodec.decode(bad);
                // What decodes must encode back to exactly these bytes: one form per message.
                assertThat(WireCodec.encode(m).get(0)).isEqualTo(bad);
              } catch (DecodeException expected) {
                assertThat(expected.getMessage()).isNotBlank();
              }
            });
  }

  private static List<byte[]> randomTransactions(Random r) {
    List<byte[]> txs = new ArrayList<>();
    for (int i = 1 + r.nextInt(40); i > 0; i--) {
      txs.add(bytes(r, r.nextInt(10) == 0 ? 2048 : 200));
    }
    return txs;
  }

  // Opens a transactions frame by hand, as the format describes it: count, then length ‖ bytes.
  private static List<byte[]> naiveOpen(byte[] frame) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(frame);
    assertThat(in.get()).isEqualTo((byte) WireCodec.VERSION);
    in.get(); // type
    int n = in.getInt();
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] t = new byte[in.getInt()];
      in.get(t);
      out.add(t);
    }
    assertThat(in.hasRemaining()).isFalse();
    return out;
  }

  @Test
  void property_transactionsFrames_roundTrip_andMutantsAreRefusedOrStillWellFormed() {
    qt().withFixedSeed(63L)
        .withExamples(1_000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              List<byte[]> txs = randomTransactions(r);
              byte[] f = WireCodec.encodeTransactions(txs);
              assertThat(naiveOpen(f)).containsExactlyElementsOf(txs);
              assertThat(WireCodec.isGossip(f)).isTrue();
              try {
                List<ConsensusMessage> back = WireCodec.decodeAll(f);
                assertThat(back.stream().map(WireCodecTest::describe).toList())
                    .isEqualTo(
                        txs.stream()
                            .map(t -> describe(new ConsensusMessage.NewTransaction(t)))
                            .toList());
              } catch (DecodeException e) {
                throw new AssertionError(e);
              }
              byte[] bad = r.nextBoolean() ? Arrays.copyOf(f, r.nextInt(f.length + 8)) : flip(f, r);
              try {
                List<ConsensusMessage> m = WireCodec.decodeAll(bad);
                // What decodes must encode back to exactly these bytes: one form per frame.
                byte[] again =
                    m.get(0) instanceof ConsensusMessage.NewTransaction && bad[1] == 8
                        ? WireCodec.encodeTransactions(
                            m.stream()
                                .map(x -> ((ConsensusMessage.NewTransaction) x).encoded())
                                .toList())
                        : WireCodec.encode(m.get(0)).get(0);
                assertThat(again).isEqualTo(bad);
              } catch (DecodeException expected) {
                assertThat(expected.getMessage()).isNotBlank();
              }
            });
  }

  @Test
  void transactionsFrames_withImpossibleCounts_areRefused_andNeedDecodeAll() throws Exception {
    byte[] none = {1, 8, 0, 0, 0, 0};
    assertThatThrownBy(() -> WireCodec.decodeAll(none))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("transactions.count 0");
    byte[] many = {1, 8, 0, 0, 0x10, 0x01}; // 4,097
    assertThatThrownBy(() -> WireCodec.decodeAll(many))
        .hasMessageContaining("transactions.count 4097 not in 1..4096");
    byte[] short_ = {1, 8, 0, 0, 0x10, 0x00}; // 4,096 claimed, no room for them
    assertThatThrownBy(() -> WireCodec.decodeAll(short_)).hasMessageContaining("cannot fit");
    byte[] one = WireCodec.encodeTransactions(List.of(new byte[] {1, 2, 3}));
    assertThatThrownBy(() -> WireCodec.decode(one)).hasMessageContaining("decodeAll");
    assertThat(
            WireCodec.decodeAll(
                WireCodec.encode(new ConsensusMessage.NewBlock(new byte[3])).get(0)))
        .hasSize(1);
    assertThatThrownBy(() -> WireCodec.encodeTransactions(List.of()))
        .hasMessageContaining("0 in a frame");
    assertThatThrownBy(() -> WireCodec.encodeTransactions(List.of(new byte[2049])))
        .hasMessageContaining("2049 bytes > 2048");
  }

  @Test
  void property_announceAndGetFrames_roundTrip_andMutantsAreRefusedOrStillWellFormed() {
    qt().withFixedSeed(64L)
        .withExamples(500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              int type = r.nextBoolean() ? WireCodec.ANNOUNCE : WireCodec.GET;
              List<Hash> hashes = new ArrayList<>();
              for (int i = 1 + r.nextInt(r.nextBoolean() ? 3 : WireCodec.MAX_HASHES); i > 0; i--) {
                hashes.add(Hash.sha256(bytes(r, 8)));
              }
              byte[] f = WireCodec.encodeHashes(type, hashes);
              assertThat(f.length).isEqualTo(2 + 2 + 32 * hashes.size());
              assertThat(WireCodec.typeOf(f)).isEqualTo(type);
              assertThat(WireCodec.isGossip(f)).isFalse();
              try {
                assertThat(WireCodec.decodeHashes(f)).isEqualTo(hashes);
              } catch (DecodeException e) {
                throw new AssertionError(e);
              }
              byte[] bad = r.nextBoolean() ? Arrays.copyOf(f, r.nextInt(f.length + 8)) : flip(f, r);
              try {
                List<Hash> back = WireCodec.decodeHashes(bad);
                assertThat(WireCodec.encodeHashes(WireCodec.typeOf(bad), back)).isEqualTo(bad);
              } catch (DecodeException expected) {
                assertThat(expected.getMessage()).isNotBlank();
              }
            });
    assertThatThrownBy(() -> WireCodec.decodeHashes(new byte[] {1, 9, 0, 0}))
        .hasMessageContaining("hashes.count 0");
    assertThatThrownBy(() -> WireCodec.encodeHashes(WireCodec.GET, List.of()))
        .hasMessageContaining("0 in a frame");
  }

  private static byte[] flip(byte[] f, Random r) {
    byte[] b = f.clone();
    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
    return b;
  }

  @Test
  void hugeLengthClaims_areRefusedBeforeAllocating() {
    byte[] frame = {1, 2, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    assertThatThrownBy(() -> WireCodec.decode(frame))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("block.length");
    byte[] count = {1, 5, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    assertThatThrownBy(() -> WireCodec.decode(count))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("response.count");
    assertThatThrownBy(() -> WireCodec.decode(new byte[] {2, 1})).hasMessageContaining("version 2");
    assertThatThrownBy(() -> WireCodec.decode(new byte[] {1, 9})).hasMessageContaining("type 9");
  }

  @Test
  void blockResponseLargerThanAFrame_isSplit() {
    byte[] big = new byte[WireCodec.MAX_FRAME_BYTES / 2 - 16]; // two fit in a frame, not three
    ConsensusMessage m = new ConsensusMessage.BlockResponse(List.of(big, big, big));
    List<byte[]> frames = WireCodec.encode(m);
    assertThat(frames).hasSize(2);
    assertThat(frames)
        .allSatisfy(f -> assertThat(f.length).isLessThanOrEqualTo(WireCodec.MAX_FRAME_BYTES));
  }

  private static List<WireCodec.PeerAddress> randomPeers(Random r) throws Exception {
    List<WireCodec.PeerAddress> out = new ArrayList<>();
    for (int i = r.nextInt(WireCodec.MAX_PEERS + 1); i > 0; i--) {
      byte[] seed = new byte[32];
      r.nextBytes(seed);
      byte[] ip = new byte[r.nextBoolean() ? 4 : 16];
      r.nextBytes(ip);
      if (ip.length == 16) {
        ip[0] = 0x20; // never IPv4-mapped
      }
      out.add(
          new WireCodec.PeerAddress(
              org.gridtrade.ledger.KeyPair.fromSeed(seed).publicKey(),
              new java.net.InetSocketAddress(
                  java.net.InetAddress.getByAddress(ip), 1 + r.nextInt(65_535))));
    }
    return out;
  }

  @Test
  void property_peerFrames_roundTrip_andMutantsAreRefusedOrStillCanonical() {
    qt().withFixedSeed(63L)
        .withExamples(1_000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              try {
                List<WireCodec.PeerAddress> peers = randomPeers(r);
                byte[] f = WireCodec.encodePeers(peers);
                assertThat(WireCodec.isPeers(f)).isTrue();
                assertThat(WireCodec.decodePeers(f)).isEqualTo(peers);
                byte[] bad =
                    r.nextBoolean() ? Arrays.copyOf(f, r.nextInt(f.length + 8)) : flip(f, r);
                try {
                  assertThat(WireCodec.encodePeers(WireCodec.decodePeers(bad))).isEqualTo(bad);
                } catch (DecodeException expected) {
                  assertThat(expected.getMessage()).isNotBlank();
                }
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
  }

  @Test
  void peerFrames_withTooManyAddresses_orAMappedAddress_areRefused() throws Exception {
    byte[] many = {1, (byte) WireCodec.PEERS, 0, 65};
    assertThatThrownBy(() -> WireCodec.decodePeers(many)).hasMessageContaining("peers.count 65");
    byte[] mapped = new byte[2 + 2 + 32 + 1 + 16 + 2];
    mapped[0] = 1;
    mapped[1] = (byte) WireCodec.PEERS;
    mapped[3] = 1;
    System.arraycopy(
        org.gridtrade.ledger.KeyPair.fromSeed(new byte[32]).publicKey().bytes(), 0, mapped, 4, 32);
    mapped[36] = 16;
    mapped[37 + 10] = (byte) 0xff;
    mapped[37 + 11] = (byte) 0xff;
    mapped[37 + 12] = 127;
    mapped[37 + 15] = 1;
    mapped[54] = 0x1f;
    assertThatThrownBy(() -> WireCodec.decodePeers(mapped)).hasMessageContaining("IPv4-mapped");
  }
}

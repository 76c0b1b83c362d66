package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.poeg.ProofOfEnergyGeneration;
import org.gridtrade.consensus.posoc.ProofOfStateOfCharge;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzz targets (Jazzer) for what consensus decodes from peers: the seals of every
 * protocol (PoA, PoEG, PoSOC, trust stake) and the messages a {@link BlockEngine} receives. A seal
 * decoder returns a seal that re-encodes to exactly its input or throws the documented {@link
 * IllegalArgumentException}; a protocol's {@code signer} answers for any seal; an engine handles
 * any sequence of peer messages without an exception escaping {@link BlockEngine#tick()}.
 *
 * <p>Without {@code JAZZER_FUZZ} each target replays its inputs under {@code
 * src/test/resources/org/gridtrade/consensus/ConsensusDecodersFuzzTestInputs/<method>/} (valid
 * encodings from {@link ConsensusSeeds}, and the inputs of earlier findings); the module's build
 * then fuzzes each target for {@code ${jazzer.duration}}. See docs/security.md, "Fuzzing".
 */
class ConsensusDecodersFuzzTest {

  @FuzzTest
  void decodePoaSeal_anyBytes_canonicalOrRejected(byte[] bytes) {
    checkSeal(bytes, b -> ProofOfAuthority.Seal.decode(b).encode(), ConsensusSeeds.poaProtocol());
  }

  @FuzzTest
  void decodePoegSeal_anyBytes_canonicalOrRejected(byte[] bytes) {
    checkSeal(
        bytes, b -> ProofOfEnergyGeneration.Seal.decode(b).encode(), ConsensusSeeds.poegProtocol());
  }

  @FuzzTest
  void decodePosocSeal_anyBytes_canonicalOrRejected(byte[] bytes) {
    checkSeal(
        bytes, b -> ProofOfStateOfCharge.Seal.decode(b).encode(), ConsensusSeeds.posocProtocol());
  }

  /**
   * The trust-stake seal has no public decoder: it is read through {@link TrustStake#signer}, which
   * parses the seal and its evidence (embedded headers, transactions, proofs) and answers empty for
   * anything that does not parse or verify.
   */
  @FuzzTest
  void trustStakeSigner_anySeal_answersWithoutThrowing(byte[] bytes) {
    if (bytes.length > BlockHeader.MAX_SEAL_BYTES) {
      return;
    }
    BlockHeader h = ConsensusSeeds.trustHeader().withSeal(bytes);
    Optional<?> signer = ConsensusSeeds.trustProtocol().signer(h);
    if (signer.isPresent()) {
      assertThat(signer.get()).isEqualTo(h.proposer());
    }
  }

  /**
   * Feeds a fresh engine, whose chain holds one valid block, a fuzzed sequence of peer messages:
   * arbitrary bytes as transactions, blocks, responses and evidence, valid blocks with fuzzed bytes
   * written over them, statuses and block requests with any fields. Every message is handled in
   * {@link BlockEngine#tick()} without an exception escaping it; a rejected block is reported to
   * listeners and changes nothing, so the engine's head stays a block it validated.
   */
  @FuzzTest
  void engineTick_anyPeerMessages_neverThrows(FuzzedDataProvider data) {
    List<EngineListener.Rejection> rejected = new ArrayList<>();
    try (BlockEngine e = ConsensusSeeds.follower(rejected)) {
      e.receive("peer", new ConsensusMessage.NewBlock(ConsensusSeeds.blocks().get(0).encode()));
      e.tick();
      int n = data.consumeInt(1, 6);
      for (int i = 0; i < n && data.remainingBytes() > 0; i++) {
        e.receive("peer-" + i, message(data));
        e.tick();
      }
      assertThat(e.failedMessages()).as("messages whose handling threw").isZero();
      assertThat(e.ledger().verify().valid()).isTrue();
      assertThat(e.ledger().height()).isBetween(1L, (long) ConsensusSeeds.blocks().size());
      rejected.forEach(r -> assertThat(r.reason()).isNotBlank());
    }
  }

  /** The committed valid inputs are still what {@link ConsensusSeeds} writes, byte for byte. */
  @Test
  void seedCorpus_validFiles_matchTheCurrentEncodings() throws Exception {
    Path root = Path.of(getClass().getResource("ConsensusDecodersFuzzTestInputs").toURI());
    for (Map.Entry<String, List<byte[]>> e : ConsensusSeeds.inputs().entrySet()) {
      List<byte[]> expected = e.getValue();
      for (int i = 0; i < expected.size(); i++) {
        Path file = root.resolve(e.getKey()).resolve("valid-%02d".formatted(i));
        assertThat(Files.readAllBytes(file)).as(file.toString()).isEqualTo(expected.get(i));
      }
    }
  }

  /** The valid seals are real: each verifies for the header it was signed over. */
  @Test
  void validSeals_verifyForTheirHeader_signerIsTheSealer() {
    Map<String, List<byte[]>> in = ConsensusSeeds.inputs();
    Map<String, ConsensusProtocol> protocols =
        Map.of(
            "decodePoaSeal_anyBytes_canonicalOrRejected", ConsensusSeeds.poaProtocol(),
            "decodePoegSeal_anyBytes_canonicalOrRejected", ConsensusSeeds.poegProtocol(),
            "decodePosocSeal_anyBytes_canonicalOrRejected", ConsensusSeeds.posocProtocol());
    protocols.forEach(
        (target, protocol) ->
            in.get(target)
                .forEach(
                    seal ->
                        assertThat(protocol.signer(ConsensusSeeds.header().withSeal(seal)))
                            .as(target)
                            .contains(ConsensusSeeds.SEALER.address())));
    byte[] trustSeal = in.get("trustStakeSigner_anySeal_answersWithoutThrowing").get(0);
    assertThat(ConsensusSeeds.trustProtocol().signer(ConsensusSeeds.trustHeader()))
        .contains(ConsensusSeeds.SEALER.address());
    assertThat(ConsensusSeeds.trustHeader().seal()).isEqualTo(trustSeal);
  }

  /**
   * The trust-stake seals of version 1 kept in the corpus (written before evidence headers took
   * their canonical encoding) still verify: the first was signed over the same header.
   */
  @Test
  void legacyTrustSeal_version1_stillVerifies() throws Exception {
    Path legacy =
        Path.of(getClass().getResource("ConsensusDecodersFuzzTestInputs").toURI())
            .resolve("trustStakeSigner_anySeal_answersWithoutThrowing")
            .resolve("legacy-v1-00");
    byte[] seal = Files.readAllBytes(legacy);
    assertThat(seal[0]).isEqualTo((byte) 1);
    assertThat(ConsensusSeeds.trustHeader().seal()).isNotEqualTo(seal);
    assertThat(ConsensusSeeds.trustProtocol().signer(ConsensusSeeds.trustHeader().withSeal(seal)))
        .contains(ConsensusSeeds.SEALER.address());
  }

  private static ConsensusMessage message(FuzzedDataProvider data) {
    switch (data.consumeInt(0, 7)) {
      case 0:
        return new ConsensusMessage.NewTransaction(data.consumeBytes(2_100));
      case 1:
        return new ConsensusMessage.NewBlock(data.consumeBytes(8_192));
      case 2:
        return new ConsensusMessage.NewBlock(patchedBlock(data));
      case 3:
        return new ConsensusMessage.Status(
            Math.max(0, data.consumeLong()), Hash.of(Arrays.copyOf(data.consumeBytes(32), 32)));
      case 4:
        return new ConsensusMessage.BlockRequest(
            Math.max(1, data.consumeLong()), Math.max(1, data.consumeInt()));
      case 5:
        {
          List<byte[]> blocks = new ArrayList<>();
          int k = data.consumeInt(0, 4);
          for (int i = 0; i < k; i++) {
            blocks.add(data.consumeBoolean() ? patchedBlock(data) : data.consumeBytes(4_096));
          }
          return new ConsensusMessage.BlockResponse(blocks);
        }
      case 6:
        return new ConsensusMessage.EvidenceNotice(patchedBlock(data), patchedBlock(data));
      default:
        return new ConsensusMessage.EvidenceNotice(
            data.consumeBytes(4_096), data.consumeBytes(4_096));
    }
  }

  /**
   * One of the valid blocks with up to four fuzzed runs of bytes written over it (heights, hashes,
   * seals, transaction bytes): the shape stays that of a real block, so mutations reach the
   * engine's checks rather than the decoder's first length check.
   */
  private static byte[] patchedBlock(FuzzedDataProvider data) {
    List<Block> blocks = ConsensusSeeds.blocks();
    byte[] b = blocks.get(data.consumeInt(0, blocks.size() - 1)).encode();
    int patches = data.consumeInt(0, 4);
    for (int i = 0; i < patches; i++) {
      int at = data.consumeInt(0, b.length - 1);
      byte[] run = data.consumeBytes(Math.min(16, b.length - at));
      System.arraycopy(run, 0, b, at, run.length);
    }
    return b;
  }

  private interface Decoder {
    byte[] reencode(byte[] bytes);
  }

  private static void checkSeal(byte[] bytes, Decoder decoder, ConsensusProtocol protocol) {
    byte[] again;
    try {
      again = decoder.reencode(bytes);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
      again = null;
    }
    if (again != null) {
      assertThat(again).isEqualTo(bytes);
    }
    if (bytes.length <= BlockHeader.MAX_SEAL_BYTES) {
      BlockHeader h = ConsensusSeeds.header().withSeal(bytes);
      Optional<?> signer = protocol.signer(h);
      if (signer.isPresent()) {
        assertThat(again).as("a seal that verifies decodes").isNotNull();
      }
    }
  }
}

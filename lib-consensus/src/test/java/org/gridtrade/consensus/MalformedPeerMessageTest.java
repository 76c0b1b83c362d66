package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.List;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for peer messages that made {@link BlockEngine#tick()} throw. The first was
 * found by {@link ConsensusDecodersFuzzTest#engineTick_anyPeerMessages_neverThrows} (its input is
 * kept as {@code crash-block-claiming-height-0} among that target's inputs): a block claiming
 * height 0 reached the fork-choice code, which asked the schedule for the protocol of height 0 and
 * let its {@code IllegalArgumentException} ("height 0 must be >= 1") escape to the caller.
 */
class MalformedPeerMessageTest {
  private final List<EngineListener.Rejection> rejected = new ArrayList<>();

  /** A block at height 0 that is not the genesis block: another timestamp. */
  private static Block otherBlockZero(BlockEngine e) {
    BlockHeader g = e.ledger().block(0).orElseThrow().header();
    return new Block(
        new BlockHeader(
            0,
            g.previousHash(),
            g.transactionsRoot(),
            0,
            g.stateRoot(),
            g.timestamp() + 1,
            g.proposer(),
            g.seal()),
        List.of());
  }

  @Test
  void blockClaimingHeight0_fromPeer_isRejectedAsInvalidAndTickDoesNotThrow() {
    try (BlockEngine e = ConsensusSeeds.follower(rejected)) {
      Block zero = otherBlockZero(e);
      e.receive("peer", new ConsensusMessage.NewBlock(zero.encode()));
      assertThatCode(e::tick).doesNotThrowAnyException();
      assertThat(rejected)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.block()).isEqualTo(zero);
                assertThat(r.from()).isEqualTo("peer");
                assertThat(r.kind()).isEqualTo(EngineListener.Rejection.Kind.INVALID);
                assertThat(r.reason()).contains("block height 0", "genesis");
              });
      assertThat(e.ledger().height()).isZero();
      assertThat(e.ledger().block(0).orElseThrow().hash()).isNotEqualTo(zero.hash());
      assertThat(e.failedMessages()).isZero();
    }
  }

  @Test
  void blockClaimingHeight0_inBlockResponseAfterBlocks_isRejectedAndTheRestAppended() {
    try (BlockEngine e = ConsensusSeeds.follower(rejected)) {
      List<Block> chain = ConsensusSeeds.blocks();
      e.receive(
          "peer",
          new ConsensusMessage.BlockResponse(
              List.of(otherBlockZero(e).encode(), chain.get(0).encode(), chain.get(1).encode())));
      assertThatCode(e::tick).doesNotThrowAnyException();
      assertThat(e.ledger().height()).isEqualTo(2);
      assertThat(rejected).extracting(r -> r.block().height()).containsExactly(0L);
      assertThat(e.failedMessages()).isZero();
    }
  }

  @Test
  void genesisBlock_resentByPeer_isIgnored() {
    try (BlockEngine e = ConsensusSeeds.follower(rejected)) {
      Block genesis = e.ledger().block(0).orElseThrow();
      e.receive("peer", new ConsensusMessage.NewBlock(genesis.encode()));
      assertThatCode(e::tick).doesNotThrowAnyException();
      assertThat(rejected).isEmpty();
      assertThat(e.ledger().height()).isZero();
      assertThat(e.failedMessages()).isZero();
    }
  }

  @Test
  void evidenceOfTwoBlocksAtHeight0_fromPeer_isRefusedWithoutThrowing() {
    try (BlockEngine e = ConsensusSeeds.follower(rejected)) {
      Block genesis = e.ledger().block(0).orElseThrow();
      e.receive(
          "peer",
          new ConsensusMessage.EvidenceNotice(genesis.encode(), otherBlockZero(e).encode()));
      e.receive("peer", new ConsensusMessage.Status(0, Hash.ZERO));
      assertThatCode(e::tick).doesNotThrowAnyException();
      assertThat(e.evidence()).isEmpty();
      assertThat(e.failedMessages()).isZero();
    }
  }
}

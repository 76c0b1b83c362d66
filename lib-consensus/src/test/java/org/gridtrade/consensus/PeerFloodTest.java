package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;

/**
 * What one peer can make a node hold: blocks buffered ahead of the head are bounded in bytes per
 * peer, and a peer that keeps sending invalid blocks is ignored for a while. Before, a node
 * buffered up to 16,384 unvalidated future blocks of up to 64 MiB each from any peer.
 */
class PeerFloodTest {
  private final List<EngineListener.Rejection> rejected = new ArrayList<>();

  /** A block of junk at {@code height}: {@code copies} of one 1.6 KB transaction, nothing valid. */
  private static byte[] junk(long height, int copies) {
    KeyPair k = Fixtures.key(77);
    Transaction t =
        new TransactionBody(
                Fixtures.CHAIN,
                k.publicKey(),
                height,
                0,
                new Payload.Call("junk", new byte[Payload.Call.MAX_DATA_BYTES]))
            .sign(k);
    List<Transaction> txs = Collections.nCopies(copies, t);
    BlockHeader h =
        new BlockHeader(
            height,
            Hash.sha256(new byte[] {(byte) height}),
            Block.transactionsRoot(txs),
            txs.size(),
            Hash.ZERO,
            Fixtures.GENESIS_TIME + height,
            k.address(),
            new byte[0]);
    return new Block(h, txs).encode();
  }

  @Test
  void junkBlocksAhead_fromOnePeer_areBoundedInBytes_andHonestBlocksStillApply() {
    try (BlockEngine e = ConsensusSeeds.follower(rejected)) {
      int copies = 250; // about 410 KB a block
      long sent = 0;
      for (long h = 2; h < 2 + 400; h++) {
        byte[] b = junk(h, copies);
        sent += b.length;
        e.receive("junk-peer", new ConsensusMessage.NewBlock(b));
        if (h % 20 == 0) {
          e.tick();
        }
      }
      e.tick();
      assertThat(sent).isGreaterThan(2 * BlockEngine.MAX_BUFFERED_BYTES_PER_PEER);
      assertThat(e.bufferedBytes())
          .isLessThanOrEqualTo(BlockEngine.MAX_BUFFERED_BYTES_PER_PEER)
          .isGreaterThan(BlockEngine.MAX_BUFFERED_BYTES_PER_PEER / 2);
      List<Block> chain = ConsensusSeeds.blocks();
      e.receive(
          "honest",
          new ConsensusMessage.BlockResponse(
              List.of(chain.get(0).encode(), chain.get(1).encode(), chain.get(2).encode())));
      e.tick();
      assertThat(e.ledger().height()).isEqualTo(3);
      assertThat(e.failedMessages()).isZero();
    }
  }

  @Test
  void invalidBlocksFromAPeer_getItIgnored_detachedOnesDoNot() {
    try (BlockEngine e = ConsensusSeeds.follower(rejected)) {
      Block good = ConsensusSeeds.blocks().get(0);
      BlockHeader g = good.header();
      for (int i = 0; i < BlockEngine.MAX_STRIKES; i++) {
        BlockHeader bad =
            new BlockHeader(
                1,
                g.previousHash(),
                g.transactionsRoot(),
                g.transactionCount(),
                Hash.sha256(new byte[] {(byte) i}), // a wrong state root
                g.timestamp(),
                g.proposer(),
                g.seal());
        e.receive(
            "mallory", new ConsensusMessage.NewBlock(new Block(bad, good.transactions()).encode()));
        e.tick();
        assertThat(e.isIgnored("mallory")).isEqualTo(i == BlockEngine.MAX_STRIKES - 1);
      }
      // Ignored: even a valid block from mallory is not taken now.
      e.receive("mallory", new ConsensusMessage.NewBlock(good.encode()));
      e.tick();
      assertThat(e.ledger().height()).isZero();
      // Blocks that do not link to the head are no offence.
      for (int i = 0; i < 2 * BlockEngine.MAX_STRIKES; i++) {
        BlockHeader detached =
            new BlockHeader(
                1,
                Hash.sha256(new byte[] {9, (byte) i}),
                g.transactionsRoot(),
                g.transactionCount(),
                g.stateRoot(),
                g.timestamp(),
                g.proposer(),
                g.seal());
        e.receive(
            "slow-peer",
            new ConsensusMessage.NewBlock(new Block(detached, good.transactions()).encode()));
        e.tick();
      }
      assertThat(e.isIgnored("slow-peer")).isFalse();
      e.receive("slow-peer", new ConsensusMessage.NewBlock(good.encode()));
      e.tick();
      assertThat(e.ledger().height()).isEqualTo(1);
    }
  }
}

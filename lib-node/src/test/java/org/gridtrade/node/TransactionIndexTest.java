package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;

/**
 * The node's index of included transactions stays within its window of blocks and transactions, and
 * answers as a naive search of the window's blocks does, through appends and reorganisations.
 */
class TransactionIndexTest {
  private static final KeyPair SENDER = KeyPair.fromSeed(new byte[32]);
  private static long nonce;

  private static Transaction tx() {
    return new TransactionBody(
            7, SENDER.publicKey(), nonce++, 1, new Payload.Transfer(SENDER.address(), 1))
        .sign(SENDER);
  }

  private static Block block(long height, int count) {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      txs.add(tx());
    }
    BlockHeader h =
        new BlockHeader(
            height,
            Hash.ZERO,
            Block.transactionsRoot(txs),
            count,
            Hash.ZERO,
            1_000L * height,
            SENDER.address(),
            new byte[0]);
    return new Block(h, txs);
  }

  // The window as the rule states it, recomputed from the chain: the newest blocks, at most
  // maxBlocks of them, dropping the oldest while they hold more than maxTransactions (never the
  // newest).
  private static List<Block> window(List<Block> chain, int maxBlocks, long maxTransactions) {
    List<Block> w = new ArrayList<>();
    long n = 0;
    for (int i = chain.size() - 1; i >= 0; i--) {
      Block b = chain.get(i);
      if (!w.isEmpty()
          && (w.size() == maxBlocks || n + b.transactions().size() > maxTransactions)) {
        break;
      }
      w.add(b);
      n += b.transactions().size();
    }
    return w;
  }

  @Test
  void property_indexAnswersAsANaiveSearchOfItsWindow() {
    qt().withFixedSeed(71L)
        .withExamples(60)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              int maxBlocks = 1 + r.nextInt(12);
              long maxTx = 1 + r.nextInt(40);
              TransactionIndex index = new TransactionIndex(maxBlocks, maxTx);
              List<Block> chain = new ArrayList<>(); // what the node appended, minus removals
              List<Block> appended = new ArrayList<>(); // every block ever appended
              for (int step = 0; step < 60; step++) {
                if (!chain.isEmpty() && r.nextInt(6) == 0) {
                  int k = 1 + r.nextInt(Math.min(3, chain.size()));
                  List<Block> removed =
                      new ArrayList<>(chain.subList(chain.size() - k, chain.size()));
                  chain.subList(chain.size() - k, chain.size()).clear();
                  index.remove(removed);
                } else {
                  Block b = block(chain.size() + 1, r.nextInt(8));
                  chain.add(b);
                  appended.add(b);
                  index.add(b);
                }
                // After a removal the index may hold less than the window: what left it stays out.
                List<Block> w = window(chain, maxBlocks, maxTx);
                long inWindow = w.stream().mapToLong(b -> b.transactions().size()).sum();
                assertThat(index.size()).isLessThanOrEqualTo(inWindow);
                // Every transaction the index finds is where the chain has it, inside the window.
                for (Block b : appended) {
                  for (int i = 0; i < b.transactions().size(); i++) {
                    long[] at = index.get(b.transactions().get(i).id());
                    boolean onChain = chain.contains(b);
                    if (at != null) {
                      assertThat(onChain).as("found a removed block's transaction").isTrue();
                      assertThat(w).contains(b);
                      assertThat(at).containsExactly(b.height(), i);
                    }
                  }
                }
              }
            });
  }

  @Test
  void longRun_staysWithinItsBounds_andFindsTheNewestBlocks() {
    TransactionIndex index = new TransactionIndex(50, 200);
    List<Block> chain = new ArrayList<>();
    for (int h = 1; h <= 400; h++) {
      Block b = block(h, h % 7);
      chain.add(b);
      index.add(b);
      assertThat(index.size()).isLessThanOrEqualTo(200);
    }
    // Without reorganisations the window is exactly the rule's.
    List<Block> w = window(chain, 50, 200);
    long expected = w.stream().mapToLong(b -> b.transactions().size()).sum();
    assertThat(index.size()).isEqualTo(expected);
    for (Block b : chain) {
      for (int i = 0; i < b.transactions().size(); i++) {
        long[] at = index.get(b.transactions().get(i).id());
        if (w.contains(b)) {
          assertThat(at).containsExactly(b.height(), i);
        } else {
          assertThat(at).isNull();
        }
      }
    }
  }
}

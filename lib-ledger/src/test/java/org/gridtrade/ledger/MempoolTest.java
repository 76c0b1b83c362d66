package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MempoolTest {
  private static final long NOW = 1_700_000_000_000L;
  private final List<KeyPair> keys = TestKit.keys(12);
  private final LedgerState state = TestKit.genesis(keys, 1_000_000).state();

  private Transaction tx(int from, long nonce, long fee) {
    KeyPair k = keys.get(from);
    return new TransactionBody(
            TestKit.CHAIN,
            k.publicKey(),
            nonce,
            fee,
            new Payload.Transfer(keys.get(0).address(), 10))
        .sign(k);
  }

  private static RejectReason reason(TxResult r) {
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    return ((TxResult.Rejected) r).reason();
  }

  @Test
  void refusesDuplicatesReplaysGapsAndBadBytes_changingNothing() {
    Mempool pool = Mempool.create(100, 1 << 20, 4);
    Transaction t = tx(1, 0, 5);
    assertThat(pool.submit(t, state, NOW).accepted()).isTrue();
    long bytes = pool.bytes();
    assertThat(reason(pool.submit(t, state, NOW))).isEqualTo(RejectReason.DUPLICATE);
    assertThat(reason(pool.submit(tx(1, 0, 9), state, NOW))).isEqualTo(RejectReason.DUPLICATE);
    assertThat(reason(pool.submit(tx(1, 5, 5), state, NOW))).isEqualTo(RejectReason.NONCE_GAP);
    byte[] bad = tx(2, 0, 5).encode();
    bad[10] ^= 1;
    assertThat(reason(pool.submit(bad, state, NOW))).isEqualTo(RejectReason.BAD_SIGNATURE);
    assertThat(reason(pool.submit(new byte[] {1, 2, 3}, state, NOW)))
        .isEqualTo(RejectReason.MALFORMED);
    byte[] unknown = tx(2, 0, 5).encode();
    unknown[Codec.PAYLOAD_TAG_OFFSET] = 42;
    assertThat(reason(pool.submit(unknown, state, NOW))).isEqualTo(RejectReason.UNKNOWN_TYPE);
    Transaction broke =
        new TransactionBody(
                TestKit.CHAIN,
                keys.get(3).publicKey(),
                0,
                0,
                new Payload.Transfer(keys.get(0).address(), 2_000_000))
            .sign(keys.get(3));
    assertThat(reason(pool.submit(broke, state, NOW))).isEqualTo(RejectReason.INSUFFICIENT_FUNDS);
    assertThat(pool.size()).isEqualTo(1);
    assertThat(pool.bytes()).isEqualTo(bytes);
    // After the block that included it, the pool treats a resubmission as a replay.
    LedgerState after =
        ((LedgerState.Outcome.Applied) state.apply(List.of(t), keys.get(0).address(), NOW)).state();
    assertThat(pool.prune(after)).isEqualTo(1);
    assertThat(reason(pool.submit(t, after, NOW))).isEqualTo(RejectReason.NONCE_REPLAY);
    assertThat(pool.size()).isZero();
    assertThat(pool.bytes()).isZero();
  }

  @Test
  void full_refusesWithReason_andNeverGrowsPastBounds() {
    Mempool byCount = Mempool.create(3, 1 << 20, 10);
    for (int i = 1; i <= 3; i++) {
      assertThat(byCount.submit(tx(i, 0, 1), state, NOW).accepted()).isTrue();
    }
    TxResult r = byCount.submit(tx(4, 0, 1000), state, NOW);
    assertThat(reason(r)).isEqualTo(RejectReason.POOL_FULL);
    assertThat(r.toString()).contains("3 transactions");
    long one = Mempool.charge(tx(1, 0, 1));
    long cap = Math.max(2L * one + 10, 2L * Transaction.MAX_ENCODED_BYTES + 780);
    Mempool byBytes = Mempool.create(1000, cap, 10);
    int accepted = 0;
    for (int i = 1; i <= 11; i++) {
      if (byBytes.submit(tx(i, 0, 1), state, NOW).accepted()) {
        accepted++;
      }
      assertThat(byBytes.bytes()).isLessThanOrEqualTo(cap);
    }
    assertThat(accepted).isEqualTo((int) (cap / one));
    assertThatThrownBy(() -> Mempool.create(0, 1 << 20, 1))
        .hasMessageContaining("maxTransactions 0");
  }

  @Test
  void select_ordersByFee_keepingEachSendersNonceOrder() {
    Mempool pool = Mempool.create(100, 1 << 20, 10);
    // Sender 1: low fee first, then a high fee; sender 2: medium fees.
    List<Transaction> all =
        List.of(tx(1, 0, 1), tx(1, 1, 100), tx(2, 0, 50), tx(2, 1, 40), tx(3, 2, 500));
    List<Transaction> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new java.util.Random(5));
    for (Transaction t : shuffled) {
      pool.submit(t, state, NOW);
    }
    List<Transaction> picked = pool.select(state, 10);
    // Sender 3's nonce 2 cannot go before its nonces 0 and 1.
    assertThat(picked).containsExactly(tx(2, 0, 50), tx(2, 1, 40), tx(1, 0, 1), tx(1, 1, 100));
    LedgerState.Outcome o = state.apply(picked, keys.get(0).address(), NOW);
    assertThat(o).isInstanceOf(LedgerState.Outcome.Applied.class);
    pool.removeAll(picked);
    assertThat(pool.size()).isEqualTo(1);
  }

  @Test
  void concurrentSubmitters_neverExceedBounds_andLoseNothing() throws Exception {
    int threads = 8;
    int perThread = 60;
    Mempool pool = Mempool.create(300, 1 << 22, perThread);
    ConcurrentLinkedQueue<Transaction> accepted = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<TxResult> refused = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService ex = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      int sender = 1 + t;
      ex.submit(
          () -> {
            go.await();
            for (int n = 0; n < perThread; n++) {
              Transaction tx = tx(sender, n, n % 7);
              TxResult r = pool.submit(tx, state, NOW);
              if (r.accepted()) {
                accepted.add(tx);
              } else {
                refused.add(r);
              }
              pool.submit(tx, state, NOW); // a racing duplicate must never double-count
            }
            return null;
          });
    }
    go.countDown();
    ex.shutdown();
    assertThat(ex.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(accepted).hasSize(300);
    assertThat(refused).hasSize(threads * perThread - 300);
    assertThat(refused).allSatisfy(r -> assertThat(reason(r)).isEqualTo(RejectReason.POOL_FULL));
    assertThat(pool.size()).isEqualTo(300);
    Map<Address, Long> nonceSeen = new HashMap<>();
    for (Transaction t : accepted) {
      assertThat(pool.contains(t.id())).isTrue();
      nonceSeen.merge(t.sender(), 1L, Long::sum);
    }
    long expectedBytes = accepted.stream().mapToLong(t -> 2L * t.encodedLength() + 780).sum();
    assertThat(pool.bytes()).isEqualTo(expectedBytes);
  }
}

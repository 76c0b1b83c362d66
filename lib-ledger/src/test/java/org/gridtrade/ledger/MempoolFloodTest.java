package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Floods of transactions that can never be included (unfunded senders, nonces behind a gap) must
 * not keep includable ones out of the pool, and nothing stays pending forever.
 */
class MempoolFloodTest {
  private static final long NOW = 1_700_000_000_000L;
  private final List<KeyPair> honest = TestKit.keys(50);
  private final LedgerState state = TestKit.genesis(honest, 1_000_000).state();

  private static Transaction reading(KeyPair k, long nonce, long fee, int i) {
    return new TransactionBody(
            TestKit.CHAIN,
            k.publicKey(),
            nonce,
            fee,
            new Payload.MeterReading("m" + i, NOW, 60, 1, 0))
        .sign(k);
  }

  private static Transaction transfer(KeyPair k, long nonce, long fee, Address to, long amount) {
    return new TransactionBody(
            TestKit.CHAIN, k.publicKey(), nonce, fee, new Payload.Transfer(to, amount))
        .sign(k);
  }

  private static RejectReason reason(TxResult r) {
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    return ((TxResult.Rejected) r).reason();
  }

  @Test
  void futureNonceFloodFromFreshKeys_leavesRoomForEveryHonestTransaction() {
    int capacity = 10_000;
    Mempool pool = Mempool.create(capacity, 256L << 20, 64);
    Map<RejectReason, Integer> refused = new HashMap<>();
    int admitted = 0;
    int sent = 0;
    // 10,000 future-nonce readings from 157 fresh keys, half paying a fee they cannot pay.
    for (int k = 0; sent < capacity; k++) {
      KeyPair sybil = TestKit.key(10_000 + k);
      for (int n = 1; n <= 64 && sent < capacity; n++, sent++) {
        TxResult r = pool.submit(reading(sybil, n, sent % 2, sent), state, NOW);
        if (r.accepted()) {
          admitted++;
        } else {
          refused.merge(((TxResult.Rejected) r).reason(), 1, Integer::sum);
        }
      }
    }
    assertThat(refused.get(RejectReason.INSUFFICIENT_FUNDS)).isEqualTo(capacity / 2);
    assertThat(admitted).isLessThanOrEqualTo(capacity / 4);
    assertThat(pool.queuedSize()).isEqualTo(admitted);
    // Every honest transaction gets in, and a block takes all of them.
    List<Transaction> mine = new ArrayList<>();
    for (KeyPair k : honest) {
      Transaction t = transfer(k, 0, 1, honest.get(0).address(), 10);
      assertThat(pool.submit(t, state, NOW).accepted()).isTrue();
      mine.add(t);
    }
    List<Transaction> selected = pool.select(state, 1_000);
    assertThat(selected).containsExactlyInAnyOrderElementsOf(mine);
  }

  @Test
  void fullPool_readyNewcomerEvictsQueuedTransactionsFirst() {
    Mempool pool = Mempool.create(200, 256L << 20, 64);
    // 50 queued (the most a pool of 200 takes) from one fresh zero-fee key...
    KeyPair sybil = TestKit.key(20_000);
    for (int n = 1; n <= 60; n++) {
      TxResult r = pool.submit(reading(sybil, n, 0, n), state, NOW);
      if (n <= 50) {
        assertThat(r.accepted()).isTrue();
      } else {
        assertThat(reason(r)).isEqualTo(RejectReason.POOL_FULL);
        assertThat(r.toString()).contains("queued");
      }
    }
    // ...and 150 ready transactions fill it.
    for (int i = 0; i < 150; i++) {
      KeyPair k = honest.get(i % 50);
      assertThat(pool.submit(transfer(k, i / 50, 1, sybil.address(), 1), state, NOW).accepted())
          .isTrue();
    }
    assertThat(pool.size()).isEqualTo(200);
    Transaction late = transfer(honest.get(7), 3, 1, sybil.address(), 1);
    assertThat(pool.submit(late, state, NOW).accepted()).isTrue();
    assertThat(pool.size()).isEqualTo(200);
    // The evicted one is the queued transaction with the lowest fee, the latest: nonce 50, and
    // nothing ready was touched.
    assertThat(pool.queuedSize()).isEqualTo(49);
    assertThat(pool.select(state, 1_000)).hasSize(151);
  }

  @Test
  void gapFilled_queuedTransactionsBecomeReady() {
    Mempool pool = Mempool.create(100, 256L << 20, 8);
    KeyPair k = honest.get(3);
    Address to = honest.get(4).address();
    assertThat(pool.submit(transfer(k, 2, 1, to, 1), state, NOW).accepted()).isTrue();
    assertThat(pool.submit(transfer(k, 1, 1, to, 1), state, NOW).accepted()).isTrue();
    assertThat(pool.queuedSize()).isEqualTo(2);
    assertThat(pool.select(state, 10)).isEmpty();
    assertThat(pool.submit(transfer(k, 0, 1, to, 1), state, NOW).accepted()).isTrue();
    assertThat(pool.queuedSize()).isZero();
    assertThat(pool.select(state, 10)).hasSize(3);
  }

  @Test
  void sender_cannotQueueMoreThanItsBalancePays() {
    Mempool pool = Mempool.create(100, 256L << 20, 8);
    KeyPair k = honest.get(5);
    Address to = honest.get(6).address();
    assertThat(pool.submit(transfer(k, 0, 1, to, 600_000), state, NOW).accepted()).isTrue();
    TxResult second = pool.submit(transfer(k, 1, 1, to, 600_000), state, NOW);
    assertThat(reason(second)).isEqualTo(RejectReason.INSUFFICIENT_FUNDS);
    assertThat(second.toString()).contains("1200002 needed").contains("1 pending lower nonces");
    assertThat(pool.submit(transfer(k, 1, 1, to, 399_998), state, NOW).accepted()).isTrue();
    assertThat(pool.size()).isEqualTo(2);
  }

  @Test
  void prune_dropsTransactionsOlderThanMaxAge_andCountsTheRestAgain() {
    Mempool pool = Mempool.create(100, 256L << 20, 8, Duration.ofMinutes(1));
    Address to = honest.get(0).address();
    Transaction old = transfer(honest.get(1), 0, 1, to, 1);
    Transaction young = transfer(honest.get(1), 1, 1, to, 1);
    assertThat(pool.submit(old, state, NOW).accepted()).isTrue();
    assertThat(pool.submit(young, state, NOW + 30_000).accepted()).isTrue();
    assertThat(pool.prune(state, NOW + 59_000)).isZero();
    assertThat(pool.prune(state, NOW + 61_000)).isEqualTo(1);
    // The young one is now behind a gap (nonce 0 expired): queued, not selectable.
    assertThat(pool.queuedSize()).isEqualTo(1);
    assertThat(pool.select(state, 10)).isEmpty();
    assertThat(pool.prune(state, NOW + 91_000)).isEqualTo(1);
    assertThat(pool.size()).isZero();
    assertThat(pool.bytes()).isZero();
  }
}

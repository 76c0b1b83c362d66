package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Pending transactions waiting for a block: bounded in count and bytes, ordered by fee while
 * keeping each sender's nonce order.
 *
 * <p>Admission ({@link #submit}) refuses, with a reason and without changing anything: bad
 * signatures, another chain id, duplicates, replays (nonce below the sender's next nonce), nonces
 * more than {@code maxNonceAhead} ahead, a second transaction for a pending (sender, nonce), a
 * transaction that the state already rejects when its nonce is the next one, and anything that
 * would take the pool past its count or byte bound. The pool never grows past its bounds.
 *
 * <p>Thread-safe: every method is atomic.
 */
public final class Mempool {
  /** Bytes charged per pending transaction beyond its encoding (objects, indexes). */
  static final int OVERHEAD_BYTES = 256;

  private final int maxTransactions;
  private final long maxBytes;
  private final int maxNonceAhead;

  private final Map<Hash, Transaction> byId = new HashMap<>();
  private final Map<Address, TreeMap<Long, Transaction>> bySender = new HashMap<>();
  private final Map<Hash, Long> arrival = new HashMap<>();
  private long bytes;
  private long sequence;

  private Mempool(int maxTransactions, long maxBytes, int maxNonceAhead) {
    this.maxTransactions = maxTransactions;
    this.maxBytes = maxBytes;
    this.maxNonceAhead = maxNonceAhead;
  }

  /**
   * Creates an empty pool.
   *
   * @param maxTransactions most pending transactions, 1 or more
   * @param maxBytes most bytes charged (encoding plus {@value #OVERHEAD_BYTES} per transaction), at
   *     least enough for one largest transaction
   * @param maxNonceAhead how far past the sender's next nonce a pending nonce may be, 0 or more
   * @return the pool
   * @throws IllegalArgumentException if a bound is out of range
   */
  public static Mempool create(int maxTransactions, long maxBytes, int maxNonceAhead) {
    if (maxTransactions < 1) {
      throw new IllegalArgumentException(
          "maxTransactions %d must be >= 1".formatted(maxTransactions));
    }
    long min = Transaction.MAX_ENCODED_BYTES + OVERHEAD_BYTES;
    if (maxBytes < min) {
      throw new IllegalArgumentException("maxBytes %d must be >= %d".formatted(maxBytes, min));
    }
    if (maxNonceAhead < 0) {
      throw new IllegalArgumentException("maxNonceAhead %d must be >= 0".formatted(maxNonceAhead));
    }
    return new Mempool(maxTransactions, maxBytes, maxNonceAhead);
  }

  /**
   * Decodes and submits a transaction received as bytes.
   *
   * @param encoded the canonical encoding
   * @param state the current chain state (chain id, nonces, balances)
   * @param now the current time, epoch ms (demand-response tokens expire)
   * @return accepted, or rejected ({@link RejectReason#MALFORMED} or {@link
   *     RejectReason#UNKNOWN_TYPE} for bytes that do not decode)
   */
  public TxResult submit(byte[] encoded, LedgerState state, long now) {
    Objects.requireNonNull(encoded, "encoded");
    Transaction tx;
    try {
      tx = Transaction.decode(encoded);
    } catch (DecodeException e) {
      return new TxResult.Rejected(
          Codec.hasUnknownPayloadTag(encoded) ? RejectReason.UNKNOWN_TYPE : RejectReason.MALFORMED,
          e.getMessage());
    }
    return submit(tx, state, now);
  }

  /**
   * Submits a transaction.
   *
   * @param tx the transaction
   * @param state the current chain state (chain id, nonces, balances)
   * @param now the current time, epoch ms (the unit of block and token timestamps; this is a per
   *     transaction hot path, so it takes no {@code Instant})
   * @return accepted, or rejected with the reason; a rejection changes nothing
   */
  public TxResult submit(Transaction tx, LedgerState state, long now) {
    Objects.requireNonNull(tx, "tx");
    Objects.requireNonNull(state, "state");
    // Signature checks are the expensive part: do them outside the lock.
    Optional<String> sig = tx.signatureProblem();
    if (sig.isPresent()) {
      return new TxResult.Rejected(RejectReason.BAD_SIGNATURE, sig.get());
    }
    TransactionBody b = tx.body();
    if (b.chainId() != state.chainId()) {
      return new TxResult.Rejected(
          RejectReason.WRONG_CHAIN,
          "chainId %d != this chain's %d".formatted(b.chainId(), state.chainId()));
    }
    Address sender = tx.sender();
    long next = state.account(sender).nonce();
    if (b.nonce() < next) {
      return new TxResult.Rejected(
          RejectReason.NONCE_REPLAY,
          "nonce %d < next nonce %d of %s".formatted(b.nonce(), next, sender));
    }
    if (b.nonce() - next > maxNonceAhead) {
      return new TxResult.Rejected(
          RejectReason.NONCE_GAP,
          "nonce %d is more than %d past next nonce %d of %s"
              .formatted(b.nonce(), maxNonceAhead, next, sender));
    }
    if (b.nonce() == next) {
      TxResult r = state.check(tx, now);
      if (r instanceof TxResult.Rejected) {
        return r;
      }
    }
    long cost = (long) tx.encodedLength() + OVERHEAD_BYTES;
    synchronized (this) {
      if (byId.containsKey(tx.id())) {
        return new TxResult.Rejected(
            RejectReason.DUPLICATE, "transaction %s is already pending".formatted(tx.id()));
      }
      TreeMap<Long, Transaction> queue = bySender.get(sender);
      if (queue != null && queue.containsKey(b.nonce())) {
        return new TxResult.Rejected(
            RejectReason.DUPLICATE,
            "another transaction with nonce %d of %s is already pending"
                .formatted(b.nonce(), sender));
      }
      if (byId.size() >= maxTransactions) {
        return new TxResult.Rejected(
            RejectReason.POOL_FULL,
            "pool holds %d transactions, the most it takes".formatted(byId.size()));
      }
      if (bytes + cost > maxBytes) {
        return new TxResult.Rejected(
            RejectReason.POOL_FULL,
            "pool holds %d bytes; %d more would pass its bound %d"
                .formatted(bytes, cost, maxBytes));
      }
      byId.put(tx.id(), tx);
      arrival.put(tx.id(), sequence++);
      bySender.computeIfAbsent(sender, k -> new TreeMap<>()).put(b.nonce(), tx);
      bytes += cost;
      return new TxResult.Accepted(tx.id());
    }
  }

  /**
   * Picks transactions for the next block: the highest fee first (earlier arrival on ties), each
   * sender's transactions in consecutive nonce order from its next nonce in {@code state}. Nothing
   * is removed.
   *
   * @param state the state the block builds on
   * @param max most transactions to return
   * @return the selection, in block order
   */
  public synchronized List<Transaction> select(LedgerState state, int max) {
    Objects.requireNonNull(state, "state");
    record Head(Transaction tx, long seq) {}
    PriorityQueue<Head> heads =
        new PriorityQueue<>(
            (x, y) -> {
              int c = Long.compare(y.tx.body().fee(), x.tx.body().fee());
              return c != 0 ? c : Long.compare(x.seq, y.seq);
            });
    for (Map.Entry<Address, TreeMap<Long, Transaction>> e : bySender.entrySet()) {
      Transaction first = e.getValue().get(state.account(e.getKey()).nonce());
      if (first != null) {
        heads.add(new Head(first, arrival.get(first.id())));
      }
    }
    List<Transaction> out = new ArrayList<>();
    while (!heads.isEmpty() && out.size() < max) {
      Transaction tx = heads.poll().tx;
      out.add(tx);
      Transaction following = bySender.get(tx.sender()).get(tx.body().nonce() + 1);
      if (following != null) {
        heads.add(new Head(following, arrival.get(following.id())));
      }
    }
    return out;
  }

  /**
   * Drops every transaction the state has made obsolete (nonce below the sender's next nonce), e.g.
   * after a block was appended. A transaction that {@link Ledger#propose} skipped (say for
   * insufficient funds) is not obsolete by nonce and stays pending, holding up its sender's later
   * nonces: remove those with {@link #removeAll}.
   *
   * @param state the new state
   * @return how many transactions were dropped
   */
  public synchronized int prune(LedgerState state) {
    Objects.requireNonNull(state, "state");
    int dropped = 0;
    for (Iterator<Map.Entry<Address, TreeMap<Long, Transaction>>> it =
            bySender.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<Address, TreeMap<Long, Transaction>> e = it.next();
      Map<Long, Transaction> stale = e.getValue().headMap(state.account(e.getKey()).nonce());
      for (Transaction tx : stale.values()) {
        forget(tx);
        dropped++;
      }
      stale.clear();
      if (e.getValue().isEmpty()) {
        it.remove();
      }
    }
    return dropped;
  }

  /**
   * Removes the given transactions, e.g. those a block included.
   *
   * @param included the transactions to drop; unknown ones are ignored
   */
  public synchronized void removeAll(Collection<Transaction> included) {
    for (Transaction tx : included) {
      if (byId.containsKey(tx.id())) {
        forget(tx);
        TreeMap<Long, Transaction> q = bySender.get(tx.sender());
        q.remove(tx.body().nonce());
        if (q.isEmpty()) {
          bySender.remove(tx.sender());
        }
      }
    }
  }

  private void forget(Transaction tx) {
    byId.remove(tx.id());
    arrival.remove(tx.id());
    bytes -= (long) tx.encodedLength() + OVERHEAD_BYTES;
  }

  /**
   * Number of pending transactions.
   *
   * @return the count
   */
  public synchronized int size() {
    return byId.size();
  }

  /**
   * Bytes charged for the pending transactions.
   *
   * @return the sum of encodings plus per-transaction overhead
   */
  public synchronized long bytes() {
    return bytes;
  }

  /**
   * Whether a transaction is pending.
   *
   * @param id the transaction id
   * @return {@code true} if it is in the pool
   */
  public synchronized boolean contains(Hash id) {
    return byId.containsKey(id);
  }

  /**
   * A pending transaction by id. The engine uses it to validate a received block with the pool's
   * instances, whose signatures were checked at admission (only when the encodings are equal).
   *
   * @param id the transaction id
   * @return the pending transaction, or empty
   */
  public synchronized Optional<Transaction> get(Hash id) {
    Objects.requireNonNull(id, "id");
    return Optional.ofNullable(byId.get(id));
  }
}

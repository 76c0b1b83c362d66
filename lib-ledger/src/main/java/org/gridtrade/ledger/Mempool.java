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
 * transaction that the state already rejects when its nonce is the next one, a transaction its
 * sender cannot pay for together with its pending lower nonces ({@link
 * RejectReason#INSUFFICIENT_FUNDS}: the fees plus the coins transfers, trades and stakes move out,
 * less what unstakes and settlements bring in, against the sender's balance), and anything that
 * would take the pool past its count or byte bound. The pool never grows past its bounds.
 *
 * <p>Pending transactions are <em>ready</em> (their sender's nonces are pending without a gap from
 * its next one) or <em>queued</em> (behind a gap: they cannot be included until the missing nonce
 * arrives). At most a quarter of the pool may be queued; a ready newcomer that finds the pool full
 * evicts queued transactions first (the lowest fee, then the latest), so future-nonce spam cannot
 * keep includable transactions out. Every pending transaction expires {@code maxAge} after its
 * admission ({@link #prune(LedgerState, long)}).
 *
 * <p>Thread-safe: every method is atomic.
 */
public final class Mempool {
  /**
   * Bytes charged per pending transaction beyond twice its encoding: measured, a pending 146-byte
   * transfer takes about 1,070 bytes of heap (its encoding kept, the decoded objects, the pool's
   * indexes), and the charge follows that ({@code 2 × 146 + 780}).
   */
  static final int OVERHEAD_BYTES = 780;

  /** The bytes charged for a pending transaction: about the heap it takes. */
  static long charge(Transaction tx) {
    return 2L * tx.encodedLength() + OVERHEAD_BYTES;
  }

  /** How long a transaction stays pending by default: one hour. */
  public static final java.time.Duration DEFAULT_MAX_AGE = java.time.Duration.ofHours(1);

  private final int maxTransactions;
  private final long maxBytes;
  private final int maxNonceAhead;
  private final long maxAgeMillis;
  private final int maxQueued;

  private final Map<Hash, Transaction> byId = new HashMap<>();
  private final Map<Address, TreeMap<Long, Transaction>> bySender = new HashMap<>();
  private final Map<Hash, Long> arrival = new HashMap<>();
  private final Map<Hash, Long> admittedAt = new HashMap<>();
  // Queued transactions (behind a nonce gap), in eviction order: lowest fee, then latest arrival.
  private final java.util.TreeSet<Transaction> queued;
  private long bytes;
  private long sequence;

  private Mempool(int maxTransactions, long maxBytes, int maxNonceAhead, long maxAgeMillis) {
    this.maxTransactions = maxTransactions;
    this.maxBytes = maxBytes;
    this.maxNonceAhead = maxNonceAhead;
    this.maxAgeMillis = maxAgeMillis;
    this.maxQueued = Math.max(1, maxTransactions / 4);
    this.queued =
        new java.util.TreeSet<>(
            (x, y) -> {
              int c = Long.compare(x.body().fee(), y.body().fee());
              return c != 0 ? c : Long.compare(arrival.get(y.id()), arrival.get(x.id()));
            });
  }

  /**
   * Creates an empty pool.
   *
   * @param maxTransactions most pending transactions, 1 or more
   * @param maxBytes most bytes charged (about the heap the pending transactions take: twice the
   *     encoding plus {@value #OVERHEAD_BYTES} per transaction), at least enough for one largest
   *     transaction
   * @param maxNonceAhead how far past the sender's next nonce a pending nonce may be, 0 or more
   * @return the pool
   * @throws IllegalArgumentException if a bound is out of range
   */
  public static Mempool create(int maxTransactions, long maxBytes, int maxNonceAhead) {
    return create(maxTransactions, maxBytes, maxNonceAhead, DEFAULT_MAX_AGE);
  }

  /**
   * Creates an empty pool whose transactions expire.
   *
   * @param maxTransactions most pending transactions, 1 or more
   * @param maxBytes most bytes charged, as for {@link #create(int, long, int)}
   * @param maxNonceAhead how far past the sender's next nonce a pending nonce may be, 0 or more
   * @param maxAge how long a transaction may stay pending, more than zero ({@link
   *     #prune(LedgerState, long)} drops older ones)
   * @return the pool
   * @throws IllegalArgumentException if a bound is out of range
   */
  public static Mempool create(
      int maxTransactions, long maxBytes, int maxNonceAhead, java.time.Duration maxAge) {
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge %s must be > 0".formatted(maxAge));
    }
    if (maxTransactions < 1) {
      throw new IllegalArgumentException(
          "maxTransactions %d must be >= 1".formatted(maxTransactions));
    }
    long min = 2L * Transaction.MAX_ENCODED_BYTES + OVERHEAD_BYTES;
    if (maxBytes < min) {
      throw new IllegalArgumentException("maxBytes %d must be >= %d".formatted(maxBytes, min));
    }
    if (maxNonceAhead < 0) {
      throw new IllegalArgumentException("maxNonceAhead %d must be >= 0".formatted(maxNonceAhead));
    }
    return new Mempool(maxTransactions, maxBytes, maxNonceAhead, maxAge.toMillis());
  }

  // What a transaction takes from its sender's balance at most: the fee plus the coins it moves
  // out, less what it brings in (never below zero).
  private static long cost(Transaction tx) {
    long fee = tx.body().fee();
    Payload p = tx.body().payload();
    try {
      long net;
      if (p instanceof Payload.Transfer t) {
        net = Math.addExact(fee, t.amount());
      } else if (p instanceof Payload.EnergyTrade t) {
        net = Math.addExact(fee, t.paymentMicro());
      } else if (p instanceof Payload.Stake st) {
        net = Math.addExact(fee, st.amount());
      } else if (p instanceof Payload.Unstake u) {
        net = fee - u.amount();
      } else if (p instanceof Payload.DemandResponseSettlement d) {
        net = fee - d.paymentMicro();
      } else {
        net = fee;
      }
      return Math.max(0, net);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
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
    long balance = state.account(sender).balance();
    long cost = charge(tx);
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
      long needs = cost(tx);
      int before = 0;
      if (queue != null) {
        for (Transaction earlier : queue.headMap(b.nonce()).values()) {
          needs = saturatedAdd(needs, cost(earlier));
          before++;
        }
      }
      if (needs > balance) {
        return new TxResult.Rejected(
            RejectReason.INSUFFICIENT_FUNDS,
            "balance %d of %s < %d needed for this transaction and its %d pending lower nonces"
                .formatted(balance, sender, needs, before));
      }
      boolean ready = b.nonce() == next || (queue != null && isReady(queue, next, b.nonce()));
      if (!ready && queued.size() >= maxQueued) {
        return new TxResult.Rejected(
            RejectReason.POOL_FULL,
            "pool holds %d queued transactions (behind a nonce gap), the most it takes"
                .formatted(queued.size()));
      }
      while (ready
          && (byId.size() >= maxTransactions || bytes + cost > maxBytes)
          && !queued.isEmpty()) {
        evict(queued.first());
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
      admittedAt.put(tx.id(), now);
      queue = bySender.computeIfAbsent(sender, k -> new TreeMap<>());
      queue.put(b.nonce(), tx);
      bytes += cost;
      if (ready) {
        // Transactions queued behind this nonce are ready now.
        for (long n = b.nonce() + 1; queue.containsKey(n); n++) {
          queued.remove(queue.get(n));
        }
      } else {
        queued.add(tx);
      }
      return new TxResult.Accepted(tx.id());
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  // Whether nonces next..nonce-1 of a sender are all pending.
  private static boolean isReady(TreeMap<Long, Transaction> queue, long next, long nonce) {
    for (long n = next; n < nonce; n++) {
      if (!queue.containsKey(n)) {
        return false;
      }
    }
    return true;
  }

  // Removes a pending transaction and those of its sender above it, which would be queued anyway.
  private void evict(Transaction tx) {
    TreeMap<Long, Transaction> q = bySender.get(tx.sender());
    Map<Long, Transaction> tail = q.tailMap(tx.body().nonce(), true);
    for (Transaction t : tail.values()) {
      forget(t);
    }
    tail.clear();
    if (q.isEmpty()) {
      bySender.remove(tx.sender());
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
    return prune(state, Long.MIN_VALUE);
  }

  /**
   * Drops every transaction the state has made obsolete, as {@link #prune(LedgerState)} does, and
   * every transaction pending for longer than the pool's {@code maxAge}; the transactions left
   * behind a nonce gap count as queued again.
   *
   * @param state the new state
   * @param now the current time, epoch ms
   * @return how many transactions were dropped
   */
  public synchronized int prune(LedgerState state, long now) {
    Objects.requireNonNull(state, "state");
    long expiredBefore = now == Long.MIN_VALUE ? Long.MIN_VALUE : now - maxAgeMillis;
    int dropped = 0;
    for (Iterator<Map.Entry<Address, TreeMap<Long, Transaction>>> it =
            bySender.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<Address, TreeMap<Long, Transaction>> e = it.next();
      long next = state.account(e.getKey()).nonce();
      TreeMap<Long, Transaction> q = e.getValue();
      Map<Long, Transaction> stale = q.headMap(next);
      for (Transaction tx : stale.values()) {
        forget(tx);
        dropped++;
      }
      stale.clear();
      for (Iterator<Transaction> t = q.values().iterator(); t.hasNext(); ) {
        Transaction tx = t.next();
        if (admittedAt.get(tx.id()) < expiredBefore) {
          forget(tx);
          t.remove();
          dropped++;
        }
      }
      long expect = next;
      for (Transaction tx : q.values()) {
        boolean ready = tx.body().nonce() == expect;
        if (ready) {
          expect++;
          queued.remove(tx);
        } else {
          queued.add(tx);
        }
      }
      if (q.isEmpty()) {
        it.remove();
      }
    }
    return dropped;
  }

  /**
   * The nonce a sender's next transaction should carry: its next nonce in {@code state}, past the
   * pending transactions that follow it without a gap.
   *
   * @param sender the sender
   * @param state the current state
   * @return the nonce
   */
  public synchronized long nextNonce(Address sender, LedgerState state) {
    Objects.requireNonNull(sender, "sender");
    long n = Objects.requireNonNull(state, "state").account(sender).nonce();
    TreeMap<Long, Transaction> q = bySender.get(sender);
    while (q != null && q.containsKey(n)) {
      n++;
    }
    return n;
  }

  /**
   * Number of pending transactions queued behind a nonce gap (they cannot be included until the
   * missing nonce arrives).
   *
   * @return the count
   */
  public synchronized int queuedSize() {
    return queued.size();
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
    queued.remove(tx); // before its arrival goes: the order reads it
    byId.remove(tx.id());
    arrival.remove(tx.id());
    admittedAt.remove(tx.id());
    bytes -= charge(tx);
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

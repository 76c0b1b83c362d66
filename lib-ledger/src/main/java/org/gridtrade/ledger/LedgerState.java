package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.gridtrade.ledger.internal.ByteWriter;
import org.gridtrade.ledger.internal.state.ExternalSorter;
import org.gridtrade.ledger.internal.state.InMemoryNodeStore;
import org.gridtrade.ledger.internal.state.Node;
import org.gridtrade.ledger.internal.state.NodeStore;
import org.gridtrade.ledger.internal.state.SparseMerkleTree;
import org.gridtrade.ledger.internal.state.StateView;

/**
 * An immutable snapshot of every account (balances, nonces, stakes), of the energy trades awaiting
 * a rating, and of the evidence ids that slashes have used: one version of the chain's
 * authenticated state tree.
 *
 * <p>Applying transactions never changes a snapshot: {@link #apply} returns a new one, or a
 * rejection that names the first bad transaction, so a block applies atomically (all of its
 * transactions or none). Thread-safe.
 *
 * <p>The state is a key-value map kept in a 256-bit sparse Merkle tree (see {@link StateKey} for
 * the keys and values, and {@link StateProof} for the hashing): a block touches only the keys it
 * changes, so applying it costs time proportional to its transactions times the logarithm of the
 * number of keys, and a new snapshot shares every untouched node with its parent (versions, not
 * copies). The {@link #root() state root} is the tree's root hash; {@link StateProof} proves any
 * key's value, or its absence, against it.
 *
 * <p>Rules (fees go to the block's proposer; a transaction's sender pays its fee and uses its
 * nonce):
 *
 * <ul>
 *   <li>the chain id must match, the nonce must equal the sender's next nonce;
 *   <li>{@link Payload.Transfer} and {@link Payload.EnergyTrade} move coins (the trade's sender
 *       must be its buyer); {@link Payload.Stake}/{@link Payload.Unstake} move coins between
 *       balance and stake;
 *   <li>{@link Payload.Reward} mints and {@link Payload.Slash} burns stake; only an authority of
 *       the {@link Genesis} may send them; a slash whose evidence hash an earlier slash on this
 *       chain (or earlier in the same block) already cited is rejected ({@link
 *       RejectReason#EVIDENCE_USED}), so one piece of evidence slashes at most once;
 *   <li>{@link Payload.MeterReading} only pays its fee;
 *   <li>{@link Payload.Rating} only pays its fee; it must cite an {@link Payload.EnergyTrade}
 *       confirmed in an earlier block, be sent by its seller or buyer, and be that party's first
 *       rating of the trade ({@link RejectReason#BAD_RATING} otherwise);
 *   <li>{@link Payload.DemandResponseSettlement} moves the payment from the EV to the SP after the
 *       token checks documented there.
 * </ul>
 *
 * <p>So transfers, trades, stakes, settlements and fees conserve {@link #totalSupply()}; only
 * rewards and slashes change it.
 */
public final class LedgerState {
  private final int chainId;
  private final Set<Address> authorities;
  private final StateView view;
  private volatile Hash root;

  private LedgerState(int chainId, Set<Address> authorities, StateView view) {
    this.chainId = chainId;
    this.authorities = authorities;
    this.view = view;
  }

  static LedgerState genesis(Genesis g) {
    return genesis(g, new InMemoryNodeStore());
  }

  /**
   * The genesis state. Up to {@link Genesis#BULK_THRESHOLD} allocations its nodes are written as an
   * uncommitted layer for {@code store}; above, the accounts are sorted by key hash with bounded
   * memory and the tree is built bottom-up straight into the store (each node written once), then
   * the counters are applied as an uncommitted layer on top.
   */
  static LedgerState genesis(Genesis g, NodeStore store) {
    if (g.allocationCount() > Genesis.BULK_THRESHOLD) {
      return bulkGenesis(g, store);
    }
    TreeMap<Address, Account> accounts = new TreeMap<>();
    g.forEachAllocation((a, v) -> accounts.put(a, new Account(v, 0, 0, Hash.ZERO)));
    long supply = 0;
    for (Account a : accounts.values()) {
      supply = Math.addExact(supply, a.balance());
    }
    List<SparseMerkleTree.Update> ups = new ArrayList<>(accounts.size() + 2);
    accounts.forEach((a, acc) -> ups.add(StateKey.account(a).put(encodeAccount(acc))));
    if (!accounts.isEmpty()) {
      ups.add(counter(StateKey.ACCOUNT_COUNT, accounts.size()));
    }
    if (supply != 0) {
      ups.add(counter(StateKey.SUPPLY, supply));
    }
    ups.sort(StateKey.UPDATE_ORDER);
    return new LedgerState(g.chainId(), g.authorities(), StateView.empty(store).apply(ups));
  }

  // Sorted records: keyHash (32) ‖ address (20) ‖ amount (8).
  private static final int GENESIS_RECORD = Hash.LENGTH + Address.LENGTH + 8;
  private static final int SORT_CHUNK = 1 << 20;

  private static LedgerState bulkGenesis(Genesis g, NodeStore store) {
    long version = store.allocateVersion();
    long[] supply = {0};
    SparseMerkleTree.Ptr root;
    try (ExternalSorter sorter = new ExternalSorter(GENESIS_RECORD, Hash.LENGTH, SORT_CHUNK)) {
      g.forEachAllocation(
          (a, v) -> {
            byte[] r = new byte[GENESIS_RECORD];
            System.arraycopy(StateKey.account(a).hash(), 0, r, 0, Hash.LENGTH);
            System.arraycopy(a.unsafeBytes(), 0, r, Hash.LENGTH, Address.LENGTH);
            long amount = v;
            for (int i = 0; i < 8; i++) {
              r[Hash.LENGTH + Address.LENGTH + i] = (byte) (amount >>> (56 - 8 * i));
            }
            supply[0] = Math.addExact(supply[0], amount);
            sorter.add(r);
          });
      java.util.Iterator<byte[]> records = sorter.sorted();
      java.util.Iterator<Node.Leaf> leaves =
          new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
              return records.hasNext();
            }

            @Override
            public Node.Leaf next() {
              byte[] r = records.next();
              byte[] keyHash = java.util.Arrays.copyOfRange(r, 0, Hash.LENGTH);
              long amount = java.nio.ByteBuffer.wrap(r, Hash.LENGTH + Address.LENGTH, 8).getLong();
              // The key's hash is the record's own: build the key's bytes without hashing again.
              byte[] key = new byte[1 + Address.LENGTH];
              key[0] = (byte) StateKey.ACCOUNT;
              System.arraycopy(r, Hash.LENGTH, key, 1, Address.LENGTH);
              return new Node.Leaf(
                  keyHash, key, encodeAccount(new Account(amount, 0, 0, Hash.ZERO)));
            }
          };
      root = SparseMerkleTree.bulkBuild(leaves, version, store::bulkPut);
      store.bulkFlush();
    }
    List<SparseMerkleTree.Update> counters =
        new ArrayList<>(
            List.of(
                counter(StateKey.ACCOUNT_COUNT, g.allocationCount()),
                counter(StateKey.SUPPLY, supply[0])));
    counters.sort(StateKey.UPDATE_ORDER);
    StateView view = StateView.stored(store, root, version).apply(counters);
    return new LedgerState(g.chainId(), g.authorities(), view);
  }

  /** A committed state read back from a store. */
  static LedgerState committed(Genesis g, StateView view) {
    return new LedgerState(g.chainId(), g.authorities(), view);
  }

  /** The tree version behind this snapshot. */
  StateView view() {
    return view;
  }

  /**
   * The value stored under a key, in its canonical encoding (see {@link StateKey}).
   *
   * @param key the key
   * @return the value, or empty if the key is absent
   * @throws IllegalStateException if this snapshot's version was pruned from the store
   */
  public Optional<byte[]> get(StateKey key) {
    byte[] v = view.get(Objects.requireNonNull(key, "key").hash());
    return v == null ? Optional.empty() : Optional.of(v.clone());
  }

  private byte[] raw(StateKey key) {
    return view.get(key.hash());
  }

  /**
   * Whether a slash on this chain already cited this evidence hash (a second slash citing it is
   * rejected with {@link RejectReason#EVIDENCE_USED}).
   *
   * @param evidence the evidence hash, as in {@link Payload.Slash#evidence()}
   * @return true if used
   */
  public boolean isEvidenceUsed(Hash evidence) {
    Objects.requireNonNull(evidence, "evidence");
    return raw(StateKey.evidence(evidence)) != null;
  }

  /**
   * Every evidence hash a slash on this chain has cited. Visits the whole state: time linear in the
   * number of keys.
   *
   * @return an unmodifiable sorted set
   */
  public Set<Hash> usedEvidence() {
    TreeSet<Hash> out = new TreeSet<>();
    view.forEach(
        l -> {
          if (StateKey.namespaceOf(l.key()) == StateKey.EVIDENCE) {
            out.add(Hash.of(java.util.Arrays.copyOfRange(l.key(), 1, 1 + Hash.LENGTH)));
          }
        });
    return Collections.unmodifiableSet(out);
  }

  /**
   * The chain id transactions must carry.
   *
   * @return the chain id
   */
  public int chainId() {
    return chainId;
  }

  /**
   * The authorities allowed to reward and slash.
   *
   * @return an unmodifiable set
   */
  public Set<Address> authorities() {
    return authorities;
  }

  /**
   * One account.
   *
   * @param address the account
   * @return its state, or {@link Account#EMPTY} if it was never touched
   */
  public Account account(Address address) {
    Objects.requireNonNull(address, "address");
    byte[] v = raw(StateKey.account(address));
    return v == null ? Account.EMPTY : decodeAccount(v);
  }

  /**
   * Every account that was ever touched, sorted by address. Visits the whole state: time linear in
   * the number of keys; meant for small chains, tests and exports.
   *
   * @return an unmodifiable sorted copy
   */
  public Map<Address, Account> accounts() {
    TreeMap<Address, Account> out = new TreeMap<>();
    view.forEach(
        l -> {
          if (StateKey.namespaceOf(l.key()) == StateKey.ACCOUNT) {
            out.put(
                Address.ofBytes(java.util.Arrays.copyOfRange(l.key(), 1, 1 + Address.LENGTH)),
                decodeAccount(l.value()));
          }
        });
    return Collections.unmodifiableMap(out);
  }

  /**
   * Number of accounts ever touched.
   *
   * @return the count
   */
  public int accountCount() {
    return Math.toIntExact(counter(StateKey.ACCOUNT_COUNT));
  }

  /**
   * Sum of all balances and stakes, in micro-coins (kept exactly, as a {@code long}, in the state
   * itself; a block that would take it beyond {@code Long.MAX_VALUE} is rejected).
   *
   * @return the total supply
   */
  public long totalSupply() {
    return counter(StateKey.SUPPLY);
  }

  private long counter(StateKey key) {
    byte[] v = raw(key);
    return v == null ? 0 : decodeLong(v);
  }

  /**
   * Number of confirmed energy trades that at least one party has not rated yet (they can still be
   * rated; a trade rated by both parties is forgotten).
   *
   * @return the count
   */
  public int openTrades() {
    return Math.toIntExact(counter(StateKey.TRADE_COUNT));
  }

  /**
   * Whether {@code party} may still rate the confirmed trade {@code trade}: the trade is open, the
   * party is its seller or buyer, and has not rated it.
   *
   * @param trade the id of an {@link Payload.EnergyTrade} transaction
   * @param party the would-be rater
   * @return {@code true} if a {@link Payload.Rating} by {@code party} would pass the trade checks
   */
  public boolean canRate(Hash trade, Address party) {
    Trade e = trade(Objects.requireNonNull(trade, "trade"));
    Objects.requireNonNull(party, "party");
    return e != null
        && ((party.equals(e.seller()) && !e.sellerRated())
            || (party.equals(e.buyer()) && !e.buyerRated()));
  }

  private Trade trade(Hash id) {
    byte[] v = raw(StateKey.trade(id));
    return v == null ? null : Trade.decode(v);
  }

  /**
   * The state root committed in block headers: the root hash of the state tree.
   *
   * @return the root
   */
  public Hash root() {
    Hash r = root;
    if (r == null) {
      r = Hash.of(view.rootHash());
      root = r;
    }
    return r;
  }

  /** An open trade: its parties and who has rated it. */
  record Trade(Address seller, Address buyer, boolean sellerRated, boolean buyerRated) {
    Trade {
      Objects.requireNonNull(seller, "seller");
      Objects.requireNonNull(buyer, "buyer");
    }

    boolean complete() {
      return sellerRated && buyerRated;
    }

    byte[] encode() {
      return new ByteWriter(2 * Address.LENGTH + 1)
          .raw(seller.unsafeBytes())
          .raw(buyer.unsafeBytes())
          .u8((sellerRated ? 1 : 0) | (buyerRated ? 2 : 0))
          .toByteArray();
    }

    static Trade decode(byte[] v) {
      int flags = v[2 * Address.LENGTH];
      return new Trade(
          Address.ofBytes(java.util.Arrays.copyOfRange(v, 0, Address.LENGTH)),
          Address.ofBytes(java.util.Arrays.copyOfRange(v, Address.LENGTH, 2 * Address.LENGTH)),
          (flags & 1) != 0,
          (flags & 2) != 0);
    }
  }

  static byte[] encodeAccount(Account a) {
    return new ByteWriter(24 + Hash.LENGTH)
        .i64(a.balance())
        .i64(a.nonce())
        .i64(a.stake())
        .raw(a.lastPayment().unsafeBytes())
        .toByteArray();
  }

  static Account decodeAccount(byte[] v) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(v);
    long balance = b.getLong();
    long nonce = b.getLong();
    long stake = b.getLong();
    byte[] last = new byte[Hash.LENGTH];
    b.get(last);
    return new Account(balance, nonce, stake, Hash.of(last));
  }

  // A counter's update: a count of zero is stored as an absent key.
  private static SparseMerkleTree.Update counter(StateKey key, long value) {
    return value == 0 ? key.delete() : key.put(encodeLong(value));
  }

  static byte[] encodeLong(long v) {
    return new ByteWriter(8).i64(v).toByteArray();
  }

  static long decodeLong(byte[] v) {
    return java.nio.ByteBuffer.wrap(v).getLong();
  }

  /**
   * Checks whether a transaction would be accepted on top of this state, signatures included.
   * Changes nothing.
   *
   * @param tx the transaction
   * @param blockTime the time of the block it would go into, epoch ms (demand-response tokens
   *     expire)
   * @return accepted, or rejected with the reason
   */
  public TxResult check(Transaction tx, long blockTime) {
    Objects.requireNonNull(tx, "tx");
    Optional<String> sig = tx.signatureProblem();
    if (sig.isPresent()) {
      return new TxResult.Rejected(RejectReason.BAD_SIGNATURE, sig.get());
    }
    TxResult.Rejected r = new Overlay(this).apply(tx, blockTime);
    return r == null ? new TxResult.Accepted(tx.id()) : r;
  }

  /**
   * Applies a block's transactions atomically and pays the fees to the proposer. Signatures are
   * checked in parallel first.
   *
   * @param transactions the transactions in block order
   * @param proposer the block's proposer, who receives the fees
   * @param blockTime the block's time, epoch ms
   * @return the new state, or the first rejected transaction and why (this state is unchanged
   *     either way)
   */
  public Outcome apply(List<Transaction> transactions, Address proposer, long blockTime) {
    Objects.requireNonNull(transactions, "transactions");
    Objects.requireNonNull(proposer, "proposer");
    OptionalBad bad = firstBadSignature(transactions);
    if (bad != null) {
      return new Outcome.Rejected(
          bad.index, new TxResult.Rejected(RejectReason.BAD_SIGNATURE, bad.problem));
    }
    Overlay o = new Overlay(this);
    for (int i = 0; i < transactions.size(); i++) {
      TxResult.Rejected r = o.apply(transactions.get(i), blockTime);
      if (r != null) {
        return new Outcome.Rejected(i, r);
      }
    }
    TxResult.Rejected r = o.payFees(proposer);
    if (r != null) {
      return new Outcome.Rejected(-1, r);
    }
    try {
      return new Outcome.Applied(o.commit());
    } catch (ArithmeticException e) {
      return new Outcome.Rejected(
          -1, new TxResult.Rejected(RejectReason.OVERFLOW, "the total supply overflows a long"));
    }
  }

  private record OptionalBad(int index, String problem) {}

  private static OptionalBad firstBadSignature(List<Transaction> txs) {
    // Signature checks dominate block validation; spread them over the cores.
    IntStream range = IntStream.range(0, txs.size());
    if (txs.size() >= 16) {
      range = range.parallel();
    }
    int first = range.filter(i -> !txs.get(i).hasValidSignatures()).min().orElse(-1);
    if (first < 0) {
      return null;
    }
    return new OptionalBad(first, txs.get(first).signatureProblem().orElse("signature"));
  }

  /** The result of {@link #apply}. */
  public sealed interface Outcome {
    /**
     * All transactions applied.
     *
     * @param state the new state
     */
    record Applied(LedgerState state) implements Outcome {}

    /**
     * A transaction (or the fee payment) was rejected; nothing applied.
     *
     * @param index the index of the first bad transaction, or -1 if paying fees failed
     * @param rejection why
     */
    record Rejected(int index, TxResult.Rejected rejection) implements Outcome {}
  }

  /**
   * A mutable layer over a snapshot: transactions are applied one by one, each all or nothing. Not
   * thread-safe; used for block application and block building.
   */
  static final class Overlay {
    private final LedgerState base;
    private final HashMap<Address, Account> changes = new HashMap<>();
    private final HashMap<Address, Account> staged = new HashMap<>(4);
    private final HashMap<Hash, Trade> tradeChanges = new HashMap<>();
    // Accounts read from the base state (null: absent), so each is read from the tree once.
    private final HashMap<Address, Account> baseReads = new HashMap<>();
    private final HashMap<Address, StateKey> keys = new HashMap<>();
    private Hash stagedTrade;
    private Trade stagedEntry;
    private final HashSet<Hash> evidence = new HashSet<>();
    private Hash stagedEvidence;
    private long fees;
    // The total supply after the applied transactions (read from the base when first needed), and
    // the change the staged transaction makes to it.
    private long supply = -1;
    private long stagedSupply;

    Overlay(LedgerState base) {
      this.base = base;
    }

    private Account get(Address a) {
      Account s = staged.get(a);
      if (s != null) {
        return s;
      }
      Account c = changes.get(a);
      if (c != null) {
        return c;
      }
      Account b = baseAccount(a);
      return b != null ? b : Account.EMPTY;
    }

    // An account's state key, hashed once per block.
    private StateKey key(Address a) {
      return keys.computeIfAbsent(a, StateKey::account);
    }

    // The base state's account, or null if absent; read once.
    private Account baseAccount(Address a) {
      if (baseReads.containsKey(a)) {
        return baseReads.get(a);
      }
      byte[] v = base.raw(key(a));
      Account acc = v == null ? null : decodeAccount(v);
      baseReads.put(a, acc);
      return acc;
    }

    /** Applies one transaction (signatures already checked); returns null or the rejection. */
    TxResult.Rejected apply(Transaction tx, long blockTime) {
      staged.clear();
      stagedTrade = null;
      stagedEvidence = null;
      stagedSupply = 0;
      try {
        TxResult.Rejected r = stage(tx, blockTime);
        if (r == null && stagedSupply != 0) {
          if (supply < 0) {
            supply = base.counter(StateKey.SUPPLY);
          }
          supply = Math.addExact(supply, stagedSupply); // throws: rejected as OVERFLOW below
        }
        if (r == null) {
          fees = Math.addExact(fees, tx.body().fee());
          changes.putAll(staged);
          if (stagedTrade != null) {
            tradeChanges.put(stagedTrade, stagedEntry);
          }
          if (stagedEvidence != null) {
            evidence.add(stagedEvidence);
          }
        }
        return r;
      } catch (ArithmeticException e) {
        return reject(RejectReason.OVERFLOW, "amount arithmetic overflows a long");
      } finally {
        staged.clear();
        stagedTrade = null;
        stagedEvidence = null;
      }
    }

    private static TxResult.Rejected reject(RejectReason reason, String detail) {
      return new TxResult.Rejected(reason, detail);
    }

    private TxResult.Rejected stage(Transaction tx, long blockTime) {
      TransactionBody b = tx.body();
      if (b.chainId() != base.chainId) {
        return reject(
            RejectReason.WRONG_CHAIN,
            "chainId %d != this chain's %d".formatted(b.chainId(), base.chainId));
      }
      Address from = tx.sender();
      Account s = get(from);
      if (b.nonce() < s.nonce()) {
        return reject(
            RejectReason.NONCE_REPLAY,
            "nonce %d < next nonce %d of %s".formatted(b.nonce(), s.nonce(), from));
      }
      if (b.nonce() > s.nonce()) {
        return reject(
            RejectReason.NONCE_GAP,
            "nonce %d > next nonce %d of %s".formatted(b.nonce(), s.nonce(), from));
      }
      long fee = b.fee();
      Hash id = tx.id();
      Payload p = b.payload();
      if (p instanceof Payload.Transfer t) {
        return move(from, s, t.to(), t.amount(), fee, id);
      } else if (p instanceof Payload.EnergyTrade t) {
        if (!t.buyer().equals(from)) {
          return reject(
              RejectReason.UNAUTHORIZED,
              "energy trade sender %s is not the buyer %s".formatted(from, t.buyer()));
        }
        TxResult.Rejected r = move(from, s, t.seller(), t.paymentMicro(), fee, id);
        if (r == null) {
          stagedTrade = id;
          stagedEntry = new Trade(t.seller(), t.buyer(), false, false);
        }
        return r;
      } else if (p instanceof Payload.Rating rt) {
        return rate(from, s, rt, fee, id);
      } else if (p instanceof Payload.Stake st) {
        long debit = Math.addExact(st.amount(), fee);
        if (s.balance() < debit) {
          return funds(from, s.balance(), debit);
        }
        staged.put(
            from,
            new Account(
                s.balance() - debit, s.nonce() + 1, Math.addExact(s.stake(), st.amount()), id));
        return null;
      } else if (p instanceof Payload.Unstake u) {
        if (s.stake() < u.amount()) {
          return reject(
              RejectReason.INSUFFICIENT_STAKE,
              "unstake %d > stake %d of %s".formatted(u.amount(), s.stake(), from));
        }
        long balance = Math.addExact(s.balance(), u.amount()) - fee;
        if (balance < 0) {
          return funds(from, Math.addExact(s.balance(), u.amount()), fee);
        }
        staged.put(from, new Account(balance, s.nonce() + 1, s.stake() - u.amount(), id));
        return null;
      } else if (p instanceof Payload.Slash sl) {
        TxResult.Rejected r = authority(from, "slash");
        if (r != null) {
          return r;
        }
        if (evidence.contains(sl.evidence()) || base.isEvidenceUsed(sl.evidence())) {
          return reject(
              RejectReason.EVIDENCE_USED,
              "slash evidence %s of %s already used by a slash on this chain: it slashes once"
                  .formatted(sl.evidence(), sl.offender()));
        }
        stagedEvidence = sl.evidence();
        if (s.balance() < fee) {
          return funds(from, s.balance(), fee);
        }
        staged.put(from, new Account(s.balance() - fee, s.nonce() + 1, s.stake(), id));
        Account off = get(sl.offender());
        if (off.stake() < sl.amount()) {
          return reject(
              RejectReason.INSUFFICIENT_STAKE,
              "slash %d > stake %d of %s".formatted(sl.amount(), off.stake(), sl.offender()));
        }
        stagedSupply = -sl.amount();
        staged.put(
            sl.offender(),
            new Account(off.balance(), off.nonce(), off.stake() - sl.amount(), off.lastPayment()));
        return null;
      } else if (p instanceof Payload.Reward rw) {
        TxResult.Rejected r = authority(from, "reward");
        if (r != null) {
          return r;
        }
        if (s.balance() < fee) {
          return funds(from, s.balance(), fee);
        }
        staged.put(from, new Account(s.balance() - fee, s.nonce() + 1, s.stake(), id));
        Account to = get(rw.to());
        stagedSupply = rw.amount();
        staged.put(
            rw.to(),
            new Account(
                Math.addExact(to.balance(), rw.amount()),
                to.nonce(),
                to.stake(),
                to.lastPayment()));
        return null;
      } else if (p instanceof Payload.MeterReading) {
        if (s.balance() < fee) {
          return funds(from, s.balance(), fee);
        }
        staged.put(from, new Account(s.balance() - fee, s.nonce() + 1, s.stake(), id));
        return null;
      } else if (p instanceof Payload.DemandResponseSettlement dr) {
        return settle(from, s, dr, fee, id, blockTime);
      }
      return reject(RejectReason.UNKNOWN_TYPE, "payload " + p.getClass().getSimpleName());
    }

    private TxResult.Rejected move(
        Address from, Account s, Address to, long amount, long fee, Hash id) {
      long debit = Math.addExact(amount, fee);
      if (s.balance() < debit) {
        return funds(from, s.balance(), debit);
      }
      staged.put(from, new Account(s.balance() - debit, s.nonce() + 1, s.stake(), id));
      Account r = get(to);
      staged.put(
          to,
          new Account(Math.addExact(r.balance(), amount), r.nonce(), r.stake(), r.lastPayment()));
      return null;
    }

    private TxResult.Rejected rate(Address from, Account s, Payload.Rating rt, long fee, Hash id) {
      Hash trade = rt.trade();
      Trade e = tradeChanges.get(trade);
      Trade confirmed = base.trade(trade);
      if (e != null && confirmed == null) {
        return reject(
            RejectReason.BAD_RATING,
            "rating cites trade %s of this same block: only trades confirmed in an earlier block"
                    .formatted(trade)
                + " can be rated");
      }
      if (e == null) {
        e = confirmed;
      }
      if (e == null) {
        return reject(
            RejectReason.BAD_RATING,
            ("rating by %s cites %s, which is no confirmed energy trade awaiting a rating"
                    + " (unknown, not a trade, or already rated by both parties)")
                .formatted(from, trade));
      }
      boolean seller = from.equals(e.seller());
      if (!seller && !from.equals(e.buyer())) {
        return reject(
            RejectReason.BAD_RATING,
            "rating by %s of trade %s: only its seller %s or buyer %s may rate it"
                .formatted(from, trade, e.seller(), e.buyer()));
      }
      if (seller ? e.sellerRated() : e.buyerRated()) {
        return reject(
            RejectReason.BAD_RATING,
            "%s already rated trade %s: one rating per party and trade".formatted(from, trade));
      }
      if (s.balance() < fee) {
        return funds(from, s.balance(), fee);
      }
      staged.put(from, new Account(s.balance() - fee, s.nonce() + 1, s.stake(), id));
      stagedTrade = trade;
      stagedEntry =
          new Trade(e.seller(), e.buyer(), e.sellerRated() || seller, e.buyerRated() || !seller);
      return null;
    }

    private TxResult.Rejected settle(
        Address sp,
        Account s,
        Payload.DemandResponseSettlement dr,
        long fee,
        Hash id,
        long blockTime) {
      Address evAddr = dr.request().wallet();
      if (evAddr.equals(sp)) {
        return reject(RejectReason.UNAUTHORIZED, "EV wallet %s is the SP itself".formatted(sp));
      }
      Payload.DemandResponseSettlement.Token t = dr.token();
      if (blockTime > t.validUntil()) {
        return reject(
            RejectReason.BAD_TOKEN,
            "token.validUntil %d < block time %d: expired".formatted(t.validUntil(), blockTime));
      }
      if (t.timestamp() > blockTime) {
        return reject(
            RejectReason.BAD_TOKEN,
            "token.timestamp %d > block time %d: issued in the future"
                .formatted(t.timestamp(), blockTime));
      }
      Account ev = get(evAddr);
      if (!t.preRecord().equals(ev.lastPayment())) {
        return reject(
            RejectReason.BAD_TOKEN,
            "token.preRecord %s != last payment %s of %s"
                .formatted(t.preRecord(), ev.lastPayment(), evAddr));
      }
      if (ev.balance() < t.credit()) {
        return reject(
            RejectReason.BAD_TOKEN,
            "token.credit %d > balance %d of %s".formatted(t.credit(), ev.balance(), evAddr));
      }
      long spBalance = Math.addExact(s.balance(), dr.paymentMicro()) - fee;
      if (spBalance < 0) {
        return funds(sp, Math.addExact(s.balance(), dr.paymentMicro()), fee);
      }
      staged.put(evAddr, new Account(ev.balance() - dr.paymentMicro(), ev.nonce(), ev.stake(), id));
      staged.put(sp, new Account(spBalance, s.nonce() + 1, s.stake(), id));
      return null;
    }

    private TxResult.Rejected authority(Address from, String what) {
      if (!base.authorities.contains(from)) {
        return reject(
            RejectReason.UNAUTHORIZED, "%s sent by %s, not an authority".formatted(what, from));
      }
      return null;
    }

    private static TxResult.Rejected funds(Address who, long has, long needs) {
      return reject(
          RejectReason.INSUFFICIENT_FUNDS,
          "balance %d of %s < %d needed".formatted(has, who, needs));
    }

    TxResult.Rejected payFees(Address proposer) {
      if (fees == 0) {
        return null;
      }
      Account p = get(proposer);
      try {
        changes.put(
            proposer,
            new Account(Math.addExact(p.balance(), fees), p.nonce(), p.stake(), p.lastPayment()));
        return null;
      } catch (ArithmeticException e) {
        return reject(RejectReason.OVERFLOW, "proposer balance + fees overflows a long");
      }
    }

    LedgerState commit() {
      if (changes.isEmpty() && tradeChanges.isEmpty() && evidence.isEmpty()) {
        return base;
      }
      List<SparseMerkleTree.Update> ups =
          new ArrayList<>(changes.size() + tradeChanges.size() + evidence.size() + 3);
      long newAccounts = 0;
      long supplyDelta = 0;
      for (Map.Entry<Address, Account> e : changes.entrySet()) {
        Account before = baseAccount(e.getKey());
        Account after = e.getValue();
        if (before == null) {
          newAccounts++;
          before = Account.EMPTY;
        }
        supplyDelta =
            Math.addExact(
                supplyDelta,
                Math.subtractExact(
                    Math.addExact(after.balance(), after.stake()),
                    Math.addExact(before.balance(), before.stake())));
        ups.add(key(e.getKey()).put(encodeAccount(after)));
      }
      long tradeDelta = 0;
      for (Map.Entry<Hash, Trade> e : tradeChanges.entrySet()) {
        StateKey k = StateKey.trade(e.getKey());
        boolean had = base.raw(k) != null;
        boolean keeps = !e.getValue().complete();
        tradeDelta += (keeps ? 1 : 0) - (had ? 1 : 0);
        ups.add(keeps ? k.put(e.getValue().encode()) : k.delete());
      }
      for (Hash id : evidence) {
        ups.add(StateKey.evidence(id).put(new byte[] {1}));
      }
      if (newAccounts != 0) {
        ups.add(
            counter(
                StateKey.ACCOUNT_COUNT,
                Math.addExact(base.counter(StateKey.ACCOUNT_COUNT), newAccounts)));
      }
      if (supplyDelta != 0) {
        ups.add(
            counter(StateKey.SUPPLY, Math.addExact(base.counter(StateKey.SUPPLY), supplyDelta)));
      }
      if (tradeDelta != 0) {
        ups.add(
            counter(
                StateKey.TRADE_COUNT,
                Math.addExact(base.counter(StateKey.TRADE_COUNT), tradeDelta)));
      }
      ups.sort(StateKey.UPDATE_ORDER);
      return new LedgerState(base.chainId, base.authorities, base.view.apply(ups));
    }
  }
}

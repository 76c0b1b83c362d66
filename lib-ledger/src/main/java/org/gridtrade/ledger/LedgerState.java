package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;

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
 * <p>Each payload runs through a module (see {@link LedgerModule}): the rules below are the
 * built-in modules {@code coins}, {@code trades}, {@code metering} and {@code demand-response}; a
 * {@link Payload.Call} reaches the on-chain module of the chain's {@link Genesis#modules()} that it
 * names, whose end-of-block hook also runs after every block's transactions. The sender pays the
 * fee after the payload's effect and uses its nonce; the fees go to the block's proposer.
 *
 * <p>Rules:
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
  private final long height;
  private final Modules modules;
  private volatile Hash root;

  private LedgerState(
      int chainId, Set<Address> authorities, StateView view, long height, Modules modules) {
    this.chainId = chainId;
    this.authorities = authorities;
    this.view = view;
    this.height = height;
    this.modules = modules;
  }

  static LedgerState genesis(Genesis g, Modules modules) {
    return genesis(g, new InMemoryNodeStore(), modules);
  }

  /**
   * The genesis state. Up to {@link Genesis#BULK_THRESHOLD} allocations its nodes are written as an
   * uncommitted layer for {@code store}; above, the accounts are sorted by key hash with bounded
   * memory and the tree is built bottom-up straight into the store (each node written once), then
   * the counters are applied as an uncommitted layer on top.
   */
  static LedgerState genesis(Genesis g, NodeStore store, Modules modules) {
    if (g.allocationCount() > Genesis.BULK_THRESHOLD) {
      return bulkGenesis(g, store, modules);
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
    return new LedgerState(
        g.chainId(), g.authorities(), StateView.empty(store).apply(ups), 0, modules);
  }

  // Sorted records: keyHash (32) ‖ address (20) ‖ amount (8).
  private static final int GENESIS_RECORD = Hash.LENGTH + Address.LENGTH + 8;
  private static final int SORT_CHUNK = 1 << 20;

  private static LedgerState bulkGenesis(Genesis g, NodeStore store, Modules modules) {
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
    return new LedgerState(g.chainId(), g.authorities(), view, 0, modules);
  }

  /** A committed state read back from a store: the state after block {@code height}. */
  static LedgerState committed(Genesis g, StateView view, long height, Modules modules) {
    return new LedgerState(g.chainId(), g.authorities(), view, height, modules);
  }

  /**
   * The height of the block this state follows (0 for the genesis state): {@link #apply} applies
   * the block at the next height.
   *
   * @return the height
   */
  public long height() {
    return height;
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
   * Checks whether a transaction would be accepted on top of this state, signatures included, as
   * the first transaction of the next block (height {@link #height()} + 1). Changes nothing.
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
    TxResult.Rejected r = new Overlay(this, Genesis.NO_PROPOSER, blockTime).apply(tx);
    return r == null ? new TxResult.Accepted(tx.id()) : r;
  }

  /**
   * Applies a block's transactions atomically as the block at height {@link #height()} + 1: each
   * transaction through its module, then every on-chain module's end-of-block hook, then the fees
   * to the proposer. Signatures are checked in parallel first.
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
    Overlay o = new Overlay(this, proposer, blockTime);
    for (int i = 0; i < transactions.size(); i++) {
      TxResult.Rejected r = o.apply(transactions.get(i));
      if (r != null) {
        return new Outcome.Rejected(i, r);
      }
    }
    TxResult.Rejected r = o.finish();
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
     * @param index the index of the first bad transaction, or -1 if an end-of-block hook or paying
     *     the fees failed
     * @param rejection why
     */
    record Rejected(int index, TxResult.Rejected rejection) implements Outcome {}
  }

  /**
   * A mutable layer over a snapshot for one block: transactions are applied one by one, each all or
   * nothing, then {@link #finish()} runs the end-of-block hooks and pays the fees, and {@link
   * #commit()} writes the block's changes as one new tree version. Not thread-safe; used for block
   * application and block building.
   */
  static final class Overlay {
    // A staged deletion (compared by identity).
    private static final byte[] DELETED = new byte[0];

    private final LedgerState base;
    private final Address proposer;
    private final long blockTime;
    private final HashMap<Address, Account> changes = new HashMap<>();
    private final HashMap<Address, Account> staged = new HashMap<>(4);
    // Accounts read from the base state (null: absent), so each is read from the tree once.
    private final HashMap<Address, Account> baseReads = new HashMap<>();
    private final HashMap<Address, StateKey> keys = new HashMap<>();
    // Module writes: the block's so far, and the current transaction's (DELETED: removed).
    private final HashMap<StateKey, byte[]> writes = new HashMap<>();
    private final HashMap<StateKey, byte[]> stagedWrites = new HashMap<>(4);
    private long fees;
    // The total supply after the applied transactions (read from the base when first needed), and
    // the change the staged transaction makes to it.
    private long supply = -1;
    private long stagedSupply;
    private final Ctx ctx = new Ctx();

    Overlay(LedgerState base, Address proposer, long blockTime) {
      this.base = base;
      this.proposer = proposer;
      this.blockTime = blockTime;
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

    // A key's value now (null: absent); accounts are read through get(Address).
    private byte[] read(StateKey k) {
      if (k.namespace() == StateKey.ACCOUNT && k.unsafeBytes().length == 1 + Address.LENGTH) {
        Account a = get(Address.ofBytes(java.util.Arrays.copyOfRange(k.unsafeBytes(), 1, 21)));
        return a.equals(Account.EMPTY) ? null : encodeAccount(a);
      }
      byte[] v = stagedWrites.get(k);
      if (v == null) {
        v = writes.get(k);
      }
      if (v == null) {
        return base.raw(k);
      }
      return v == DELETED ? null : v;
    }

    private void discardStaged() {
      staged.clear();
      stagedWrites.clear();
      stagedSupply = 0;
      ctx.leave();
    }

    /** Applies one transaction (signatures already checked); returns null or the rejection. */
    TxResult.Rejected apply(Transaction tx) {
      discardStaged();
      try {
        TxResult.Rejected r = stage(tx);
        if (r == null && stagedSupply != 0) {
          if (supply < 0) {
            supply = base.counter(StateKey.SUPPLY);
          }
          supply = Math.addExact(supply, stagedSupply); // throws: rejected as OVERFLOW below
        }
        if (r == null) {
          fees = Math.addExact(fees, tx.body().fee());
          changes.putAll(staged);
          writes.putAll(stagedWrites);
        }
        return r;
      } catch (ArithmeticException e) {
        return reject(RejectReason.OVERFLOW, "amount arithmetic overflows a long");
      } finally {
        discardStaged();
      }
    }

    private static TxResult.Rejected reject(RejectReason reason, String detail) {
      return new TxResult.Rejected(reason, detail);
    }

    private TxResult.Rejected stage(Transaction tx) {
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
      Payload p = b.payload();
      LedgerModule m = base.modules.forPayload(p);
      if (m == null) {
        return reject(
            RejectReason.UNKNOWN_TYPE,
            p instanceof Payload.Call c
                ? "module '%s' is not run by this chain (its modules: %s)"
                    .formatted(c.module(), base.modules.names())
                : "payload " + p.getClass().getSimpleName());
      }
      ctx.enter(m, from);
      Optional<TxResult.Rejected> r;
      try {
        r = m.execute(ctx, tx);
      } catch (ArithmeticException e) {
        throw e;
      } catch (RuntimeException e) {
        return reject(
            RejectReason.MODULE_RULE, "module %s refused the call: %s".formatted(m.name(), e));
      }
      if (r == null) {
        return reject(
            RejectReason.MODULE_RULE, "module %s returned null, not a result".formatted(m.name()));
      }
      if (r.isPresent()) {
        return r.get();
      }
      // The fee and the nonce, after the module's changes (an unstake may pay its fee).
      Account after = get(from);
      long fee = b.fee();
      if (after.balance() < fee) {
        return BuiltInModules.funds(from, after.balance(), fee);
      }
      staged.put(
          from, new Account(after.balance() - fee, after.nonce() + 1, after.stake(), tx.id()));
      return null;
    }

    /**
     * Runs the end-of-block hooks of the on-chain modules, in the order of their names, then pays
     * the fees to the proposer; returns null or why the block cannot be completed.
     */
    TxResult.Rejected finish() {
      for (LedgerModule m : base.modules.hooks()) {
        discardStaged();
        ctx.enter(m, null);
        try {
          m.endBlock(ctx);
        } catch (RuntimeException e) {
          discardStaged();
          return reject(
              RejectReason.MODULE_RULE,
              "module %s end-of-block hook failed at height %d: %s"
                  .formatted(m.name(), base.height + 1, e));
        }
        changes.putAll(staged);
        writes.putAll(stagedWrites);
      }
      discardStaged();
      return payFees();
    }

    private TxResult.Rejected payFees() {
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
      if (changes.isEmpty() && writes.isEmpty()) {
        return new LedgerState(
            base.chainId, base.authorities, base.view, base.height + 1, base.modules);
      }
      List<SparseMerkleTree.Update> ups = new ArrayList<>(changes.size() + writes.size() + 2);
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
      for (Map.Entry<StateKey, byte[]> e : writes.entrySet()) {
        ups.add(e.getValue() == DELETED ? e.getKey().delete() : e.getKey().put(e.getValue()));
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
      ups.sort(StateKey.UPDATE_ORDER);
      return new LedgerState(
          base.chainId, base.authorities, base.view.apply(ups), base.height + 1, base.modules);
    }

    /**
     * The context the modules see. The built-in modules also use its package-private methods to set
     * accounts and change the supply.
     */
    final class Ctx implements ModuleContext {
      private LedgerModule module;
      private boolean builtIn;
      private Address sender;

      void enter(LedgerModule m, Address txSender) {
        this.module = m;
        this.builtIn = Modules.isBuiltIn(m);
        this.sender = txSender;
      }

      void leave() {
        this.module = null;
        this.sender = null;
      }

      private LedgerModule module() {
        if (module == null) {
          throw new IllegalStateException("the module context is used outside its call");
        }
        return module;
      }

      @Override
      public long height() {
        return base.height + 1;
      }

      @Override
      public long blockTime() {
        return blockTime;
      }

      @Override
      public Address proposer() {
        return proposer;
      }

      @Override
      public int chainId() {
        return base.chainId;
      }

      @Override
      public Set<Address> authorities() {
        return base.authorities;
      }

      @Override
      public Optional<byte[]> get(StateKey key) {
        Objects.requireNonNull(key, "key");
        module();
        byte[] v = read(key);
        return v == null ? Optional.empty() : Optional.of(v.clone());
      }

      @Override
      public Optional<byte[]> committed(StateKey key) {
        Objects.requireNonNull(key, "key");
        module();
        byte[] v = base.raw(key);
        return v == null ? Optional.empty() : Optional.of(v.clone());
      }

      private void owns(StateKey key) {
        LedgerModule m = module();
        if (!builtIn && key.namespace() != m.namespace()) {
          throw new IllegalArgumentException(
              "module %s writes key %s in namespace %d; it owns namespace %d only"
                  .formatted(m.name(), key, key.namespace(), m.namespace()));
        }
      }

      @Override
      public void put(StateKey key, byte[] value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        owns(key);
        if (value.length > MAX_VALUE_BYTES) {
          throw new IllegalArgumentException(
              "value for %s is %d bytes, must be at most %d"
                  .formatted(key, value.length, MAX_VALUE_BYTES));
        }
        stagedWrites.put(key, value.clone());
      }

      @Override
      public void delete(StateKey key) {
        Objects.requireNonNull(key, "key");
        owns(key);
        stagedWrites.put(key, DELETED);
      }

      @Override
      public Account account(Address address) {
        Objects.requireNonNull(address, "address");
        module();
        return Overlay.this.get(address);
      }

      @Override
      public Optional<TxResult.Rejected> transfer(Address from, Address to, long amount) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        LedgerModule m = module();
        if (amount <= 0) {
          throw new IllegalArgumentException("transfer amount %d must be > 0".formatted(amount));
        }
        if (!builtIn && !from.equals(sender) && !from.equals(LedgerModule.account(m.name()))) {
          throw new IllegalArgumentException(
              "module %s moves coins from %s: only from the sender %s or its own account %s"
                  .formatted(m.name(), from, sender, LedgerModule.account(m.name())));
        }
        Account f = Overlay.this.get(from);
        if (f.balance() < amount) {
          return Optional.of(BuiltInModules.funds(from, f.balance(), amount));
        }
        staged.put(from, new Account(f.balance() - amount, f.nonce(), f.stake(), f.lastPayment()));
        Account t = Overlay.this.get(to);
        staged.put(
            to,
            new Account(Math.addExact(t.balance(), amount), t.nonce(), t.stake(), t.lastPayment()));
        return Optional.empty();
      }

      /** Sets an account (built-in modules only). */
      void putAccount(Address a, Account acc) {
        staged.put(a, acc);
      }

      /** Changes the total supply by {@code delta} (rewards, slashes; built-in modules only). */
      void addSupply(long delta) {
        stagedSupply = Math.addExact(stagedSupply, delta);
      }
    }
  }
}

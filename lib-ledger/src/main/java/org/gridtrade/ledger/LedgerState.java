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

/**
 * An immutable snapshot of every account (balances, nonces, stakes) and of the evidence ids that
 * slashes have used.
 *
 * <p>Applying transactions never changes a snapshot: {@link #apply} returns a new one, or a
 * rejection that names the first bad transaction, so a block applies atomically (all of its
 * transactions or none). Thread-safe.
 *
 * <p>The {@link #root() state root} is the RFC 6962 Merkle root over the accounts sorted by
 * address, each leaf {@code address ‖ balance ‖ nonce ‖ stake ‖ lastPayment}; computing it and
 * applying a block cost time linear in the number of accounts (and open trades, used evidence ids).
 * While confirmed energy trades await a rating, the accounts' root is replaced by {@code
 * SHA-256("GridTrade/state/v2" ‖ accountsRoot ‖ tradesRoot)} ({@link #openTrades()}); once evidence
 * ids are used, the result {@code r} is replaced by {@code SHA-256("GridTrade/state/v1+evidence" ‖
 * r ‖ evidence root)}, the evidence root being the RFC 6962 root over the used ids sorted
 * ascending. A state without open trades and without used evidence keeps the accounts' root, so
 * chains without them keep the roots they always had.
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
  private final Map<Address, Account> accounts;
  private final TradeIndex trades;
  private final Set<Hash> usedEvidence;
  private volatile Hash root;

  private static final byte[] EVIDENCE_ROOT_DOMAIN =
      "GridTrade/state/v1+evidence".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private LedgerState(int chainId, Set<Address> authorities, Map<Address, Account> accounts) {
    this(chainId, authorities, accounts, TradeIndex.EMPTY, Set.of());
  }

  private LedgerState(
      int chainId,
      Set<Address> authorities,
      Map<Address, Account> accounts,
      TradeIndex trades,
      Set<Hash> used) {
    this.chainId = chainId;
    this.authorities = authorities;
    this.accounts = accounts;
    this.trades = trades;
    this.usedEvidence = used;
  }

  static LedgerState genesis(Genesis g) {
    Map<Address, Account> m = new HashMap<>();
    g.allocations().forEach((a, v) -> m.put(a, new Account(v, 0, 0, Hash.ZERO)));
    return new LedgerState(g.chainId(), g.authorities(), Collections.unmodifiableMap(m));
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
    return usedEvidence.contains(evidence);
  }

  /**
   * Every evidence hash a slash on this chain has cited.
   *
   * @return an unmodifiable set
   */
  public Set<Hash> usedEvidence() {
    return usedEvidence;
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
    return accounts.getOrDefault(address, Account.EMPTY);
  }

  /**
   * Every account that was ever touched, sorted by address.
   *
   * @return an unmodifiable sorted copy
   */
  public Map<Address, Account> accounts() {
    return Collections.unmodifiableMap(new TreeMap<>(accounts));
  }

  /**
   * Number of accounts ever touched.
   *
   * @return the count
   */
  public int accountCount() {
    return accounts.size();
  }

  /**
   * Sum of all balances and stakes, in micro-coins (computed exactly, as a {@code long}; a sum
   * beyond {@code Long.MAX_VALUE} throws {@link ArithmeticException}).
   *
   * @return the total supply
   */
  public long totalSupply() {
    long s = 0;
    for (Account a : accounts.values()) {
      s = Math.addExact(s, Math.addExact(a.balance(), a.stake()));
    }
    return s;
  }

  /**
   * Number of confirmed energy trades that at least one party has not rated yet (they can still be
   * rated; a trade rated by both parties is forgotten).
   *
   * @return the count
   */
  public int openTrades() {
    return trades.size();
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
    TradeIndex.Entry e = trades.get(Objects.requireNonNull(trade, "trade"));
    Objects.requireNonNull(party, "party");
    return e != null
        && ((party.equals(e.seller()) && !e.sellerRated())
            || (party.equals(e.buyer()) && !e.buyerRated()));
  }

  /**
   * The state root committed in block headers.
   *
   * @return the Merkle root over the sorted accounts, combined with the open trades' root if any
   */
  public Hash root() {
    Hash r = root;
    if (r == null) {
      List<byte[]> leaves = new ArrayList<>(accounts.size());
      for (Map.Entry<Address, Account> e : new TreeMap<>(accounts).entrySet()) {
        Account a = e.getValue();
        leaves.add(
            new ByteWriter(20 + 24 + 32)
                .raw(e.getKey().unsafeBytes())
                .i64(a.balance())
                .i64(a.nonce())
                .i64(a.stake())
                .raw(a.lastPayment().unsafeBytes())
                .toByteArray());
      }
      r = trades.stateRoot(MerkleTree.root(leaves));
      if (!usedEvidence.isEmpty()) {
        List<byte[]> ids = new ArrayList<>(usedEvidence.size());
        new TreeSet<>(usedEvidence).forEach(id -> ids.add(id.bytes()));
        r = Hash.sha256(EVIDENCE_ROOT_DOMAIN, r.bytes(), MerkleTree.root(ids).bytes());
      }
      root = r;
    }
    return r;
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
    return new Outcome.Applied(o.commit());
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
    private final HashMap<Hash, TradeIndex.Entry> tradeChanges = new HashMap<>();
    private Hash stagedTrade;
    private TradeIndex.Entry stagedEntry;
    private final HashSet<Hash> evidence = new HashSet<>();
    private Hash stagedEvidence;
    private long fees;

    Overlay(LedgerState base) {
      this.base = base;
    }

    private Account get(Address a) {
      Account s = staged.get(a);
      if (s != null) {
        return s;
      }
      Account c = changes.get(a);
      return c != null ? c : base.account(a);
    }

    /** Applies one transaction (signatures already checked); returns null or the rejection. */
    TxResult.Rejected apply(Transaction tx, long blockTime) {
      staged.clear();
      stagedTrade = null;
      stagedEvidence = null;
      try {
        TxResult.Rejected r = stage(tx, blockTime);
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
          stagedEntry = new TradeIndex.Entry(t.seller(), t.buyer(), false, false);
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
        if (base.usedEvidence.contains(sl.evidence()) || evidence.contains(sl.evidence())) {
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
      TradeIndex.Entry e = tradeChanges.get(trade);
      if (e != null && base.trades.get(trade) == null) {
        return reject(
            RejectReason.BAD_RATING,
            "rating cites trade %s of this same block: only trades confirmed in an earlier block"
                    .formatted(trade)
                + " can be rated");
      }
      if (e == null) {
        e = base.trades.get(trade);
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
          new TradeIndex.Entry(
              e.seller(), e.buyer(), e.sellerRated() || seller, e.buyerRated() || !seller);
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
      HashMap<Address, Account> m = new HashMap<>(base.accounts);
      m.putAll(changes);
      Set<Hash> used = base.usedEvidence;
      if (!evidence.isEmpty()) {
        HashSet<Hash> u = new HashSet<>(used);
        u.addAll(evidence);
        used = Collections.unmodifiableSet(u);
      }
      return new LedgerState(
          base.chainId,
          base.authorities,
          Collections.unmodifiableMap(m),
          base.trades.with(tradeChanges),
          used);
    }
  }
}

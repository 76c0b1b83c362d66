package org.gridtrade.ledger;

import java.util.Optional;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;

/**
 * The chain's own payload rules, as modules: {@code coins} (transfers, stakes, rewards, slashes),
 * {@code trades} (energy trades and their ratings), {@code metering} (meter readings) and {@code
 * demand-response} (settlements). They run through the same steps as an on-chain module; unlike
 * one, they may set accounts and change the supply (rewards mint, slashes burn), through the
 * chain's own context.
 */
final class BuiltInModules {
  private BuiltInModules() {}

  static final BuiltIn COINS = new Coins();
  static final BuiltIn TRADES = new Trades();
  static final BuiltIn METERING = new Metering();
  static final BuiltIn DEMAND_RESPONSE = new DemandResponse();

  /** A built-in module: executes with the chain's own context. */
  abstract static class BuiltIn implements LedgerModule {
    private final String name;
    private final int namespace;

    BuiltIn(String name, int namespace) {
      this.name = name;
      this.namespace = namespace;
    }

    @Override
    public final String name() {
      return name;
    }

    @Override
    public final int namespace() {
      return namespace;
    }

    @Override
    public final Optional<TxResult.Rejected> execute(ModuleContext ctx, Transaction tx) {
      return Optional.ofNullable(run((LedgerState.Overlay.Ctx) ctx, tx));
    }

    /** Applies the transaction; returns null or the rejection. */
    abstract TxResult.Rejected run(LedgerState.Overlay.Ctx ctx, Transaction tx);

    @Override
    public String toString() {
      return "built-in module " + name;
    }
  }

  static TxResult.Rejected reject(RejectReason reason, String detail) {
    return new TxResult.Rejected(reason, detail);
  }

  static TxResult.Rejected funds(Address who, long has, long needs) {
    return reject(
        RejectReason.INSUFFICIENT_FUNDS, "balance %d of %s < %d needed".formatted(has, who, needs));
  }

  private static TxResult.Rejected authority(
      LedgerState.Overlay.Ctx ctx, Address from, String what) {
    if (!ctx.authorities().contains(from)) {
      return reject(
          RejectReason.UNAUTHORIZED, "%s sent by %s, not an authority".formatted(what, from));
    }
    return null;
  }

  /** Moves {@code amount} from the sender (who also pays {@code fee}) to {@code to}. */
  private static TxResult.Rejected move(
      LedgerState.Overlay.Ctx ctx, Address from, Address to, long amount, long fee) {
    Account s = ctx.account(from);
    long debit = Math.addExact(amount, fee);
    if (s.balance() < debit) {
      return funds(from, s.balance(), debit);
    }
    ctx.transfer(from, to, amount);
    return null;
  }

  /** Transfers, stakes, unstakes, rewards and slashes. */
  static final class Coins extends BuiltIn {
    Coins() {
      super("coins", StateKey.ACCOUNT);
    }

    @Override
    TxResult.Rejected run(LedgerState.Overlay.Ctx ctx, Transaction tx) {
      Address from = tx.sender();
      long fee = tx.body().fee();
      Payload p = tx.body().payload();
      Account s = ctx.account(from);
      if (p instanceof Payload.Transfer t) {
        return move(ctx, from, t.to(), t.amount(), fee);
      } else if (p instanceof Payload.Stake st) {
        long debit = Math.addExact(st.amount(), fee);
        if (s.balance() < debit) {
          return funds(from, s.balance(), debit);
        }
        ctx.putAccount(
            from,
            new Account(
                s.balance() - st.amount(),
                s.nonce(),
                Math.addExact(s.stake(), st.amount()),
                s.lastPayment()));
        return null;
      } else if (p instanceof Payload.Unstake u) {
        if (s.stake() < u.amount()) {
          return reject(
              RejectReason.INSUFFICIENT_STAKE,
              "unstake %d > stake %d of %s".formatted(u.amount(), s.stake(), from));
        }
        long balance = Math.addExact(s.balance(), u.amount());
        if (balance < fee) {
          return funds(from, balance, fee);
        }
        ctx.putAccount(
            from, new Account(balance, s.nonce(), s.stake() - u.amount(), s.lastPayment()));
        return null;
      } else if (p instanceof Payload.Slash sl) {
        TxResult.Rejected r = authority(ctx, from, "slash");
        if (r != null) {
          return r;
        }
        StateKey evidence = StateKey.evidence(sl.evidence());
        if (ctx.get(evidence).isPresent()) {
          return reject(
              RejectReason.EVIDENCE_USED,
              "slash evidence %s of %s already used by a slash on this chain: it slashes once"
                  .formatted(sl.evidence(), sl.offender()));
        }
        if (s.balance() < fee) {
          return funds(from, s.balance(), fee);
        }
        Account off = ctx.account(sl.offender());
        if (off.stake() < sl.amount()) {
          return reject(
              RejectReason.INSUFFICIENT_STAKE,
              "slash %d > stake %d of %s".formatted(sl.amount(), off.stake(), sl.offender()));
        }
        ctx.put(evidence, new byte[] {1});
        ctx.addSupply(-sl.amount());
        ctx.putAccount(
            sl.offender(),
            new Account(off.balance(), off.nonce(), off.stake() - sl.amount(), off.lastPayment()));
        return null;
      } else if (p instanceof Payload.Reward rw) {
        TxResult.Rejected r = authority(ctx, from, "reward");
        if (r != null) {
          return r;
        }
        if (s.balance() < fee) {
          return funds(from, s.balance(), fee);
        }
        Account to = ctx.account(rw.to());
        ctx.addSupply(rw.amount());
        ctx.putAccount(
            rw.to(),
            new Account(
                Math.addExact(to.balance(), rw.amount()),
                to.nonce(),
                to.stake(),
                to.lastPayment()));
        return null;
      }
      throw new IllegalStateException("coins: unexpected payload " + p.getClass().getSimpleName());
    }
  }

  /** Energy trades and the ratings of confirmed trades. */
  static final class Trades extends BuiltIn {
    Trades() {
      super("trades", StateKey.TRADE);
    }

    @Override
    TxResult.Rejected run(LedgerState.Overlay.Ctx ctx, Transaction tx) {
      Address from = tx.sender();
      long fee = tx.body().fee();
      Payload p = tx.body().payload();
      if (p instanceof Payload.EnergyTrade t) {
        if (!t.buyer().equals(from)) {
          return reject(
              RejectReason.UNAUTHORIZED,
              "energy trade sender %s is not the buyer %s".formatted(from, t.buyer()));
        }
        TxResult.Rejected r = move(ctx, from, t.seller(), t.paymentMicro(), fee);
        if (r == null) {
          ctx.put(
              StateKey.trade(tx.id()),
              new LedgerState.Trade(t.seller(), t.buyer(), false, false).encode());
          addOpenTrades(ctx, 1);
        }
        return r;
      } else if (p instanceof Payload.Rating rt) {
        return rate(ctx, from, rt, fee);
      }
      throw new IllegalStateException("trades: unexpected payload " + p.getClass().getSimpleName());
    }

    private static void addOpenTrades(LedgerState.Overlay.Ctx ctx, long delta) {
      long n = ctx.get(StateKey.TRADE_COUNT).map(LedgerState::decodeLong).orElse(0L);
      long next = Math.addExact(n, delta);
      if (next == 0) {
        ctx.delete(StateKey.TRADE_COUNT);
      } else {
        ctx.put(StateKey.TRADE_COUNT, LedgerState.encodeLong(next));
      }
    }

    private static TxResult.Rejected rate(
        LedgerState.Overlay.Ctx ctx, Address from, Payload.Rating rt, long fee) {
      Hash trade = rt.trade();
      StateKey key = StateKey.trade(trade);
      Optional<byte[]> now = ctx.get(key);
      if (now.isPresent() && ctx.committed(key).isEmpty()) {
        return reject(
            RejectReason.BAD_RATING,
            "rating cites trade %s of this same block: only trades confirmed in an earlier block"
                    .formatted(trade)
                + " can be rated");
      }
      if (now.isEmpty()) {
        return reject(
            RejectReason.BAD_RATING,
            ("rating by %s cites %s, which is no confirmed energy trade awaiting a rating"
                    + " (unknown, not a trade, or already rated by both parties)")
                .formatted(from, trade));
      }
      LedgerState.Trade e = LedgerState.Trade.decode(now.get());
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
      Account s = ctx.account(from);
      if (s.balance() < fee) {
        return funds(from, s.balance(), fee);
      }
      LedgerState.Trade next =
          new LedgerState.Trade(
              e.seller(), e.buyer(), e.sellerRated() || seller, e.buyerRated() || !seller);
      if (next.complete()) {
        ctx.delete(key);
        addOpenTrades(ctx, -1);
      } else {
        ctx.put(key, next.encode());
      }
      return null;
    }
  }

  /** Meter readings: they only pay their fee. */
  static final class Metering extends BuiltIn {
    Metering() {
      super("metering", StateKey.META);
    }

    @Override
    TxResult.Rejected run(LedgerState.Overlay.Ctx ctx, Transaction tx) {
      return null;
    }
  }

  /** Demand-response settlements (Aggarwal §4.4.3): the EV pays the SP after the token checks. */
  static final class DemandResponse extends BuiltIn {
    DemandResponse() {
      super("demand-response", StateKey.ACCOUNT);
    }

    @Override
    TxResult.Rejected run(LedgerState.Overlay.Ctx ctx, Transaction tx) {
      Address sp = tx.sender();
      long fee = tx.body().fee();
      Payload.DemandResponseSettlement dr = (Payload.DemandResponseSettlement) tx.body().payload();
      Address evAddr = dr.request().wallet();
      if (evAddr.equals(sp)) {
        return reject(RejectReason.UNAUTHORIZED, "EV wallet %s is the SP itself".formatted(sp));
      }
      Payload.DemandResponseSettlement.Token t = dr.token();
      long blockTime = ctx.blockTime();
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
      Account ev = ctx.account(evAddr);
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
      Account s = ctx.account(sp);
      long spBalance = Math.addExact(s.balance(), dr.paymentMicro());
      if (spBalance < fee) {
        return funds(sp, spBalance, fee);
      }
      ctx.putAccount(
          evAddr, new Account(ev.balance() - dr.paymentMicro(), ev.nonce(), ev.stake(), tx.id()));
      ctx.putAccount(sp, new Account(spBalance, s.nonce(), s.stake(), s.lastPayment()));
      return null;
    }
  }
}

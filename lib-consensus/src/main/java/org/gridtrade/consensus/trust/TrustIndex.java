package org.gridtrade.consensus.trust;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.RatingDecoder;

/**
 * Every trader's trust, folded from the ledger's blocks so that any node recomputes the same
 * numbers (Haider Alg. 1; docs/trust.md, "Formulas").
 *
 * <p>What it reads from each block, in block order:
 *
 * <ul>
 *   <li><b>Registration</b> {@code RT_u}: the time of the first block in which the account appears
 *       (as a transaction's sender, a transfer's recipient, or a trade's seller or buyer).
 *   <li><b>Coins traded</b> γ: the payments of the confirmed {@link Payload.EnergyTrade}s the
 *       account was a party of, counted for the seller and for the buyer.
 *   <li><b>Ratings</b> α: a {@link Payload.Rating} of a trade rates the other party. It is one
 *       transaction of Alg. 1 for the rated trader: {@code temp = (α + ξ(β) + ξ(γ)) / 3} with β =
 *       block time − {@code RT_u} and γ = coins traded before the rating, in {@link
 *       TrustParameters} units; the trust is the running mean of these values ({@link
 *       TrustScores#traderTrust}). A trader never rated has trust 0 (TRP 1).
 *   <li><b>Module trades and ratings</b>: a {@link Payload.Call} that one of the index's {@link
 *       RatingDecoder}s reads as a trade (a demand-response settlement: its coins count as traded
 *       by both parties, as a confirmed {@link Payload.EnergyTrade}'s) or as a rating (a market's
 *       rating of a delivered trade, which the market accepts only from the trade's buyer, once,
 *       and only when its meters showed energy delivered). A rating's own coins, if any, count as
 *       traded by both parties first; then it is one transaction of Alg. 1 for the rated trader,
 *       exactly as a {@link Payload.Rating} of a trade confirmed in the same block.
 * </ul>
 *
 * <p>The ledger has already checked every rating (a trade of an earlier block, by one of its
 * parties, once), so the index trusts the blocks it folds; a rating of a trade it has not seen (an
 * index started mid-chain) is ignored. {@link #fold} is incremental; {@link #replay} recomputes
 * from scratch; both give bit-identical results. Not thread-safe; {@link #copy} snapshots it.
 */
public final class TrustIndex {
  private final TrustParameters params;
  private final List<RatingDecoder> decoders;
  private final HashMap<Address, Acc> accounts;
  private final HashMap<Hash, Trade> trades;
  private long height;

  private static final class Acc {
    long registeredAt;
    long tradedMicro;
    long ratings;
    double trust;

    Acc copy() {
      Acc a = new Acc();
      a.registeredAt = registeredAt;
      a.tradedMicro = tradedMicro;
      a.ratings = ratings;
      a.trust = trust;
      return a;
    }
  }

  private record Trade(Address seller, Address buyer, boolean sellerRated, boolean buyerRated) {}

  /**
   * An empty index (no block folded).
   *
   * @param params the units
   */
  public TrustIndex(TrustParameters params) {
    this(params, List.of());
  }

  /**
   * An empty index that also reads the ratings of on-chain modules.
   *
   * @param params the units
   * @param decoders read module calls as ratings, tried in this order (the first that reads a call
   *     decides)
   */
  public TrustIndex(TrustParameters params, List<RatingDecoder> decoders) {
    this.params = Objects.requireNonNull(params, "params");
    this.decoders = List.copyOf(Objects.requireNonNull(decoders, "decoders"));
    this.accounts = new HashMap<>();
    this.trades = new HashMap<>();
    this.height = -1;
  }

  private TrustIndex(TrustIndex o) {
    this.params = o.params;
    this.decoders = o.decoders;
    this.accounts = new HashMap<>(o.accounts.size() * 2);
    o.accounts.forEach((k, v) -> accounts.put(k, v.copy()));
    this.trades = new HashMap<>(o.trades);
    this.height = o.height;
  }

  /**
   * Recomputes an index from scratch.
   *
   * @param params the units
   * @param blocks the chain's blocks in height order, from any height on
   * @return the index after the last block
   */
  public static TrustIndex replay(TrustParameters params, Iterable<Block> blocks) {
    return replay(params, List.of(), blocks);
  }

  /**
   * Recomputes an index that reads module ratings from scratch.
   *
   * @param params the units
   * @param decoders read module calls as ratings
   * @param blocks the chain's blocks in height order, from any height on
   * @return the index after the last block
   */
  public static TrustIndex replay(
      TrustParameters params, List<RatingDecoder> decoders, Iterable<Block> blocks) {
    TrustIndex t = new TrustIndex(params, decoders);
    for (Block b : blocks) {
      t.fold(b);
    }
    return t;
  }

  /**
   * An independent copy.
   *
   * @return the copy
   */
  public TrustIndex copy() {
    return new TrustIndex(this);
  }

  /**
   * The units this index uses.
   *
   * @return the parameters
   */
  public TrustParameters parameters() {
    return params;
  }

  /**
   * The decoders this index reads module ratings with.
   *
   * @return the decoders, possibly none
   */
  public List<RatingDecoder> decoders() {
    return decoders;
  }

  /**
   * The height of the last folded block.
   *
   * @return the height, or -1 if none
   */
  public long height() {
    return height;
  }

  /**
   * Folds the next block.
   *
   * @param block the block at {@link #height()} + 1 (any height if none was folded yet)
   * @throws IllegalArgumentException if the block is not the next one
   */
  public void fold(Block block) {
    Objects.requireNonNull(block, "block");
    long h = block.height();
    if (height >= 0 && h != height + 1) {
      throw new IllegalArgumentException(
          "block height %d is not the next height %d".formatted(h, height + 1));
    }
    long time = block.header().timestamp();
    for (Transaction tx : block.transactions()) {
      seen(tx.sender(), time);
      Payload p = tx.body().payload();
      if (p instanceof Payload.Transfer t) {
        seen(t.to(), time);
      } else if (p instanceof Payload.EnergyTrade t) {
        traded(t.seller(), t.buyer(), t.paymentMicro(), time);
        trades.put(tx.id(), new Trade(t.seller(), t.buyer(), false, false));
      } else if (p instanceof Payload.Rating r) {
        rate(tx.sender(), r, time);
      } else if (p instanceof Payload.Call && !decoders.isEmpty()) {
        first(d -> d.traded(tx))
            .ifPresent(t -> traded(tx.sender(), t.counterparty(), t.tradedMicro(), time));
        first(d -> d.decode(tx))
            .ifPresent(
                r -> {
                  traded(tx.sender(), r.rated(), r.tradedMicro(), time);
                  receive(seen(r.rated(), time), r.score(), time);
                });
      }
    }
    height = h;
  }

  private void rate(Address rater, Payload.Rating r, long time) {
    Trade t = trades.get(r.trade());
    if (t == null) {
      return;
    }
    boolean bySeller = rater.equals(t.seller());
    if (!bySeller && !rater.equals(t.buyer())) {
      return;
    }
    Trade next =
        new Trade(t.seller(), t.buyer(), t.sellerRated() || bySeller, t.buyerRated() || !bySeller);
    if (next.sellerRated() && next.buyerRated()) {
      trades.remove(r.trade());
    } else {
      trades.put(r.trade(), next);
    }
    receive(seen(bySeller ? t.buyer() : t.seller(), time), r.score(), time);
  }

  /** One transaction of Alg. 1 for the rated trader. */
  private void receive(Acc rated, int score, long time) {
    rated.trust =
        TrustScores.traderTrust(
            rated.trust,
            rated.ratings,
            score,
            params.beta(time - rated.registeredAt),
            params.coins(rated.tradedMicro));
    rated.ratings++;
  }

  /** Coins traded between two accounts, counted for both (once if they are the same). */
  private void traded(Address a, Address b, long micro, long time) {
    Acc x = seen(a, time);
    Acc y = seen(b, time);
    x.tradedMicro = saturatingAdd(x.tradedMicro, micro);
    if (y != x) {
      y.tradedMicro = saturatingAdd(y.tradedMicro, micro);
    }
  }

  /** The first decoder's answer that is present. */
  private <T> Optional<T> first(Function<RatingDecoder, Optional<T>> read) {
    for (RatingDecoder d : decoders) {
      Optional<T> r = read.apply(d);
      if (r.isPresent()) {
        return r;
      }
    }
    return Optional.empty();
  }

  private Acc seen(Address a, long time) {
    Acc acc = accounts.get(a);
    if (acc == null) {
      acc = new Acc();
      acc.registeredAt = time;
      accounts.put(a, acc);
    }
    return acc;
  }

  private static long saturatingAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /**
   * What the index knows of one trader.
   *
   * @param registeredAt RT_u, the time of its first block, epoch ms
   * @param tradedMicro γ, micro-coins traded as seller or buyer
   * @param ratings how many ratings it received
   * @param trust its trust score, 0 (never rated) to 5
   */
  public record Trader(long registeredAt, long tradedMicro, long ratings, double trust) {
    /**
     * Its trust rating points.
     *
     * @return TRP 1 to 4 ({@link TrustScores#trp})
     */
    public int trp() {
      return TrustScores.trp(trust);
    }
  }

  /**
   * One trader.
   *
   * @param address the account
   * @return what the index knows, or {@code null} if the account never appeared
   */
  public Trader trader(Address address) {
    Acc a = accounts.get(Objects.requireNonNull(address, "address"));
    return a == null ? null : new Trader(a.registeredAt, a.tradedMicro, a.ratings, a.trust);
  }

  /**
   * A trader's trust score.
   *
   * @param address the account
   * @return 0 (unknown or never rated) to 5
   */
  public double trust(Address address) {
    Acc a = accounts.get(Objects.requireNonNull(address, "address"));
    return a == null ? 0 : a.trust;
  }

  /**
   * A trader's trust rating points, for trust-rated market access.
   *
   * @param address the account
   * @return TRP 1 to 4
   */
  public int trp(Address address) {
    return TrustScores.trp(trust(address));
  }

  /**
   * Every account seen, sorted by address.
   *
   * @return an unmodifiable sorted map
   */
  public Map<Address, Trader> traders() {
    TreeMap<Address, Trader> m = new TreeMap<>();
    accounts.forEach(
        (k, a) -> m.put(k, new Trader(a.registeredAt, a.tradedMicro, a.ratings, a.trust)));
    return Collections.unmodifiableMap(m);
  }

  /**
   * How many trades still await a rating from at least one party.
   *
   * @return the count
   */
  public int openTrades() {
    return trades.size();
  }
}

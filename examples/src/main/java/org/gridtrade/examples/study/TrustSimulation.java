package org.gridtrade.examples.study;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.gridtrade.auction.Trade;
import org.gridtrade.auction.TrustRatedAccess;
import org.gridtrade.consensus.trust.TrustIndex;
import org.gridtrade.consensus.trust.TrustParameters;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.Units;

/**
 * The trust simulation behind {@code gridtrade trust-sim}: honest and malicious prosumers and
 * consumers trade hour by hour on a ledger, rate each other, and trust-rated access (Haider)
 * decides who may trade with whom; the baseline gives every trader the same access.
 */
public final class TrustSimulation {
  private static final int CHAIN = 4004;
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final long HOUR = 3_600_000L;

  /**
   * The population and length of a run.
   *
   * @param seed seeds the offers, bids and ratings
   * @param rounds hourly trading rounds
   * @param prosumers honest sellers
   * @param consumers honest buyers
   * @param malicious malicious users, half sellers (rounded up) and half buyers
   */
  public record Settings(long seed, int rounds, int prosumers, int consumers, int malicious) {}

  /** One trader of the simulation. */
  private record Trader(String id, KeyPair key, boolean seller, boolean malicious) {}

  /** Per-round figures. */
  public record Round(
      int round,
      double honestMeanTrust,
      double maliciousMeanTrust,
      double honestMeanTrp,
      double maliciousMeanTrp,
      double tradedKwh,
      double maliciousShare) {}

  /** The whole run. */
  public record Result(
      List<Round> rounds,
      double honestMeanTrust,
      double maliciousMeanTrust,
      double maliciousTradedShare,
      double maliciousBoughtShare,
      double maliciousSoldShare,
      double honestBuyerMeanPrice,
      double maliciousBuyerMeanPrice,
      int trades,
      int ratings,
      int blocks) {}

  private TrustSimulation() {}

  private static KeyPair key(long seed, int i) {
    byte[] s = new byte[32];
    ByteBuffer.wrap(s).putLong(seed).putLong(i).putLong(0x7275737453696dL);
    return KeyPair.fromSeed(Hash.sha256(s).bytes());
  }

  /**
   * Runs the market; with {@code withTrust} false every trader gets TRP 4 (no trust-rated access),
   * on the same offers and bids, as the baseline.
   */
  public static Result run(Settings settings, boolean withTrust) {
    long seed = settings.seed();
    int rounds = settings.rounds();
    int prosumers = settings.prosumers();
    int consumers = settings.consumers();
    int malicious = settings.malicious();
    SplittableRandom rnd = new SplittableRandom(seed);
    SplittableRandom ratingRnd = rnd.split();
    List<Trader> traders = new ArrayList<>();
    int badSellers = (malicious + 1) / 2;
    int n = 0;
    for (int i = 0; i < prosumers; i++) {
      traders.add(new Trader("P" + i, key(seed, n++), true, false));
    }
    for (int i = 0; i < consumers; i++) {
      traders.add(new Trader("C" + i, key(seed, n++), false, false));
    }
    for (int i = 0; i < malicious; i++) {
      boolean seller = i < badSellers;
      traders.add(new Trader((seller ? "MP" : "MC") + i, key(seed, n++), seller, true));
    }
    Map<String, Trader> byId = new HashMap<>();
    Map<Address, Long> alloc = new HashMap<>();
    Map<Address, Long> nonces = new HashMap<>();
    for (Trader t : traders) {
      byId.put(t.id(), t);
      alloc.put(t.key().address(), 1_000_000_000_000L);
    }
    Genesis genesis = new Genesis(CHAIN, alloc, java.util.Set.of(), T0);
    LedgerState state = genesis.state();
    Block head = genesis.block();
    TrustIndex index = new TrustIndex(TrustParameters.DEFAULT);
    index.fold(head);

    List<Round> out = new ArrayList<>();
    List<Map.Entry<KeyPair, Payload.Rating>> pendingRatings = new ArrayList<>();
    double traded = 0;
    double maliciousTraded = 0;
    double bought = 0;
    double maliciousBought = 0;
    double sold = 0;
    double maliciousSold = 0;
    double honestPaid = 0;
    double honestQty = 0;
    double maliciousPaid = 0;
    double maliciousQty = 0;
    int tradeCount = 0;
    int ratingCount = 0;
    for (int round = 1; round <= rounds; round++) {
      List<TrustRatedAccess.Offer> offers = new ArrayList<>();
      List<TrustRatedAccess.Bid> bids = new ArrayList<>();
      for (Trader t : traders) {
        int trp = withTrust ? index.trp(t.key().address()) : 4;
        double q = 2 + rnd.nextDouble() * 8;
        if (t.seller()) {
          offers.add(new TrustRatedAccess.Offer(t.id(), trp, 8 + 0.5 * rnd.nextInt(17), q));
        } else {
          bids.add(new TrustRatedAccess.Bid(t.id(), trp, 10 + 0.5 * rnd.nextInt(21), q));
        }
      }
      // Buyers of equal TRP are served in input order: shuffle it every round.
      java.util.Collections.shuffle(bids, new java.util.Random(rnd.nextLong()));
      TrustRatedAccess.Matching m = TrustRatedAccess.match(offers, bids);
      // Last round's ratings are signed first, so their nonces precede this round's trades.
      List<Transaction> txs = new ArrayList<>();
      for (Map.Entry<KeyPair, Payload.Rating> e : pendingRatings) {
        txs.add(sign(e.getKey(), nonces, e.getValue()));
      }
      ratingCount += pendingRatings.size();
      pendingRatings = new ArrayList<>();
      double roundKwh = 0;
      double roundMalicious = 0;
      for (Trade tr : m.trades()) {
        Trader seller = byId.get(tr.sellerId());
        Trader buyer = byId.get(tr.buyerId());
        long wh = Math.max(1, Units.kWhToWh(tr.quantity()));
        long price = Units.centsPerKWhToMicroPerKWh(tr.buyerPrice());
        Transaction t =
            sign(
                buyer.key(),
                nonces,
                new Payload.EnergyTrade(
                    seller.key().address(),
                    buyer.key().address(),
                    wh,
                    price,
                    "trust-sim/" + round));
        txs.add(t);
        tradeCount++;
        double kwh = Units.whToKWh(wh);
        roundKwh += kwh;
        traded += kwh;
        bought += kwh;
        sold += kwh;
        if (seller.malicious() || buyer.malicious()) {
          roundMalicious += kwh;
          maliciousTraded += kwh;
        }
        if (seller.malicious()) {
          maliciousSold += kwh;
        }
        if (buyer.malicious()) {
          maliciousBought += kwh;
          maliciousPaid += kwh * tr.buyerPrice();
          maliciousQty += kwh;
        } else {
          honestPaid += kwh * tr.buyerPrice();
          honestQty += kwh;
        }
        // Rated after delivery, in the next block: 1-2 for a malicious counterparty, else 4-5.
        pendingRatings.add(
            Map.entry(buyer.key(), new Payload.Rating(t.id(), rating(ratingRnd, seller))));
        pendingRatings.add(
            Map.entry(seller.key(), new Payload.Rating(t.id(), rating(ratingRnd, buyer))));
      }
      long time = T0 + round * HOUR;
      List<Transaction> block = txs;
      LedgerState.Outcome o = state.apply(block, traders.get(0).key().address(), time);
      if (o instanceof LedgerState.Outcome.Rejected rej) {
        throw new IllegalStateException(
            "round %d: transaction %d rejected: %s".formatted(round, rej.index(), rej.rejection()));
      }
      state = ((LedgerState.Outcome.Applied) o).state();
      head =
          new Block(
              new BlockHeader(
                  head.height() + 1,
                  head.hash(),
                  Block.transactionsRoot(block),
                  block.size(),
                  state.root(),
                  time,
                  traders.get(0).key().address(),
                  new byte[0]),
              block);
      index.fold(head);
      out.add(roundFigures(round, traders, index, roundKwh, roundMalicious));
    }
    Round last = out.get(out.size() - 1);
    return new Result(
        List.copyOf(out),
        last.honestMeanTrust(),
        last.maliciousMeanTrust(),
        traded == 0 ? 0 : maliciousTraded / traded,
        bought == 0 ? 0 : maliciousBought / bought,
        sold == 0 ? 0 : maliciousSold / sold,
        honestQty == 0 ? 0 : honestPaid / honestQty,
        maliciousQty == 0 ? 0 : maliciousPaid / maliciousQty,
        tradeCount,
        ratingCount,
        (int) head.height());
  }

  private static int rating(SplittableRandom rnd, Trader counterparty) {
    return counterparty.malicious() ? 1 + rnd.nextInt(2) : 4 + rnd.nextInt(2);
  }

  private static Transaction sign(KeyPair k, Map<Address, Long> nonces, Payload p) {
    long nonce = nonces.merge(k.address(), 1L, Long::sum) - 1;
    return new TransactionBody(CHAIN, k.publicKey(), nonce, 0, p).sign(k);
  }

  private static Round roundFigures(
      int round, List<Trader> traders, TrustIndex index, double kwh, double maliciousKwh) {
    double ht = 0;
    double mt = 0;
    double hp = 0;
    double mp = 0;
    int h = 0;
    int m = 0;
    for (Trader t : traders) {
      double trust = index.trust(t.key().address());
      int trp = index.trp(t.key().address());
      if (t.malicious()) {
        mt += trust;
        mp += trp;
        m++;
      } else {
        ht += trust;
        hp += trp;
        h++;
      }
    }
    return new Round(
        round,
        h == 0 ? 0 : ht / h,
        m == 0 ? 0 : mt / m,
        h == 0 ? 0 : hp / h,
        m == 0 ? 0 : mp / m,
        kwh,
        kwh == 0 ? 0 : maliciousKwh / kwh);
  }
}

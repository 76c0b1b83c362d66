package org.gridtrade.examples.study;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.gridtrade.consensus.trust.TrustIndex;
import org.gridtrade.consensus.trust.TrustParameters;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.spi.RatingDecoder;
import org.gridtrade.ledger.spi.SealVerifier;
import org.gridtrade.market.AttestingMeters;
import org.gridtrade.market.ClearingRule;
import org.gridtrade.market.Delivery;
import org.gridtrade.market.DeliveryTerms;
import org.gridtrade.market.MarketCalls;
import org.gridtrade.market.MarketModules;
import org.gridtrade.market.MarketOrder;
import org.gridtrade.market.MarketSpec;
import org.gridtrade.market.MarketTrade;
import org.gridtrade.market.Markets;
import org.gridtrade.market.Side;

/**
 * The wash-trading ring of the trust layer's Sybil analysis, run twice hour by hour on the same
 * people: once on the ledger's own trades and ratings, once through the double-auction market that
 * settles on meter-attested delivery, with trust folded from the market's ratings ({@link
 * Markets#ratingDecoder()}).
 *
 * <p>The ring's identities trade 10 kWh (one coin) in a circle every hour (each buys from the next)
 * and rate each other 5; an honest seller sells 2 kWh to an honest buyer, who rates it 4 or 5. The
 * ring generates nothing: its meters, installed and registered by the utility, sign an export of 0.
 * On the ledger a rating needs only a confirmed trade, so the ring's trust climbs like the honest
 * seller's; in the market a rating needs delivered energy, so every rating the ring sends is
 * refused.
 */
public final class WashRingStudy {
  private static final int CHAIN = 4005;
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final long HOUR = 3_600_000L;
  private static final long MINUTE = 60_000L;
  private static final long RING_WH = 10_000;
  private static final long HONEST_WH = 2_000;
  private static final long PENALTY_MICRO_PER_KWH = 120_000;
  private static final int METERS = 3;
  private static final int THRESHOLD = 2;

  /**
   * The run.
   *
   * @param seed seeds the honest buyer's ratings and the keys
   * @param hours hourly rounds
   * @param ring the ring's identities, 2 or more
   */
  public record Settings(long seed, int hours, int ring) {
    /** Checks the ranges. */
    public Settings {
      if (hours < 1) {
        throw new IllegalArgumentException("hours %d must be >= 1".formatted(hours));
      }
      if (ring < 2) {
        throw new IllegalArgumentException("ring %d must be >= 2".formatted(ring));
      }
    }
  }

  /**
   * Trust after one hour, on the ledger's ratings and on the market's.
   *
   * @param hour 1 to {@link Settings#hours}
   * @param ledgerRingTrust the ring's mean trust, ledger ratings
   * @param ledgerRingTrp the ring's lowest TRP, ledger ratings
   * @param ledgerHonestTrust the honest seller's trust, ledger ratings
   * @param marketRingTrust the ring's mean trust, market ratings
   * @param marketRingTrp the ring's lowest TRP, market ratings
   * @param marketHonestTrust the honest seller's trust, market ratings
   */
  public record Hour(
      int hour,
      double ledgerRingTrust,
      int ledgerRingTrp,
      double ledgerHonestTrust,
      double marketRingTrust,
      int marketRingTrp,
      double marketHonestTrust) {}

  /**
   * The whole run.
   *
   * @param hours per-hour trust
   * @param ledgerRingTrp4Hour the first hour after which every ring member had TRP 4 on the
   *     ledger's ratings, or -1
   * @param marketRingTrp4Hour the same on the market's ratings, or -1
   * @param marketHonestTrp4Hour the first hour after which the honest seller had TRP 4 on the
   *     market's ratings, or -1
   * @param ringRatingsSent ratings the ring sent to the market
   * @param ringRatingsRefused of those, refused by the market (no delivered energy)
   * @param honestRatingsAccepted the honest buyer's ratings the market accepted
   * @param ringPenaltyMicro shortfall penalties the ring's sellers paid (to the ring's buyers)
   * @param ringCostMicro what the ring's identities lost in all on the market chain (fees)
   * @param marketBlocks blocks of the market chain
   * @param ledgerBlocks blocks of the ledger chain
   */
  public record Result(
      List<Hour> hours,
      int ledgerRingTrp4Hour,
      int marketRingTrp4Hour,
      int marketHonestTrp4Hour,
      int ringRatingsSent,
      int ringRatingsRefused,
      int honestRatingsAccepted,
      long ringPenaltyMicro,
      long ringCostMicro,
      long marketBlocks,
      long ledgerBlocks) {}

  private WashRingStudy() {}

  /**
   * Runs both chains.
   *
   * @param s the settings
   * @return trust hour by hour, and the market's refusals and penalties
   */
  public static Result run(Settings s) {
    List<KeyPair> ring = new ArrayList<>();
    for (int i = 0; i < s.ring(); i++) {
      ring.add(key(s.seed(), i));
    }
    KeyPair seller = key(s.seed(), 1_000);
    KeyPair buyer = key(s.seed(), 1_001);
    KeyPair utility = key(s.seed(), 1_002);
    List<KeyPair> everyone = new ArrayList<>(ring);
    everyone.addAll(List.of(seller, buyer, utility));
    Map<Address, Long> alloc = new HashMap<>();
    everyone.forEach(k -> alloc.put(k.address(), 1_000_000_000_000L));
    Genesis genesis =
        new Genesis(CHAIN, alloc, Set.of(utility.address()), T0)
            .withModules(MarketModules.all().stream().map(m -> m.name()).sorted().toList());
    SplittableRandom scores = new SplittableRandom(s.seed());
    try (Chain ledger = new Chain(genesis, utility, List.of());
        Chain market = new Chain(genesis, utility, List.of(Markets.ratingDecoder()))) {
      long ringBefore = ring.stream().mapToLong(k -> market.balance(k.address())).sum();
      List<Hour> hours = new ArrayList<>();
      int ledgerTrp4 = -1;
      int marketTrp4 = -1;
      int honestTrp4 = -1;
      int ringSent = 0;
      int ringRefused = 0;
      int honestAccepted = 0;
      long penalties = 0;
      for (int h = 0; h < s.hours(); h++) {
        long t0 = T0 + h * HOUR;
        int honestScore = 4 + scores.nextInt(2);
        ledgerHour(ledger, ring, seller, buyer, t0, honestScore);
        MarketHour m = marketHour(market, ring, seller, buyer, utility, t0, h == 0, honestScore);
        ringSent += m.ringSent();
        ringRefused += m.ringRefused();
        honestAccepted += m.honestAccepted();
        penalties += m.ringPenaltyMicro();
        Hour x =
            new Hour(
                h + 1,
                meanTrust(ledger.trust, ring),
                minTrp(ledger.trust, ring),
                ledger.trust.trust(seller.address()),
                meanTrust(market.trust, ring),
                minTrp(market.trust, ring),
                market.trust.trust(seller.address()));
        hours.add(x);
        if (ledgerTrp4 < 0 && x.ledgerRingTrp() == 4) {
          ledgerTrp4 = x.hour();
        }
        if (marketTrp4 < 0 && x.marketRingTrp() == 4) {
          marketTrp4 = x.hour();
        }
        if (honestTrp4 < 0 && market.trust.trp(seller.address()) == 4) {
          honestTrp4 = x.hour();
        }
      }
      long ringAfter = ring.stream().mapToLong(k -> market.balance(k.address())).sum();
      return new Result(
          List.copyOf(hours),
          ledgerTrp4,
          marketTrp4,
          honestTrp4,
          ringSent,
          ringRefused,
          honestAccepted,
          penalties,
          ringBefore - ringAfter,
          market.ledger.height(),
          ledger.ledger.height());
    }
  }

  /** The ledger's way: each trade a signed EnergyTrade, both parties rate it in the next block. */
  private static void ledgerHour(
      Chain c, List<KeyPair> ring, KeyPair seller, KeyPair buyer, long t0, int honestScore) {
    List<Transaction> trades = new ArrayList<>();
    for (int i = 0; i < ring.size(); i++) {
      KeyPair b = ring.get(i);
      KeyPair s = ring.get((i + 1) % ring.size());
      trades.add(
          c.tx(b, new Payload.EnergyTrade(s.address(), b.address(), RING_WH, 100_000, "wash")));
    }
    trades.add(
        c.tx(
            buyer,
            new Payload.EnergyTrade(
                seller.address(), buyer.address(), HONEST_WH, 100_000, "honest")));
    c.block(trades, t0, 0);
    List<Transaction> ratings = new ArrayList<>();
    for (int i = 0; i < ring.size(); i++) {
      Transaction t = trades.get(i);
      ratings.add(c.tx(ring.get(i), new Payload.Rating(t.id(), 5)));
      ratings.add(c.tx(ring.get((i + 1) % ring.size()), new Payload.Rating(t.id(), 5)));
    }
    Transaction honest = trades.get(ring.size());
    ratings.add(c.tx(buyer, new Payload.Rating(honest.id(), honestScore)));
    ratings.add(c.tx(seller, new Payload.Rating(honest.id(), 5)));
    c.block(ratings, t0 + MINUTE, 0);
  }

  private record MarketHour(
      int ringSent, int ringRefused, int honestAccepted, long ringPenaltyMicro) {}

  /**
   * The market's way: the utility opens an hourly market that settles on delivery; everyone places
   * orders; at the gate every node clears; the meters attest each seller's export after the
   * interval; each buyer then rates its trade's seller.
   */
  private static MarketHour marketHour(
      Chain c,
      List<KeyPair> ring,
      KeyPair seller,
      KeyPair buyer,
      KeyPair utility,
      long t0,
      boolean first,
      int honestScore) {
    long open = c.ledger.height() + 1;
    List<Transaction> setup = new ArrayList<>();
    if (first) {
      List<KeyPair> sellers = new ArrayList<>(ring);
      sellers.add(seller);
      for (KeyPair k : sellers) {
        setup.add(c.tx(utility, MarketCalls.registerMeters(k.address(), c.meters(k))));
      }
    }
    Instant start = Instant.ofEpochMilli(t0 + 5 * MINUTE);
    Instant end = Instant.ofEpochMilli(t0 + 55 * MINUTE);
    MarketSpec spec =
        new MarketSpec(ClearingRule.UNIFORM_PRICE, 500_000, open + 2, start, end)
            .withDelivery(new DeliveryTerms(PENALTY_MICRO_PER_KWH, open + 4));
    setup.add(c.tx(utility, MarketCalls.open(spec)));
    c.block(setup, t0, 0);
    long id = Markets.count(c.ledger.state()) - 1;
    // Asks first, then bids, so that equal prices pair each ring member's bid with the previous
    // member's ask: a circle, never a member with itself.
    List<Transaction> orders = new ArrayList<>();
    orders.add(c.tx(seller, MarketCalls.ask(id, 80_000, HONEST_WH)));
    for (KeyPair k : ring) {
      orders.add(c.tx(k, MarketCalls.ask(id, 100_000, RING_WH)));
    }
    orders.add(c.tx(buyer, MarketCalls.bid(id, 120_000, HONEST_WH)));
    for (int i = 0; i < ring.size(); i++) {
      orders.add(c.tx(ring.get((i + 1) % ring.size()), MarketCalls.bid(id, 100_000, RING_WH)));
    }
    c.block(orders, t0 + MINUTE, 0);
    c.block(List.of(), t0 + 2 * MINUTE, 0); // the gate: every node clears
    // The meters sign each seller's export over the interval: the honest seller delivered what it
    // sold, the ring generated nothing.
    List<Transaction> readings = new ArrayList<>();
    List<MarketOrder> book = Markets.orders(c.ledger.state(), id);
    for (MarketOrder o : book) {
      if (o.side() != Side.SELL || o.filledWh() == 0) {
        continue;
      }
      boolean honest = o.owner().equals(seller.address());
      long wh = honest ? o.filledWh() : 0;
      KeyPair owner = honest ? seller : ring.get(indexOf(ring, o.owner()));
      readings.add(
          c.tx(owner, MarketCalls.attestedDelivery(id, o.id(), wh, c.sign(owner, start, end, wh))));
    }
    c.block(readings, t0 + 56 * MINUTE, 0);
    c.block(List.of(), t0 + 57 * MINUTE, 0); // the report deadline
    long penalty = 0;
    for (MarketOrder o : book) {
      if (o.side() == Side.SELL && !o.owner().equals(seller.address())) {
        penalty +=
            Markets.delivery(c.ledger.state(), id, o.id()).map(Delivery::penaltyMicro).orElse(0L);
      }
    }
    List<Transaction> ratings = new ArrayList<>();
    List<Boolean> byRing = new ArrayList<>();
    for (MarketTrade t : Markets.trades(c.ledger.state(), id)) {
      Address b = book.get(t.buyOrder()).owner();
      Address sold = book.get(t.sellOrder()).owner();
      boolean ringTrade = !b.equals(buyer.address());
      KeyPair rater = ringTrade ? ring.get(indexOf(ring, b)) : buyer;
      ratings.add(c.tx(rater, MarketCalls.rate(t, sold, ringTrade ? 5 : honestScore)));
      byRing.add(ringTrade);
    }
    List<Transaction> skipped = c.block(ratings, t0 + 58 * MINUTE, -1);
    int ringSent = 0;
    int ringRefused = 0;
    int honestAccepted = 0;
    for (int i = 0; i < ratings.size(); i++) {
      boolean refused = skipped.contains(ratings.get(i));
      if (byRing.get(i)) {
        ringSent++;
        ringRefused += refused ? 1 : 0;
      } else if (!refused) {
        honestAccepted++;
      }
    }
    return new MarketHour(ringSent, ringRefused, honestAccepted, penalty);
  }

  private static int indexOf(List<KeyPair> keys, Address a) {
    for (int i = 0; i < keys.size(); i++) {
      if (keys.get(i).address().equals(a)) {
        return i;
      }
    }
    throw new IllegalStateException("no key for " + a);
  }

  private static double meanTrust(TrustIndex index, List<KeyPair> ring) {
    double sum = 0;
    for (KeyPair k : ring) {
      sum += index.trust(k.address());
    }
    return sum / ring.size();
  }

  private static int minTrp(TrustIndex index, List<KeyPair> ring) {
    int min = 4;
    for (KeyPair k : ring) {
      min = Math.min(min, index.trp(k.address()));
    }
    return min;
  }

  private static KeyPair key(long seed, int i) {
    byte[] s = new byte[32];
    ByteBuffer.wrap(s).putLong(seed).putLong(i).putLong(0x57617368526e67L);
    return KeyPair.fromSeed(Hash.sha256(s).bytes());
  }

  /** One chain, the trust index folded block by block, and the senders' nonces. */
  private static final class Chain implements AutoCloseable {
    final Ledger ledger;
    final TrustIndex trust;
    private final Address proposer;
    private final Map<Address, Long> nonces = new HashMap<>();
    private final Map<Address, List<KeyPair>> meters = new HashMap<>();

    Chain(Genesis genesis, KeyPair proposer, List<RatingDecoder> decoders) {
      this.ledger =
          Ledger.open(
              genesis,
              BlockStores.inMemory(),
              SealVerifier.acceptAll(),
              Ledger.DEFAULT_STATE_RETENTION,
              MarketModules.forGenesis(genesis));
      this.trust = new TrustIndex(TrustParameters.DEFAULT, decoders);
      this.trust.fold(ledger.block(0).orElseThrow());
      this.proposer = proposer.address();
    }

    Transaction tx(KeyPair k, Payload p) {
      long nonce = nonces.merge(k.address(), 1L, Long::sum) - 1;
      return new TransactionBody(CHAIN, k.publicKey(), nonce, 1, p).sign(k);
    }

    /**
     * Appends a block of these transactions and folds it; returns the ones left out. With {@code
     * allowedSkips} 0 a left-out transaction is a bug of the study; with -1 any may be (each sender
     * then has one transaction in the block, so a refusal leaves no nonce gap).
     */
    List<Transaction> block(List<Transaction> txs, long time, int allowedSkips) {
      Ledger.Proposal p = ledger.propose(txs, proposer, time);
      if (allowedSkips == 0 && !p.skipped().isEmpty()) {
        throw new IllegalStateException(
            "transaction left out: " + p.skipped().get(0).rejection().detail());
      }
      if (!(ledger.append(p.block()) instanceof BlockResult.Appended)) {
        throw new IllegalStateException("block " + p.block().height() + " not appended");
      }
      trust.fold(p.block());
      List<Transaction> out = new ArrayList<>();
      for (Ledger.Proposal.Skipped x : p.skipped()) {
        nonces.merge(x.transaction().sender(), -1L, Long::sum);
        out.add(x.transaction());
      }
      return out;
    }

    long balance(Address a) {
      return ledger.state().account(a).balance();
    }

    AttestingMeters meters(KeyPair owner) {
      List<PublicKey> ks = new ArrayList<>();
      for (KeyPair m : meterKeys(owner)) {
        ks.add(m.publicKey());
      }
      return new AttestingMeters(THRESHOLD, ks);
    }

    SortedMap<Integer, Signature> sign(KeyPair owner, Instant start, Instant end, long wh) {
      byte[] msg = MarketCalls.readingMessage(CHAIN, owner.address(), start, end, wh);
      SortedMap<Integer, Signature> sigs = new TreeMap<>();
      List<KeyPair> ks = meterKeys(owner);
      for (int i = 0; i < THRESHOLD; i++) {
        sigs.put(i, ks.get(i).sign(msg));
      }
      return sigs;
    }

    private List<KeyPair> meterKeys(KeyPair owner) {
      return meters.computeIfAbsent(
          owner.address(),
          a -> {
            List<KeyPair> ks = new ArrayList<>();
            for (int i = 0; i < METERS; i++) {
              byte[] s = (a + "/meter/" + i).getBytes(StandardCharsets.US_ASCII);
              ks.add(KeyPair.fromSeed(Hash.sha256(s).bytes()));
            }
            return ks;
          });
    }

    @Override
    public void close() {
      ledger.close();
    }
  }
}

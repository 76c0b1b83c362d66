package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.trust.TrustIndex;
import org.gridtrade.consensus.trust.TrustParameters;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.spi.RatingDecoder;
import org.junit.jupiter.api.Test;

/**
 * Trust folded from a market's ratings of delivered trades ({@link Markets#ratingDecoder()})
 * against an independent oracle: the same chain rewritten so that each accepted market rating
 * becomes the ledger's own {@link Payload.EnergyTrade} and {@link Payload.Rating} in the same
 * block, folded by the index's ledger path (tested against Haider's formulas on its own). Every
 * trader's registration, coins traded, rating count and trust must be bit-identical.
 */
class MarketTrustTest {
  private static final int TRADERS = 6;
  private int ratedExamples;
  private int refusedSelfRatings;

  @Test
  void trustFromMarketRatings_equalsTheLedgerPathOnTheSameRatings() {
    qt().withFixedSeed(20261208L).withExamples(25).forAll(longs().all()).checkAssert(this::check);
    // The property is not vacuous: most examples accepted ratings, and some self-trades were
    // refused a rating.
    assertThat(ratedExamples).isGreaterThan(15);
    assertThat(refusedSelfRatings).isPositive();
  }

  @Test
  void trustStake_withTheMarketsDecoder_countsTheRatingsOfDeliveredTrades() {
    try (MarketChain c = new MarketChain(3, 1_000_000_000_000L)) {
      KeyPair buyer = c.keys.get(1);
      KeyPair seller = c.keys.get(2);
      Instant start = Instant.ofEpochMilli(MarketChain.T0 + 1_000L);
      MarketSpec spec =
          new MarketSpec(ClearingRule.UNIFORM_PRICE, 500_000, 3, start, start.plusSeconds(3))
              .withDelivery(new DeliveryTerms(100_000, 6));
      c.block(List.of(c.tx(c.operator(), MarketCalls.open(spec))));
      c.block(
          List.of(
              c.tx(buyer, MarketCalls.bid(0, 95_000, 2_000)),
              c.tx(seller, MarketCalls.ask(0, 90_000, 2_000))));
      c.advanceTo(4);
      c.block(List.of(c.tx(c.operator(), MarketCalls.reportDelivery(0, 1, 2_000))));
      MarketTrade t = Markets.trades(c.state(), 0).get(0);
      c.block(List.of(c.tx(buyer, MarketCalls.rate(t, seller.address(), 5))));
      long head = c.ledger.height();
      ChainView view =
          new ChainView() {
            @Override
            public Optional<BlockHeader> header(long height) {
              return c.ledger.block(height).map(Block::header);
            }

            @Override
            public long activationHeight() {
              return head + 1;
            }

            @Override
            public Optional<Block> block(long height) {
              return c.ledger.block(height);
            }
          };
      BlockHeader top = view.header(head).orElseThrow();
      List<Address> validators = List.of(c.operator().address());
      TrustIndex with =
          TrustStake.builder()
              .initialValidators(validators)
              .ratingDecoders(List.of(Markets.ratingDecoder()))
              .build()
              .snapshot(view, top)
              .trust();
      TrustIndex without =
          TrustStake.builder().initialValidators(validators).build().snapshot(view, top).trust();
      assertThat(with.trader(seller.address()).ratings()).isEqualTo(1);
      assertThat(with.trust(seller.address())).isPositive();
      assertThat(without.trader(seller.address()).ratings()).isZero();
      assertThat(without.trust(seller.address())).isZero();
    }
  }

  private void check(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Transaction> accepted = new ArrayList<>();
    try (MarketChain c = new MarketChain(TRADERS + 1, 1_000_000_000_000L)) {
      int markets = 1 + rnd.nextInt(4);
      for (int m = 0; m < markets; m++) {
        market(c, rnd, accepted);
      }
      List<Block> blocks = new ArrayList<>();
      for (long h = 0; h <= c.ledger.height(); h++) {
        blocks.add(c.ledger.block(h).orElseThrow());
      }
      TrustIndex read =
          TrustIndex.replay(TrustParameters.DEFAULT, List.of(Markets.ratingDecoder()), blocks);
      TrustIndex oracle =
          TrustIndex.replay(TrustParameters.DEFAULT, mirror(blocks, c, Markets.ratingDecoder()));
      TreeSet<Address> all = new TreeSet<>(read.traders().keySet());
      all.addAll(oracle.traders().keySet());
      for (Address a : all) {
        assertThat(read.trader(a)).as("trader %s", a).isEqualTo(oracle.trader(a));
      }
      long ratings = read.traders().values().stream().mapToLong(TrustIndex.Trader::ratings).sum();
      assertThat(ratings).isEqualTo(accepted.size());
      if (ratings > 0) {
        ratedExamples++;
      }
    }
  }

  /** Opens a market, trades, reports deliveries, and has every buyer try to rate its trades. */
  private void market(MarketChain c, SplittableRandom rnd, List<Transaction> accepted) {
    long h = c.ledger.height();
    Instant start = Instant.ofEpochMilli(MarketChain.T0 + (h + 1) * 1_000L);
    ClearingRule rule = ClearingRule.values()[rnd.nextInt(ClearingRule.values().length)];
    MarketSpec spec =
        new MarketSpec(rule, 500_000, h + 3, start, start.plusSeconds(3))
            .withDelivery(new DeliveryTerms(rnd.nextInt(200_000), h + 6));
    c.block(List.of(c.tx(c.operator(), MarketCalls.open(spec))));
    long id = Markets.count(c.state()) - 1;
    List<Transaction> orders = new ArrayList<>();
    int n = 2 + rnd.nextInt(7);
    for (int i = 0; i < n; i++) {
      KeyPair k = c.keys.get(1 + rnd.nextInt(TRADERS));
      long price = 50_000 + rnd.nextInt(100_001);
      long wh = 100 + rnd.nextInt(5_000);
      orders.add(
          c.tx(
              k,
              rnd.nextBoolean() ? MarketCalls.bid(id, price, wh) : MarketCalls.ask(id, price, wh)));
    }
    c.block(orders);
    c.advanceTo(h + 4);
    List<MarketTrade> trades = Markets.trades(c.state(), id);
    TreeSet<Integer> asks = new TreeSet<>();
    trades.forEach(t -> asks.add(t.sellOrder()));
    for (int ask : asks) {
      long sold =
          trades.stream()
              .filter(t -> t.sellOrder() == ask)
              .mapToLong(MarketTrade::quantityWh)
              .sum();
      long delivered = rnd.nextInt(3) == 0 ? 0 : rnd.nextLong(sold + sold / 5 + 1);
      c.block(List.of(c.tx(c.operator(), MarketCalls.reportDelivery(id, ask, delivered))));
    }
    c.advanceTo(h + 6);
    for (MarketTrade t : trades) {
      Address buyer = Markets.order(c.state(), id, t.buyOrder()).orElseThrow().owner();
      Address seller = Markets.order(c.state(), id, t.sellOrder()).orElseThrow().owner();
      KeyPair k = c.keys.stream().filter(x -> x.address().equals(buyer)).findFirst().orElseThrow();
      Transaction tx = c.tx(k, MarketCalls.rate(t, seller, 1 + rnd.nextInt(5)));
      if (c.block(List.of(tx)).skipped().isEmpty()) {
        accepted.add(tx);
      } else {
        c.unuse(k);
        if (buyer.equals(seller)) {
          refusedSelfRatings++;
        }
      }
    }
  }

  /**
   * The blocks with each module trade replaced by a ledger trade (its sender the seller), and each
   * module rating by the ledger's rating of that trade, or of a ledger trade of the rating's own
   * coins in the same block.
   */
  static List<Block> mirror(List<Block> blocks, MarketChain c, RatingDecoder decoder) {
    Map<List<Address>, Hash> tradeOf = new HashMap<>(); // [seller, buyer] -> mirrored trade
    List<Block> out = new ArrayList<>();
    for (Block b : blocks) {
      List<Transaction> txs = new ArrayList<>();
      for (Transaction tx : b.transactions()) {
        var traded = decoder.traded(tx);
        var r = decoder.decode(tx);
        if (traded.isEmpty() && r.isEmpty()) {
          txs.add(tx);
          continue;
        }
        if (traded.isPresent()) {
          Transaction trade =
              ledgerTrade(
                  c, tx, tx.sender(), traded.get().counterparty(), traded.get().tradedMicro());
          txs.add(trade);
          tradeOf.put(List.of(tx.sender(), traded.get().counterparty()), trade.id());
        }
        if (r.isPresent()) {
          Address rated = r.get().rated();
          Hash trade = tradeOf.get(List.of(rated, tx.sender()));
          if (r.get().tradedMicro() > 0 || trade == null) {
            Transaction t = ledgerTrade(c, tx, rated, tx.sender(), r.get().tradedMicro());
            txs.add(t);
            trade = t.id();
          }
          KeyPair rater = key(c, tx.sender());
          txs.add(
              new TransactionBody(
                      MarketChain.CHAIN,
                      rater.publicKey(),
                      1,
                      0,
                      new Payload.Rating(trade, r.get().score()))
                  .sign(rater));
        }
      }
      BlockHeader bh = b.header();
      out.add(
          new Block(
              new BlockHeader(
                  bh.height(),
                  bh.previousHash(),
                  Block.transactionsRoot(txs),
                  txs.size(),
                  bh.stateRoot(),
                  bh.timestamp(),
                  bh.proposer(),
                  new byte[0]),
              txs));
    }
    return out;
  }

  /** A ledger trade of {@code micro} coins, signed by the buyer, named after the module's call. */
  private static Transaction ledgerTrade(
      MarketChain c, Transaction call, Address seller, Address buyer, long micro) {
    KeyPair k = key(c, buyer);
    Transaction trade =
        new TransactionBody(
                MarketChain.CHAIN,
                k.publicKey(),
                0,
                0,
                new Payload.EnergyTrade(
                    seller,
                    buyer,
                    Math.max(1, micro),
                    micro == 0 ? 0 : 1_000,
                    "m/" + call.id().toString().substring(0, 16)))
            .sign(k);
    assertThat(((Payload.EnergyTrade) trade.body().payload()).paymentMicro()).isEqualTo(micro);
    return trade;
  }

  private static KeyPair key(MarketChain c, Address a) {
    return c.keys.stream().filter(k -> k.address().equals(a)).findFirst().orElseThrow();
  }
}

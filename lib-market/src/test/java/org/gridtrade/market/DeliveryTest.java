package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.junit.jupiter.api.Test;

/**
 * Markets that settle against metered delivery: sellers are paid for what their meters delivered,
 * buyers get back what they paid for the rest plus the shortfall's penalty from the seller's
 * collateral, and only delivered trades may be rated.
 */
class DeliveryTest {
  private static final long EACH = 10_000_000_000L;
  private static final Address ESCROW = LedgerModule.account(DoubleAuctionMarket.NAME);
  private static final long GATE = 4;
  private static final long DEADLINE = 9;

  private static MarketSpec spec(ClearingRule rule, long penalty) {
    Instant start = Instant.ofEpochSecond(MarketChain.T0 / 1000);
    return new MarketSpec(rule, 500_000, GATE, start, start.plusSeconds(6))
        .withDelivery(new DeliveryTerms(penalty, DEADLINE));
  }

  @Test
  void property_randomDeliveries_payWhatWasDeliveredAndConserveCoins() {
    qt().withFixedSeed(20261211L).withExamples(40).forAll(longs().all()).checkAssert(this::check);
  }

  private void check(long seed) {
    Random rnd = new Random(seed);
    ClearingRule rule = ClearingRule.values()[rnd.nextInt(3)];
    long penaltyPrice = 10_000L * rnd.nextInt(30);
    try (MarketChain c = new MarketChain(8, EACH)) {
      Map<Address, Long> fees = new HashMap<>();
      c.block(List.of(c.tx(c.operator(), MarketCalls.open(spec(rule, penaltyPrice)))));
      fees.merge(c.operator().address(), 1L, Long::sum);
      List<Transaction> txs = new ArrayList<>();
      for (int i = 0; i < 1 + rnd.nextInt(24); i++) {
        KeyPair k = c.keys.get(1 + rnd.nextInt(7));
        long price = 50_000 + 5_000L * rnd.nextInt(20);
        long q = 1 + rnd.nextInt(4_000);
        txs.add(
            c.tx(
                k,
                rnd.nextBoolean() ? MarketCalls.bid(0, price, q) : MarketCalls.ask(0, price, q)));
        fees.merge(k.address(), 1L, Long::sum);
      }
      assertThat(c.block(txs).skipped()).isEmpty();
      c.advanceTo(GATE);
      List<MarketOrder> orders = Markets.orders(c.state(), 0);
      List<MarketTrade> trades = Markets.trades(c.state(), 0);
      // Reports after the interval (height >= 6): some asks report a random delivery, some none.
      c.advanceTo(6);
      Map<Integer, Long> reported = new HashMap<>();
      List<Transaction> reports = new ArrayList<>();
      for (MarketOrder o : orders) {
        if (o.side() == Side.SELL && o.filledWh() > 0 && rnd.nextInt(4) > 0) {
          long d =
              rnd.nextInt(3) == 0
                  ? o.filledWh() + rnd.nextInt(500)
                  : rnd.nextInt((int) o.filledWh() + 1);
          reported.put(o.id(), d);
          reports.add(c.tx(c.operator(), MarketCalls.reportDelivery(0, o.id(), d)));
          fees.merge(c.operator().address(), 1L, Long::sum);
        }
      }
      assertThat(c.block(reports).skipped()).isEmpty();
      c.advanceTo(DEADLINE);

      // The model: each ask's delivered energy fills its trades in trade order.
      Map<Address, Long> delta = new HashMap<>();
      Map<Integer, Long> left = new HashMap<>();
      for (MarketOrder o : orders) {
        if (o.side() == Side.SELL && o.filledWh() > 0) {
          left.put(o.id(), Math.min(reported.getOrDefault(o.id(), 0L), o.filledWh()));
        }
      }
      Settled settled = settle(orders, trades, left, penaltyPrice, delta);
      for (MarketTrade t : trades) {
        assertThat(Markets.deliveredWh(c.state(), 0, t.index()))
            .hasValue(settled.deliveredByTrade().get(t.index()));
      }
      delta.merge(c.operator().address(), settled.spread(), Long::sum);
      long allFees = fees.values().stream().mapToLong(Long::longValue).sum();
      for (int u = 0; u < 8; u++) {
        Address a = c.keys.get(u).address();
        long expected =
            EACH - fees.getOrDefault(a, 0L) + delta.getOrDefault(a, 0L) + (u == 0 ? allFees : 0);
        assertThat(c.state().account(a).balance()).as("user %d", u).isEqualTo(expected);
      }
      assertThat(c.state().account(ESCROW).balance()).isZero();
      assertThat(c.state().totalSupply()).isEqualTo(8 * EACH);
      for (MarketOrder o : orders) {
        if (o.side() == Side.SELL && o.filledWh() > 0) {
          Delivery d = Markets.delivery(c.state(), 0, o.id()).orElseThrow();
          assertThat(d.byDeadline()).isEqualTo(!reported.containsKey(o.id()));
          assertThat(d.deliveredWh())
              .isEqualTo(Math.min(reported.getOrDefault(o.id(), 0L), o.filledWh()));
        }
      }
    }
  }

  /**
   * A ring that trades with itself and never delivers cannot rate the trade; a delivered trade's
   * buyer can, once; nobody else can.
   */
  @Test
  void ratings_onlyForDeliveredTrades_byTheirBuyer_once() {
    try (MarketChain c = new MarketChain(6, EACH)) {
      c.block(
          List.of(c.tx(c.operator(), MarketCalls.open(spec(ClearingRule.UNIFORM_PRICE, 100_000)))));
      KeyPair ringA = c.keys.get(1);
      KeyPair ringB = c.keys.get(2);
      KeyPair honestBuyer = c.keys.get(3);
      KeyPair honestSeller = c.keys.get(4);
      c.block(
          List.of(
              c.tx(ringA, MarketCalls.bid(0, 90_000, 1_000)),
              c.tx(ringB, MarketCalls.ask(0, 80_000, 1_000)),
              c.tx(honestBuyer, MarketCalls.bid(0, 90_000, 1_000)),
              c.tx(honestSeller, MarketCalls.ask(0, 80_000, 1_000))));
      c.advanceTo(GATE);
      List<MarketTrade> trades = Markets.trades(c.state(), 0);
      assertThat(trades).hasSize(2);
      // Too early: the delivery interval has not ended.
      assertThat(refusal(c, c.operator(), MarketCalls.reportDelivery(0, 3, 1_000)))
          .contains("delivery interval ends at");
      c.advanceTo(6);
      assertThat(refusal(c, ringA, MarketCalls.reportDelivery(0, 1, 1_000)))
          .contains("only an authority of the chain (the metering service)");
      assertThat(refusal(c, c.operator(), MarketCalls.reportDelivery(0, 0, 1_000)))
          .contains("is not an ask that sold energy");
      // The metering service reports the honest seller's delivery; the ring's never comes.
      c.block(List.of(c.tx(c.operator(), MarketCalls.reportDelivery(0, 3, 1_000))));
      assertThat(refusal(c, c.operator(), MarketCalls.reportDelivery(0, 3, 1_000)))
          .contains("settled already");
      c.advanceTo(DEADLINE);
      int ringTrade = trades.get(0).buyOrder() == 0 ? 0 : 1;
      int honestTrade = 1 - ringTrade;
      MarketTrade ring = trades.get(ringTrade);
      MarketTrade honest = trades.get(honestTrade);
      assertThat(refusal(c, ringA, MarketCalls.rate(ring, ringB.address(), 5)))
          .contains("has no delivered energy; only delivered trades may be rated");
      assertThat(refusal(c, ringB, MarketCalls.rate(honest, honestSeller.address(), 5)))
          .contains("only its buyer may rate it");
      // The call names the seller and the trade's coins, so trust can be read from the blocks
      // alone; the module refuses a call that names them wrong.
      assertThat(refusal(c, honestBuyer, MarketCalls.rate(honest, ringB.address(), 5)))
          .contains("does not match trade " + honestTrade + " of market 0, which")
          .contains(honestSeller.address().toString());
      MarketTrade inflated =
          new MarketTrade(
              0,
              honest.index(),
              honest.buyOrder(),
              honest.sellOrder(),
              honest.quantityWh(),
              honest.buyerPriceMicroPerKWh(),
              honest.sellerPriceMicroPerKWh(),
              honest.buyerPaysMicro() * 1_000,
              honest.sellerReceivesMicro());
      assertThat(refusal(c, honestBuyer, MarketCalls.rate(inflated, honestSeller.address(), 5)))
          .contains("tradedMicro " + honest.buyerPaysMicro() * 1_000 + " does not match");
      c.block(List.of(c.tx(honestBuyer, MarketCalls.rate(honest, honestSeller.address(), 4))));
      assertThat(Markets.rating(c.state(), 0, honestTrade)).hasValue(4);
      assertThat(Markets.rating(c.state(), 0, ringTrade)).isEmpty();
      assertThat(refusal(c, honestBuyer, MarketCalls.rate(honest, honestSeller.address(), 5)))
          .contains("rated already");
      // The ring's seller paid the penalty (1,000 Wh at 100,000 per kWh) to the ring's buyer.
      Delivery undelivered = Markets.delivery(c.state(), 0, 1).orElseThrow();
      assertThat(undelivered.byDeadline()).isTrue();
      assertThat(undelivered.deliveredWh()).isZero();
      assertThat(undelivered.penaltyMicro()).isEqualTo(100_000);
      assertThat(undelivered.sellerReceivedMicro()).isZero();
      assertThat(c.state().account(ESCROW).balance()).isZero();
    }
  }

  private static String refusal(MarketChain c, KeyPair k, Payload call) {
    TxResult r = c.state().check(c.tx(k, call), MarketChain.T0 + (c.ledger.height() + 1) * 1_000L);
    c.unuse(k);
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    return ((TxResult.Rejected) r).detail();
  }

  /** The model's operator spread and each trade's delivered energy, by trade index. */
  record Settled(long spread, Map<Integer, Long> deliveredByTrade) {}

  /**
   * The model of a delivery settlement, written from docs/markets.md and not from the module: each
   * ask's delivered energy ({@code left}, by order id; consumed) fills its trades in trade order;
   * for {@code d} of {@code q} Wh the buyer pays {@code ⌊d × buyer price / 1000⌋} and gets the
   * shortfall's penalty {@code ⌊(q − d) × penalty / 1000⌋} from the seller, who gets {@code ⌊d ×
   * seller price / 1000⌋}.
   *
   * @param delta each account's balance change, added to
   * @return the operator's spread and each trade's delivered energy
   */
  static Settled settle(
      List<MarketOrder> orders,
      List<MarketTrade> trades,
      Map<Integer, Long> left,
      long penaltyPrice,
      Map<Address, Long> delta) {
    Map<Integer, Long> deliveredByTrade = new HashMap<>();
    long spread = 0;
    for (MarketTrade t : trades) {
      MarketOrder b = orders.get(t.buyOrder());
      MarketOrder s = orders.get(t.sellOrder());
      long dt = Math.min(left.get(s.id()), t.quantityWh());
      left.put(s.id(), left.get(s.id()) - dt);
      deliveredByTrade.put(t.index(), dt);
      long pays = dt * t.buyerPriceMicroPerKWh() / 1000;
      long gets = dt * t.sellerPriceMicroPerKWh() / 1000;
      long penalty = (t.quantityWh() - dt) * penaltyPrice / 1000;
      delta.merge(b.owner(), -pays + penalty, Long::sum);
      delta.merge(s.owner(), gets - penalty, Long::sum);
      spread += pays - gets;
    }
    return new Settled(spread, deliveredByTrade);
  }
}

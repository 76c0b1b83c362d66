package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gridtrade.auction.DoubleAuction;
import org.gridtrade.auction.DoubleAuctionResult;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.Trade;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.LedgerModule;
import org.junit.jupiter.api.Test;

/**
 * The market on chain against the off-chain auction of lib-auction: the same orders, converted to
 * kWh and cents/kWh, must give the same trades (order pairs and quantities), prices within the
 * documented rounding (on chain at most 1 micro-coin per kWh below), the same welfare, and balances
 * that conserve every coin.
 */
class DoubleAuctionMarketTest {
  private static final long EACH = 10_000_000_000L;
  private static final Address ESCROW = LedgerModule.account(DoubleAuctionMarket.NAME);

  record Placed(int id, boolean buy, int user, long price, long quantity) {}

  @Test
  void property_randomBooks_clearOnChainAsTheOffChainAuctionDoes() {
    qt().withFixedSeed(20261207L)
        .withExamples(60)
        .forAll(longs().all())
        .checkAssert(this::checkOneBook);
  }

  private void checkOneBook(long seed) {
    Random rnd = new Random(seed);
    ClearingRule rule = ClearingRule.values()[rnd.nextInt(3)];
    int kPpm =
        switch (rnd.nextInt(4)) {
          case 0 -> 0;
          case 1 -> MarketSpec.PPM;
          case 2 -> 500_000;
          default -> rnd.nextInt(MarketSpec.PPM + 1);
        };
    try (MarketChain c = new MarketChain(8, EACH)) {
      c.block(List.of(c.tx(c.operator(), MarketCalls.open(c.spec(rule, kPpm, 4)))));
      assertThat(Markets.count(c.state())).isEqualTo(1);

      // Block 2: orders. Prices from a small grid (many ties); quantities in eighths of a kWh,
      // so that the off-chain auction's double arithmetic on kWh is exact and only the price
      // rounding is under test.
      List<Placed> placed = new ArrayList<>();
      List<Transaction> txs = new ArrayList<>();
      Map<Address, Integer> accepted = new HashMap<>();
      accepted.put(c.operator().address(), 1); // the open call
      int n = 1 + rnd.nextInt(40);
      for (int i = 0; i < n; i++) {
        int user = 1 + rnd.nextInt(7);
        boolean buy = rnd.nextBoolean();
        long price = 50_000 + 2_500L * rnd.nextInt(rnd.nextBoolean() ? 5 : 40);
        long quantity = 125L * (1 + rnd.nextInt(80));
        KeyPair k = c.keys.get(user);
        txs.add(
            c.tx(
                k,
                buy ? MarketCalls.bid(0, price, quantity) : MarketCalls.ask(0, price, quantity)));
        placed.add(new Placed(i, buy, user, price, quantity));
        accepted.merge(k.address(), 1, Integer::sum);
      }
      assertThat(c.block(txs).skipped()).isEmpty();

      // Block 3: a few cancels by the owners.
      List<Transaction> cancels = new ArrayList<>();
      List<Placed> live = new ArrayList<>(placed);
      for (Placed p : placed) {
        if (rnd.nextInt(6) == 0) {
          KeyPair k = c.keys.get(p.user());
          cancels.add(c.tx(k, MarketCalls.cancel(0, p.id())));
          accepted.merge(k.address(), 1, Integer::sum);
          live.remove(p);
        }
      }
      assertThat(c.block(cancels).skipped()).isEmpty();
      assertThat(c.state().account(ESCROW).balance())
          .isEqualTo(live.stream().filter(Placed::buy).mapToLong(p -> escrow(p)).sum());

      // Block 4: the gate closes; every node clears.
      c.block(List.of());
      Market m = Markets.market(c.state(), 0).orElseThrow();
      Clearing cl = m.clearing().orElseThrow();
      List<MarketTrade> onChain = Markets.trades(c.state(), 0);

      // The oracle: lib-auction's double auction on the same orders, in admission order.
      List<Order> buys = new ArrayList<>();
      List<Order> sells = new ArrayList<>();
      for (Placed p : live) {
        Order o = new Order(Integer.toString(p.id()), p.price() / 10_000.0, p.quantity() / 1000.0);
        (p.buy() ? buys : sells).add(o);
      }
      DoubleAuction auction =
          switch (rule) {
            case UNIFORM_PRICE -> DoubleAuction.uniformPrice(kPpm / 1e6);
            case PAY_AS_BID -> DoubleAuction.payAsBid();
            case MCAFEE -> DoubleAuction.mcAfee();
          };
      DoubleAuctionResult off = auction.clear(buys, sells);

      assertThat(onChain).hasSize(off.trades().size());
      assertThat(cl.trades()).isEqualTo(off.trades().size());
      assertThat(cl.noTradeReason().isEmpty()).isEqualTo(off.traded());
      BigInteger welfareExact = BigInteger.ZERO;
      Map<Integer, Long> delta = new HashMap<>();
      for (int t = 0; t < onChain.size(); t++) {
        Trade o = off.trades().get(t);
        MarketTrade x = onChain.get(t);
        assertThat(x.buyOrder()).as("trade %d buyer", t).isEqualTo(Integer.parseInt(o.buyerId()));
        assertThat(x.sellOrder())
            .as("trade %d seller", t)
            .isEqualTo(Integer.parseInt(o.sellerId()));
        assertThat((double) x.quantityWh()).isEqualTo(o.quantity() * 1000.0);
        assertPriceRounding(x.buyerPriceMicroPerKWh(), o.buyerPrice());
        assertPriceRounding(x.sellerPriceMicroPerKWh(), o.sellerPrice());
        Placed b = placed.get(x.buyOrder());
        Placed s = placed.get(x.sellOrder());
        welfareExact =
            welfareExact.add(
                BigInteger.valueOf(b.price() - s.price())
                    .multiply(BigInteger.valueOf(x.quantityWh())));
        long pays = floorKWh(x.quantityWh(), x.buyerPriceMicroPerKWh());
        long gets = floorKWh(x.quantityWh(), x.sellerPriceMicroPerKWh());
        assertThat(x.buyerPaysMicro()).isEqualTo(pays);
        assertThat(x.sellerReceivesMicro()).isEqualTo(gets);
        assertThat(pays).isGreaterThanOrEqualTo(gets);
        delta.merge(b.user(), -pays, Long::sum);
        delta.merge(s.user(), gets, Long::sum);
        delta.merge(0, pays - gets, Long::sum);
      }
      // Welfare: exactly the floor of the exact total, and the off-chain value (cents) agrees.
      assertThat(cl.welfareMicro())
          .isEqualTo(welfareExact.divide(BigInteger.valueOf(1000)).longValueExact());
      assertThat(cl.welfareMicro() / 10_000.0)
          .isCloseTo(off.welfare(), within(1e-4 + 1e-9 * off.welfare()));

      // Conservation: the escrow account is empty, every balance is what the trades say.
      assertThat(c.state().account(ESCROW).balance()).isZero();
      assertThat(c.state().totalSupply()).isEqualTo(8 * EACH);
      long allFees = accepted.values().stream().mapToLong(v -> v * MarketChain.FEE).sum();
      for (int u = 0; u < 8; u++) {
        Address a = c.keys.get(u).address();
        long fees = accepted.getOrDefault(a, 0) * MarketChain.FEE;
        long expected = EACH - fees + delta.getOrDefault(u, 0L) + (u == 0 ? allFees : 0);
        assertThat(c.state().account(a).balance()).as("user %d", u).isEqualTo(expected);
      }
      // Every live order is cleared and says what it traded, paid and got back.
      for (MarketOrder o : Markets.orders(c.state(), 0)) {
        boolean cancelled = !live.contains(placed.get(o.id()));
        assertThat(o.status()).isEqualTo(cancelled ? OrderStatus.CANCELLED : OrderStatus.CLEARED);
        if (o.side() == Side.BUY) {
          assertThat(o.settledMicro() + o.refundedMicro()).isEqualTo(o.escrowMicro());
        }
      }
    }
  }

  /** On chain the price rounds down to a whole micro-coin: at most 1 below the exact price. */
  private static void assertPriceRounding(long onChain, double offChainCents) {
    double exact = offChainCents * 10_000.0;
    assertThat((double) onChain).isLessThanOrEqualTo(exact + 1e-6);
    assertThat(exact - onChain).isLessThan(1.0 + 1e-6);
  }

  private static long escrow(Placed p) {
    return BigInteger.valueOf(p.price())
        .multiply(BigInteger.valueOf(p.quantity()))
        .add(BigInteger.valueOf(999))
        .divide(BigInteger.valueOf(1000))
        .longValueExact();
  }

  private static long floorKWh(long wh, long microPerKWh) {
    return BigInteger.valueOf(wh)
        .multiply(BigInteger.valueOf(microPerKWh))
        .divide(BigInteger.valueOf(1000))
        .longValueExact();
  }
}

package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

class DoubleAuctionTest {
  private static final double EPS = 1e-9;

  private static final List<Order> BUYS =
      List.of(new Order("B1", 20, 5), new Order("B2", 15, 5), new Order("B3", 10, 5));
  private static final List<Order> SELLS =
      List.of(new Order("S1", 5, 4), new Order("S2", 12, 4), new Order("S3", 18, 10));

  @Test
  void uniform_meritOrder_priceSetByPartlyFilledMarginalBuy() {
    // B1–S1 4, B1–S2 1, B2–S2 3; B2 has 2 kWh left at 15, so the interval is [15, 15]
    DoubleAuctionResult r = DoubleAuction.uniformPrice(0.5).clear(BUYS, SELLS);
    assertThat(r.mechanism()).isEqualTo("uniform-price");
    assertThat(r.trades())
        .containsExactly(
            new Trade("B1", "S1", 4, 15, 15),
            new Trade("B1", "S2", 1, 15, 15),
            new Trade("B2", "S2", 3, 15, 15));
    assertThat(r.price().getAsDouble()).isEqualTo(15);
    assertThat(r.buyerPrice().getAsDouble()).isEqualTo(15);
    assertThat(r.sellerPrice().getAsDouble()).isEqualTo(15);
    assertThat(r.volume()).isEqualTo(8);
    assertThat(r.welfare()).isEqualTo(15 * 4 + 8 * 1 + 3 * 3);
    assertThat(r.budget()).isZero();
    assertThat(r.traded()).isTrue();
  }

  @Test
  void trades_immutableValueList() {
    DoubleAuctionResult r = DoubleAuction.payAsBid().clear(BUYS, SELLS);
    List<Trade> copy = List.copyOf(r.trades());
    assertThat(r.trades()).isEqualTo(copy).hasSameHashCodeAs(copy);
    assertThat(r.trades().get(2)).isEqualTo(new Trade("B2", "S2", 3, 15, 12));
    assertThatThrownBy(() -> r.trades().add(copy.get(0)))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> r.trades().set(0, copy.get(0)))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> r.trades().get(3)).isInstanceOf(IndexOutOfBoundsException.class);
    // a result built by hand copies its list
    List<Trade> mutable = new ArrayList<>(copy);
    DoubleAuctionResult byHand =
        new DoubleAuctionResult(
            "pay-as-bid", r.price(), r.buyerPrice(), r.sellerPrice(), 8, mutable, 77, 77, "");
    mutable.clear();
    assertThat(byHand.trades()).hasSize(3);
    assertThat(byHand).isEqualTo(r);
  }

  @Test
  void uniform_kSplitsTheGap() {
    List<Order> buys = List.of(new Order("B1", 20, 4));
    List<Order> sells = List.of(new Order("S1", 10, 4));
    assertThat(DoubleAuction.uniformPrice(0.5).clear(buys, sells).price().getAsDouble())
        .isEqualTo(15);
    assertThat(DoubleAuction.uniformPrice(1).clear(buys, sells).price().getAsDouble())
        .isEqualTo(20);
    assertThat(DoubleAuction.uniformPrice(0.25).clear(buys, sells).price().getAsDouble())
        .isEqualTo(12.5);
    // unmatched orders narrow the gap to [max(10, 12), min(20, 18)] = [12, 18]
    List<Order> buys2 = List.of(new Order("B1", 20, 4), new Order("B2", 12, 1));
    List<Order> sells2 = List.of(new Order("S2", 18, 1), new Order("S1", 10, 4));
    assertThat(DoubleAuction.uniformPrice(0).clear(buys2, sells2).price().getAsDouble())
        .isEqualTo(12);
    assertThat(DoubleAuction.uniformPrice(0.5).clear(buys2, sells2).price().getAsDouble())
        .isEqualTo(15);
    assertThat(DoubleAuction.uniformPrice(1).clear(buys2, sells2).price().getAsDouble())
        .isEqualTo(18);
  }

  @Test
  void payAsBid_eachSidePaysItsOwnPrice_budgetIsTheSpread() {
    DoubleAuctionResult r = DoubleAuction.payAsBid().clear(BUYS, SELLS);
    assertThat(r.trades())
        .containsExactly(
            new Trade("B1", "S1", 4, 20, 5),
            new Trade("B1", "S2", 1, 20, 12),
            new Trade("B2", "S2", 3, 15, 12));
    assertThat(r.price()).isEmpty();
    assertThat(r.buyerPrice()).isEmpty();
    assertThat(r.budget()).isEqualTo(77).isEqualTo(r.welfare());
  }

  @Test
  void mcAfee_reduction_removesMarginalOrders() {
    // marginal pair B2 (15) and S2 (12); p0 = (15 + 18) / 2 = 16.5 > 15: reduce
    DoubleAuctionResult r = DoubleAuction.mcAfee().clear(BUYS, SELLS);
    assertThat(r.trades()).containsExactly(new Trade("B1", "S1", 4, 15, 12));
    assertThat(r.price()).isEmpty();
    assertThat(r.buyerPrice().getAsDouble()).isEqualTo(15);
    assertThat(r.sellerPrice().getAsDouble()).isEqualTo(12);
    assertThat(r.budget()).isEqualTo(12);
    assertThat(r.welfare()).isEqualTo(60);
  }

  @Test
  void mcAfee_unitOrders_textbookCases() {
    List<Order> sells = units("S", 1, 3, 5, 7);
    // k = 3 (6 >= 5, 4 < 7); p0 = (4 + 7) / 2 = 5.5 in [5, 6]: three trades at 5.5
    DoubleAuctionResult all = DoubleAuction.mcAfee().clear(units("B", 10, 8, 6, 4), sells);
    assertThat(all.volume()).isEqualTo(3);
    assertThat(all.price().getAsDouble()).isEqualTo(5.5);
    assertThat(all.budget()).isZero();
    // p0 = (5.8 + 7) / 2 = 6.4 > 6: two trades, buyers pay 6, sellers get 5
    DoubleAuctionResult cut = DoubleAuction.mcAfee().clear(units("B", 10, 8, 6, 5.8), sells);
    assertThat(cut.volume()).isEqualTo(2);
    assertThat(cut.buyerPrice().getAsDouble()).isEqualTo(6);
    assertThat(cut.sellerPrice().getAsDouble()).isEqualTo(5);
    assertThat(cut.budget()).isEqualTo(2);
    // one crossing pair and no next orders: reduction leaves nothing
    DoubleAuctionResult none = DoubleAuction.mcAfee().clear(units("B", 10), units("S", 3));
    assertThat(none.traded()).isFalse();
    assertThat(none.noTradeReason())
        .isEqualTo(
            "trade reduction removed the marginal orders buy B1 at 10.00 and sell S1 at 3.00,"
                + " leaving no buy or sell orders");
  }

  @Test
  void noTrade_reasons() {
    DoubleAuction a = DoubleAuction.uniformPrice(0.5);
    assertThat(a.clear(List.of(), List.of()).noTradeReason())
        .isEqualTo("no buy orders and no sell orders");
    assertThat(a.clear(List.of(), SELLS).noTradeReason()).isEqualTo("no buy orders");
    DoubleAuctionResult r = a.clear(BUYS, List.of());
    assertThat(r.noTradeReason()).isEqualTo("no sell orders");
    assertThat(r.traded()).isFalse();
    assertThat(r.volume()).isZero();
    assertThat(r.price()).isEmpty();
    assertThat(
            a.clear(List.of(new Order("EV1", 9.5, 1)), List.of(new Order("SP1", 10.2, 1)))
                .noTradeReason())
        .isEqualTo("no crossing orders: highest bid 9.50 (EV1) is below lowest ask 10.20 (SP1)");
  }

  @Test
  void badInput_rejected() {
    assertThatThrownBy(
            () ->
                DoubleAuction.payAsBid()
                    .clear(List.of(new Order("B", 1, 1), new Order("B", 2, 1)), SELLS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate buy order id 'B'");
    assertThatThrownBy(
            () ->
                DoubleAuction.mcAfee()
                    .clear(BUYS, List.of(new Order("S", 1, 1), new Order("S", 2, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate sell order id 'S'");
    // the same id may appear once on each side
    assertThat(
            DoubleAuction.payAsBid()
                .clear(List.of(new Order("P", 5, 1)), List.of(new Order("P", 4, 1)))
                .volume())
        .isEqualTo(1);
    assertThatThrownBy(() -> DoubleAuction.uniformPrice(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k 1.5");
    assertThatThrownBy(() -> DoubleAuction.uniformPrice(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k NaN");
    List<Order> withNull = new ArrayList<>(BUYS);
    withNull.add(null);
    assertThatThrownBy(() -> DoubleAuction.payAsBid().clear(withNull, SELLS))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("index 3");
  }

  // ---------------------------------------------------------------- properties

  private static List<Order> units(String prefix, double... prices) {
    List<Order> out = new ArrayList<>();
    for (int i = 0; i < prices.length; i++) {
      out.add(new Order(prefix + (i + 1), prices[i], 1));
    }
    return out;
  }

  private record Book(List<Order> buys, List<Order> sells) {
    static Book random(long seed, int maxPerSide, boolean unit) {
      SplittableRandom rnd = new SplittableRandom(seed);
      boolean grid = rnd.nextBoolean(); // integer prices give ties
      List<Order> buys = new ArrayList<>();
      List<Order> sells = new ArrayList<>();
      int nb = rnd.nextInt(maxPerSide + 1);
      int ns = rnd.nextInt(maxPerSide + 1);
      for (int i = 0; i < nb; i++) {
        buys.add(new Order("B" + i, price(rnd, grid), unit ? 1 : qty(rnd)));
      }
      for (int j = 0; j < ns; j++) {
        sells.add(new Order("S" + j, price(rnd, grid), unit ? 1 : qty(rnd)));
      }
      return new Book(buys, sells);
    }

    private static double price(SplittableRandom rnd, boolean grid) {
      return grid ? rnd.nextInt(21) : rnd.nextDouble(20);
    }

    private static double qty(SplittableRandom rnd) {
      return rnd.nextBoolean() ? 1 + rnd.nextInt(10) : 0.1 + rnd.nextDouble(10);
    }
  }

  private static final DoubleAuction[] ALL = {
    DoubleAuction.uniformPrice(0.5),
    DoubleAuction.uniformPrice(0),
    DoubleAuction.uniformPrice(1),
    DoubleAuction.payAsBid(),
    DoubleAuction.mcAfee()
  };

  /** max Σ v_b q_b − Σ c_s q_s s.t. Σ q_b = Σ q_s, 0 ≤ q ≤ quantity, solved by ojAlgo. */
  private static double lpOptimum(Book book) {
    ExpressionsBasedModel m = new ExpressionsBasedModel();
    Expression balance = m.addExpression("balance").level(0);
    for (Order b : book.buys) {
      Variable x = m.addVariable(b.id()).lower(0).upper(b.quantity()).weight(b.price());
      balance.set(x, 1);
    }
    for (Order s : book.sells) {
      Variable x = m.addVariable(s.id()).lower(0).upper(s.quantity()).weight(-s.price());
      balance.set(x, -1);
    }
    Optimisation.Result r = m.maximise();
    assertThat(r.getState().isOptimal()).as("LP state %s", r.getState()).isTrue();
    return r.getValue();
  }

  /** Uniform-price clearing is efficient: its welfare equals the LP optimum. */
  @Test
  void property_uniformPrice_maximisesWelfare_matchesLp() {
    qt().withFixedSeed(2_1L)
        .withExamples(400)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Book book = Book.random(seed, 6, false);
              double opt = book.buys.isEmpty() || book.sells.isEmpty() ? 0 : lpOptimum(book);
              DoubleAuctionResult r = DoubleAuction.uniformPrice(0.5).clear(book.buys, book.sells);
              assertThat(r.welfare()).isCloseTo(opt, within(1e-6 * (1 + Math.abs(opt))));
              // pay-as-bid trades the same efficient allocation
              assertThat(DoubleAuction.payAsBid().clear(book.buys, book.sells).welfare())
                  .isCloseTo(opt, within(1e-6 * (1 + Math.abs(opt))));
            });
  }

  /**
   * The uniform price clears the market: matched buyers bid at least p, matched sellers ask at most
   * p, and no order with quantity left over would trade at p.
   */
  @Test
  void property_uniformPrice_isMarketClearing() {
    qt().withFixedSeed(2_2L)
        .withExamples(500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Book book = Book.random(seed, 8, false);
              double k = new SplittableRandom(seed ^ 5).nextDouble();
              DoubleAuctionResult r = DoubleAuction.uniformPrice(k).clear(book.buys, book.sells);
              if (!r.traded()) {
                return;
              }
              double p = r.price().getAsDouble();
              Map<String, Double> filledB = filled(r, true);
              Map<String, Double> filledS = filled(r, false);
              for (Order b : book.buys) {
                double f = filledB.getOrDefault(b.id(), 0.0);
                if (f > 0) {
                  assertThat(b.price()).isGreaterThanOrEqualTo(p);
                }
                if (f < b.quantity() - EPS) {
                  assertThat(b.price()).as("buyer %s with quantity left", b).isLessThanOrEqualTo(p);
                }
              }
              for (Order s : book.sells) {
                double f = filledS.getOrDefault(s.id(), 0.0);
                if (f > 0) {
                  assertThat(s.price()).isLessThanOrEqualTo(p);
                }
                if (f < s.quantity() - EPS) {
                  assertThat(s.price())
                      .as("seller %s with quantity left", s)
                      .isGreaterThanOrEqualTo(p);
                }
              }
            });
  }

  private static Map<String, Double> filled(DoubleAuctionResult r, boolean buyer) {
    Map<String, Double> m = new HashMap<>();
    for (Trade t : r.trades()) {
      m.merge(buyer ? t.buyerId() : t.sellerId(), t.quantity(), Double::sum);
    }
    return m;
  }

  /**
   * For every mechanism: IR (no buyer pays above its bid, no seller receives below its ask), no
   * order overfilled, volume = Σ trade quantities ≤ min(demand, supply), welfare and budget as
   * defined, budget ≥ 0 (0 for uniform price); pay-as-bid never trades a buy below a sell.
   */
  @Test
  void property_allMechanisms_irFeasibleBudgetBalanced() {
    qt().withFixedSeed(2_3L)
        .withExamples(500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Book book = Book.random(seed, 8, false);
              Map<String, Order> buys = new HashMap<>();
              Map<String, Order> sells = new HashMap<>();
              book.buys.forEach(o -> buys.put(o.id(), o));
              book.sells.forEach(o -> sells.put(o.id(), o));
              double demand = book.buys.stream().mapToDouble(Order::quantity).sum();
              double supply = book.sells.stream().mapToDouble(Order::quantity).sum();
              for (DoubleAuction a : ALL) {
                DoubleAuctionResult r = a.clear(book.buys, book.sells);
                assertThat(r.mechanism()).isEqualTo(a.mechanism());
                double volume = 0;
                double welfare = 0;
                double budget = 0;
                for (Trade t : r.trades()) {
                  Order b = buys.get(t.buyerId());
                  Order s = sells.get(t.sellerId());
                  assertThat(t.buyerPrice()).as("%s IR buyer", a).isLessThanOrEqualTo(b.price());
                  assertThat(t.sellerPrice())
                      .as("%s IR seller", a)
                      .isGreaterThanOrEqualTo(s.price());
                  assertThat(b.price())
                      .as("%s buy below sell", a)
                      .isGreaterThanOrEqualTo(s.price());
                  volume += t.quantity();
                  welfare += (b.price() - s.price()) * t.quantity();
                  budget += (t.buyerPrice() - t.sellerPrice()) * t.quantity();
                }
                filled(r, true)
                    .forEach(
                        (id, f) ->
                            assertThat(f).isLessThanOrEqualTo(buys.get(id).quantity() + EPS));
                filled(r, false)
                    .forEach(
                        (id, f) ->
                            assertThat(f).isLessThanOrEqualTo(sells.get(id).quantity() + EPS));
                assertThat(r.volume()).isCloseTo(volume, within(EPS));
                assertThat(r.volume()).isLessThanOrEqualTo(Math.min(demand, supply) + EPS);
                assertThat(r.welfare()).isCloseTo(welfare, within(1e-7));
                assertThat(r.budget()).isCloseTo(budget, within(1e-7)).isGreaterThanOrEqualTo(-EPS);
                if (a.mechanism().equals("uniform-price")) {
                  assertThat(r.budget()).isCloseTo(0, within(EPS));
                }
                assertThat(r.traded()).isEqualTo(!r.trades().isEmpty());
                assertThat(r.noTradeReason().isEmpty()).isEqualTo(r.traded());
              }
            });
  }

  private static double utility(DoubleAuctionResult r, String id, boolean buyer, double value) {
    double u = 0;
    for (Trade t : r.trades()) {
      if (buyer && t.buyerId().equals(id)) {
        u += (value - t.buyerPrice()) * t.quantity();
      } else if (!buyer && t.sellerId().equals(id)) {
        u += (t.sellerPrice() - value) * t.quantity();
      }
    }
    return u;
  }

  /**
   * McAfee on unit orders is truthful: no buyer or seller gains by reporting any price on a grid
   * instead of its value; it never runs a deficit and loses at most one efficient trade.
   */
  @Test
  void property_mcAfee_unitOrders_truthfulAndNoDeficit() {
    DoubleAuction mcafee = DoubleAuction.mcAfee();
    qt().withFixedSeed(2_4L)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Book book = Book.random(seed, 5, true);
              DoubleAuctionResult honest = mcafee.clear(book.buys, book.sells);
              assertThat(honest.budget()).isGreaterThanOrEqualTo(-EPS);
              double efficient = DoubleAuction.payAsBid().clear(book.buys, book.sells).volume();
              assertThat(honest.volume()).isGreaterThanOrEqualTo(efficient - 1);
              for (boolean buyer : new boolean[] {true, false}) {
                List<Order> side = buyer ? book.buys : book.sells;
                for (int i = 0; i < side.size(); i++) {
                  Order me = side.get(i);
                  double u = utility(honest, me.id(), true == buyer, me.price());
                  assertThat(u).isGreaterThanOrEqualTo(-EPS);
                  for (int g = 0; g <= 44; g++) {
                    List<Order> lie = new ArrayList<>(side);
                    lie.set(i, new Order(me.id(), g * 0.5, 1));
                    DoubleAuctionResult r =
                        buyer ? mcafee.clear(lie, book.sells) : mcafee.clear(book.buys, lie);
                    assertThat(utility(r, me.id(), buyer, me.price()))
                        .as(
                            "%s %s misreports %s in %s",
                            buyer ? "buyer" : "seller", me, g * 0.5, book)
                        .isLessThanOrEqualTo(u + EPS);
                  }
                }
              }
            });
  }
}

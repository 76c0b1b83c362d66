package org.gridtrade.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gridtrade.ledger.Address;
import org.gridtrade.market.Delivery;
import org.gridtrade.market.DrRound;
import org.gridtrade.market.MarketOrder;
import org.gridtrade.market.MarketTrade;
import org.gridtrade.market.Side;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo's checks of its on-chain markets: they pass on the chain the demo ran, and each fails on
 * a record doctored the way a wrong clearing would differ.
 */
public class DemoMarketsTest {
  private static CommunityDemo.Report report;

  @BeforeAll
  static void runDay() throws Exception {
    report =
        CommunityDemo.run(
            new CommunityDay.Settings(7, 6, 8, 3, 3),
            CommunityDemo.Consensus.POA,
            null,
            false,
            null,
            false);
  }

  @Test
  void theDaysMarkets_passEveryCheck_andCoverEveryPlannedMarket() {
    CommunityDemo.DayMarkets dm = report.dayMarkets();
    assertThat(report.verified()).isTrue();
    assertThat(dm.opened()).hasSameSizeAs(report.markets().marketPlans()).isNotEmpty();
    assertThat(dm.record().books()).hasSameSizeAs(dm.opened());
    assertThat(dm.opened()).anyMatch(o -> o.plan().pets()).anyMatch(o -> !o.plan().pets());
    assertThat(DemoMarkets.offChainDifferences(dm.record())).isEmpty();
    assertThat(DemoMarkets.planDifferences(dm.opened(), report.names(), dm.record())).isEmpty();
  }

  @Test
  void aTradeMovedByOneWh_differsFromTheOffChainClearing() {
    DemoMarkets.Record r = report.dayMarkets().record();
    int at = firstWithTrades(r);
    DemoMarkets.Book b = r.books().get(at);
    List<MarketTrade> trades = new ArrayList<>(b.trades());
    MarketTrade t = trades.get(0);
    trades.set(
        0,
        new MarketTrade(
            t.market(),
            t.index(),
            t.buyOrder(),
            t.sellOrder(),
            t.quantityWh() - 1,
            t.buyerPriceMicroPerKWh(),
            t.sellerPriceMicroPerKWh(),
            t.buyerPaysMicro(),
            t.sellerReceivesMicro()));
    DemoMarkets.Record doctored =
        replace(r, at, new DemoMarkets.Book(b.market(), b.orders(), trades, b.deliveries()));
    assertThat(DemoMarkets.offChainDifferences(doctored))
        .singleElement()
        .asString()
        .startsWith("market " + at + ": trade 0 differs");
  }

  @Test
  void aShortFill_aMissingOrder_orAShortDelivery_differsFromThePlan() {
    DemoMarkets.Record r = report.dayMarkets().record();
    List<DemoMarkets.Opened> opened = report.dayMarkets().opened();
    Map<Address, String> names = report.names();
    int at = firstWithTrades(r);
    DemoMarkets.Book b = r.books().get(at);
    List<MarketOrder> orders = new ArrayList<>(b.orders());
    int buy = 0;
    while (orders.get(buy).side() != Side.BUY) {
      buy++;
    }
    MarketOrder o = orders.get(buy);
    orders.set(
        buy,
        new MarketOrder(
            o.market(),
            o.id(),
            o.side(),
            o.owner(),
            o.priceMicroPerKWh(),
            o.quantityWh(),
            o.escrowMicro(),
            o.status(),
            o.filledWh() - 1,
            o.settledMicro(),
            o.refundedMicro(),
            o.transaction()));
    DemoMarkets.Record shortFill =
        replace(r, at, new DemoMarkets.Book(b.market(), orders, b.trades(), b.deliveries()));
    assertThat(DemoMarkets.planDifferences(opened, names, shortFill))
        .singleElement()
        .asString()
        .contains(opened.get(at).plan().name() + ": BUY filled");

    DemoMarkets.Record lostOrder =
        replace(
            r,
            at,
            new DemoMarkets.Book(
                b.market(), b.orders().subList(1, b.orders().size()), List.of(), b.deliveries()));
    assertThat(DemoMarkets.planDifferences(opened, names, lostOrder))
        .singleElement()
        .asString()
        .contains("orders on chain");

    List<Delivery> short1 = new ArrayList<>(b.deliveries());
    Delivery d = short1.get(0);
    short1.set(
        0,
        new Delivery(
            d.market(),
            d.order(),
            d.deliveredWh() - 1,
            d.sellerReceivedMicro(),
            d.penaltyMicro(),
            d.collateralReturnedMicro(),
            d.buyersRefundedMicro(),
            d.operatorSpreadMicro(),
            d.height(),
            d.byDeadline()));
    assertThat(
            DemoMarkets.planDifferences(
                opened,
                names,
                replace(r, at, new DemoMarkets.Book(b.market(), b.orders(), b.trades(), short1))))
        .singleElement()
        .asString()
        .contains("ask " + d.order() + " delivered " + (d.deliveredWh() - 1) + " of");
    assertThat(
            DemoMarkets.planDifferences(
                opened,
                names,
                replace(
                    r,
                    at,
                    new DemoMarkets.Book(
                        b.market(), b.orders(), b.trades(), short1.subList(1, short1.size())))))
        .singleElement()
        .asString()
        .contains("not settled against its delivery");

    List<DemoMarkets.Book> fewer = new ArrayList<>(r.books());
    fewer.remove(fewer.size() - 1);
    assertThat(DemoMarkets.planDifferences(opened, names, new DemoMarkets.Record(fewer)))
        .singleElement()
        .asString()
        .contains("markets on chain");
  }

  private static int firstWithTrades(DemoMarkets.Record r) {
    for (int i = 0; i < r.books().size(); i++) {
      if (!r.books().get(i).trades().isEmpty()) {
        return i;
      }
    }
    throw new AssertionError("no market traded");
  }

  private static DemoMarkets.Record replace(DemoMarkets.Record r, int at, DemoMarkets.Book b) {
    List<DemoMarkets.Book> books = new ArrayList<>(r.books());
    books.set(at, b);
    return new DemoMarkets.Record(books);
  }

  @Test
  void theDemandResponseRound_passesItsChecks_andEachFailsOnADoctoredRound() {
    CommunityDemo.DayMarkets dm = report.dayMarkets();
    var m = report.markets();
    assertThat(dm.drRounds())
        .singleElement()
        .satisfies(r -> assertThat(r.certificate()).isPresent());
    assertThat(DemoDemandResponse.offChainDifferences(m.drInstance(), m.dr(), dm.drRounds()))
        .isEmpty();
    DrRound r = dm.drRounds().get(0);
    DrRound.Certificate c = r.certificate().orElseThrow();
    // An EV charged 100 micro-coins more than lib-auction's IR rule would charge it passes; 101
    // more does not.
    long off = Math.round(m.dr().payments().evs().get(0).payment() * 1e4);
    List<Long> paid = new ArrayList<>(c.evPaymentsMicro());
    paid.set(0, off + DemoDemandResponse.PAYMENT_TOLERANCE_MICRO);
    assertThat(
            DemoDemandResponse.offChainDifferences(
                m.drInstance(), m.dr(), List.of(with(r, c, c.allocationWh(), paid))))
        .noneMatch(d -> d.contains(" paid "));
    paid.set(0, off + DemoDemandResponse.PAYMENT_TOLERANCE_MICRO + 1);
    assertThat(
            DemoDemandResponse.offChainDifferences(
                m.drInstance(), m.dr(), List.of(with(r, c, c.allocationWh(), paid))))
        .singleElement()
        .asString()
        .contains(m.drInstance().evs().get(0).id() + " paid")
        .contains("by lib-auction's IR rule");
    // A cell's supply 3 Wh above what the chain holds: more than 2 Wh off the auction's.
    int i = 0;
    int j = 0;
    while (c.allocationWh().get(i).get(j) == 0) {
      j = (j + 1) % c.allocationWh().get(0).size();
      i += j == 0 ? 1 : 0;
    }
    List<List<Long>> x = new ArrayList<>();
    c.allocationWh().forEach(row -> x.add(new ArrayList<>(row)));
    x.get(i).set(j, x.get(i).get(j) + 3);
    assertThat(
            DemoDemandResponse.offChainDifferences(
                m.drInstance(), m.dr(), List.of(with(r, c, x, c.evPaymentsMicro()))))
        .anyMatch(d -> d.contains("supply from") && d.contains("Wh in the auction"));
    // No round on chain at all, for a market that fits one.
    assertThat(DemoDemandResponse.offChainDifferences(m.drInstance(), m.dr(), List.of()))
        .singleElement()
        .asString()
        .startsWith("demand response: 0 rounds on chain");
  }

  private static DrRound with(
      DrRound r, DrRound.Certificate c, List<List<Long>> x, List<Long> evPayments) {
    return new DrRound(
        r.id(),
        r.operator(),
        r.spec(),
        r.status(),
        r.escrowMicro(),
        java.util.Optional.of(
            new DrRound.Certificate(
                x,
                c.evPricesMicroPerKWh(),
                c.spPricesMicroPerKWh(),
                evPayments,
                c.cellPaymentsMicro(),
                c.settled(),
                c.returnedMicro(),
                c.operatorMicro())));
  }
}

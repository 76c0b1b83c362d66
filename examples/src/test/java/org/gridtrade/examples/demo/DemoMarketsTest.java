package org.gridtrade.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gridtrade.ledger.Address;
import org.gridtrade.market.Delivery;
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
}

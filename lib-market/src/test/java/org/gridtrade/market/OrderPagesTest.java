package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.market.internal.MarketState;
import org.junit.jupiter.api.Test;

/**
 * The order pages of the double-auction module's state against a plain list of orders: after any
 * sequence of placements (appends) and rewrites (cancellations, settlements) every order reads back
 * exactly as last written, the page holds no more than it was given, and a write that would leave a
 * gap is refused.
 */
class OrderPagesTest {
  private static final long MARKET = 7;

  @Test
  void property_pagesReadBackWhatWasWritten() {
    qt().withFixedSeed(20261207L).withExamples(200).forAll(longs().all()).checkAssert(this::check);
  }

  private void check(long seed) {
    Random rnd = new Random(seed);
    int pageNo = rnd.nextInt(4);
    int first = pageNo * MarketState.ORDER_PAGE;
    List<MarketOrder> model = new ArrayList<>();
    byte[] page = null;
    int ops = 1 + rnd.nextInt(3 * MarketState.ORDER_PAGE);
    for (int k = 0; k < ops; k++) {
      boolean append =
          model.isEmpty() || (model.size() < MarketState.ORDER_PAGE && rnd.nextInt(3) > 0);
      int slot = append ? model.size() : rnd.nextInt(model.size());
      MarketOrder o = random(rnd, first + slot);
      page = MarketState.withOrder(page, o);
      if (append) {
        model.add(o);
      } else {
        model.set(slot, o);
      }
      assertThat(page.length).isEqualTo(1 + model.size() * MarketState.ORDER_BYTES);
      for (int i = 0; i < model.size(); i++) {
        assertThat(MarketState.order(page, MARKET, first + i)).isEqualTo(model.get(i));
      }
    }
    if (model.size() < MarketState.ORDER_PAGE - 1) {
      byte[] held = page;
      MarketOrder gap = random(rnd, first + model.size() + 1);
      assertThatThrownBy(() -> MarketState.withOrder(held, gap))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not in or next after a page of " + model.size() + " orders");
    }
  }

  @Test
  void ordersOfOnePage_shareItsKey_andTheNextPageStartsAfterIt() {
    int last = MarketState.ORDER_PAGE - 1;
    assertThat(MarketState.orderPageKey(MARKET, 0))
        .isEqualTo(MarketState.orderPageKey(MARKET, last));
    assertThat(MarketState.orderPageKey(MARKET, last + 1))
        .isNotEqualTo(MarketState.orderPageKey(MARKET, last));
    assertThat(MarketState.orderPageKey(MARKET, 0))
        .isNotEqualTo(MarketState.orderPageKey(MARKET + 1, 0));
  }

  private static MarketOrder random(Random rnd, int id) {
    byte[] owner = new byte[Address.LENGTH];
    byte[] tx = new byte[Hash.LENGTH];
    rnd.nextBytes(owner);
    rnd.nextBytes(tx);
    long price = rnd.nextInt(1_000_000_000);
    long quantity = 1 + rnd.nextInt(1_000_000);
    boolean buy = rnd.nextBoolean();
    return new MarketOrder(
        MARKET,
        id,
        buy ? Side.BUY : Side.SELL,
        Address.ofBytes(owner),
        price,
        quantity,
        buy ? (price * quantity + 999) / 1000 : rnd.nextInt(1_000),
        OrderStatus.values()[rnd.nextInt(OrderStatus.values().length)],
        rnd.nextBoolean() ? 0 : rnd.nextLong() >>> 1,
        rnd.nextBoolean() ? 0 : rnd.nextLong() >>> 1,
        rnd.nextBoolean() ? 0 : rnd.nextLong() >>> 1,
        Hash.of(tx));
  }
}

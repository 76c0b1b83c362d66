package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.gridtrade.auction.OrderBook.PriceLevel;
import org.gridtrade.auction.OrderBook.Side;
import org.gridtrade.auction.OrderBook.SubmitResult;
import org.junit.jupiter.api.Test;

class OrderBookTest {

  @Test
  void submit_crossingOrder_tradesAtRestingPriceAndRestsRemainder() {
    OrderBook book = OrderBook.create();
    book.submit(Side.SELL, new Order("s1", 10, 3));
    book.submit(Side.SELL, new Order("s2", 11, 3));
    SubmitResult r = book.submit(Side.BUY, new Order("b1", 12, 5));

    assertThat(r).isInstanceOf(SubmitResult.Accepted.class);
    SubmitResult.Accepted a = (SubmitResult.Accepted) r;
    assertThat(a.trades())
        .containsExactly(new Trade("b1", "s1", 3, 10, 10), new Trade("b1", "s2", 2, 11, 11));
    assertThat(a.restingQuantity()).isZero();
    assertThat(a.filledQuantity()).isEqualTo(5);
    assertThat(book.bestAsk()).hasValue(11);
    assertThat(book.bestBid()).isEmpty();
    assertThat(book.depth(Side.SELL, 10)).containsExactly(new PriceLevel(11, 1, 1));
    assertThat(book.tape()).hasSize(2);
  }

  @Test
  void submit_samePrice_oldestFirst() {
    OrderBook book = OrderBook.create();
    book.submit(Side.BUY, new Order("b1", 10, 2));
    book.submit(Side.BUY, new Order("b2", 10, 2));
    book.submit(Side.BUY, new Order("b3", 9, 2));
    assertThat(book.depth(Side.BUY, 5))
        .containsExactly(new PriceLevel(10, 4, 2), new PriceLevel(9, 2, 1));

    SubmitResult.Accepted a = (SubmitResult.Accepted) book.submit(Side.SELL, new Order("s", 8, 3));
    assertThat(a.trades())
        .containsExactly(new Trade("b1", "s", 2, 10, 10), new Trade("b2", "s", 1, 10, 10));
    assertThat(book.status("b2").orElseThrow().resting()).isEqualTo(1);
  }

  @Test
  void submit_duplicateId_rejectedWithReasonAndBookUnchanged() {
    OrderBook book = OrderBook.create();
    book.submit(Side.BUY, new Order("x", 10, 2));
    book.cancel("x");
    SubmitResult r = book.submit(Side.SELL, new Order("x", 5, 1));
    assertThat(r).isInstanceOf(SubmitResult.Rejected.class);
    assertThat(((SubmitResult.Rejected) r).reason()).contains("duplicate").contains("x");
    assertThat(book.bestAsk()).isEmpty();
    assertThat(book.status("x").orElseThrow().cancelled()).isEqualTo(2);
  }

  @Test
  void emptyBook_queriesAreEmpty() {
    OrderBook book = OrderBook.create();
    assertThat(book.bestBid()).isEmpty();
    assertThat(book.bestAsk()).isEmpty();
    assertThat(book.depth(Side.BUY, 3)).isEmpty();
    assertThat(book.tape()).isEmpty();
    assertThat(book.cancel("none")).isEmpty();
    assertThat(book.status("none")).isEmpty();
    SubmitResult.Accepted a = (SubmitResult.Accepted) book.submit(Side.BUY, new Order("b", 1, 1));
    assertThat(a.trades()).isEmpty();
    assertThat(a.restingQuantity()).isEqualTo(1);
  }

  @Test
  void cancel_lastOrderOfLevel_removesLevel() {
    OrderBook book = OrderBook.create();
    book.submit(Side.SELL, new Order("s1", 10, 2));
    book.submit(Side.SELL, new Order("s2", 12, 2));
    assertThat(book.cancel("s1")).hasValue(2);
    assertThat(book.cancel("s1")).isEmpty();
    assertThat(book.bestAsk()).hasValue(12);
    SubmitResult.Accepted a = (SubmitResult.Accepted) book.submit(Side.BUY, new Order("b", 12, 1));
    assertThat(a.trades()).containsExactly(new Trade("b", "s2", 1, 12, 12));
  }

  @Test
  void badInput_rejectedByValidation() {
    assertThatThrownBy(() -> new Order("a", Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("price");
    assertThatThrownBy(() -> new Order("a", 1, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quantity");
    OrderBook book = OrderBook.create();
    assertThatThrownBy(() -> book.depth(Side.BUY, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxLevels");
    assertThatThrownBy(() -> book.submit(null, new Order("a", 1, 1)))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void negativeZeroPrice_sameLevelAsZero() {
    OrderBook book = OrderBook.create();
    book.submit(Side.SELL, new Order("s1", 0.0, 1));
    book.submit(Side.SELL, new Order("s2", -0.0, 1));
    assertThat(book.depth(Side.SELL, 5)).containsExactly(new PriceLevel(0.0, 2, 2));
  }

  /**
   * Random submit/cancel sequences: every result equals an independent naive matcher's; the book is
   * never crossed; every order conserves quantity.
   */
  @Test
  void property_randomSequences_matchNaiveReferenceAndConserveQuantity() {
    qt().withFixedSeed(20_261_121L)
        .withExamples(300)
        .forAll(longs().all(), integers().between(1, 120))
        .checkAssert(
            (seed, steps) -> {
              SplittableRandom rnd = new SplittableRandom(seed);
              OrderBook book = OrderBook.create();
              NaiveBook ref = new NaiveBook();
              List<String> ids = new ArrayList<>();
              for (int i = 0; i < steps; i++) {
                int op = rnd.nextInt(10);
                if (op < 2 && !ids.isEmpty()) {
                  String id = rnd.nextInt(5) == 0 ? "unknown" : ids.get(rnd.nextInt(ids.size()));
                  double expected = ref.cancel(id);
                  var got = book.cancel(id);
                  if (expected > 0) {
                    assertThat(got).hasValue(expected);
                  } else {
                    assertThat(got).isEmpty();
                  }
                } else {
                  String id =
                      op == 2 && !ids.isEmpty() ? ids.get(rnd.nextInt(ids.size())) : "o" + i;
                  Side side = rnd.nextBoolean() ? Side.BUY : Side.SELL;
                  double price = 5 + rnd.nextInt(8) + (rnd.nextInt(4) == 0 ? 0.5 : 0);
                  double qty = 1 + rnd.nextInt(6) + (rnd.nextInt(3) == 0 ? 0.25 : 0);
                  SubmitResult got = book.submit(side, new Order(id, price, qty));
                  if (ref.known(id)) {
                    assertThat(got).isInstanceOf(SubmitResult.Rejected.class);
                  } else {
                    List<Trade> expected = ref.submit(side, id, price, qty);
                    assertThat(got).isInstanceOf(SubmitResult.Accepted.class);
                    assertThat(((SubmitResult.Accepted) got).trades())
                        .containsExactlyElementsOf(expected);
                    ids.add(id);
                  }
                }
                var bid = book.bestBid();
                var ask = book.bestAsk();
                if (bid.isPresent() && ask.isPresent()) {
                  assertThat(bid.getAsDouble()).isLessThan(ask.getAsDouble());
                }
                assertThat(bid.isPresent() ? bid.getAsDouble() : -1.0).isEqualTo(ref.best(true));
                assertThat(ask.isPresent() ? ask.getAsDouble() : -1.0).isEqualTo(ref.best(false));
              }
              for (String id : ids) {
                OrderBook.OrderStatus s = book.status(id).orElseThrow();
                assertThat(s.filled() + s.resting() + s.cancelled())
                    .isCloseTo(s.submitted(), within(1e-9));
                assertThat(s.resting()).isEqualTo(ref.resting(id));
              }
              for (Side side : Side.values()) {
                double depth =
                    book.depth(side, Integer.MAX_VALUE).stream()
                        .mapToDouble(PriceLevel::quantity)
                        .sum();
                assertThat(depth).isCloseTo(ref.total(side == Side.BUY), within(1e-9));
              }
              assertThat(book.tape()).containsExactlyElementsOf(ref.tape);
            });
  }

  /** A deliberately simple matcher: scans every resting order for the best one, every time. */
  private static final class NaiveBook {
    private static final class Rest {
      final String id;
      final boolean buy;
      final double price;
      final long seq;
      double left;

      Rest(String id, boolean buy, double price, long seq, double left) {
        this.id = id;
        this.buy = buy;
        this.price = price;
        this.seq = seq;
        this.left = left;
      }
    }

    final List<Rest> resting = new ArrayList<>();
    final List<String> seen = new ArrayList<>();
    final List<Trade> tape = new ArrayList<>();
    long seq;

    boolean known(String id) {
      return seen.contains(id);
    }

    List<Trade> submit(Side side, String id, double price, double qty) {
      seen.add(id);
      boolean buy = side == Side.BUY;
      List<Trade> trades = new ArrayList<>();
      double left = qty;
      while (left > 0) {
        Rest best = null;
        for (Rest r : resting) {
          if (r.buy == buy || (buy ? r.price > price : r.price < price)) {
            continue;
          }
          if (best == null
              || (buy ? r.price < best.price : r.price > best.price)
              || (r.price == best.price && r.seq < best.seq)) {
            best = r;
          }
        }
        if (best == null) {
          break;
        }
        double q = Math.min(left, best.left);
        left -= q;
        best.left -= q;
        if (best.left == 0) {
          resting.remove(best);
        }
        trades.add(
            buy
                ? new Trade(id, best.id, q, best.price, best.price)
                : new Trade(best.id, id, q, best.price, best.price));
      }
      if (left > 0) {
        resting.add(new Rest(id, buy, price, seq++, left));
      }
      tape.addAll(trades);
      return trades;
    }

    double cancel(String id) {
      for (Rest r : resting) {
        if (r.id.equals(id)) {
          resting.remove(r);
          return r.left;
        }
      }
      return 0;
    }

    double resting(String id) {
      return resting.stream().filter(r -> r.id.equals(id)).mapToDouble(r -> r.left).sum();
    }

    double total(boolean buy) {
      return resting.stream().filter(r -> r.buy == buy).mapToDouble(r -> r.left).sum();
    }

    double best(boolean buy) {
      double best = -1;
      for (Rest r : resting) {
        if (r.buy == buy && (best < 0 || (buy ? r.price > best : r.price < best))) {
          best = r.price;
        }
      }
      return best;
    }
  }
}

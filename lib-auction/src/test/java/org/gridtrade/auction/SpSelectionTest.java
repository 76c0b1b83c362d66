package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.gridtrade.auction.SpSelection.Selection;
import org.junit.jupiter.api.Test;

class SpSelectionTest {

  @Test
  void select_lowestAskAtOrBelowBid() {
    Selection s =
        SpSelection.select(
            new Order("EV1", 12, 4),
            List.of(new Order("SP1", 11, 10), new Order("SP2", 9.5, 10), new Order("SP3", 9.5, 1)));
    assertThat(s.traded()).isTrue();
    assertThat(s.ev()).isEqualTo("EV1");
    assertThat(s.sp()).contains("SP2");
    assertThat(s.price().getAsDouble()).isEqualTo(9.5);
    assertThat(s.noTradeReason()).isEmpty();
    // an ask equal to the bid is eligible
    assertThat(SpSelection.select(new Order("EV1", 9.5, 1), List.of(new Order("SP1", 9.5, 1))).sp())
        .contains("SP1");
  }

  @Test
  void select_noEligibleAsk_noTradeWithReason() {
    Selection s =
        SpSelection.select(
            new Order("EV1", 9.5, 4), List.of(new Order("SP1", 10.2, 1), new Order("SP2", 11, 1)));
    assertThat(s.traded()).isFalse();
    assertThat(s.sp()).isEmpty();
    assertThat(s.price()).isEmpty();
    assertThat(s.noTradeReason())
        .isEqualTo("no SP asks at or below EV1's bid 9.50; lowest ask 10.20");
    assertThat(SpSelection.select(new Order("EV2", 9.5, 4), List.of()).noTradeReason())
        .isEqualTo("no SP asks for EV2");
  }

  @Test
  void selectAll_perEvAsks_inBidOrder_badInputRejected() {
    List<Order> evs =
        List.of(new Order("EV1", 10, 1), new Order("EV2", 8, 1), new Order("EV3", 5, 1));
    Map<String, List<Order>> asks = new LinkedHashMap<>();
    asks.put("EV2", List.of(new Order("SP1", 7, 1), new Order("SP2", 6, 1)));
    asks.put("EV1", List.of(new Order("SP1", 11, 1)));
    List<Selection> out = SpSelection.selectAll(evs, asks);
    assertThat(out).extracting(Selection::ev).containsExactly("EV1", "EV2", "EV3");
    assertThat(out.get(0).traded()).isFalse();
    assertThat(out.get(1).sp()).contains("SP2");
    assertThat(out.get(2).noTradeReason()).isEqualTo("no SP asks for EV3");
    assertThatThrownBy(() -> SpSelection.selectAll(evs, Map.of("EV9", List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'EV9'");
    assertThatThrownBy(() -> SpSelection.selectAll(List.of(evs.get(0), evs.get(0)), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'EV1'");
    assertThatThrownBy(
            () ->
                SpSelection.select(
                    evs.get(0), List.of(new Order("SP1", 1, 1), new Order("SP1", 2, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'SP1'");
  }

  /** Against a brute-force oracle: eligible iff bid ≥ ask; lowest eligible, earliest on ties. */
  @Test
  void property_select_matchesBruteForce() {
    qt().withFixedSeed(7L)
        .withExamples(500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rnd = new SplittableRandom(seed);
              double bid = rnd.nextInt(21);
              List<Order> asks = new ArrayList<>();
              int m = rnd.nextInt(6);
              for (int j = 0; j < m; j++) {
                asks.add(new Order("SP" + j, rnd.nextInt(25), 1));
              }
              Selection s = SpSelection.select(new Order("EV", bid, 1), asks);
              String expected = null;
              double best = Double.POSITIVE_INFINITY;
              for (Order a : asks) {
                boolean lower = a.price() < best;
                if (a.price() <= bid && lower) {
                  best = a.price();
                  expected = a.id();
                }
              }
              if (expected == null) {
                assertThat(s.traded()).isFalse();
                assertThat(s.noTradeReason()).contains("EV");
              } else {
                assertThat(s.sp()).contains(expected);
                assertThat(s.price().getAsDouble()).isEqualTo(best).isLessThanOrEqualTo(bid);
              }
            });
  }
}

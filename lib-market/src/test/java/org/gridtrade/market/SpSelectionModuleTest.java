package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.SpSelection;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;

/**
 * Per-EV SP selection on chain against lib-auction's {@code SpSelection.selectAll} on the same bids
 * and asks: the same SP and price for every EV, the same no-trade cases; refused calls change
 * nothing.
 */
class SpSelectionModuleTest {
  private static final int EVS = 6;
  private static final int SPS = 5;

  private static MarketChain chain() {
    return new MarketChain(1 + EVS + SPS, 1_000_000, new SpSelectionModule());
  }

  @Test
  void property_randomRounds_selectOnChainAsTheOffChainAlg7Does() {
    qt().withFixedSeed(20261210L).withExamples(60).forAll(longs().all()).checkAssert(this::check);
  }

  private void check(long seed) {
    Random rnd = new Random(seed);
    try (MarketChain c = chain()) {
      c.block(List.of(c.tx(c.operator(), SpSelectionModule.open(4))));
      // Block 2: EV requests (some EVs stay out).
      List<Integer> requested = new ArrayList<>();
      List<Long> bids = new ArrayList<>();
      List<Transaction> txs = new ArrayList<>();
      for (int e = 0; e < EVS; e++) {
        if (rnd.nextInt(4) > 0) {
          long bid = 50_000 + 5_000L * rnd.nextInt(10);
          txs.add(c.tx(ev(c, e), SpSelectionModule.request(0, bid)));
          requested.add(e);
          bids.add(bid);
        }
      }
      assertThat(c.block(txs).skipped()).isEmpty();
      // Block 3: SP offers to random EVs, ties likely; offers to EVs that did not request refused.
      txs = new ArrayList<>();
      Map<Integer, List<Order>> asks = new LinkedHashMap<>();
      Map<String, Address> spByName = new HashMap<>();
      int refusedExpected = 0;
      for (int k = 0; k < rnd.nextInt(20); k++) {
        int s = rnd.nextInt(SPS);
        int e = rnd.nextInt(EVS);
        long ask = 40_000 + 5_000L * rnd.nextInt(rnd.nextBoolean() ? 3 : 12); // ties likely
        String name = "sp" + s;
        List<Order> list = asks.computeIfAbsent(e, x -> new ArrayList<>());
        boolean duplicate = list.stream().anyMatch(o -> o.id().equals(name));
        KeyPair spKey = sp(c, s);
        txs.add(c.tx(spKey, SpSelectionModule.offer(0, ev(c, e).address(), ask)));
        if (!requested.contains(e) || duplicate) {
          c.unuse(spKey);
          refusedExpected++;
        } else {
          list.add(new Order(name, ask / 10_000.0, 1));
          spByName.put(name, spKey.address());
        }
      }
      var p = c.block(txs);
      assertThat(p.skipped()).hasSize(refusedExpected);
      c.block(List.of()); // block 4: the round closes

      List<Order> evBids = new ArrayList<>();
      Map<String, List<Order>> asksByEv = new HashMap<>();
      for (int i = 0; i < requested.size(); i++) {
        String id = "ev" + requested.get(i);
        evBids.add(new Order(id, bids.get(i) / 10_000.0, 1));
        asksByEv.put(id, asks.getOrDefault(requested.get(i), List.of()));
      }
      List<SpSelection.Selection> off = SpSelection.selectAll(evBids, asksByEv);
      SpSelectionRound round = SpSelectionModule.round(c.state(), 0).orElseThrow();
      List<SpSelectionRound.Selection> on = round.selections().orElseThrow();
      assertThat(on).hasSize(off.size());
      for (int i = 0; i < off.size(); i++) {
        SpSelection.Selection o = off.get(i);
        SpSelectionRound.Selection x = on.get(i);
        assertThat(round.requests().get(i).ev()).isEqualTo(ev(c, requested.get(i)).address());
        assertThat(x.sp().isPresent()).as("EV %s", o.ev()).isEqualTo(o.traded());
        if (o.traded()) {
          assertThat(x.sp()).hasValue(spByName.get(o.sp().orElseThrow()));
          assertThat((double) x.priceMicroPerKWh().orElseThrow())
              .isEqualTo(Math.rint(o.price().getAsDouble() * 10_000));
        } else {
          assertThat(x.noTradeReason()).startsWith("no SP asks");
        }
      }
    }
  }

  @Test
  void equalAsks_theEarlierOfferWins() {
    try (MarketChain c = chain()) {
      c.block(List.of(c.tx(c.operator(), SpSelectionModule.open(4))));
      c.block(List.of(c.tx(ev(c, 0), SpSelectionModule.request(0, 60_000))));
      c.block(
          List.of(
              c.tx(sp(c, 3), SpSelectionModule.offer(0, ev(c, 0).address(), 50_000)),
              c.tx(sp(c, 1), SpSelectionModule.offer(0, ev(c, 0).address(), 50_000)),
              c.tx(sp(c, 2), SpSelectionModule.offer(0, ev(c, 0).address(), 70_000))));
      c.block(List.of());
      SpSelectionRound.Selection x =
          SpSelectionModule.round(c.state(), 0).orElseThrow().selections().orElseThrow().get(0);
      assertThat(x.sp()).hasValue(sp(c, 3).address());
      assertThat(x.priceMicroPerKWh()).hasValue(50_000);
    }
  }

  @Test
  void calls_outOfTurn_areRefusedWithTheRule() {
    try (MarketChain c = chain()) {
      c.block(List.of(c.tx(c.operator(), SpSelectionModule.open(5))));
      KeyPair e = ev(c, 0);
      KeyPair s = sp(c, 0);
      c.block(List.of(c.tx(e, SpSelectionModule.request(0, 10_000))));
      assertThat(refusal(c, e, SpSelectionModule.request(0, 9_000))).contains("already requested");
      assertThat(refusal(c, s, SpSelectionModule.offer(0, sp(c, 1).address(), 5)))
          .contains("has not requested in round 0");
      assertThat(refusal(c, s, SpSelectionModule.open(9))).contains("only an authority");
      assertThat(refusal(c, s, SpSelectionModule.request(7, 5))).contains("round 7 does not exist");
      assertThat(refusal(c, s, SpSelectionModule.request(0, 0))).contains("priceMicroPerKWh 0");
      c.advanceTo(5);
      assertThat(refusal(c, s, SpSelectionModule.offer(0, e.address(), 5)))
          .contains("round 0 closed at height 5");
      Hash root = c.state().root();
      assertThat(SpSelectionModule.round(c.state(), 0).orElseThrow().selections().orElseThrow())
          .singleElement()
          .satisfies(x -> assertThat(x.noTradeReason()).startsWith("no SP asks for"));
      assertThat(c.state().root()).isEqualTo(root);
    }
  }

  private static String refusal(MarketChain c, KeyPair k, org.gridtrade.ledger.Payload call) {
    var r = c.state().check(c.tx(k, call), MarketChain.T0 + (c.ledger.height() + 1) * 1_000L);
    c.unuse(k);
    assertThat(r).isInstanceOf(org.gridtrade.ledger.TxResult.Rejected.class);
    return ((org.gridtrade.ledger.TxResult.Rejected) r).detail();
  }

  private static KeyPair ev(MarketChain c, int i) {
    return c.keys.get(1 + i);
  }

  private static KeyPair sp(MarketChain c, int j) {
    return c.keys.get(1 + EVS + j);
  }
}

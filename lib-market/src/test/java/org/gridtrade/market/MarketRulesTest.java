package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.RejectReason;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.junit.jupiter.api.Test;

/** What the market refuses, and that a refusal changes nothing; cancels; a byzantine proposer. */
class MarketRulesTest {

  /**
   * A chain with market 0 open (uniform price, gate at {@code gate}) and one bid of user 1 in it.
   */
  private static MarketChain withOpenMarket(long gate) {
    MarketChain c = new MarketChain(4, 1_000_000);
    c.block(
        List.of(
            c.tx(
                c.operator(),
                MarketCalls.open(c.spec(ClearingRule.UNIFORM_PRICE, 500_000, gate)))));
    c.block(List.of(c.tx(c.keys.get(1), MarketCalls.bid(0, 100_000, 2_000))));
    return c;
  }

  /**
   * Checks that {@code tx} is refused as a module rule naming {@code words}, and changes nothing.
   */
  private static void assertRefused(MarketChain c, KeyPair k, Transaction tx, String... words) {
    LedgerState before = c.state();

    TxResult r = before.check(tx, MarketChain.T0 + (c.ledger.height() + 1) * 1_000L);
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    assertThat(((TxResult.Rejected) r).detail()).contains(words);
    Ledger.Proposal p = c.block(List.of(tx));
    assertThat(p.skipped()).hasSize(1);
    assertThat(p.block().transactions()).isEmpty();
    assertThat(c.state().account(k.address())).isEqualTo(before.account(k.address()));
    assertThat(Markets.orders(c.state(), 0)).isEqualTo(Markets.orders(before, 0));
    assertThat(Markets.market(c.state(), 0)).isEqualTo(Markets.market(before, 0));
    c.unuse(k);
  }

  @Test
  void badOrders_areRefusedWithTheRuleAndChangeNothing() {
    try (MarketChain c = withOpenMarket(50)) {
      KeyPair u = c.keys.get(2);
      assertRefused(c, u, c.tx(u, MarketCalls.bid(7, 100_000, 1_000)), "market 7 does not exist");
      assertRefused(
          c, u, c.tx(u, MarketCalls.bid(0, 900_000, 2_000)), "escrow of 1800000", "exceeds");
      assertRefused(c, u, c.tx(u, raw(2, 0L, 0L, 1_000L)), "priceMicroPerKWh 0 must be in [1,");
      assertRefused(
          c, u, c.tx(u, raw(3, 0L, 5L, DoubleAuctionMarket.MAX_QUANTITY + 1)), "quantityWh");
      assertRefused(c, u, c.tx(u, MarketCalls.cancel(0, 0)), "belongs to", "not " + u.address());
      assertRefused(c, u, c.tx(u, MarketCalls.cancel(0, 9)), "order 9 does not exist");
      assertRefused(
          c, u, c.tx(u, MarketCalls.open(c.spec(ClearingRule.MCAFEE, 0, 50))), "only an authority");
      assertRefused(
          c,
          c.operator(),
          c.tx(c.operator(), MarketCalls.open(c.spec(ClearingRule.MCAFEE, 0, 2))),
          "gateClosureHeight 2 must be above the current height");
      assertRefused(
          c,
          u,
          c.tx(u, new Payload.Call(DoubleAuctionMarket.NAME, new byte[] {9})),
          "operation 9 is unknown");
      assertRefused(
          c,
          u,
          c.tx(u, new Payload.Call(DoubleAuctionMarket.NAME, new byte[] {2, 0})),
          "takes 25 bytes of data, not 2");
      assertRefused(
          c,
          u,
          c.tx(u, new Payload.Call(DoubleAuctionMarket.NAME, new byte[0])),
          "call data is empty");
      // After the gate: orders and cancels are refused.
      c.advanceTo(50);
      assertThat(Markets.market(c.state(), 0).orElseThrow().cleared()).isTrue();
      assertRefused(c, u, c.tx(u, MarketCalls.ask(0, 10, 1_000)), "gate closed at height 50");
      KeyPair owner = c.keys.get(1);
      assertRefused(c, owner, c.tx(owner, MarketCalls.cancel(0, 0)), "can no longer be cancelled");
    }
  }

  @Test
  void marketCalls_badArguments_throwBeforeSigning() {
    assertThatThrownBy(() -> MarketCalls.bid(0, 0, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("priceMicroPerKWh 0 must be in [1, 1000000000]");
    assertThatThrownBy(() -> MarketCalls.ask(-1, 5, 5)).hasMessage("market -1 must be >= 0");
    assertThatThrownBy(() -> ClearingRule.parse("vickrey"))
        .hasMessageContaining("'vickrey' must be one of uniform-price, pay-as-bid, mcafee");
  }

  @Test
  void cancel_beforeTheGate_returnsTheEscrowAndLeavesTheOrderOutOfTheClearing() {
    try (MarketChain c = withOpenMarket(5)) {
      KeyPair buyer = c.keys.get(1);
      KeyPair seller = c.keys.get(2);
      long afterBid = c.state().account(buyer.address()).balance();
      assertThat(c.state().account(LedgerModule.account(DoubleAuctionMarket.NAME)).balance())
          .isEqualTo(200_000); // 2,000 Wh at 100,000 per kWh
      c.block(
          List.of(
              c.tx(buyer, MarketCalls.cancel(0, 0)),
              c.tx(seller, MarketCalls.ask(0, 50_000, 1_000))));
      assertThat(c.state().account(buyer.address()).balance()).isEqualTo(afterBid + 200_000 - 1);
      MarketOrder o = Markets.orders(c.state(), 0).get(0);
      assertThat(o.status()).isEqualTo(OrderStatus.CANCELLED);
      assertThat(o.refundedMicro()).isEqualTo(200_000);
      c.advanceTo(5);
      Clearing cl = Markets.market(c.state(), 0).orElseThrow().clearing().orElseThrow();
      assertThat(cl.trades()).isZero();
      assertThat(cl.noTradeReason()).isEqualTo("no buy orders");
      assertThat(Markets.orders(c.state(), 0).get(1).status()).isEqualTo(OrderStatus.CLEARED);
      assertThat(c.state().account(LedgerModule.account(DoubleAuctionMarket.NAME)).balance())
          .isZero();
    }
  }

  /**
   * A proposer whose node runs a doctored market module (it switches the market to pay-as-bid
   * before clearing, so the operator pockets the spread) builds the gate-closure block; an honest
   * node refuses it and keeps its state, then clears the market correctly itself.
   */
  @Test
  void byzantineProposer_thatAltersTheClearing_isRefusedByAnHonestNode() {
    LedgerModule doctored = new DoctoredMarket();
    try (MarketChain honest = withOpenMarket(5);
        MarketChain byzantine = new MarketChain(4, 1_000_000, doctored)) {
      for (long h = 1; h <= honest.ledger.height(); h++) {
        assertThat(byzantine.ledger.append(honest.ledger.block(h).orElseThrow()))
            .isInstanceOf(BlockResult.Appended.class);
      }
      Transaction ask = honest.tx(honest.keys.get(2), MarketCalls.ask(0, 40_000, 2_000));
      honest.block(List.of(ask));
      byzantine.ledger.append(honest.ledger.block(3).orElseThrow());
      honest.advanceTo(4);
      byzantine.ledger.append(honest.ledger.block(4).orElseThrow());
      assertThat(byzantine.state().root()).isEqualTo(honest.state().root());

      Ledger.Proposal forged =
          byzantine.ledger.propose(
              List.of(), byzantine.operator().address(), MarketChain.T0 + 5_000);
      Hash before = honest.state().root();
      BlockResult r = honest.ledger.append(forged.block());
      assertThat(r).isInstanceOf(BlockResult.Rejected.class);
      assertThat(((BlockResult.Rejected) r).reason())
          .contains("stateRoot", "of the state after its transactions");
      assertThat(honest.ledger.height()).isEqualTo(4);
      assertThat(honest.state().root()).isEqualTo(before);

      honest.block(List.of());
      Clearing cl = Markets.market(honest.state(), 0).orElseThrow().clearing().orElseThrow();
      assertThat(cl.buyerPrice()).hasValue(70_000); // the midpoint of 100,000 and 40,000
      assertThat(cl.budgetMicro()).isZero();
    }
  }

  private static Payload.Call raw(int op, long market, long price, long quantity) {
    return new Payload.Call(
        DoubleAuctionMarket.NAME,
        ByteBuffer.allocate(25)
            .put((byte) op)
            .putLong(market)
            .putLong(price)
            .putLong(quantity)
            .array());
  }

  @Test
  void rejectReason_isAModuleRuleOrInsufficientFunds() {
    try (MarketChain c = withOpenMarket(5)) {
      KeyPair u = c.keys.get(3);
      TxResult r =
          c.state().check(c.tx(u, MarketCalls.bid(0, 900_000, 2_000)), MarketChain.T0 + 3_000);
      assertThat(((TxResult.Rejected) r).reason()).isEqualTo(RejectReason.INSUFFICIENT_FUNDS);
      c.unuse(u);
      r = c.state().check(c.tx(u, MarketCalls.bid(3, 1, 1)), MarketChain.T0 + 3_000);
      assertThat(((TxResult.Rejected) r).reason()).isEqualTo(RejectReason.MODULE_RULE);
    }
  }
}

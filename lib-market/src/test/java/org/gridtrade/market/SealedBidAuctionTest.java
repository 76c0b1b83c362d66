package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.ReverseAuction;
import org.gridtrade.auction.ReverseAuctionResult;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.junit.jupiter.api.Test;

/**
 * The sealed-bid reverse auction on chain against lib-auction's {@code ReverseAuction} run on the
 * validly revealed bids in commit order: same winner, same payment; deposits of bids never revealed
 * forfeit to the operator; every balance is what the outcome says.
 */
class SealedBidAuctionTest {
  private static final long EACH = 1_000_000_000L;
  private static final Address ESCROW = LedgerModule.account(SealedBidAuction.NAME);

  private static MarketChain chain(int users) {
    return new MarketChain(users, EACH, new SealedBidAuction());
  }

  @Test
  void property_randomSealedBids_closeOnChainAsTheOffChainAuctionDoes() {
    qt().withFixedSeed(20261208L).withExamples(60).forAll(longs().all()).checkAssert(this::check);
  }

  private void check(long seed) {
    Random rnd = new Random(seed);
    boolean second = rnd.nextBoolean();
    long reserve = 100_000 + 10_000L * rnd.nextInt(5);
    long lot = 1 + rnd.nextInt(50_000);
    long deposit = rnd.nextInt(3) * 5_000L;
    int n = rnd.nextInt(9);
    try (MarketChain c = chain(10)) {
      SealedAuctionSpec spec = new SealedAuctionSpec(second, reserve, lot, deposit, 2, 3);
      c.block(List.of(c.tx(c.operator(), SealedBidAuction.open(spec))));
      // Block 2: commitments.
      long[] price = new long[n];
      byte[][] salt = new byte[n][];
      List<Transaction> commits = new ArrayList<>();
      Map<Address, Long> fees = new HashMap<>();
      fees.put(c.operator().address(), 1L);
      for (int i = 0; i < n; i++) {
        KeyPair k = c.keys.get(1 + i);
        price[i] =
            60_000 + 10_000L * rnd.nextInt(rnd.nextBoolean() ? 3 : 8); // ties, some > reserve
        salt[i] = new byte[16 + rnd.nextInt(49)];
        rnd.nextBytes(salt[i]);
        commits.add(
            c.tx(
                k,
                SealedBidAuction.commit(
                    0, SealedBidAuction.commitment(0, k.address(), price[i], salt[i]))));
        fees.merge(k.address(), 1L, Long::sum);
      }
      assertThat(c.block(commits).skipped()).isEmpty();
      assertThat(c.state().account(ESCROW).balance())
          .isEqualTo((reserve * lot + 999) / 1000 + n * deposit);
      // Block 3: reveals; some wrong first (refused, changing nothing), some never.
      boolean[] revealed = new boolean[n];
      List<Transaction> reveals = new ArrayList<>();
      int refusedExpected = 0;
      for (int i = 0; i < n; i++) {
        KeyPair k = c.keys.get(1 + i);
        int kind = rnd.nextInt(5);
        if (kind == 0) {
          continue; // never revealed: forfeits
        }
        if (kind == 1) {
          reveals.add(c.tx(k, SealedBidAuction.reveal(0, price[i] + 1, salt[i])));
          c.unuse(k);
          refusedExpected++;
        }
        reveals.add(c.tx(k, SealedBidAuction.reveal(0, price[i], salt[i])));
        fees.merge(k.address(), 1L, Long::sum);
        revealed[i] = true;
      }
      Ledger.Proposal p = c.block(reveals);
      assertThat(p.skipped()).hasSize(refusedExpected);
      p.skipped().forEach(s -> assertThat(s.rejection().detail()).contains("do not hash to"));

      // The oracle: lib-auction's reverse auction over the valid reveals, in commit order.
      List<Order> asks = new ArrayList<>();
      long forfeited = 0;
      for (int i = 0; i < n; i++) {
        if (revealed[i]) {
          asks.add(new Order(Integer.toString(i), price[i] / 10_000.0, 1));
        } else {
          forfeited += deposit;
        }
      }
      ReverseAuction rule = second ? ReverseAuction.secondPrice() : ReverseAuction.firstPrice();
      ReverseAuctionResult off = rule.withReserve(reserve / 10_000.0).run(asks);

      SealedAuction a = SealedBidAuction.auction(c.state(), 0).orElseThrow();
      SealedAuction.Outcome o = a.outcome().orElseThrow();
      assertThat(o.forfeitedMicro()).isEqualTo(forfeited);
      assertThat(o.winner().isPresent()).isEqualTo(off.winner().isPresent());
      long paid = 0;
      Address winner = null;
      if (off.winner().isPresent()) {
        winner = c.keys.get(1 + Integer.parseInt(off.winner().get())).address();
        assertThat(o.winner()).hasValue(winner);
        assertThat((double) o.payment().orElseThrow())
            .isEqualTo(Math.rint(off.payment().orElseThrow() * 10_000.0));
        paid = o.payment().orElseThrow() * lot / 1000;
        assertThat(o.paidMicro()).isEqualTo(paid);
      } else {
        assertThat(o.noTradeReason()).isNotEmpty();
      }
      assertThat(c.state().account(ESCROW).balance()).isZero();
      long allFees = fees.values().stream().mapToLong(Long::longValue).sum();
      for (int u = 0; u < 10; u++) {
        Address addr = c.keys.get(u).address();
        long expected = EACH - fees.getOrDefault(addr, 0L);
        if (u == 0) {
          expected += allFees - paid + forfeited;
        } else if (u <= n && !revealed[u - 1]) {
          expected -= deposit;
        }
        if (addr.equals(winner)) {
          expected += paid;
        }
        assertThat(c.state().account(addr).balance()).as("user %d", u).isEqualTo(expected);
      }
      List<SealedBid> bids = SealedBidAuction.bids(c.state(), 0);
      assertThat(bids).hasSize(n);
      for (int i = 0; i < n; i++) {
        assertThat(bids.get(i).status())
            .isEqualTo(revealed[i] ? SealedBid.Status.REFUNDED : SealedBid.Status.FORFEITED);
      }
    }
  }

  @Test
  void commitAndReveal_outOfTurn_areRefusedWithTheRule() {
    try (MarketChain c = chain(4)) {
      c.block(
          List.of(
              c.tx(
                  c.operator(),
                  SealedBidAuction.open(new SealedAuctionSpec(true, 100_000, 1_000, 10, 2, 3)))));
      KeyPair a = c.keys.get(1);
      KeyPair b = c.keys.get(2);
      byte[] salt = new byte[16];
      Hash ca = SealedBidAuction.commitment(0, a.address(), 90_000, salt);
      // b copies a's commitment: accepted as b's, but a's reveal cannot open it for b.
      // While commitments are taken (block 2), no one may reveal: a's price stays sealed.
      assertThat(refusal(c, a, SealedBidAuction.reveal(0, 90_000, salt)))
          .contains("takes reveals from height 3, once its commitments closed at 2");
      assertThat(
              c.block(
                      List.of(
                          c.tx(a, SealedBidAuction.commit(0, ca)),
                          c.tx(b, SealedBidAuction.commit(0, ca))))
                  .skipped())
          .isEmpty();
      TxResult atThree =
          c.state()
              .check(
                  c.tx(a, SealedBidAuction.reveal(0, 90_000, salt)),
                  MarketChain.T0 + (c.ledger.height() + 1) * 1_000L);
      c.unuse(a);
      assertThat(atThree.accepted()).as("a reveal at height 3 opens a's commitment").isTrue();
      assertThat(refusal(c, a, SealedBidAuction.commit(0, ca)))
          .contains("commitments up to height 2");
      assertThat(refusal(c, b, SealedBidAuction.reveal(0, 90_000, salt)))
          .contains("do not hash to");
      assertThat(refusal(c, c.keys.get(3), SealedBidAuction.reveal(0, 90_000, salt)))
          .contains("has no commitment in auction 0");
      assertThat(refusal(c, a, SealedBidAuction.reveal(4, 90_000, salt)))
          .contains("auction 4 does not exist");
      assertThat(refusal(c, a, SealedBidAuction.open(new SealedAuctionSpec(true, 1, 1, 0, 9, 10))))
          .contains("only an authority");
    }
  }

  private static String refusal(MarketChain c, KeyPair k, org.gridtrade.ledger.Payload call) {
    TxResult r = c.state().check(c.tx(k, call), MarketChain.T0 + (c.ledger.height() + 1) * 1_000L);
    c.unuse(k);
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    return ((TxResult.Rejected) r).detail();
  }
}

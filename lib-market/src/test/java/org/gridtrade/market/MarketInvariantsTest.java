package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.LedgerModule;
import org.junit.jupiter.api.Test;

/**
 * Random histories of both market modules, hostile call data included, over many blocks: coins are
 * never created or lost, the escrow accounts hold exactly what the open records say, and every node
 * replaying the same blocks computes the same state root.
 */
class MarketInvariantsTest {
  private static final int USERS = 9;
  private static final long EACH = 50_000_000L;

  @Test
  void property_randomHistories_conserveCoinsAndEscrowAndReplayIdentically() {
    qt().withFixedSeed(20261209L).withExamples(25).forAll(longs().all()).checkAssert(this::check);
  }

  private void check(long seed) {
    Random rnd = new Random(seed);
    List<LedgerModule> modules = List.of(new DoubleAuctionMarket(), new SealedBidAuction());
    try (MarketChain c = new MarketChain(USERS, EACH, modules);
        MarketChain replica = new MarketChain(USERS, EACH, modules)) {
      int refused = 0;
      int accepted = 0;
      for (int block = 1; block <= 16; block++) {
        List<Transaction> txs = new ArrayList<>();
        List<KeyPair> senders = new ArrayList<>();
        if (block % 5 == 1) {
          // The operator opens a market and an auction now and then.
          txs.add(
              c.tx(
                  c.operator(),
                  MarketCalls.open(
                      c.spec(
                          ClearingRule.values()[rnd.nextInt(3)],
                          rnd.nextInt(1_000_001),
                          block + 2 + rnd.nextInt(4)))));
          txs.add(
              c.tx(
                  c.operator(),
                  SealedBidAuction.open(
                      new SealedAuctionSpec(
                          rnd.nextBoolean(), 100_000, 1_000, 500, block + 1, block + 3))));
          senders.add(c.operator());
          senders.add(c.operator());
        }
        for (int i = 0; i < 1 + rnd.nextInt(12); i++) {
          KeyPair k = c.keys.get(rnd.nextInt(USERS));
          txs.add(c.tx(k, randomCall(rnd, c, block)));
          senders.add(k);
        }
        var p = c.block(txs);
        for (var s : p.skipped()) {
          c.unuse(senders.get(txs.indexOf(s.transaction())));
        }
        refused += p.skipped().size();
        accepted += txs.size() - p.skipped().size();
        assertThat(replica.ledger.append(c.ledger.block(block).orElseThrow()))
            .isInstanceOf(org.gridtrade.ledger.BlockResult.Appended.class);
        LedgerState s = c.state();
        assertThat(replica.state().root()).isEqualTo(s.root());
        assertThat(s.totalSupply()).isEqualTo(USERS * EACH);
        assertThat(s.account(LedgerModule.account(DoubleAuctionMarket.NAME)).balance())
            .as("double-auction escrow after block %d", block)
            .isEqualTo(openBidEscrow(s));
        assertThat(s.account(LedgerModule.account(SealedBidAuction.NAME)).balance())
            .as("sealed-auction escrow after block %d", block)
            .isEqualTo(openAuctionEscrow(s));
      }
      assertThat(accepted).isPositive();
      assertThat(refused).isPositive();
    }
  }

  /** The escrow the open bids of every market hold, summed from their records. */
  private static long openBidEscrow(LedgerState s) {
    long sum = 0;
    for (long m = 0; m < Markets.count(s); m++) {
      for (MarketOrder o : Markets.orders(s, m)) {
        if (o.status() == OrderStatus.OPEN) {
          sum += o.escrowMicro();
        } else {
          assertThat(o.settledMicro() + o.refundedMicro())
              .isEqualTo(o.side() == Side.BUY ? o.escrowMicro() : o.settledMicro());
        }
      }
    }
    return sum;
  }

  /** The lot escrow of open auctions plus the deposits of their commitments. */
  private static long openAuctionEscrow(LedgerState s) {
    long sum = 0;
    for (long a = 0; ; a++) {
      var found = SealedBidAuction.auction(s, a);
      if (found.isEmpty()) {
        return sum;
      }
      SealedAuction x = found.get();
      if (x.outcome().isEmpty()) {
        sum += (x.spec().reserveMicroPerKWh() * x.spec().lotWh() + 999) / 1000;
        for (SealedBid b : SealedBidAuction.bids(s, a)) {
          sum += b.depositMicro();
        }
      }
    }
  }

  private static Payload randomCall(Random rnd, MarketChain c, int block) {
    long markets = Markets.count(c.state());
    long market = markets == 0 ? 0 : rnd.nextInt((int) markets + 1); // sometimes unknown
    switch (rnd.nextInt(12)) {
      case 0 -> {
        ClearingRule r = ClearingRule.values()[rnd.nextInt(3)];
        return MarketCalls.open(c.spec(r, rnd.nextInt(1_000_001), block + 1 + rnd.nextInt(5)));
      }
      case 1, 2, 3 -> {
        return MarketCalls.bid(
            market,
            1 + rnd.nextInt(200_000),
            1 + rnd.nextInt(rnd.nextInt(20) == 0 ? 900_000 : 4_000));
      }
      case 4, 5, 6 -> {
        return MarketCalls.ask(market, 1 + rnd.nextInt(200_000), 1 + rnd.nextInt(4_000));
      }
      case 7 -> {
        return MarketCalls.cancel(market, rnd.nextInt(8));
      }
      case 8 -> {
        return SealedBidAuction.open(
            new SealedAuctionSpec(
                rnd.nextBoolean(),
                1 + rnd.nextInt(100_000),
                1 + rnd.nextInt(10_000),
                rnd.nextInt(3) * 1_000L,
                block + rnd.nextInt(3),
                block + 3 + rnd.nextInt(3)));
      }
      case 9 -> {
        byte[] salt = new byte[16];
        rnd.nextBytes(salt);
        KeyPair k = c.keys.get(rnd.nextInt(USERS));
        return SealedBidAuction.commit(
            rnd.nextInt(3),
            SealedBidAuction.commitment(rnd.nextInt(3), k.address(), rnd.nextInt(100_000), salt));
      }
      default -> {
        // Hostile call data: random bytes, random lengths, to either module.
        byte[] junk = new byte[rnd.nextInt(60)];
        rnd.nextBytes(junk);
        if (junk.length > 0 && rnd.nextBoolean()) {
          junk[0] = (byte) (1 + rnd.nextInt(4));
        }
        return new Payload.Call(
            rnd.nextBoolean() ? DoubleAuctionMarket.NAME : SealedBidAuction.NAME, junk);
      }
    }
  }

  @Test
  void address_ofTheEscrowAccounts_differ() {
    Address a = LedgerModule.account(DoubleAuctionMarket.NAME);
    assertThat(a).isNotEqualTo(LedgerModule.account(SealedBidAuction.NAME));
  }
}

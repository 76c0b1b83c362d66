package com.example.consumer;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.Units;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.SealVerifier;
import org.gridtrade.market.Clearing;
import org.gridtrade.market.ClearingRule;
import org.gridtrade.market.DoubleAuctionMarket;
import org.gridtrade.market.MarketCalls;
import org.gridtrade.market.MarketSpec;
import org.gridtrade.market.Markets;

/** A double-auction market on chain: open it, place orders, let the chain clear it. */
public final class MarketProgram {
  private static final int CHAIN = 42;

  private MarketProgram() {}

  /** What the program found. */
  public record Result(
      long volumeWh, long priceMicroPerKWh, long supplyBefore, long supplyAfter, long escrowLeft) {}

  /**
   * Runs the program.
   *
   * @return the volume and price the chain cleared, the supply before and after, the escrow left
   */
  public static Result run() {
    SecureRandom random = new SecureRandom();
    KeyPair operator = KeyPair.generate(random);
    List<KeyPair> users = List.of(KeyPair.generate(random), KeyPair.generate(random));
    long funds = Units.coinsToMicro(100);
    Genesis genesis =
        new Genesis(
                CHAIN,
                Map.of(
                    operator.address(), funds,
                    users.get(0).address(), funds,
                    users.get(1).address(), funds),
                Set.of(operator.address()),
                1_800_000_000_000L)
            .withModules(List.of(DoubleAuctionMarket.NAME));
    try (Ledger ledger =
        Ledger.open(
            genesis,
            BlockStores.inMemory(),
            SealVerifier.acceptAll(),
            Ledger.DEFAULT_STATE_RETENTION,
            List.of(new DoubleAuctionMarket()))) {
      long supply = ledger.state().totalSupply();
      Instant delivery = Instant.ofEpochSecond(1_800_003_600L);
      MarketSpec spec =
          new MarketSpec(
              ClearingRule.UNIFORM_PRICE, 500_000, 4, delivery, delivery.plusSeconds(900));
      append(ledger, operator, List.of(MarketCalls.open(spec)));
      KeyPair buyer = users.get(0);
      KeyPair seller = users.get(1);
      append(
          ledger,
          buyer,
          List.of(
              MarketCalls.bid(0, Units.centsPerKWhToMicroPerKWh(18), 7_000),
              MarketCalls.bid(0, Units.centsPerKWhToMicroPerKWh(12), 5_000)));
      append(
          ledger,
          seller,
          List.of(
              MarketCalls.ask(0, Units.centsPerKWhToMicroPerKWh(8), 6_000),
              MarketCalls.ask(0, Units.centsPerKWhToMicroPerKWh(9.5), 10_000)));
      append(ledger, operator, List.of()); // block 4: the gate closes and every node clears
      Clearing c = Markets.market(ledger.state(), 0).orElseThrow().clearing().orElseThrow();
      return new Result(
          c.volumeWh(),
          c.buyerPrice().orElseThrow(),
          supply,
          ledger.state().totalSupply(),
          ledger.state().account(LedgerModule.account(DoubleAuctionMarket.NAME)).balance());
    }
  }

  private static void append(Ledger ledger, KeyPair sender, List<Payload> calls) {
    long nonce = ledger.state().account(sender.address()).nonce();
    List<Transaction> txs = new ArrayList<>();
    for (Payload call : calls) {
      txs.add(new TransactionBody(CHAIN, sender.publicKey(), nonce++, 1, call).sign(sender));
    }
    Ledger.Proposal p =
        ledger.propose(txs, sender.address(), 1_800_000_000_000L + (ledger.height() + 1) * 1000);
    if (!p.skipped().isEmpty()) {
      throw new IllegalStateException("refused: " + p.skipped());
    }
    ledger.append(p.block());
  }

  /**
   * Prints what {@link #run()} found.
   *
   * @param args none
   */
  public static void main(String[] args) {
    Result r = run();
    System.out.printf(
        Locale.ROOT,
        "market cleared on chain: %d Wh at %d micro-coins/kWh; supply %d -> %d; escrow left %d%n",
        r.volumeWh(),
        r.priceMicroPerKWh(),
        r.supplyBefore(),
        r.supplyAfter(),
        r.escrowLeft());
  }
}

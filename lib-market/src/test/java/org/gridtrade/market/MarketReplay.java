package org.gridtrade.market;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Transaction;

/**
 * A seeded market history (three markets, one per clearing rule; orders, cancels, refused bids)
 * that prints the state root after every block: run in another JVM, it must print the same lines.
 */
public final class MarketReplay {
  private MarketReplay() {}

  /**
   * Runs the history.
   *
   * @param seed the history's seed
   * @return one line per block, {@code height root}, then the trades of each market
   */
  static List<String> run(long seed) {
    Random rnd = new Random(seed);
    List<String> out = new ArrayList<>();
    try (MarketChain c = new MarketChain(12, 3_000_000)) {
      List<Transaction> open = new ArrayList<>();
      long[] gates = {5, 6, 8};
      for (int m = 0; m < 3; m++) {
        open.add(
            c.tx(
                c.operator(),
                MarketCalls.open(
                    c.spec(ClearingRule.values()[m], rnd.nextInt(1_000_001), gates[m]))));
      }
      c.block(open);
      out.add(c.ledger.height() + " " + c.state().root());
      int[] placed = new int[3];
      while (c.ledger.height() < 9) {
        List<Transaction> txs = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
          KeyPair k = c.keys.get(1 + rnd.nextInt(11));
          int m = rnd.nextInt(3);
          long price = 40_000 + 1_000L * rnd.nextInt(60);
          long quantity = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 90_000 : 3_000);
          int kind = rnd.nextInt(10);
          if (kind == 0 && placed[m] > 0) {
            txs.add(c.tx(k, MarketCalls.cancel(m, rnd.nextInt(placed[m]))));
          } else {
            txs.add(
                c.tx(
                    k,
                    kind < 5
                        ? MarketCalls.bid(m, price, quantity)
                        : MarketCalls.ask(m, price, quantity)));
          }
        }
        var p = c.block(txs);
        for (var s : p.skipped()) {
          c.unuse(
              c.keys.stream()
                  .filter(k -> k.address().equals(s.transaction().sender()))
                  .findFirst()
                  .orElseThrow());
        }
        for (int m = 0; m < 3; m++) {
          placed[m] = Markets.market(c.state(), m).orElseThrow().orderCount();
        }
        out.add(c.ledger.height() + " " + c.state().root());
      }
      StringBuilder traded = new StringBuilder("trades");
      for (int m = 0; m < 3; m++) {
        traded.append(' ').append(Markets.trades(c.state(), m).size());
      }
      out.add(traded.toString());
    }
    return out;
  }

  /**
   * Prints the roots.
   *
   * @param args the seed
   */
  public static void main(String[] args) {
    run(Long.parseLong(args[0])).forEach(System.out::println);
  }
}

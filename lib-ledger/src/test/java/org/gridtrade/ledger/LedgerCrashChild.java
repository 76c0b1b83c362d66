package org.gridtrade.ledger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process of {@link LedgerCrashTest}: opens a ledger on a durable store (which replays and
 * verifies what is there) and appends blocks of signed transfers and trades until it is killed,
 * printing {@code acked <height> <hash>} after each append returns.
 */
public final class LedgerCrashChild {
  static final long T0 = 1_700_000_000_000L;

  private LedgerCrashChild() {}

  static Genesis genesis() {
    return TestKit.genesis(TestKit.keys(8), 1_000_000_000_000L);
  }

  /**
   * Runs the child.
   *
   * @param args the store file
   */
  public static void main(String[] args) {
    DurableStoreCrashChild.startWatchdog();
    List<KeyPair> keys = TestKit.keys(8);
    try (Ledger ledger = Ledger.open(genesis(), BlockStores.openDurable(Path.of(args[0])))) {
      System.out.println("opened " + ledger.height());
      System.out.flush();
      while (true) {
        long h = ledger.height() + 1;
        List<Transaction> txs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          KeyPair from = keys.get((int) ((h + i) % keys.size()));
          Address to = keys.get((int) ((h + 3 * i + 1) % keys.size())).address();
          long nonce = ledger.state().account(from.address()).nonce() + countFrom(txs, from);
          Payload p =
              to.equals(from.address())
                  ? new Payload.Stake(1 + i)
                  : i % 2 == 0
                      ? new Payload.Transfer(to, 1 + h + i)
                      : new Payload.EnergyTrade(to, from.address(), 100 + i, 150_000, "crash/" + h);
          txs.add(new TransactionBody(TestKit.CHAIN, from.publicKey(), nonce, 1, p).sign(from));
        }
        Ledger.Proposal prop = ledger.propose(txs, keys.get(0).address(), T0 + h * 1000);
        if (!prop.skipped().isEmpty()) {
          throw new IllegalStateException("skipped " + prop.skipped());
        }
        BlockResult r = ledger.append(prop.block());
        if (!(r instanceof BlockResult.Appended a)) {
          throw new IllegalStateException("rejected " + r);
        }
        System.out.println("acked " + a.height() + " " + a.hash());
        System.out.flush();
      }
    }
  }

  private static long countFrom(List<Transaction> txs, KeyPair k) {
    return txs.stream().filter(t -> t.sender().equals(k.address())).count();
  }
}

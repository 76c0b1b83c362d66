package org.gridtrade.benchmarks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Mempool;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.TxResult;

/**
 * Heap a pending transaction takes, against what {@link Mempool#bytes()} charges for it: N
 * transfers received as bytes (as from a peer) are admitted into a pool, and the heap is measured
 * after full GCs before and after. Usage: {@code MempoolMemory [N]} (default 20,000).
 */
public final class MempoolMemory {
  private MempoolMemory() {}

  private static long used() {
    for (int i = 0; i < 5; i++) {
      System.gc();
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  /**
   * Runs the measurement.
   *
   * @param args {@code [N]}
   */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    Random rnd = new Random(1);
    List<KeyPair> keys = new ArrayList<>();
    Map<Address, Long> alloc = new HashMap<>();
    for (int i = 0; i < n; i++) {
      byte[] s = new byte[32];
      rnd.nextBytes(s);
      KeyPair k = KeyPair.fromSeed(s);
      keys.add(k);
      alloc.put(k.address(), 1_000_000L);
    }
    LedgerState state = new Genesis(7, alloc, Set.of(), 0).state();
    List<byte[]> encoded = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      KeyPair k = keys.get(i);
      encoded.add(
          new TransactionBody(
                  7, k.publicKey(), 0, 1, new Payload.Transfer(keys.get((i + 1) % n).address(), 5))
              .sign(k)
              .encode());
    }
    Mempool pool = Mempool.create(n, 1L << 32, 64);
    long before = used();
    for (byte[] e : encoded) {
      TxResult r = pool.submit(e, state, 0);
      if (!r.accepted()) {
        throw new IllegalStateException(r.toString());
      }
    }
    long heap = (used() - before) / n;
    System.out.printf(
        Locale.ROOT,
        "%,d pending transfers of %d bytes: heap %,d B each, charged %,d B each (%.2f)%n",
        n,
        encoded.get(0).length,
        heap,
        pool.bytes() / n,
        (double) pool.bytes() / n / heap);
  }
}

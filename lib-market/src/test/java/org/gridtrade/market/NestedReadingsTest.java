package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.LedgerModule;
import org.junit.jupiter.api.Test;

/**
 * One seller in markets whose delivery intervals are nested (an interval, its halves and quarters),
 * disjoint, repeated or crossing, with its meters attesting a consistent energy profile: each
 * attested reading settles its ask by the rule of nested readings, recomputed in the test from the
 * list of readings and settlements alone; a reading that crosses a kept one is refused and its ask
 * settles at the deadline; and, whatever the order, what settled inside any reading's interval
 * stays within its export, and all that settled within the export over the union of the intervals.
 */
class NestedReadingsTest {
  private static final long EACH = 10_000_000_000L;
  private static final long GATE = 3;
  private static final long REPORTS = 10;
  private static final long DEADLINE = 14;
  private static final long T = MarketChain.T0 / 1000;

  /** Delivery intervals in seconds after T: one of 8 one-second slots each, or several. */
  private static final int[][] INTERVALS = {
    {0, 4}, {0, 2}, {2, 4}, {0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 8}, {4, 6}, {5, 6}, {1, 3}, {2, 6},
    {0, 8}
  };

  private static final int REPORTERS = 12;

  @Test
  void property_nestedReadingsSettleWithinEveryReadingContainingThem_crossingOnesAreRefused() {
    qt().withFixedSeed(20261210L).withExamples(40).forAll(longs().all()).checkAssert(this::check);
  }

  private static List<KeyPair> meters() {
    List<KeyPair> ks = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ks.add(
          KeyPair.fromSeed(
              Hash.sha256(("nested-meter/" + i).getBytes(StandardCharsets.UTF_8)).bytes()));
    }
    return ks;
  }

  private void check(long seed) {
    Random rnd = new Random(seed);
    long[] slot = new long[8];
    for (int i = 0; i < slot.length; i++) {
      slot[i] = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(3_000);
    }
    // 3 to 7 markets, an interval each (some twice)
    List<int[]> markets = new ArrayList<>();
    int count = 3 + rnd.nextInt(5);
    for (int k = 0; k < count; k++) {
      markets.add(INTERVALS[rnd.nextInt(INTERVALS.length)]);
    }
    try (MarketChain c = new MarketChain(3 + REPORTERS, EACH)) {
      KeyPair seller = c.keys.get(1);
      KeyPair buyer = c.keys.get(2);
      long supply = c.state().totalSupply();
      List<Transaction> setup = new ArrayList<>();
      for (int[] iv : markets) {
        setup.add(
            c.tx(
                c.operator(),
                MarketCalls.open(
                    new MarketSpec(
                            ClearingRule.UNIFORM_PRICE,
                            500_000,
                            GATE,
                            Instant.ofEpochSecond(T + iv[0]),
                            Instant.ofEpochSecond(T + iv[1]))
                        .withDelivery(new DeliveryTerms(20_000, DEADLINE)))));
      }
      setup.add(
          c.tx(
              c.operator(),
              MarketCalls.registerMeters(
                  seller.address(),
                  new AttestingMeters(2, meters().stream().map(KeyPair::publicKey).toList()))));
      assertThat(c.block(setup).skipped()).isEmpty();
      List<Transaction> orders = new ArrayList<>();
      long[] sold = new long[count];
      for (int m = 0; m < count; m++) {
        sold[m] = 1 + rnd.nextInt(5_000);
        orders.add(c.tx(seller, MarketCalls.ask(m, 50_000, sold[m])));
        orders.add(c.tx(buyer, MarketCalls.bid(m, 60_000, sold[m])));
      }
      assertThat(c.block(orders).skipped()).isEmpty();
      c.advanceTo(REPORTS - 1);
      assertThat(c.ledger.head().timestamp() / 1000).isGreaterThanOrEqualTo(T + 8);

      // Reports in a random order, each from its own account so a refused one skips only itself.
      List<Integer> order = new ArrayList<>();
      for (int m = 0; m < count; m++) {
        order.add(m);
      }
      Collections.shuffle(order, rnd);
      List<Transaction> reports = new ArrayList<>();
      List<int[]> accepted = new ArrayList<>(); // the model's kept readings
      List<long[]> settled = new ArrayList<>(); // {start, end, Wh}
      long[] expected = new long[count];
      boolean[] refused = new boolean[count];
      for (int r = 0; r < order.size(); r++) {
        int m = order.get(r);
        int[] iv = markets.get(m);
        long x = energy(slot, iv);
        reports.add(
            c.tx(c.keys.get(3 + r), MarketCalls.attestedDelivery(m, 0, x, sign(c, seller, iv, x))));
        if (accepted.stream().anyMatch(a -> crosses(a, iv))) {
          refused[m] = true;
          continue;
        }
        if (accepted.stream().noneMatch(a -> a[0] == iv[0] && a[1] == iv[1])) {
          accepted.add(iv);
        }
        long available = Long.MAX_VALUE;
        for (int[] a : accepted) {
          if (a[0] <= iv[0] && a[1] >= iv[1]) {
            available = Math.min(available, energy(slot, a) - settledInside(settled, a));
          }
        }
        expected[m] = Math.max(0, Math.min(available, sold[m]));
        settled.add(new long[] {iv[0], iv[1], expected[m]});
      }
      Ledger.Proposal p = c.block(reports);
      assertThat(p.skipped()).hasSize((int) countTrue(refused));
      for (var s : p.skipped()) {
        assertThat(s.toString()).contains("crosses");
      }
      c.advanceTo(DEADLINE);

      for (int m = 0; m < count; m++) {
        Delivery d = Markets.delivery(c.state(), m, 0).orElseThrow();
        assertThat(d.byDeadline()).as("market %d", m).isEqualTo(refused[m]);
        assertThat(d.deliveredWh()).as("market %d", m).isEqualTo(refused[m] ? 0 : expected[m]);
      }
      // What settled inside every kept reading is within its export, and what the chain says.
      long total = 0;
      for (long[] s : settled) {
        total += s[2];
      }
      for (int[] a : accepted) {
        long inside = settledInside(settled, a);
        assertThat(inside).isLessThanOrEqualTo(energy(slot, a));
        long exact = 0;
        for (long[] s : settled) {
          exact += s[0] == a[0] && s[1] == a[1] ? s[2] : 0;
        }
        AttestedReading kept =
            Markets.reading(
                    c.state(),
                    seller.address(),
                    Instant.ofEpochSecond(T + a[0]),
                    Instant.ofEpochSecond(T + a[1]))
                .orElseThrow();
        assertThat(kept.withinWh()).isEqualTo(inside);
        assertThat(kept.usedWh()).isEqualTo(exact);
        assertThat(kept.exportedWh()).isEqualTo(energy(slot, a));
      }
      boolean[] covered = new boolean[slot.length];
      for (int[] a : accepted) {
        for (int i = a[0]; i < a[1]; i++) {
          covered[i] = true;
        }
      }
      long union = 0;
      for (int i = 0; i < slot.length; i++) {
        union += covered[i] ? slot[i] : 0;
      }
      assertThat(total).isLessThanOrEqualTo(union);
      assertThat(c.state().account(LedgerModule.account(DoubleAuctionMarket.NAME)).balance())
          .isZero();
      assertThat(c.state().totalSupply()).isEqualTo(supply);
    }
  }

  private static SortedMap<Integer, Signature> sign(
      MarketChain c, KeyPair seller, int[] iv, long x) {
    byte[] msg =
        MarketCalls.readingMessage(
            MarketChain.CHAIN,
            seller.address(),
            Instant.ofEpochSecond(T + iv[0]),
            Instant.ofEpochSecond(T + iv[1]),
            x);
    SortedMap<Integer, Signature> out = new TreeMap<>();
    for (int i = 0; i < 2; i++) {
      out.put(i, meters().get(i).sign(msg));
    }
    return out;
  }

  private static long energy(long[] slot, int[] iv) {
    long e = 0;
    for (int i = iv[0]; i < iv[1]; i++) {
      e += slot[i];
    }
    return e;
  }

  private static boolean crosses(int[] a, int[] b) {
    boolean overlap = a[0] < b[1] && b[0] < a[1];
    boolean nested = (a[0] <= b[0] && a[1] >= b[1]) || (b[0] <= a[0] && b[1] >= a[1]);
    return overlap && !nested;
  }

  private static long settledInside(List<long[]> settled, int[] a) {
    long t = 0;
    for (long[] s : settled) {
      if (s[0] >= a[0] && s[1] <= a[1]) {
        t += s[2];
      }
    }
    return t;
  }

  private static long countTrue(boolean[] b) {
    long n = 0;
    for (boolean v : b) {
      n += v ? 1 : 0;
    }
    return n;
  }
}

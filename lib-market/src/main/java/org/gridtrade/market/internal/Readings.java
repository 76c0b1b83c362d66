package org.gridtrade.market.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.spi.ModuleContext;

/**
 * A seller's attested readings, whose intervals must be disjoint or nested (a laminar family:
 * hourly markets and the quarter-hours inside them, say), so that no energy is paid twice.
 *
 * <p>Each kept reading records its export {@code X}, what its own asks settled ({@code used}) and
 * what settled against it and every kept reading inside it ({@code within}). An ask settles against
 * its interval's reading at most {@code X − within} of the reading and of every kept reading that
 * contains it, and the settlement adds to {@code within} of all of them. So, for every kept
 * reading, what settled inside its interval stays within what its meters attested there, and what
 * settled in all the seller's readings stays within the export over the largest ones, which are
 * disjoint. A reading whose interval crosses a kept one (they overlap, neither contains the other)
 * is refused: its energy could not be told apart.
 *
 * <p>State: {@code 'r' ‖ seller ‖ start ‖ end} → export, used, within (8 bytes each); {@code 'R' ‖
 * seller} → a {@link PagedValue}: the longest interval's length (8 bytes), then every kept
 * interval's start and end (8 bytes each), by start, the longer first at the same start.
 */
public final class Readings {
  private static final int ENTRY = 16;
  private static final int HEAD = 8;

  private Readings() {}

  /** A kept reading. */
  record Kept(long start, long end, long exported, long used, long within) {}

  /**
   * The settlement of an ask against its interval's reading, or why the reading is refused.
   *
   * @param ctx the market module's context
   * @param seller the seller
   * @param start the interval's start, epoch seconds
   * @param end its end
   * @param exportedWh the attested export
   * @param soldWh what the ask sold
   * @return the energy delivered to the ask (0 to {@code soldWh}), or the refusal's detail
   */
  public static Object settle(
      ModuleContext ctx, Address seller, long start, long end, long exportedWh, long soldWh) {
    StateKey own = MarketState.readingKey(seller, start, end);
    Optional<byte[]> stored = ctx.get(own);
    long used = 0;
    long within;
    PagedValue index = PagedValue.openOrEmpty(ctx::get, indexKey(seller));
    List<long[]> window = window(index, start, end);
    if (stored.isPresent()) {
      ByteBuffer r = ByteBuffer.wrap(stored.get());
      long attested = r.getLong();
      used = r.getLong();
      within = r.getLong();
      if (attested != exportedWh) {
        return "seller %s's reading for %d to %d was attested as %d Wh, not %d"
            .formatted(seller, start, end, attested, exportedWh);
      }
    } else {
      within = 0;
      long coverEnd = Long.MIN_VALUE;
      for (long[] e : window) {
        boolean overlaps = e[0] < end && e[1] > start;
        boolean contains = e[0] <= start && e[1] >= end;
        boolean inside = e[0] >= start && e[1] <= end;
        if (overlaps && !contains && !inside) {
          return ("seller %s's reading for %d to %d crosses its reading for %d to %d; one seller's"
                  + " readings must be disjoint or nested")
              .formatted(seller, start, end, e[0], e[1]);
        }
        if (inside && e[0] >= coverEnd) {
          within += kept(ctx::get, seller, e[0], e[1]).within(); // a largest reading inside
          coverEnd = e[1];
        }
      }
      insert(index, start, end);
    }
    long available = exportedWh - within;
    List<Kept> around = new ArrayList<>();
    for (long[] e : window) {
      if (e[0] <= start && e[1] >= end && (e[0] != start || e[1] != end)) {
        Kept a = kept(ctx::get, seller, e[0], e[1]);
        around.add(a);
        available = Math.min(available, a.exported() - a.within());
      }
    }
    long delivered = Math.max(0, Math.min(available, soldWh));
    ctx.put(own, encode(exportedWh, used + delivered, within + delivered));
    for (Kept a : around) {
      ctx.put(
          MarketState.readingKey(seller, a.start(), a.end()),
          encode(a.exported(), a.used(), a.within() + delivered));
    }
    index.flush(ctx);
    return delivered;
  }

  /**
   * A reading's stored record: export, used, within.
   *
   * @param reader reads state
   * @param seller the seller
   * @param start the interval's start
   * @param end its end
   * @return the three numbers, or empty
   */
  public static Optional<long[]> read(
      Function<StateKey, Optional<byte[]>> reader, Address seller, long start, long end) {
    return reader
        .apply(MarketState.readingKey(seller, start, end))
        .map(
            v -> {
              ByteBuffer b = ByteBuffer.wrap(v);
              return new long[] {b.getLong(), b.getLong(), b.getLong()};
            });
  }

  private static Kept kept(
      Function<StateKey, Optional<byte[]>> reader, Address seller, long start, long end) {
    long[] v = read(reader, seller, start, end).orElseThrow();
    return new Kept(start, end, v[0], v[1], v[2]);
  }

  private static byte[] encode(long exported, long used, long within) {
    return ByteBuffer.allocate(24).putLong(exported).putLong(used).putLong(within).array();
  }

  private static StateKey indexKey(Address seller) {
    return StateKey.of(
        MarketState.NAMESPACE,
        ByteBuffer.allocate(1 + Address.LENGTH).put((byte) 'R').put(seller.bytes()).array());
  }

  private static int count(PagedValue index) {
    return index.length() < HEAD ? 0 : (index.length() - HEAD) / ENTRY;
  }

  private static long start(PagedValue index, int i) {
    return index.getLong(HEAD + ENTRY * i);
  }

  /**
   * The kept intervals that may overlap [start, end): those starting in [start − longest, end), in
   * index order. An interval that starts earlier ends before {@code start}.
   */
  private static List<long[]> window(PagedValue index, long start, long end) {
    List<long[]> out = new ArrayList<>();
    int n = count(index);
    if (n == 0) {
      return out;
    }
    long from = start - index.getLong(0);
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (start(index, mid) < from) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (int i = lo; i < n && start(index, i) < end; i++) {
      out.add(new long[] {start(index, i), index.getLong(HEAD + ENTRY * i + 8)});
    }
    return out;
  }

  /** Adds [start, end) in order: by start, the longer first. */
  private static void insert(PagedValue index, long start, long end) {
    if (index.length() < HEAD) {
      index.append(new byte[HEAD]);
    }
    int n = count(index);
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      long s = start(index, mid);
      long e = index.getLong(HEAD + ENTRY * mid + 8);
      if (s < start || (s == start && e > end)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    int at = HEAD + ENTRY * lo;
    byte[] tail = index.bytes(at, index.length() - at);
    index.append(new byte[ENTRY]);
    index.put(at + ENTRY, tail);
    index.put(at, ByteBuffer.allocate(ENTRY).putLong(start).putLong(end).array());
    index.putLong(0, Math.max(index.getLong(0), end - start));
  }
}

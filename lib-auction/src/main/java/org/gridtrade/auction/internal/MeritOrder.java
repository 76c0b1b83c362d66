package org.gridtrade.auction.internal;

import java.util.Arrays;
import java.util.Locale;
import org.gridtrade.auction.Order;

/**
 * Primitive-array helpers for one-shot clearing: merit-order sorting of prices with a submission
 * order tie-break, and a duplicate-id check, both without per-order allocation.
 *
 * <p>Sorting packs each order into one {@code long}: the price's IEEE-754 bits (order-preserving
 * for non-negative doubles; inverted for a descending sort) with the low bits replaced by the
 * order's index. {@link Arrays#sort(long[])} then orders by (truncated price, index); a linear
 * fix-up pass re-sorts, stably and by exact price, every run whose truncated prices are equal, so
 * the result is exactly (price, then submission index).
 */
public final class MeritOrder {
  private static final long MAX_BITS = Double.doubleToRawLongBits(Double.MAX_VALUE);
  private static final int INSERTION_LIMIT = 24;

  private MeritOrder() {}

  /**
   * Copies prices and quantities out of the orders, checking for null elements.
   *
   * @param orders the orders, possibly with null elements
   * @param side "buy" or "sell", for messages
   * @param prices receives the prices (with {@code -0.0} normalised to {@code 0.0})
   * @param quantities receives the quantities
   */
  public static void extract(Order[] orders, String side, double[] prices, double[] quantities) {
    int n = orders.length;
    for (int i = 0; i < n; i++) {
      Order o = orders[i];
      if (o == null) {
        throw new NullPointerException(side + " order at index " + i + " is null");
      }
      prices[i] = o.price() + 0.0;
      quantities[i] = o.quantity();
    }
  }

  /**
   * Indices of the orders in merit order: by price (ascending, or descending when {@code
   * descending}), ties by index ascending. Prices must be finite and non-negative ({@code -0.0}
   * excluded).
   *
   * @param prices the prices, indexed by submission order
   * @param descending whether higher prices come first
   * @return a permutation of {@code 0..n-1}
   */
  public static int[] sort(double[] prices, boolean descending) {
    int n = prices.length;
    int[] out = new int[n];
    if (n == 0) {
      return out;
    }
    int bits = Math.max(1, 64 - Long.numberOfLeadingZeros(n - 1L));
    long mask = (1L << bits) - 1;
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      long b = Double.doubleToRawLongBits(prices[i]);
      keys[i] = ((descending ? MAX_BITS - b : b) & ~mask) | i;
    }
    Arrays.sort(keys);
    for (int i = 0; i < n; i++) {
      out[i] = (int) (keys[i] & mask);
    }
    // Fix up runs with equal truncated prices: exact price order, stable (indices are ascending).
    int start = 0;
    long startKey = keys[0] & ~mask;
    for (int i = 1; i <= n; i++) {
      long k = i < n ? keys[i] & ~mask : ~startKey;
      if (k != startKey) {
        if (i - start > 1) {
          fixRun(out, start, i, prices, descending);
        }
        start = i;
        startKey = k;
      }
    }
    return out;
  }

  private static void fixRun(int[] a, int from, int to, double[] p, boolean desc) {
    if (to - from <= INSERTION_LIMIT) {
      insertionSort(a, from, to, p, desc);
    } else {
      mergeSort(a, new int[to - from], from, to, from, p, desc);
    }
  }

  private static void insertionSort(int[] a, int from, int to, double[] p, boolean desc) {
    for (int i = from + 1; i < to; i++) {
      int x = a[i];
      int j = i - 1;
      while (j >= from && before(x, a[j], p, desc)) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = x;
    }
  }

  /** Stable merge sort of {@code a[from, to)}; {@code tmp[i - base]} is scratch for {@code i}. */
  private static void mergeSort(
      int[] a, int[] tmp, int from, int to, int base, double[] p, boolean desc) {
    if (to - from <= INSERTION_LIMIT) {
      insertionSort(a, from, to, p, desc);
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(a, tmp, from, mid, base, p, desc);
    mergeSort(a, tmp, mid, to, base, p, desc);
    System.arraycopy(a, from, tmp, from - base, to - from);
    int i = from;
    int j = mid;
    for (int k = from; k < to; k++) {
      if (j >= to || (i < mid && !before(tmp[j - base], tmp[i - base], p, desc))) {
        a[k] = tmp[i++ - base];
      } else {
        a[k] = tmp[j++ - base];
      }
    }
  }

  /** Whether order {@code x} strictly precedes {@code y} by price (indices decide ties). */
  private static boolean before(int x, int y, double[] p, boolean desc) {
    int c = Double.compare(p[x], p[y]);
    if (c != 0) {
      return desc ? c > 0 : c < 0;
    }
    return x < y;
  }

  /**
   * Checks that no two orders share an id, with an open-addressing table of indices (no per-order
   * allocation).
   *
   * @param orders the orders (non-null elements)
   * @param side "buy" or "sell", for the message
   * @throws IllegalArgumentException naming the first repeated id
   */
  public static void requireUniqueIds(Order[] orders, String side) {
    int n = orders.length;
    if (n < 2) {
      return;
    }
    int cap = Integer.highestOneBit(Math.max(4, n) * 2 - 1) << 1;
    int m = cap - 1;
    int[] table = new int[cap];
    Arrays.fill(table, -1);
    for (int i = 0; i < n; i++) {
      String id = orders[i].id();
      int h = id.hashCode();
      int slot = (h ^ (h >>> 16)) * 0x9E3779B9 & m;
      while (true) {
        int t = table[slot];
        if (t < 0) {
          table[slot] = i;
          break;
        }
        if (orders[t].id().equals(id)) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT,
                  "duplicate %s order id '%s' at indices %d and %d: ids must be unique per side",
                  side,
                  id,
                  t,
                  i));
        }
        slot = (slot + 1) & m;
      }
    }
  }
}

package org.gridtrade.auction.internal;

import java.util.Locale;
import org.gridtrade.auction.Order;

/**
 * Primitive-array helpers for one-shot clearing: a merit-order sort of prices with a submission
 * order tie-break, and a duplicate-id check, both without per-order allocation.
 *
 * <p>Sorting: the top 32 bits of each price's IEEE-754 representation (order-preserving for
 * non-negative doubles; complemented for a descending sort) are sorted by a stable three-pass LSD
 * radix sort (11-bit digits) that carries the order's index, so equal keys keep submission order. A
 * linear fix-up pass then re-sorts, stably and by exact price, every run of equal truncated keys
 * that is not already in exact order. The result is exactly (price, then submission index) in
 * {@code O(n)} plus the cost of the rare unsorted runs.
 */
public final class MeritOrder {
  private static final int INSERTION_LIMIT = 24;
  private static final int RADIX_BITS = 11;
  private static final int BUCKETS = 1 << RADIX_BITS;
  private static final int PASSES = 3;

  private MeritOrder() {}

  /**
   * Copies prices, quantities and ids out of the orders, checking for null elements.
   *
   * @param orders the orders, possibly with null elements
   * @param side "buy" or "sell", for messages
   * @param prices receives the prices (with {@code -0.0} normalised to {@code 0.0})
   * @param quantities receives the quantities
   * @param ids receives the ids
   */
  public static void extract(
      Order[] orders, String side, double[] prices, double[] quantities, String[] ids) {
    int n = orders.length;
    for (int i = 0; i < n; i++) {
      Order o = orders[i];
      if (o == null) {
        throw new NullPointerException(side + " order at index " + i + " is null");
      }
      prices[i] = o.price() + 0.0;
      quantities[i] = o.quantity();
      ids[i] = o.id();
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
    int[] idx = new int[n];
    if (n == 0) {
      return idx;
    }
    int[] key = new int[n];
    int[][] count = new int[PASSES][BUCKETS + 1];
    for (int i = 0; i < n; i++) {
      int k = (int) (Double.doubleToRawLongBits(prices[i]) >>> 31);
      if (descending) {
        k = ~k;
      }
      key[i] = k;
      idx[i] = i;
      for (int p = 0; p < PASSES; p++) {
        count[p][((k >>> (p * RADIX_BITS)) & (BUCKETS - 1)) + 1]++;
      }
    }
    int[] key2 = new int[n];
    int[] idx2 = new int[n];
    for (int p = 0; p < PASSES; p++) {
      int[] c = count[p];
      if (c[((key[0] >>> (p * RADIX_BITS)) & (BUCKETS - 1)) + 1] == n) {
        continue; // every key has the same digit: nothing to do in this pass
      }
      for (int b = 0; b < BUCKETS; b++) {
        c[b + 1] += c[b];
      }
      int shift = p * RADIX_BITS;
      for (int i = 0; i < n; i++) {
        int k = key[i];
        int dst = c[(k >>> shift) & (BUCKETS - 1)]++;
        key2[dst] = k;
        idx2[dst] = idx[i];
      }
      int[] t = key;
      key = key2;
      key2 = t;
      t = idx;
      idx = idx2;
      idx2 = t;
    }
    // Fix up runs of equal truncated keys: exact price order, stable (indices are ascending).
    int start = 0;
    for (int i = 1; i <= n; i++) {
      if (i == n || key[i] != key[start]) {
        if (i - start > 1) {
          fixRun(idx, start, i, prices, descending);
        }
        start = i;
      }
    }
    return idx;
  }

  private static void fixRun(int[] a, int from, int to, double[] p, boolean desc) {
    boolean sorted = true;
    for (int i = from + 1; i < to && sorted; i++) {
      sorted = !before(a[i], a[i - 1], p, desc);
    }
    if (sorted) {
      return;
    }
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
   * Checks that no two ids are equal, with an open-addressing table of (hash, index) pairs (no
   * per-order allocation; strings are compared only when their hashes are equal).
   *
   * @param ids the ids, not null
   * @param side "buy" or "sell", for the message
   * @throws IllegalArgumentException naming the first repeated id
   */
  public static void requireUniqueIds(String[] ids, String side) {
    int n = ids.length;
    if (n < 2) {
      return;
    }
    int cap = Integer.highestOneBit(n * 2 - 1) << 1;
    int m = cap - 1;
    long[] table = new long[cap];
    for (int i = 0; i < n; i++) {
      int h = ids[i].hashCode();
      long entry = ((long) h << 32) | (i + 1L);
      int slot = ((h ^ (h >>> 16)) * 0x9E3779B9) & m;
      while (true) {
        long t = table[slot];
        if (t == 0) {
          table[slot] = entry;
          break;
        }
        if ((int) (t >>> 32) == h) {
          int other = (int) t - 1;
          if (ids[other].equals(ids[i])) {
            throw new IllegalArgumentException(
                String.format(
                    Locale.ROOT,
                    "duplicate %s order id '%s' at indices %d and %d: ids must be unique per side",
                    side,
                    ids[i],
                    other,
                    i));
          }
        }
        slot = (slot + 1) & m;
      }
    }
  }
}

package org.gridtrade.auction.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.RandomAccess;
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

  /** How many scratch arrays {@link #sort(double[], boolean, int[][])} and the id check need. */
  public static final int SCRATCH = 4;

  private MeritOrder() {}

  /**
   * Copies prices, quantities and ids out of the orders, checking for null elements.
   *
   * @param orders the orders, possibly with null elements (copied first unless random access)
   * @param side "buy" or "sell", for messages
   * @param prices receives the prices (with {@code -0.0} normalised to {@code 0.0})
   * @param quantities receives the quantities
   * @param ids receives the ids
   */
  public static void extract(
      List<Order> orders, String side, double[] prices, double[] quantities, String[] ids) {
    List<Order> list =
        orders instanceof RandomAccess ? orders : Arrays.asList(orders.toArray(new Order[0]));
    int n = list.size();
    for (int i = 0; i < n; i++) {
      Order o = list.get(i);
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
    return sort(prices, descending, new int[SCRATCH][prices.length]);
  }

  /**
   * As {@link #sort(double[], boolean)}, with caller-provided scratch space so that several sorts
   * can share it.
   *
   * @param prices the prices, indexed by submission order
   * @param descending whether higher prices come first
   * @param scratch {@value #SCRATCH} arrays of length at least {@code prices.length}, overwritten
   * @return a permutation of {@code 0..n-1} (a new array)
   */
  public static int[] sort(double[] prices, boolean descending, int[][] scratch) {
    int n = prices.length;
    int[] idx = new int[n];
    if (n == 0) {
      return idx;
    }
    int[] key = scratch[0];
    for (int i = 0; i < n; i++) {
      int k = (int) (Double.doubleToRawLongBits(prices[i]) >>> 31);
      key[i] = descending ? ~k : k;
      idx[i] = i;
    }
    radixSort(key, idx, n, scratch[1], scratch[2]);
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

  /** Stable LSD radix sort of {@code (key, idx)} pairs by unsigned key; result in key, idx. */
  private static void radixSort(int[] key, int[] idx, int n, int[] key2, int[] idx2) {
    int[][] count = new int[PASSES][BUCKETS + 1];
    for (int i = 0; i < n; i++) {
      int k = key[i];
      for (int p = 0; p < PASSES; p++) {
        count[p][((k >>> (p * RADIX_BITS)) & (BUCKETS - 1)) + 1]++;
      }
    }
    int[] k1 = key;
    int[] i1 = idx;
    int[] k2 = key2;
    int[] i2 = idx2;
    for (int p = 0; p < PASSES; p++) {
      int[] c = count[p];
      int shift = p * RADIX_BITS;
      if (c[((k1[0] >>> shift) & (BUCKETS - 1)) + 1] == n) {
        continue; // every key has the same digit: nothing to do in this pass
      }
      for (int b = 0; b < BUCKETS; b++) {
        c[b + 1] += c[b];
      }
      for (int i = 0; i < n; i++) {
        int k = k1[i];
        int dst = c[(k >>> shift) & (BUCKETS - 1)]++;
        k2[dst] = k;
        i2[dst] = i1[i];
      }
      int[] t = k1;
      k1 = k2;
      k2 = t;
      t = i1;
      i1 = i2;
      i2 = t;
    }
    if (k1 != key) {
      System.arraycopy(k1, 0, key, 0, n);
      System.arraycopy(i1, 0, idx, 0, n);
    }
  }

  /**
   * Checks that no two ids are equal: sorts the ids' hash codes (radix sort, no per-id allocation)
   * and compares the strings only within groups of equal hash codes.
   *
   * @param ids the ids, not null
   * @param side "buy" or "sell", for the message
   * @param scratch {@value #SCRATCH} arrays of length at least {@code ids.length}, overwritten
   * @throws IllegalArgumentException naming a repeated id and the two indices
   */
  public static void requireUniqueIds(String[] ids, String side, int[][] scratch) {
    int n = ids.length;
    if (n < 2) {
      return;
    }
    int[] key = scratch[0];
    int[] idx = scratch[3];
    for (int i = 0; i < n; i++) {
      key[i] = ids[i].hashCode();
      idx[i] = i;
    }
    radixSort(key, idx, n, scratch[1], scratch[2]);
    int start = 0;
    for (int i = 1; i <= n; i++) {
      if (i == n || key[i] != key[start]) {
        if (i - start > 1) {
          checkGroup(ids, idx, start, i, side);
        }
        start = i;
      }
    }
  }

  /**
   * As {@link #requireUniqueIds(String[], String, int[][])} with its own scratch space.
   *
   * @param ids the ids, not null
   * @param side "buy" or "sell", for the message
   * @throws IllegalArgumentException naming a repeated id and the two indices
   */
  public static void requireUniqueIds(String[] ids, String side) {
    requireUniqueIds(ids, side, new int[SCRATCH][ids.length]);
  }

  private static void checkGroup(String[] ids, int[] idx, int from, int to, String side) {
    if (to - from <= 16) {
      for (int x = from; x < to; x++) {
        for (int y = x + 1; y < to; y++) {
          if (ids[idx[x]].equals(ids[idx[y]])) {
            throw duplicate(side, ids[idx[x]], idx[x], idx[y]);
          }
        }
      }
      return;
    }
    // many equal hash codes (possibly crafted): a hash map keeps this linear
    Map<String, Integer> seen = new HashMap<>();
    for (int x = from; x < to; x++) {
      Integer prev = seen.putIfAbsent(ids[idx[x]], idx[x]);
      if (prev != null) {
        throw duplicate(side, ids[idx[x]], prev, idx[x]);
      }
    }
  }

  private static IllegalArgumentException duplicate(String side, String id, int a, int b) {
    return new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "duplicate %s order id '%s' at indices %d and %d: ids must be unique per side",
            side,
            id,
            Math.min(a, b),
            Math.max(a, b)));
  }
}

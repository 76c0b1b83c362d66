package org.gridtrade.market.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.spi.ModuleContext;

/**
 * A value of any length kept in pages, so that it is not bound by one state value's {@value
 * ModuleContext#MAX_VALUE_BYTES} bytes and a change rewrites only the pages it touches. The base
 * key holds the length (4 bytes); page {@code p} lives under the base key's bytes followed by
 * {@code p} (4 bytes), {@value #PAGE} bytes each, the last one shorter.
 *
 * <p>{@link #open} gives a view that reads pages when first touched and {@link #flush writes back}
 * only those it changed, in page order.
 */
public final class PagedValue {
  /** Bytes per page. */
  public static final int PAGE = 4_096;

  /** The longest value: 16 MiB. */
  public static final int MAX_LENGTH = 16 << 20;

  private final Function<StateKey, Optional<byte[]>> reader;
  private final StateKey base;
  private boolean exists;
  private int storedLength;
  private int length;
  private int loadable;
  private final TreeMap<Integer, byte[]> pages = new TreeMap<>();
  private final TreeSet<Integer> dirty = new TreeSet<>();

  private PagedValue(
      Function<StateKey, Optional<byte[]>> reader,
      StateKey base,
      boolean exists,
      int storedLength) {
    this.reader = reader;
    this.exists = exists;
    this.base = base;
    this.storedLength = storedLength;
    this.length = storedLength;
    this.loadable = storedLength;
  }

  /**
   * A view of the value under a base key.
   *
   * @param reader reads a key ({@code ctx::get} or a ledger state's {@code get})
   * @param base the base key
   * @return the view, or empty if no value is stored there
   */
  public static Optional<PagedValue> open(
      Function<StateKey, Optional<byte[]>> reader, StateKey base) {
    return reader
        .apply(base)
        .map(v -> new PagedValue(reader, base, true, ByteBuffer.wrap(v).getInt()));
  }

  /**
   * A view of the value under a base key, empty (length 0) if none is stored.
   *
   * @param reader reads a key
   * @param base the base key
   * @return the view
   */
  public static PagedValue openOrEmpty(Function<StateKey, Optional<byte[]>> reader, StateKey base) {
    return open(reader, base).orElseGet(() -> new PagedValue(reader, base, false, 0));
  }

  /**
   * The whole value under a base key.
   *
   * @param reader reads a key
   * @param base the base key
   * @return a copy of the value, or empty
   */
  public static Optional<byte[]> read(Function<StateKey, Optional<byte[]>> reader, StateKey base) {
    return open(reader, base).map(v -> v.bytes(0, v.length()));
  }

  /**
   * Replaces the value under a base key.
   *
   * @param ctx the module's context
   * @param base the base key
   * @param value the new value, at most {@value #MAX_LENGTH} bytes
   */
  public static void write(ModuleContext ctx, StateKey base, byte[] value) {
    PagedValue v = openOrEmpty(ctx::get, base);
    v.truncate(0);
    v.append(value);
    v.flush(ctx);
  }

  /**
   * Removes the value under a base key and all its pages; nothing happens if there is none.
   *
   * @param ctx the module's context
   * @param base the base key
   */
  public static void delete(ModuleContext ctx, StateKey base) {
    Optional<PagedValue> v = open(ctx::get, base);
    if (v.isPresent()) {
      for (int p = 0; p < pageCount(v.get().storedLength); p++) {
        ctx.delete(pageKey(base, p));
      }
      ctx.delete(base);
    }
  }

  /**
   * The value's length.
   *
   * @return bytes
   */
  public int length() {
    return length;
  }

  /**
   * One byte.
   *
   * @param at 0 to {@code length() - 1}
   * @return the byte
   */
  public byte get(int at) {
    check(at, 1);
    return page(at / PAGE)[at % PAGE];
  }

  /**
   * A big-endian long.
   *
   * @param at its first byte
   * @return the long
   */
  public long getLong(int at) {
    return ByteBuffer.wrap(bytes(at, 8)).getLong();
  }

  /**
   * A run of bytes.
   *
   * @param at the first
   * @param n how many
   * @return a copy
   */
  public byte[] bytes(int at, int n) {
    check(at, n);
    byte[] out = new byte[n];
    int done = 0;
    while (done < n) {
      int p = (at + done) / PAGE;
      int off = (at + done) % PAGE;
      int k = Math.min(n - done, PAGE - off);
      System.arraycopy(page(p), off, out, done, k);
      done += k;
    }
    return out;
  }

  /**
   * Overwrites one byte.
   *
   * @param at 0 to {@code length() - 1}
   * @param b the byte
   */
  public void put(int at, byte b) {
    put(at, new byte[] {b});
  }

  /**
   * Overwrites a big-endian long.
   *
   * @param at its first byte
   * @param v the long
   */
  public void putLong(int at, long v) {
    put(at, ByteBuffer.allocate(8).putLong(v).array());
  }

  /**
   * Overwrites a run of bytes inside the value.
   *
   * @param at the first
   * @param b the bytes
   */
  public void put(int at, byte[] b) {
    check(at, b.length);
    write(at, b);
  }

  /**
   * Adds bytes at the end.
   *
   * @param b the bytes
   * @throws IllegalArgumentException if the value would exceed {@value #MAX_LENGTH} bytes
   */
  public void append(byte[] b) {
    if ((long) length + b.length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "a value of %d bytes cannot grow by %d beyond %d"
              .formatted(length, b.length, MAX_LENGTH));
    }
    int at = length;
    length += b.length;
    write(at, b);
  }

  /**
   * Stores every changed page and the length, and removes pages beyond a shorter length.
   *
   * @param ctx the module's context
   */
  public void flush(ModuleContext ctx) {
    int count = pageCount(length);
    for (int p : dirty) {
      if (p < count) {
        ctx.put(pageKey(base, p), Arrays.copyOf(pages.get(p), pageBytes(p)));
      }
    }
    for (int p = count; p < pageCount(storedLength); p++) {
      ctx.delete(pageKey(base, p));
    }
    if (length != storedLength || !exists) {
      ctx.put(base, ByteBuffer.allocate(4).putInt(length).array());
    }
    dirty.clear();
    exists = true;
    storedLength = length;
  }

  /**
   * Shortens the value (a later {@link #append} fills it again).
   *
   * @param n the new length, if shorter
   */
  public void truncate(int n) {
    length = Math.min(length, n);
    loadable = Math.min(loadable, n);
  }

  private void write(int at, byte[] b) {
    int done = 0;
    while (done < b.length) {
      int p = (at + done) / PAGE;
      int off = (at + done) % PAGE;
      int k = Math.min(b.length - done, PAGE - off);
      System.arraycopy(b, done, page(p), off, k);
      dirty.add(p);
      done += k;
    }
  }

  /**
   * Page p as a full-size buffer: what is stored of it, if any of it is still part of the value,
   * else zeros. Bytes from {@code loadable} on are always written (by an append) before they are
   * read.
   */
  private byte[] page(int p) {
    byte[] got = pages.get(p);
    if (got == null) {
      got = new byte[PAGE];
      if ((long) p * PAGE < loadable) {
        byte[] stored =
            reader
                .apply(pageKey(base, p))
                .orElseThrow(
                    () -> new IllegalStateException("page %d of %s is missing".formatted(p, base)));
        System.arraycopy(stored, 0, got, 0, Math.min(stored.length, PAGE));
      }
      pages.put(p, got);
    }
    return got;
  }

  private int pageBytes(int p) {
    return Math.min(PAGE, length - p * PAGE);
  }

  private void check(int at, int n) {
    if (at < 0 || n < 0 || (long) at + n > length) {
      throw new IndexOutOfBoundsException(
          "bytes %d to %d of a value of %d".formatted(at, (long) at + n, length));
    }
  }

  private static int pageCount(int length) {
    return (length + PAGE - 1) / PAGE;
  }

  private static StateKey pageKey(StateKey base, int p) {
    byte[] b = base.bytes();
    return StateKey.decode(ByteBuffer.allocate(b.length + 4).put(b).putInt(p).array());
  }
}

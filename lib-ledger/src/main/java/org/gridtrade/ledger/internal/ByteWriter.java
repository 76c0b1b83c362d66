package org.gridtrade.ledger.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Growable big-endian byte sink for the canonical encoding. Not thread-safe. */
public final class ByteWriter {
  private byte[] buf;
  private int len;

  /**
   * Creates a writer.
   *
   * @param capacity initial capacity in bytes
   */
  public ByteWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }

  /**
   * Writes one byte.
   *
   * @param v the low 8 bits are written
   * @return this writer
   */
  public ByteWriter u8(int v) {
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  /**
   * Writes a 16-bit big-endian value.
   *
   * @param v the low 16 bits are written
   * @return this writer
   */
  public ByteWriter u16(int v) {
    ensure(2);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  /**
   * Writes a 32-bit big-endian value.
   *
   * @param v the value
   * @return this writer
   */
  public ByteWriter i32(int v) {
    ensure(4);
    for (int s = 24; s >= 0; s -= 8) {
      buf[len++] = (byte) (v >>> s);
    }
    return this;
  }

  /**
   * Writes a 64-bit big-endian value.
   *
   * @param v the value
   * @return this writer
   */
  public ByteWriter i64(long v) {
    ensure(8);
    for (int s = 56; s >= 0; s -= 8) {
      buf[len++] = (byte) (v >>> s);
    }
    return this;
  }

  /**
   * Writes bytes as they are (fixed-length fields).
   *
   * @param b the bytes
   * @return this writer
   */
  public ByteWriter raw(byte[] b) {
    return raw(b, 0, b.length);
  }

  /**
   * Writes part of an array as it is.
   *
   * @param b the array
   * @param off start offset
   * @param n number of bytes
   * @return this writer
   */
  public ByteWriter raw(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return this;
  }

  /**
   * Writes a UTF-8 string with a 16-bit length prefix.
   *
   * @param s the string; its UTF-8 form must be at most 65,535 bytes
   * @return this writer
   */
  public ByteWriter string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xffff) {
      throw new IllegalArgumentException("string of %d UTF-8 bytes > 65535".formatted(b.length));
    }
    u16(b.length);
    return raw(b);
  }

  /**
   * Writes bytes with a 32-bit length prefix.
   *
   * @param b the bytes
   * @return this writer
   */
  public ByteWriter bytes32(byte[] b) {
    i32(b.length);
    return raw(b);
  }

  /**
   * Number of bytes written.
   *
   * @return the length so far
   */
  public int length() {
    return len;
  }

  /**
   * The bytes written, as a fresh array.
   *
   * @return a copy of the content
   */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }
}

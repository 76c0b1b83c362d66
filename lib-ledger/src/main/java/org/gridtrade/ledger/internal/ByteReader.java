package org.gridtrade.ledger.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.gridtrade.ledger.DecodeException;

/**
 * Bounds-checked big-endian reader for the canonical encoding. Every read checks the remaining
 * length before it allocates, so hostile bytes cause a {@link DecodeException}, never an
 * out-of-memory error or an index exception. Not thread-safe.
 */
public final class ByteReader {
  private final byte[] buf;
  private int pos;
  private final int end;

  /**
   * Reads {@code buf} from start to end (the array is not copied; do not change it meanwhile).
   *
   * @param buf the encoded bytes
   */
  public ByteReader(byte[] buf) {
    this(buf, 0, buf.length);
  }

  /**
   * Reads {@code buf[off .. off+len)}.
   *
   * @param buf the array
   * @param off the first byte
   * @param len the number of bytes
   */
  public ByteReader(byte[] buf, int off, int len) {
    this.buf = buf;
    this.pos = off;
    this.end = off + len;
  }

  /**
   * Bytes not yet read.
   *
   * @return the remaining length
   */
  public int remaining() {
    return end - pos;
  }

  /**
   * The current offset in the underlying array.
   *
   * @return the position
   */
  public int position() {
    return pos;
  }

  /**
   * The underlying array (not a copy).
   *
   * @return the array being read
   */
  public byte[] array() {
    return buf;
  }

  private void need(int n, String field) throws DecodeException {
    if (n < 0 || end - pos < n) {
      throw new DecodeException(
          "%s: needs %d bytes at offset %d, only %d remain".formatted(field, n, pos, end - pos));
    }
  }

  /**
   * Reads an unsigned byte.
   *
   * @param field the field name for error messages
   * @return 0..255
   * @throws DecodeException if no byte remains
   */
  public int u8(String field) throws DecodeException {
    need(1, field);
    return buf[pos++] & 0xff;
  }

  /**
   * Reads an unsigned 16-bit value.
   *
   * @param field the field name for error messages
   * @return 0..65535
   * @throws DecodeException if fewer than 2 bytes remain
   */
  public int u16(String field) throws DecodeException {
    need(2, field);
    int v = (buf[pos] & 0xff) << 8 | buf[pos + 1] & 0xff;
    pos += 2;
    return v;
  }

  /**
   * Reads a 32-bit big-endian value.
   *
   * @param field the field name for error messages
   * @return the value
   * @throws DecodeException if fewer than 4 bytes remain
   */
  public int i32(String field) throws DecodeException {
    need(4, field);
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = v << 8 | buf[pos++] & 0xff;
    }
    return v;
  }

  /**
   * Reads a 64-bit big-endian value.
   *
   * @param field the field name for error messages
   * @return the value
   * @throws DecodeException if fewer than 8 bytes remain
   */
  public long i64(String field) throws DecodeException {
    need(8, field);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | buf[pos++] & 0xff;
    }
    return v;
  }

  /**
   * Reads a fixed number of bytes.
   *
   * @param n how many
   * @param field the field name for error messages
   * @return a fresh array
   * @throws DecodeException if fewer than {@code n} bytes remain
   */
  public byte[] raw(int n, String field) throws DecodeException {
    need(n, field);
    byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return b;
  }

  /**
   * Skips bytes.
   *
   * @param n how many
   * @param field the field name for error messages
   * @throws DecodeException if fewer than {@code n} bytes remain
   */
  public void skip(int n, String field) throws DecodeException {
    need(n, field);
    pos += n;
  }

  /**
   * Reads a UTF-8 string with a 16-bit length prefix, rejecting malformed UTF-8.
   *
   * @param maxBytes the largest accepted encoded length
   * @param field the field name for error messages
   * @return the string
   * @throws DecodeException if the length exceeds {@code maxBytes}, bytes are missing, or the bytes
   *     are not valid UTF-8
   */
  public String string(int maxBytes, String field) throws DecodeException {
    int n = u16(field + ".length");
    if (n > maxBytes) {
      throw new DecodeException("%s: length %d > %d bytes".formatted(field, n, maxBytes));
    }
    need(n, field);
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(buf, pos, n))
              .toString();
      pos += n;
      return s;
    } catch (CharacterCodingException e) {
      throw new DecodeException("%s: not valid UTF-8".formatted(field));
    }
  }

  /**
   * Checks that every byte was consumed.
   *
   * @param what the object being decoded, for the message
   * @throws DecodeException if bytes remain
   */
  public void expectEnd(String what) throws DecodeException {
    if (pos != end) {
      throw new DecodeException("%s: %d trailing bytes".formatted(what, end - pos));
    }
  }
}

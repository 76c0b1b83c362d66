package org.gridtrade.ledger.internal.state;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/** MVStore keys that are byte arrays, ordered lexicographically as unsigned bytes. */
public final class UnsignedBytesType extends BasicDataType<byte[]> {
  /** The one instance. */
  public static final UnsignedBytesType INSTANCE = new UnsignedBytesType();

  private UnsignedBytesType() {}

  @Override
  public int getMemory(byte[] b) {
    return 24 + b.length;
  }

  @Override
  public void write(WriteBuffer buff, byte[] b) {
    buff.putVarInt(b.length).put(b);
  }

  @Override
  public byte[] read(ByteBuffer buff) {
    int n = DataUtils.readVarInt(buff);
    if (n < 0 || n > buff.remaining()) {
      throw new IllegalStateException("key length %d exceeds the page".formatted(n));
    }
    byte[] b = new byte[n];
    buff.get(b);
    return b;
  }

  @Override
  public byte[][] createStorage(int size) {
    return new byte[size][];
  }

  @Override
  public int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnsignedBytesType;
  }

  @Override
  public int hashCode() {
    return UnsignedBytesType.class.hashCode();
  }
}

package org.gridtrade.market.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.gridtrade.ledger.Account;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.ModuleContext;
import org.junit.jupiter.api.Test;

/**
 * {@link PagedValue} against a plain byte array: random appends, overwrites, truncations and
 * flushes; after each flush a fresh view of the stored keys reads the array back, exactly the
 * value's pages and its length key are stored, and each stored page is within one value's limit.
 */
class PagedValueTest {
  private static final StateKey BASE = StateKey.of(38, new byte[] {'x', 0, 0, 0, 0, 0, 0, 0, 7});

  @Test
  void randomEdits_readBackAsThePlainArray_andStoreOnlyTheirPages() {
    qt().withFixedSeed(20261207L).withExamples(60).forAll(longs().all()).checkAssert(this::check);
  }

  private void check(long seed) {
    Random rnd = new Random(seed);
    Store store = new Store();
    byte[] model = new byte[0];
    PagedValue v = PagedValue.openOrEmpty(store::get, BASE);
    for (int step = 0; step < 40; step++) {
      int op = rnd.nextInt(6);
      if (op == 0 || model.length == 0) {
        byte[] b = new byte[rnd.nextInt(rnd.nextBoolean() ? 20 : 12_000)];
        rnd.nextBytes(b);
        v.append(b);
        int at = model.length;
        model = Arrays.copyOf(model, at + b.length);
        System.arraycopy(b, 0, model, at, b.length);
      } else if (op == 1) {
        int at = rnd.nextInt(model.length);
        byte[] b = new byte[rnd.nextInt(model.length - at + 1)];
        rnd.nextBytes(b);
        v.put(at, b);
        System.arraycopy(b, 0, model, at, b.length);
      } else if (op == 2 && model.length >= 8) {
        int at = rnd.nextInt(model.length - 7);
        long x = rnd.nextLong();
        v.putLong(at, x);
        ByteBuffer.wrap(model).putLong(at, x);
      } else if (op == 3) {
        int n = rnd.nextInt(model.length + 1);
        v.truncate(n);
        model = Arrays.copyOf(model, n);
      } else if (op == 4) {
        v.flush(store);
        assertStored(store, model);
        v = PagedValue.open(store::get, BASE).orElseThrow();
      }
      // reads through the view, before or after a flush, agree with the array
      assertThat(v.length()).isEqualTo(model.length);
      if (model.length > 0) {
        int at = rnd.nextInt(model.length);
        int n = rnd.nextInt(model.length - at + 1);
        assertThat(v.bytes(at, n)).isEqualTo(Arrays.copyOfRange(model, at, at + n));
        assertThat(v.get(at)).isEqualTo(model[at]);
        if (at + 8 <= model.length) {
          assertThat(v.getLong(at)).isEqualTo(ByteBuffer.wrap(model).getLong(at));
        }
      }
    }
    v.flush(store);
    assertStored(store, model);
    PagedValue.delete(store, BASE);
    assertThat(store.map).isEmpty();
  }

  private static void assertStored(Store store, byte[] model) {
    assertThat(PagedValue.read(store::get, BASE)).hasValue(model);
    int pages = (model.length + PagedValue.PAGE - 1) / PagedValue.PAGE;
    assertThat(store.map).hasSize(1 + pages);
    for (byte[] value : store.map.values()) {
      assertThat(value.length).isLessThanOrEqualTo(ModuleContext.MAX_VALUE_BYTES);
    }
  }

  @Test
  void readsOutsideTheValue_andGrowthPastTheLimit_areRefused() {
    Store store = new Store();
    PagedValue v = PagedValue.openOrEmpty(store::get, BASE);
    v.append(new byte[10]);
    assertThatThrownBy(() -> v.bytes(5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> v.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> v.put(8, new byte[3])).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> v.append(new byte[PagedValue.MAX_LENGTH]))
        .hasMessageContaining("cannot grow");
    assertThat(v.length()).isEqualTo(10);
    assertThat(PagedValue.open(store::get, BASE)).isEmpty();
  }

  /** A module context that is only a key-value store, in key order. */
  private static final class Store implements ModuleContext {
    final TreeMap<String, byte[]> map = new TreeMap<>();

    private static String k(StateKey key) {
      return java.util.HexFormat.of().formatHex(key.bytes());
    }

    @Override
    public Optional<byte[]> get(StateKey key) {
      return Optional.ofNullable(map.get(k(key))).map(byte[]::clone);
    }

    @Override
    public Optional<byte[]> committed(StateKey key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void put(StateKey key, byte[] value) {
      assertThat(value.length).isLessThanOrEqualTo(MAX_VALUE_BYTES);
      map.put(k(key), value.clone());
    }

    @Override
    public void delete(StateKey key) {
      map.remove(k(key));
    }

    @Override
    public long height() {
      return 1;
    }

    @Override
    public long blockTime() {
      return 0;
    }

    @Override
    public Address proposer() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int chainId() {
      return 1;
    }

    @Override
    public Set<Address> authorities() {
      return Set.of();
    }

    @Override
    public Account account(Address address) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<TxResult.Rejected> transfer(Address from, Address to, long amount) {
      throw new UnsupportedOperationException();
    }
  }
}

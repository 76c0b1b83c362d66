package org.gridtrade.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@link BlockStore} contract, run against each implementation by a subclass. */
abstract class BlockStoreContract {
  private final List<BlockStore> opened = new ArrayList<>();

  /** Opens a new, empty store; the contract closes it after the test. */
  abstract BlockStore newStore();

  BlockStore store() {
    BlockStore store = newStore();
    opened.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    opened.forEach(BlockStore::close);
  }

  /** A block whose encoding is random (length 0..maxLength) and whose hash is its SHA-256. */
  static StoredBlock block(long height, Random random, int maxLength) {
    byte[] encoded = new byte[random.nextInt(maxLength + 1)];
    random.nextBytes(encoded);
    return new StoredBlock(height, Hash.sha256(encoded), encoded);
  }

  static List<StoredBlock> blocks(int count, long seed, int maxLength) {
    Random random = new Random(seed);
    List<StoredBlock> blocks = new ArrayList<>();
    for (int h = 0; h < count; h++) {
      blocks.add(block(h, random, maxLength));
    }
    return blocks;
  }

  static void appendAll(BlockStore store, List<StoredBlock> blocks) {
    blocks.forEach(store::append);
  }

  static void assertHolds(BlockStore store, List<StoredBlock> blocks) {
    assertEquals(blocks.size(), store.size());
    for (StoredBlock b : blocks) {
      StoredBlock read = store.read(b.height()).orElseThrow();
      assertEquals(b, read);
      assertArrayEquals(b.encoded(), read.encoded());
    }
    assertEquals(Optional.empty(), store.read(blocks.size()));
  }

  @Test
  void newStore_isEmpty() {
    BlockStore store = store();

    assertEquals(0, store.size());
    assertEquals(Optional.empty(), store.read(0));
  }

  @Test
  void append_thenRead_returnsExactlyTheBytes() {
    BlockStore store = store();
    List<StoredBlock> blocks = new ArrayList<>(blocks(40, 1, 5_000));
    blocks.add(new StoredBlock(40, Hash.ZERO, new byte[0]));
    blocks.add(block(41, new Random(2), 300_000));

    appendAll(store, blocks);

    assertHolds(store, blocks);
    assertTrue(store.sizeInBytes() > 0);
  }

  @Test
  void append_wrongHeight_rejectedAndNothingChanged() {
    BlockStore store = store();
    List<StoredBlock> blocks = blocks(3, 3, 1_000);
    appendAll(store, blocks);
    long bytes = store.sizeInBytes();

    for (long wrong : new long[] {0, 2, 4, 5, Long.MAX_VALUE}) {
      StoredBlock bad = block(wrong, new Random(wrong), 100);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> store.append(bad));
      assertEquals(
          "block height %d != store size 3: blocks are appended at the end only".formatted(wrong),
          e.getMessage());
    }

    assertHolds(store, blocks);
    assertEquals(bytes, store.sizeInBytes());
    StoredBlock next = block(3, new Random(33), 100);
    store.append(next);
    assertEquals(next, store.read(3).orElseThrow());
  }

  @Test
  void append_emptyStoreWrongHeight_rejected() {
    BlockStore store = store();

    assertThrows(IllegalArgumentException.class, () -> store.append(block(1, new Random(), 10)));
    assertThrows(NullPointerException.class, () -> store.append(null));
    assertEquals(0, store.size());
  }

  @Test
  void read_beyondSize_emptyAndNegative_rejected() {
    BlockStore store = store();
    appendAll(store, blocks(2, 4, 100));

    assertEquals(Optional.empty(), store.read(2));
    assertEquals(Optional.empty(), store.read(1_000));
    assertEquals(Optional.empty(), store.read(Long.MAX_VALUE));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.read(-1));
    assertEquals("height -1 < 0", e.getMessage());
  }

  @Test
  void concurrentReaders_oneAppender_seeOnlyCompleteRecordsInOrder() throws Exception {
    BlockStore store = store();
    List<StoredBlock> blocks = blocks(300, 5, 4_000);
    int readers = 3;
    ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
    AtomicBoolean done = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    try {
      List<Future<Integer>> reads = new ArrayList<>();
      for (int t = 0; t < readers; t++) {
        long seed = t;
        reads.add(
            pool.submit(
                () -> {
                  Random random = new Random(seed);
                  int checked = 0;
                  start.await();
                  while (!done.get() || checked == 0) {
                    long size = store.size();
                    if (size > 0) {
                      long h = random.nextInt((int) size);
                      Optional<StoredBlock> read = store.read(h);
                      if (read.isEmpty() || !read.get().equals(blocks.get((int) h))) {
                        failures.add("height %d below size %d read %s".formatted(h, size, read));
                      }
                      checked++;
                    }
                    // A read beyond the size seen may find a block appended since; never a wrong
                    // one.
                    store
                        .read(size)
                        .filter(b -> !b.equals(blocks.get((int) size)))
                        .ifPresent(b -> failures.add("height %d read %s".formatted(size, b)));
                    if (store.size() < size) {
                      failures.add("size went down from " + size);
                    }
                  }
                  return checked;
                }));
      }
      Future<?> appender =
          pool.submit(
              () -> {
                start.await();
                appendAll(store, blocks);
                done.set(true);
                return null;
              });
      start.countDown();
      appender.get(60, TimeUnit.SECONDS);
      for (Future<Integer> r : reads) {
        assertTrue(r.get(60, TimeUnit.SECONDS) > 0);
      }
    } finally {
      done.set(true);
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    assertEquals(List.of(), List.copyOf(failures));
    assertHolds(store, blocks);
  }

  @Test
  void replaceFrom_replacesTheTop_growingOrShrinking_andAppendsOn() {
    BlockStore store = store();
    List<StoredBlock> blocks = blocks(10, 21, 2_000);
    appendAll(store, blocks);
    Random random = new Random(22);

    // Fewer records than replaced: the store shrinks.
    List<StoredBlock> expected = new ArrayList<>(blocks.subList(0, 4));
    List<StoredBlock> shorter = List.of(block(4, random, 500), block(5, random, 500));
    expected.addAll(shorter);
    store.replaceFrom(4, shorter);
    assertHolds(store, expected);

    // More records than replaced: the store grows.
    List<StoredBlock> longer = new ArrayList<>();
    for (long h = 5; h < 12; h++) {
      longer.add(block(h, random, 3_000));
    }
    expected = new ArrayList<>(expected.subList(0, 5));
    expected.addAll(longer);
    store.replaceFrom(5, longer);
    assertHolds(store, expected);

    // From the size: an append of several records.
    StoredBlock twelve = block(12, random, 100);
    StoredBlock thirteen = block(13, random, 100);
    store.replaceFrom(12, List.of(twelve, thirteen));
    expected.add(twelve);
    expected.add(thirteen);
    assertHolds(store, expected);

    StoredBlock next = block(14, random, 100);
    store.append(next);
    expected.add(next);
    assertHolds(store, expected);
  }

  @Test
  void replaceFrom_badArguments_rejectedAndNothingChanged() {
    BlockStore store = store();
    List<StoredBlock> blocks = blocks(5, 23, 1_000);
    appendAll(store, blocks);
    Random random = new Random(24);
    long bytes = store.sizeInBytes();

    assertEquals(
        "replacement height 0 is not in 1..5 (the genesis block is never replaced, and the"
            + " records must join the store)",
        assertThrows(
                IllegalArgumentException.class,
                () -> store.replaceFrom(0, List.of(block(0, random, 10))))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> store.replaceFrom(6, List.of(block(6, random, 10))));
    assertThrows(
        IllegalArgumentException.class, () -> store.replaceFrom(-1, List.of(block(0, random, 10))));
    assertEquals(
        "replacement record 1 has height 4 != 3: heights must run consecutively from 2",
        assertThrows(
                IllegalArgumentException.class,
                () -> store.replaceFrom(2, List.of(block(2, random, 10), block(4, random, 10))))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> store.replaceFrom(3, List.of(block(2, random, 10), block(3, random, 10))));
    assertThrows(IllegalArgumentException.class, () -> store.replaceFrom(3, List.of()));
    assertThrows(NullPointerException.class, () -> store.replaceFrom(3, null));

    assertHolds(store, blocks);
    assertEquals(bytes, store.sizeInBytes());
  }

  @Test
  void close_thenUse_illegalState() {
    BlockStore store = store();
    appendAll(store, blocks(2, 6, 100));
    StoredBlock next = block(2, new Random(), 10);

    store.close();

    assertThrows(IllegalStateException.class, store::size);
    assertThrows(IllegalStateException.class, () -> store.read(0));
    assertThrows(IllegalStateException.class, () -> store.append(next));
    assertThrows(IllegalStateException.class, () -> store.replaceFrom(1, List.of(next)));
    assertThrows(IllegalStateException.class, store::sizeInBytes);
    assertDoesNotThrow(store::close, "close is idempotent");
  }
}

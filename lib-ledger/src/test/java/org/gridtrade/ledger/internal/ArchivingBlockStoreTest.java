package org.gridtrade.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable store with a window of six recent blocks, so nearly every append moves a block to the
 * archive: the whole block-store contract (concurrent readers included) holds across the move, and
 * the archive survives reopening and the crashes and damage it is built for.
 */
class ArchivingBlockStoreTest extends BlockStoreContract {
  private static final int RECENT = 6;

  @TempDir Path dir;
  private int stores;

  @Override
  BlockStore newStore() {
    return open(dir.resolve("store-" + stores++ + ".mv"));
  }

  private static MvStoreBlockStore open(Path file) {
    return MvStoreBlockStore.open(file, 16, RECENT);
  }

  // The heights the store's metadata says are archived, and those still in its blocks map.
  private static long[] split(Path file) {
    try (MVStore s = new MVStore.Builder().fileName(file.toString()).readOnly().open()) {
      MVMap<String, String> meta =
          s.openMap(
              MvStoreBlockStore.META_MAP,
              new MVMap.Builder<String, String>()
                  .keyType(StringDataType.INSTANCE)
                  .valueType(StringDataType.INSTANCE));
      MVMap<Long, byte[]> blocks =
          s.openMap(
              MvStoreBlockStore.BLOCKS_MAP,
              new MVMap.Builder<Long, byte[]>()
                  .keyType(LongDataType.INSTANCE)
                  .valueType(ByteArrayDataType.INSTANCE));
      String archived = meta.get(MvStoreBlockStore.ARCHIVED_KEY);
      return new long[] {archived == null ? 0 : Long.parseLong(archived), blocks.size() - 1};
    }
  }

  @Test
  void append_movesOldBlocksToTheArchive_readsAndReopensIntact() {
    Path file = dir.resolve("chain.mv");
    List<StoredBlock> blocks = blocks(40, 1, 3_000);
    try (BlockStore store = open(file)) {
      appendAll(store, blocks.subList(0, 25));
      assertHolds(store, blocks.subList(0, 25));
    }
    long[] split = split(file);
    assertEquals(25, split[0] + split[1]);
    assertTrue(split[0] >= 25 - RECENT - 1, () -> split[0] + " archived of 25");
    assertTrue(split[1] >= RECENT, () -> split[1] + " recent");
    assertTrue(Files.exists(BlockArchive.dataFile(file)));
    assertTrue(Files.exists(BlockArchive.indexFile(file)));
    try (BlockStore store = open(file)) {
      assertHolds(store, blocks.subList(0, 25));
      appendAll(store, blocks.subList(25, 40));
    }
    // Opened again with the default window, which archives nothing more until it is exceeded.
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      assertHolds(store, blocks);
    }
  }

  @Test
  void replaceFrom_archivedHeight_refusedNamingTheWindow_andNothingChanged() {
    try (BlockStore store = newStore()) {
      List<StoredBlock> blocks = blocks(12, 2, 500);
      appendAll(store, blocks);
      Random random = new Random(3);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> store.replaceFrom(2, List.of(block(2, random, 10))));
      assertTrue(
          e.getMessage().startsWith("cannot replace from height 2: heights below "),
          e.getMessage());
      assertTrue(e.getMessage().contains("keeps the last 6 blocks replaceable"), e.getMessage());
      assertHolds(store, blocks);

      // The recent ones are replaceable as ever.
      List<StoredBlock> expected = new ArrayList<>(blocks.subList(0, 10));
      StoredBlock ten = block(10, random, 100);
      store.replaceFrom(10, List.of(ten));
      expected.add(ten);
      assertHolds(store, expected);
    }
  }

  // A crash after the archive's sync but before the store's commit leaves records past the count
  // the store committed; they (and a torn index entry) are cut off on opening.
  @Test
  void open_archiveLongerThanCommitted_cutBack() throws IOException {
    Path file = dir.resolve("chain.mv");
    List<StoredBlock> blocks = blocks(20, 4, 1_000);
    try (BlockStore store = open(file)) {
      appendAll(store, blocks);
    }
    long archived = split(file)[0];
    long dataSize = Files.size(BlockArchive.dataFile(file));
    long indexSize = Files.size(BlockArchive.indexFile(file));
    try (FileChannel data =
            FileChannel.open(BlockArchive.dataFile(file), StandardOpenOption.WRITE);
        FileChannel index =
            FileChannel.open(BlockArchive.indexFile(file), StandardOpenOption.WRITE)) {
      // One whole extra record (a copy of the last), then a torn entry pointing past the data.
      byte[] extra = new byte[777];
      new Random(5).nextBytes(extra);
      data.write(ByteBuffer.wrap(extra), dataSize);
      ByteBuffer entries = ByteBuffer.allocate(16);
      entries.putLong(dataSize + extra.length).putLong(dataSize + extra.length + 10_000).flip();
      index.write(entries, indexSize);
      index.write(ByteBuffer.wrap(new byte[3]), indexSize + 16); // a partial entry
    }
    try (BlockStore store = open(file)) {
      assertHolds(store, blocks);
    }
    assertEquals(archived, split(file)[0]);
    assertEquals(dataSize, Files.size(BlockArchive.dataFile(file)));
    assertEquals(indexSize, Files.size(BlockArchive.indexFile(file)));
  }

  @Test
  void open_archiveShorterThanCommitted_refusedNamingTheHeightsLost() throws IOException {
    Path file = dir.resolve("chain.mv");
    try (BlockStore store = open(file)) {
      appendAll(store, blocks(20, 6, 1_000));
    }
    long archived = split(file)[0];
    Path index = BlockArchive.indexFile(file);
    try (FileChannel ch = FileChannel.open(index, StandardOpenOption.WRITE)) {
      ch.truncate((archived - 2) * Long.BYTES);
    }
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> open(file));
    assertTrue(
        e.getMessage()
            .contains(
                "holds %d heights, not the %d the store committed: heights %d..%d are lost"
                    .formatted(archived - 2, archived, archived - 2, archived - 1)),
        e.getMessage());
  }

  @Test
  void open_archiveMissing_refused() throws IOException {
    Path file = dir.resolve("chain.mv");
    try (BlockStore store = open(file)) {
      appendAll(store, blocks(20, 7, 1_000));
    }
    Files.delete(BlockArchive.dataFile(file));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> open(file));
    assertTrue(
        e.getMessage().contains("is not a GridTrade block store: its archive of heights 0.."));
  }

  @Test
  void read_damagedArchivedRecord_uncheckedIoNamingHeight() throws IOException {
    Path file = dir.resolve("chain.mv");
    List<StoredBlock> blocks = blocks(20, 8, 1_000);
    try (BlockStore store = open(file)) {
      appendAll(store, blocks);
    }
    // Flip a byte in the middle of height 1's record.
    Path data = BlockArchive.dataFile(file);
    long offset;
    try (FileChannel index = FileChannel.open(BlockArchive.indexFile(file))) {
      ByteBuffer b = ByteBuffer.allocate(16);
      index.read(b, 0);
      offset = (b.getLong(0) + b.getLong(8)) / 2;
    }
    try (FileChannel ch =
        FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, offset);
      one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
      ch.write(one, offset);
    }
    try (BlockStore store = open(file)) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> store.read(1));
      assertTrue(
          e.getMessage().contains("is corrupt at height 1: record checksum"), e.getMessage());
      assertFalse(store.read(2).isEmpty());
    }
  }
}

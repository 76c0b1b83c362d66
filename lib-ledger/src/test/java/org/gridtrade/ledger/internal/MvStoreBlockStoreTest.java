package org.gridtrade.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvStoreBlockStoreTest extends BlockStoreContract {
  @TempDir Path dir;
  private int stores;

  @Override
  BlockStore newStore() {
    return MvStoreBlockStore.open(dir.resolve("store-" + stores++ + ".mv"));
  }

  @Test
  void reopen_keepsEverythingAndAppendsOn() throws IOException {
    Path file = dir.resolve("a").resolve("b").resolve("chain.mv");
    List<StoredBlock> blocks = blocks(50, 7, 20_000);
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      appendAll(store, blocks.subList(0, 30));
    }
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      assertHolds(store, blocks.subList(0, 30));
      appendAll(store, blocks.subList(30, 50));
    }

    try (BlockStore store = MvStoreBlockStore.open(file)) {
      assertHolds(store, blocks);
      assertTrue(store.sizeInBytes() >= Files.size(file) / 2);
    }
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(
          Set.of(file, MvStoreBlockStore.headFile(file)),
          files.collect(Collectors.toSet()),
          "no temporary files left (but its head record)");
    }
  }

  @Test
  void replaceFrom_survivesReopen_shrinkingAndGrowing() {
    Path file = dir.resolve("chain.mv");
    List<StoredBlock> blocks = blocks(20, 25, 5_000);
    Random random = new Random(26);
    List<StoredBlock> expected = new ArrayList<>(blocks.subList(0, 12));
    expected.add(block(12, random, 4_000));
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      appendAll(store, blocks);
      store.replaceFrom(12, List.of(expected.get(12)));
    }
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      assertHolds(store, expected);
      List<StoredBlock> longer = new ArrayList<>();
      for (long h = 3; h < 30; h++) {
        longer.add(block(h, random, 4_000));
      }
      store.replaceFrom(3, longer);
      expected = new ArrayList<>(expected.subList(0, 3));
      expected.addAll(longer);
    }
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      assertHolds(store, expected);
    }
  }

  @Test
  void replaceFrom_failed_leavesTheFileAsItWas() throws IOException {
    Path file = dir.resolve("chain.mv");
    List<StoredBlock> blocks = blocks(8, 27, 3_000);
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      appendAll(store, blocks);
    }
    byte[] before = Files.readAllBytes(file);
    Random random = new Random(28);
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      // Valid first records, then a gap: the check refuses before anything is written.
      List<StoredBlock> gap =
          List.of(block(5, random, 100), block(6, random, 100), block(8, random, 100));
      assertThrows(IllegalArgumentException.class, () -> store.replaceFrom(5, gap));
      assertThrows(
          IllegalArgumentException.class,
          () -> store.replaceFrom(9, List.of(block(9, random, 100))));
      assertHolds(store, blocks);
    }
    assertArrayEquals(before, Files.readAllBytes(file));
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      assertHolds(store, blocks);
    }
  }

  @Test
  void open_alreadyOpen_failsNamingTheLock() {
    Path file = dir.resolve("chain.mv");
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      UncheckedIOException e =
          assertThrows(UncheckedIOException.class, () -> MvStoreBlockStore.open(file));

      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("block store is locked"), e.getMessage());
      assertEquals(0, store.size(), "the first store still works");
    }
    MvStoreBlockStore.open(file).close();
  }

  @Test
  void open_garbageFile_notABlockStore() throws IOException {
    Path file = dir.resolve("notes.txt");
    byte[] garbage = new byte[20_000];
    new Random(8).nextBytes(garbage);
    Files.write(file, garbage);

    assertNotABlockStore(file, "H2 MVStore cannot open it");
    assertEquals(20_000, Files.size(file), "the file is left alone");
  }

  @Test
  void open_foreignMvStore_notABlockStore() {
    Path file = dir.resolve("other.mv");
    try (MVStore s = MVStore.open(file.toString())) {
      s.openMap("customers").put("alice", "bob");
    }

    assertNotABlockStore(file, "it has no maps gridtrade.meta and gridtrade.blocks");
  }

  @Test
  void open_otherFormatVersion_notABlockStore() {
    Path file = dir.resolve("chain.mv");
    MvStoreBlockStore.open(file).close();
    try (MVStore s = MVStore.open(file.toString())) {
      s.openMap(
              MvStoreBlockStore.META_MAP,
              new MVMap.Builder<String, String>()
                  .keyType(StringDataType.INSTANCE)
                  .valueType(StringDataType.INSTANCE))
          .put(MvStoreBlockStore.FORMAT_KEY, "gridtrade-block-store/9");
    }

    assertNotABlockStore(
        file, "format 'gridtrade-block-store/9' != '" + MvStoreBlockStore.FORMAT + "'");
  }

  @Test
  void open_heightGap_notABlockStore() {
    Path file = dir.resolve("chain.mv");
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      appendAll(store, blocks(4, 9, 100));
    }
    try (MVStore s = MVStore.open(file.toString())) {
      rawBlocks(s).remove(MvStoreBlockStore.key(1));
    }

    assertNotABlockStore(file, "its 3 heights run 0..3, not contiguously from 0 to 2");
  }

  @Test
  void open_missingSentinel_notABlockStore() {
    Path file = dir.resolve("chain.mv");
    MvStoreBlockStore.open(file).close();
    try (MVStore s = MVStore.open(file.toString())) {
      rawBlocks(s).remove(Long.MIN_VALUE);
    }

    assertNotABlockStore(file, "its gridtrade.blocks map has no sentinel entry");
  }

  // Each block is written once (see the layout notes in MvStoreBlockStore); ascending keys wrote
  // each twice and grew the file by 2.5 times the data.
  @Test
  void append_fileGrowsByLessThanTwiceTheData() throws IOException {
    Path file = dir.resolve("chain.mv");
    List<StoredBlock> blocks = new ArrayList<>();
    Random random = new Random(12);
    long data = 0;
    for (int h = 0; h < 400; h++) {
      byte[] encoded = new byte[8_000 + random.nextInt(4_000)];
      random.nextBytes(encoded);
      blocks.add(new StoredBlock(h, Hash.sha256(encoded), encoded));
      data += encoded.length;
    }
    long empty;
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      empty = Files.size(file);
      appendAll(store, blocks);
    }

    double growth = (double) (Files.size(file) - empty) / data;
    assertTrue(growth < 2.0, () -> "file grew by %.2f times the data".formatted(growth));
  }

  // Regression: every commit's chunk kept the leaf of its block live, so no chunk was ever freed;
  // blocks much smaller than MVStore's 4 KB block grew the file by about 15 times their data (now
  // about 2.5), and the chunk table (read on every open) by one entry per block.
  @Test
  void append_smallBlocks_fileAndChunkTableFollowTheDataNotTheCommits() {
    Path file = dir.resolve("chain.mv");
    Random random = new Random(31);
    int count = 3_000;
    long data = 0;
    long empty;
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      empty = store.sizeInBytes();
      for (int h = 0; h < count; h++) {
        byte[] encoded = new byte[100 + random.nextInt(300)];
        random.nextBytes(encoded);
        store.append(new StoredBlock(h, Hash.sha256(encoded), encoded));
        data += encoded.length + Hash.LENGTH;
      }
    }
    long size;
    int chunks;
    MVStore s = new MVStore.Builder().fileName(file.toString()).readOnly().open();
    try {
      Map<String, String> info = new TreeMap<>();
      s.populateInfo(info::put);
      size = Long.parseLong(info.get("info.FILE_SIZE"));
      chunks = Integer.parseInt(info.get("info.CHUNK_COUNT"));
    } finally {
      s.close();
    }
    double growth = (double) (size - empty) / data;
    assertTrue(growth < 4.0, () -> "file grew by %.2f times the data".formatted(growth));
    assertTrue(chunks < count / 10, () -> "%d chunks for %d commits".formatted(chunks, count));
  }

  @Test
  void read_corruptRecord_uncheckedIoNamingHeight() {
    Path file = dir.resolve("chain.mv");
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      appendAll(store, blocks(3, 10, 100));
    }
    try (MVStore s = MVStore.open(file.toString())) {
      rawBlocks(s).put(MvStoreBlockStore.key(1), new byte[] {MvStoreBlockStore.RECORD_V1, 1, 2});
    }

    try (BlockStore store = MvStoreBlockStore.open(file)) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> store.read(1));
      assertTrue(
          e.getMessage().endsWith("is corrupt at height 1: record length 3 < 33"), e.getMessage());
      assertEquals(2, store.read(2).orElseThrow().height());
    }
  }

  @Test
  void open_pathIsDirectory_rejected() {
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> MvStoreBlockStore.open(dir));

    assertTrue(e.getMessage().contains("block store path is a directory"), e.getMessage());
  }

  @Test
  void open_staleCreationFile_removed() throws IOException {
    Path stale = dir.resolve("chain.mv.0123456789abcdef.init");
    Path unrelated = dir.resolve("chain.mv.backup.init");
    Files.write(stale, new byte[100]);
    Files.write(unrelated, new byte[100]);

    MvStoreBlockStore.open(dir.resolve("chain.mv")).close();

    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(unrelated));
  }

  @Test
  void open_leftoverLinkOfCreation_removedStoreIntact() throws IOException {
    Path file = dir.resolve("chain.mv");
    List<StoredBlock> blocks = blocks(3, 13, 100);
    try (BlockStore store = MvStoreBlockStore.open(file)) {
      appendAll(store, blocks);
    }
    // A crash between linking the new store into place and deleting its temporary name.
    Path leftover = dir.resolve("chain.mv.00000000deadbeef.init");
    Files.createLink(leftover, file);

    try (BlockStore store = MvStoreBlockStore.open(file)) {
      assertHolds(store, blocks);
      assertFalse(Files.exists(leftover));
    }
  }

  @Test
  void manyStores_openAndCloseRepeatedly() {
    Path file = dir.resolve("chain.mv");
    List<StoredBlock> all = new ArrayList<>();
    Random random = new Random(11);
    for (int round = 0; round < 20; round++) {
      try (BlockStore store = MvStoreBlockStore.open(file)) {
        assertHolds(store, all);
        StoredBlock b = block(all.size(), random, 3_000);
        store.append(b);
        all.add(b);
      }
    }
  }

  private static MVMap<Long, byte[]> rawBlocks(MVStore s) {
    return s.openMap(
        MvStoreBlockStore.BLOCKS_MAP,
        new MVMap.Builder<Long, byte[]>()
            .keyType(LongDataType.INSTANCE)
            .valueType(ByteArrayDataType.INSTANCE));
  }

  private static void assertNotABlockStore(Path file, String why) {
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> MvStoreBlockStore.open(file));
    String message = e.getMessage();
    assertTrue(
        message.contains(file + " is not a GridTrade block store: " + why),
        () -> "message '%s' does not name '%s'".formatted(message, why));
  }
}

package org.gridtrade.ledger.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single-byte flips in a durable store's file: every reopen either yields the whole chain, byte for
 * byte, or fails with the documented {@link UncheckedIOException} (on open, or on the read that
 * meets the damage). Before the store kept a head record beside its file, some flips reopened
 * silently as an older, shorter chain (MVStore falls back to the last chunk it can read), one ended
 * in a {@link StackOverflowError} and one in an {@link OutOfMemoryError}.
 */
class MvStoreCorruptionTest {
  private static final int BLOCKS = 12;
  private static final int FLIPS = 200;

  @TempDir Path dir;

  private static List<StoredBlock> chain() {
    Random rnd = new Random(42);
    List<StoredBlock> out = new ArrayList<>();
    for (int h = 0; h < BLOCKS; h++) {
      byte[] encoded = new byte[40 + rnd.nextInt(200)];
      rnd.nextBytes(encoded);
      out.add(new StoredBlock(h, Hash.sha256(encoded), encoded));
    }
    return out;
  }

  /** What a reopen of a damaged file gave. */
  private enum Outcome {
    FULL_CHAIN,
    REFUSED_ON_OPEN,
    REFUSED_ON_READ
  }

  @Test
  void reopen_afterAnySingleByteFlip_fullChainOrDocumentedRefusal(TestReporter reporter)
      throws IOException {
    Path original = dir.resolve("chain.mv");
    List<StoredBlock> chain = chain();
    try (BlockStore s = BlockStores.openDurable(original)) {
      chain.forEach(s::append);
    }
    byte[] bytes = Files.readAllBytes(original);
    Random rnd = new Random(20_261_206L);
    Map<Outcome, Integer> outcomes = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < FLIPS; i++) {
      int at = rnd.nextInt(bytes.length);
      int mask = 1 + rnd.nextInt(255);
      Path damaged = dir.resolve("flip-%03d.mv".formatted(i));
      copySidecars(original, damaged);
      byte[] copy = bytes.clone();
      copy[at] ^= (byte) mask;
      Files.write(damaged, copy);
      try {
        Outcome o = reopen(damaged, chain);
        outcomes.merge(o, 1, Integer::sum);
      } catch (AssertionError e) {
        problems.add("flip %d at offset %d (mask 0x%02x): %s".formatted(i, at, mask, e));
      } catch (Throwable t) {
        problems.add("flip %d at offset %d (mask 0x%02x): threw %s".formatted(i, at, mask, t));
      }
    }
    reporter.publishEntry(
        "single-byte flips of a %d-byte store".formatted(bytes.length), outcomes.toString());
    assertThat(problems).as("outcomes of the other flips: %s", outcomes).isEmpty();
    assertThat(outcomes.getOrDefault(Outcome.FULL_CHAIN, 0)).as("%s", outcomes).isPositive();
    assertThat(
            outcomes.getOrDefault(Outcome.REFUSED_ON_OPEN, 0)
                + outcomes.getOrDefault(Outcome.REFUSED_ON_READ, 0))
        .as("%s", outcomes)
        .isPositive();
  }

  /** The head record sits beside the file: the damaged copy gets the original's. */
  private static void copySidecars(Path original, Path damaged) throws IOException {
    Path head = MvStoreBlockStore.headFile(original);
    if (Files.exists(head)) {
      Files.copy(head, MvStoreBlockStore.headFile(damaged), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static Outcome reopen(Path file, List<StoredBlock> chain) {
    BlockStore s;
    try {
      s = BlockStores.openDurable(file);
    } catch (UncheckedIOException e) {
      assertThat(e.getMessage()).contains(file.toString());
      return Outcome.REFUSED_ON_OPEN;
    }
    try (s) {
      if (s.size() != chain.size()) {
        fail("reopened with %d blocks of %d, silently".formatted(s.size(), chain.size()));
      }
      for (StoredBlock b : chain) {
        Optional<StoredBlock> read;
        try {
          read = s.read(b.height());
        } catch (UncheckedIOException e) {
          assertThat(e.getMessage()).contains(file.toString());
          return Outcome.REFUSED_ON_READ;
        }
        assertThat(read).isPresent();
        assertThat(read.get().hash()).isEqualTo(b.hash());
        assertThat(read.get().encoded()).isEqualTo(b.encoded());
      }
      return Outcome.FULL_CHAIN;
    }
  }

  /** Appends {@code chain[from, to)} to the store in {@code file}. */
  private static void append(Path file, List<StoredBlock> chain, int from, int to) {
    try (BlockStore s = BlockStores.openDurable(file)) {
      chain.subList(from, to).forEach(s::append);
    }
  }

  @Test
  void open_storeRolledBackBehindItsHeadRecord_refusedNamingTheLostHeights() throws IOException {
    Path file = dir.resolve("chain.mv");
    List<StoredBlock> chain = chain();
    append(file, chain, 0, 5);
    Path older = dir.resolve("older.mv");
    Files.copy(file, older);
    append(file, chain, 5, 9);
    // The store file goes back to 5 blocks (as MVStore does when its newest chunks are damaged);
    // its head record still says 9.
    Files.copy(older, file, StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> BlockStores.openDurable(file))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("heights 5..8 were lost")
        .hasMessageContaining(MvStoreBlockStore.headFile(file).toString());
    // Refused means unchanged: the same answer again, and the record still says 9.
    assertThatThrownBy(() -> BlockStores.openDurable(file))
        .hasMessageContaining("heights 5..8 were lost");
    // Deleting the head record is the documented way to accept the shorter chain.
    Files.delete(MvStoreBlockStore.headFile(file));
    try (BlockStore s = BlockStores.openDurable(file)) {
      assertThat(s.size()).isEqualTo(5);
      s.append(chain.get(5));
    }
    try (BlockStore s = BlockStores.openDurable(file)) {
      assertThat(s.size()).isEqualTo(6);
    }
  }

  @Test
  void open_headBlockReplacedThenRolledBack_refusedNamingBothHashes() throws IOException {
    // The top is replaced at the same height: heights alone would not show the loss.
    Path file = dir.resolve("chain.mv");
    List<StoredBlock> chain = chain();
    append(file, chain, 0, 4);
    Path older = dir.resolve("older.mv");
    Files.copy(file, older);
    StoredBlock other = new StoredBlock(3, Hash.sha256(new byte[] {3}), new byte[] {3});
    try (BlockStore s = BlockStores.openDurable(file)) {
      s.replaceLast(other);
    }
    Files.copy(older, file, StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> BlockStores.openDurable(file))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("ends at height 3 (hash " + chain.get(3).hash() + ")")
        .hasMessageContaining("ending at height 3 (hash " + other.hash() + ")");
  }

  @Test
  void open_storeAheadOfItsHeadRecord_acceptedAndRecordUpdated() throws IOException {
    Path file = dir.resolve("chain.mv");
    Path head = MvStoreBlockStore.headFile(file);
    List<StoredBlock> chain = chain();
    append(file, chain, 0, 3);
    byte[] olderRecord = Files.readAllBytes(head);
    append(file, chain, 3, 6);
    // As after a crash between a commit and the write of its head record.
    Files.write(head, olderRecord);
    append(file, chain, 6, 7);
    try (BlockStore s = BlockStores.openDurable(file)) {
      assertThat(s.size()).isEqualTo(7);
    }
  }

  @Test
  void open_damagedHeadRecord_refusedUntilDeleted() throws IOException {
    Path file = dir.resolve("chain.mv");
    Path head = MvStoreBlockStore.headFile(file);
    List<StoredBlock> chain = chain();
    append(file, chain, 0, 4);
    byte[] record = Files.readAllBytes(head);
    assertThat(record).hasSize(2 * HeadRecord.SLOT);
    // A flip in each slot: neither reads.
    record[10] ^= 1;
    record[HeadRecord.SLOT + 10] ^= 1;
    Files.write(head, record);
    assertThatThrownBy(() -> BlockStores.openDurable(file))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("head record " + head + " is damaged")
        .hasMessageContaining("delete " + head);
    Files.delete(head);
    try (BlockStore s = BlockStores.openDurable(file)) {
      assertThat(s.size()).isEqualTo(4);
    }
  }
}

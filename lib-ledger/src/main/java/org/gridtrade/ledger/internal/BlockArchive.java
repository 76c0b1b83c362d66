package org.gridtrade.ledger.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The old blocks of a {@link MvStoreBlockStore}, in two append-only files beside the store: {@code
 * <file>.archive} holds the records one after another, and {@code <file>.archive.index} holds, for
 * each height from 0, the end offset of its record in the data file (8 bytes, big-endian). Like the
 * "ancient" store of Ethereum's Geth: blocks too old to be reorganised away never change, so they
 * need no B-tree, and opening reads two file lengths and the last index entries, whatever the
 * length of the history.
 *
 * <p>Which records count: the store's metadata names how many heights are archived, and commits
 * that count only after the records are written and synced here. On opening, whatever lies past
 * that count (an archive write whose store commit never happened, or a torn tail) is cut off: those
 * blocks are still in the store. Fewer records than the count means the files were damaged or
 * replaced, and is refused, naming the heights lost.
 *
 * <p>The files are created with the first archived block; a store that never archived has none.
 * Reads run concurrently with each other and with one {@link #append}; appends are serialized by
 * the caller.
 */
final class BlockArchive implements Closeable {
  private static final int ENTRY = Long.BYTES;

  private final Path data;
  private final Path index;
  // Null until the first record; set once, under the caller's append serialization, before the
  // volatile count that makes a record readable.
  private volatile FileChannel dataChannel;
  private volatile FileChannel indexChannel;
  private volatile long count;
  private long end; // bytes of data used by the count records

  private BlockArchive(Path data, Path index) {
    this.data = data;
    this.index = index;
  }

  /**
   * The data file of the archive of a store file: {@code <file>.archive}.
   *
   * @param store the store file
   * @return the data file's path
   */
  static Path dataFile(Path store) {
    return store.resolveSibling(store.getFileName() + ".archive");
  }

  /**
   * The index file of the archive of a store file: {@code <file>.archive.index}.
   *
   * @param store the store file
   * @return the index file's path
   */
  static Path indexFile(Path store) {
    return store.resolveSibling(store.getFileName() + ".archive.index");
  }

  /**
   * Opens the archive of {@code store}, which must hold at least {@code expected} records; records
   * past them are cut off.
   *
   * @param store the store file
   * @param expected the archived count the store committed
   * @return the open archive, holding exactly {@code expected} records
   * @throws IOException if the files cannot be read or hold fewer records
   */
  static BlockArchive open(Path store, long expected) throws IOException {
    BlockArchive a = new BlockArchive(dataFile(store), indexFile(store));
    boolean hasData = Files.exists(a.data);
    boolean hasIndex = Files.exists(a.index);
    if (!hasData && !hasIndex && expected == 0) {
      return a;
    }
    if (!hasData || !hasIndex) {
      if (expected == 0) {
        // A crash while the first archive write created the files: nothing in them counts.
        Files.deleteIfExists(a.data);
        Files.deleteIfExists(a.index);
        return a;
      }
      throw new IOException(
          "its archive of heights 0..%d is missing (%s)"
              .formatted(expected - 1, hasData ? a.index : a.data));
    }
    a.openChannels();
    try {
      a.recover(expected);
    } catch (IOException | RuntimeException e) {
      a.close();
      throw e;
    }
    return a;
  }

  private void openChannels() throws IOException {
    dataChannel =
        FileChannel.open(
            data, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      indexChannel =
          FileChannel.open(
              index, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      dataChannel.close();
      dataChannel = null;
      throw e;
    }
  }

  // Finds the records that are whole, refuses fewer than expected, and cuts the rest off.
  private void recover(long expected) throws IOException {
    long dataSize = dataChannel.size();
    long entries = indexChannel.size() / ENTRY;
    // A torn tail: index entries written before the data they point past.
    while (entries > expected && entryAt(entries - 1) > dataSize) {
      entries--;
    }
    if (entries < expected) {
      throw new IOException(
          "its archive %s holds %d heights, not the %d the store committed: heights %d..%d are lost"
              .formatted(index, entries, expected, entries, expected - 1));
    }
    long last = expected == 0 ? 0 : entryAt(expected - 1);
    long before = expected < 2 ? 0 : entryAt(expected - 2);
    if (last > dataSize || last < before || before < 0) {
      throw new IOException(
          "its archive is damaged: height %d runs from byte %d to %d of %s, which has %d bytes"
              .formatted(expected - 1, before, last, data, dataSize));
    }
    count = expected;
    end = last;
    cut();
  }

  /**
   * The number of archived records: heights {@code 0..count-1}.
   *
   * @return the count
   */
  long count() {
    return count;
  }

  /** The bytes the archive's files take. */
  long sizeInBytes() throws IOException {
    FileChannel d = dataChannel;
    FileChannel i = indexChannel;
    return (d == null ? 0 : d.size()) + (i == null ? 0 : i.size());
  }

  /**
   * Reads the record of {@code height}, which must be below {@link #count()}.
   *
   * @param height the height
   * @return the record's bytes, as the store wrote them
   * @throws IOException if the files cannot be read or the index is damaged
   */
  byte[] read(long height) throws IOException {
    if (height < 0 || height >= count) {
      throw new IllegalArgumentException(
          "height %d is not archived (%d heights are)".formatted(height, count));
    }
    long start = height == 0 ? 0 : entryAt(height - 1);
    long stop = entryAt(height);
    long length = stop - start;
    if (start < 0 || length < 0 || stop > end || length > Integer.MAX_VALUE - 8) {
      throw new IOException(
          "archive index %s is damaged: height %d runs from byte %d to %d of %d"
              .formatted(index, height, start, stop, end));
    }
    ByteBuffer b = ByteBuffer.allocate((int) length);
    readFully(dataChannel, b, start);
    return b.array();
  }

  /**
   * Appends records for the heights from {@link #count()} on and syncs both files; on return they
   * are durable. On failure the archive is cut back to its old count.
   *
   * @param records the records, in height order
   * @throws IOException if writing or syncing fails
   */
  void append(List<byte[]> records) throws IOException {
    if (dataChannel == null) {
      openChannels();
      Path dir = data.toAbsolutePath().getParent();
      if (dir != null) {
        syncDirectory(dir);
      }
    }
    long oldCount = count;
    long oldEnd = end;
    try {
      ByteBuffer entries = ByteBuffer.allocate(records.size() * ENTRY);
      long position = end;
      for (byte[] r : records) {
        writeFully(dataChannel, ByteBuffer.wrap(r), position);
        position += r.length;
        entries.putLong(position);
      }
      entries.flip();
      writeFully(indexChannel, entries, count * ENTRY);
      dataChannel.force(false);
      indexChannel.force(false);
      end = position;
      count = oldCount + records.size();
    } catch (IOException | RuntimeException e) {
      count = oldCount;
      end = oldEnd;
      try {
        cut();
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  // Cuts both files to the count records and syncs them.
  private void cut() throws IOException {
    boolean changed = false;
    if (indexChannel.size() > count * ENTRY) {
      indexChannel.truncate(count * ENTRY);
      changed = true;
    }
    if (dataChannel.size() > end) {
      dataChannel.truncate(end);
      changed = true;
    }
    if (changed) {
      dataChannel.force(false);
      indexChannel.force(false);
    }
  }

  private long entryAt(long i) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(ENTRY);
    readFully(indexChannel, b, i * ENTRY);
    return b.getLong(0);
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long p = position;
    while (b.hasRemaining()) {
      int n = ch.read(b, p);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte %d".formatted(p));
      }
      p += n;
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long p = position;
    while (b.hasRemaining()) {
      p += ch.write(b, p);
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not possible on every platform (Windows); the files' own syncs still hold
    }
  }

  @Override
  public void close() {
    IOException failed = null;
    for (FileChannel ch : new FileChannel[] {dataChannel, indexChannel}) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException e) {
          failed = e;
        }
      }
    }
    if (failed != null) {
      throw new UncheckedIOException(failed);
    }
  }
}

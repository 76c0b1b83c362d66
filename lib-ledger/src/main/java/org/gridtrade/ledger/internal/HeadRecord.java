package org.gridtrade.ledger.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.gridtrade.ledger.Hash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head record of a {@link MvStoreBlockStore}: the height and hash of its last committed block,
 * in a file beside the store, so that a store that reopens at an older commit is noticed.
 *
 * <p>The record holds the MVStore version of the last commit with the height and hash of the last
 * block after it. Versions only grow, so a store whose version is below its record's reopened at an
 * older commit, whatever its heights (a reorganisation may leave the top at any height).
 *
 * <p>Two slots of {@value #SLOT} bytes, written alternately: magic {@code "GTHD"}, a sequence
 * number, the version, the height ({@code -1} for an empty store), the hash, the CRC-32C of the 60
 * bytes before it. A write goes to the slot not holding the newest record, so a write torn by a
 * crash leaves the previous record readable. A write is not synced: it is made after the commit it
 * describes was synced, so the record can lag behind the store (after a power failure), which is
 * accepted, but never run ahead of it; appends pay no second sync. Not thread-safe: the store
 * writes under its append lock.
 */
final class HeadRecord implements AutoCloseable {
  static final int SLOT = 64;
  private static final int MAGIC = 0x47544844; // "GTHD"
  private static final int BODY = 4 + 8 + 8 + 8 + Hash.LENGTH;
  private static final Logger log = LoggerFactory.getLogger(HeadRecord.class);

  private final Path path;
  private final FileChannel channel;
  private long sequence; // of the newest readable slot; -1 if none
  private int newestSlot; // 0 or 1
  private long version; // as recorded; meaningless if sequence < 0
  private long height;
  private Hash hash;
  private boolean damaged; // the file exists but neither slot is readable

  private HeadRecord(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /**
   * Opens (or, for a new store, creates) the head record file.
   *
   * @param path the file
   * @param fresh whether the store was just created: an old record left there is discarded
   * @return the record
   */
  static HeadRecord open(Path path, boolean fresh) {
    FileChannel ch;
    try {
      if (fresh) {
        Files.deleteIfExists(path);
      }
      ch =
          FileChannel.open(
              path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open the head record %s: %s".formatted(path, e.getMessage()), e);
    }
    HeadRecord r = new HeadRecord(path, ch);
    try {
      r.read();
    } catch (IOException e) {
      r.close();
      throw new UncheckedIOException(
          "cannot read the head record %s: %s".formatted(path, e.getMessage()), e);
    }
    return r;
  }

  private void read() throws IOException {
    sequence = -1;
    long length = channel.size();
    ByteBuffer buf = ByteBuffer.allocate(2 * SLOT);
    channel.read(buf, 0);
    for (int slot = 0; slot < 2; slot++) {
      ByteBuffer b = ByteBuffer.wrap(buf.array(), slot * SLOT, SLOT);
      int crc =
          MvStoreBlockStore.crc32c(
              Arrays.copyOfRange(buf.array(), slot * SLOT, slot * SLOT + BODY), BODY);
      int magic = b.getInt();
      long seq = b.getLong();
      long v = b.getLong();
      long h = b.getLong();
      byte[] hb = new byte[Hash.LENGTH];
      b.get(hb);
      int stored = b.getInt();
      if (magic == MAGIC && stored == crc && h >= -1 && seq > sequence) {
        sequence = seq;
        newestSlot = slot;
        version = v;
        height = h;
        hash = Hash.of(hb);
      }
    }
    // Only the first write can leave a file with no readable slot by a crash (the file is then at
    // most one slot long); a longer file with none was damaged.
    damaged = sequence < 0 && length > SLOT;
  }

  /**
   * Compares the store with the record: a store at an older commit than recorded, or at the same
   * commit with another head, lost commits and is refused; a store at a newer commit (a crash
   * between commit and record) is fine, and the record is brought up to date.
   *
   * @param store the store file, for messages
   * @param storeVersion the MVStore version the store opened at
   * @param storeHeight the height of the store's last block, {@code -1} if empty
   * @param storeHash that block's hash ({@link Hash#ZERO} if empty)
   * @throws UncheckedIOException if the store lost commits, or the record is damaged
   */
  void check(Path store, long storeVersion, long storeHeight, Hash storeHash) {
    if (damaged) {
      throw refused(
          store,
          ("its head record %s is damaged (neither slot reads), so the store cannot be checked"
                  + " for lost commits; if the store itself is known to be intact, delete %s to"
                  + " accept its %d blocks")
              .formatted(path, path, storeHeight + 1));
    }
    if (sequence >= 0) {
      boolean same = storeHeight == height && storeHash.equals(hash);
      if (storeVersion < version || (storeVersion == version && !same)) {
        String lost =
            storeHeight < height
                ? "heights %d..%d were lost".formatted(storeHeight + 1, height)
                : "the blocks committed after version %d were lost".formatted(storeVersion);
        throw refused(
            store,
            ("it reopened at an older commit: at version %d it ends at height %d (hash %s), but"
                    + " its head record says version %d was committed, ending at height %d (hash"
                    + " %s), so %s (the newest commits are unreadable: the file was damaged);"
                    + " restore the file from a copy or resynchronise from peers, or delete %s to"
                    + " accept the store as it is")
                .formatted(
                    storeVersion, storeHeight, storeHash, version, height, hash, lost, path));
      }
      if (storeVersion == version) {
        return;
      }
      log.info(
          "block store {} is ahead of its head record (version {} > {}): a crash between a commit"
              + " and its record, or a close that wrote; updating the record",
          store,
          storeVersion,
          version);
    }
    try {
      write(storeVersion, storeHeight, storeHash);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the head record %s: %s".formatted(path, e.getMessage()), e);
    }
  }

  /**
   * Records a new head (not synced: see the class comment).
   *
   * @param newVersion the MVStore version of the commit
   * @param newHeight the height of the last block after it
   * @param newHash its hash
   * @throws IOException if the write fails
   */
  void write(long newVersion, long newHeight, Hash newHash) throws IOException {
    long seq = sequence + 1;
    int slot = sequence < 0 ? 0 : 1 - newestSlot;
    ByteBuffer b = ByteBuffer.allocate(SLOT);
    b.putInt(MAGIC).putLong(seq).putLong(newVersion).putLong(newHeight).put(newHash.bytes());
    b.putInt(MvStoreBlockStore.crc32c(b.array(), BODY));
    b.rewind();
    while (b.hasRemaining()) {
      channel.write(b, (long) slot * SLOT + b.position());
    }
    sequence = seq;
    newestSlot = slot;
    version = newVersion;
    height = newHeight;
    hash = newHash;
    damaged = false;
  }

  private static UncheckedIOException refused(Path store, String why) {
    return new UncheckedIOException(
        new IOException("block store %s is refused: %s".formatted(store, why)));
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing head record {} failed: {}", path, e.toString());
    }
  }
}

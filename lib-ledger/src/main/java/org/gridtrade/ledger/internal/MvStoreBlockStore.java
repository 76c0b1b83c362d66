package org.gridtrade.ledger.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.internal.state.MvNodeStore;
import org.gridtrade.ledger.internal.state.NodeStore;
import org.gridtrade.ledger.internal.state.StateStorage;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link BlockStore} in one H2 MVStore file, with its old blocks in an archive beside it.
 *
 * <p>Layout: a map {@value #BLOCKS_MAP} from {@link #key(long) key(height)} to record, and a map
 * {@value #META_MAP} whose key {@value #FORMAT_KEY} holds {@value #FORMAT}. A record is one tag
 * byte ({@value #RECORD_V2}), the 32-byte hash, the encoded block, then the CRC-32C of all that
 * (big-endian), so a damaged record is refused when it is read; records of tag {@value #RECORD_V1},
 * written before the checksum, are the same without it. The blocks map also holds an empty sentinel
 * record at key {@link Long#MIN_VALUE}.
 *
 * <p>Archive: the blocks map keeps the last {@link #DEFAULT_RECENT_BLOCKS} blocks or so, the ones a
 * reorganisation may replace (at most 32 deep). Older ones move, in batches, to two append-only
 * files beside the store ({@link BlockArchive}): the batch is written and synced there first, and
 * the commit of the next block removes it from the map and raises the count of archived heights
 * (metadata key {@value #ARCHIVED_KEY}). So the MVStore holds the state and a bounded window of
 * blocks: its chunk table, which MVStore reads on every open and ranks on every compaction, no
 * longer grows with the history, and neither do the opening time and the cost of a commit. A crash
 * between the archive's sync and the commit leaves the batch in both; opening cuts the archive back
 * to the committed count.
 *
 * <p>Head record: MVStore checksums its chunk headers, and when the newest commits are unreadable
 * it opens at the last readable one: an older, shorter chain, silently. So the store also keeps the
 * MVStore version of its last commit, with the height and hash of its last block, in {@link
 * #headFile(Path) a small file beside the store} (two checksummed slots written alternately, each
 * write made once the commit it describes is synced). Opening refuses a store at an older version
 * than its record, naming the heights lost. A store at a newer version (a crash between the commit
 * and the record's write) is fine. A store without a head record (made before it existed, or after
 * the record was deleted to accept a damaged store as it is) gets one.
 *
 * <p>Why the keys run downwards and the sentinel: MVStore rewrites a whole B-tree leaf when a key
 * is added to it. With ascending keys each new block lands in the leaf of the previous one, so
 * every block is written twice. With descending keys each new block lands in the leftmost leaf,
 * which holds only the empty sentinel; the leaf splits at once (small split size) and the new
 * block's leaf is written once and never again. This halves the writes and the file growth.
 *
 * <p>Space: MVStore frees a chunk once none of its pages is live, and each chunk holds a block's
 * leaf; so each commit also writes again a few KB of existing entries and moves live pages out of
 * the sparsest chunks (see {@link Rewriter}), and the file follows the live data rather than the
 * number of commits.
 *
 * <p>Durability: the MVStore is opened with auto-commit disabled, so no background thread writes;
 * {@link #append} puts the record, commits (MVStore appends a new chunk and writes it to the file
 * in the calling thread) and syncs the file ({@code FileChannel.force}) before it returns, so an
 * acknowledged block survives a crash of the process or the machine. MVStore is log-structured and
 * checksums its chunks: after a crash at any moment it reopens at the last complete commit, which
 * is a prefix of the appended records. {@link #replaceLast} and {@link #replaceFrom} work the same
 * way, with all their removals and puts in one commit, so a crash keeps the old records or the new
 * ones. A new store is built under a temporary name and linked into place only once initialised, so
 * a crash during creation leaves no half-made store.
 *
 * <p>Thread-safe: reads run concurrently with each other and with one append; appends are
 * serialized; {@link #close} waits for running calls. Only one process may open a file at a time
 * (MVStore holds an OS file lock).
 */
public final class MvStoreBlockStore implements BlockStore, StateStorage {
  /** Name of the map from {@link #key(long) key(height)} to record. */
  public static final String BLOCKS_MAP = "gridtrade.blocks";

  /** Name of the metadata map. */
  public static final String META_MAP = "gridtrade.meta";

  /** Metadata key of the format version. */
  public static final String FORMAT_KEY = "format";

  /** The format this class writes and reads. */
  public static final String FORMAT = "gridtrade-block-store/2";

  /**
   * The format of GridTrade 0.1, whose blocks commit to another state root (the Merkle root over
   * the sorted accounts) and whose state is not stored: refused with a message that says so.
   */
  public static final String FORMAT_V1 = "gridtrade-block-store/1";

  /** Metadata key of the number of archived heights (absent: none). */
  public static final String ARCHIVED_KEY = "archived";

  /** Blocks kept in the store (and so replaceable) before older ones move to the archive. */
  public static final int DEFAULT_RECENT_BLOCKS = 1024;

  /** Decoded state-tree nodes kept in memory by default. */
  public static final int DEFAULT_CACHE_NODES = 65_536;

  /** Tag byte of a record without a checksum (still read). */
  public static final byte RECORD_V1 = 1;

  /** Tag byte of a record ending with its CRC-32C (what this class writes). */
  public static final byte RECORD_V2 = 2;

  private static final Logger log = LoggerFactory.getLogger(MvStoreBlockStore.class);
  private static final int RECORD_HEADER = 1 + Hash.LENGTH;
  private static final int CHECKSUM = 4;
  private static final long SENTINEL = Long.MIN_VALUE;
  // Leaves split once they hold more than this many bytes, so a block's leaf holds that block only.
  private static final int PAGE_SPLIT_SIZE = 1024;

  /**
   * Each commit moves live pages out of the sparsest chunks while all chunks together are less than
   * this percentage live (see {@link #compactSome()}).
   */
  static final int COMPACT_FILL_RATE = 50;

  /** The most live bytes each commit moves out of sparse chunks. */
  static final int COMPACT_WRITE_BYTES = 64 * 1024;

  /**
   * Bytes of existing entries (keys and values, as MVStore estimates them) each commit writes
   * again, taking the store's maps in turn (see {@link Rewriter}).
   */
  static final long REWRITE_BYTES = 8 * 1024;

  private static final String INIT_SUFFIX = ".init";
  private static final Pattern INIT_NAME = Pattern.compile("\\.[0-9a-f]{16}\\.init");

  private final Path file;
  private final MVStore store;
  private final HeadRecord head;
  private final MVMap<Long, byte[]> blocks;
  private final MVMap<String, String> meta;
  private final BlockArchive archive;
  private final int recentBlocks;
  private final int archiveBatch;
  private final MvNodeStore nodes;
  private final Rewriter rewriter; // used with the append lock held
  // Read lock: any call but close; write lock: close.
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ReentrantLock appendLock = new ReentrantLock();
  // Count of committed and synced records; readers never see past it.
  private volatile long size;
  // Heights below this are read from the archive: raised once a batch is synced there, before the
  // commit that removes it from the blocks map (readers see those removals before the commit).
  private volatile long archived;
  // Why a storage failure closed the store, or null.
  private volatile String failure;
  private boolean closed; // written under the lifecycle write lock

  private MvStoreBlockStore(
      Path file, MVStore store, HeadRecord head, int cacheNodes, int recentBlocks) {
    this.file = file;
    this.store = store;
    this.head = head;
    this.recentBlocks = recentBlocks;
    this.archiveBatch = Math.max(1, Math.min(256, recentBlocks / 4));
    if (!store.hasMap(META_MAP) || !store.hasMap(BLOCKS_MAP)) {
      throw notABlockStore(file, "it has no maps %s and %s".formatted(META_MAP, BLOCKS_MAP));
    }
    this.meta =
        store.openMap(
            META_MAP,
            new MVMap.Builder<String, String>()
                .keyType(StringDataType.INSTANCE)
                .valueType(StringDataType.INSTANCE));
    String format = meta.get(FORMAT_KEY);
    if (!FORMAT.equals(format)) {
      throw notABlockStore(file, "format '%s' != '%s'".formatted(format, FORMAT));
    }
    this.blocks = store.openMap(BLOCKS_MAP, blocksMap());
    this.nodes = new MvNodeStore(store, cacheNodes, this::commitStateOnly);
    List<MVMap<?, ?>> all = new ArrayList<>();
    all.add(blocks);
    all.addAll(nodes.maps());
    all.add(meta);
    this.rewriter = new Rewriter(all);
    if (blocks.isEmpty() || blocks.firstKey() != SENTINEL) {
      throw notABlockStore(file, "its %s map has no sentinel entry".formatted(BLOCKS_MAP));
    }
    long first = archivedCount(file, meta.get(ARCHIVED_KEY));
    long recent = blocks.sizeAsLong() - 1;
    long n = first + recent;
    if (recent > 0) {
      // recent distinct keys, all between key(n - 1) and key(first): exactly first..n-1.
      long lowest = height(blocks.lastKey());
      long highest = height(blocks.higherKey(SENTINEL));
      if (lowest != first || highest != n - 1) {
        throw notABlockStore(
            file,
            "its %d heights run %d..%d, not contiguously from %d to %d"
                .formatted(recent, lowest, highest, first, n - 1));
      }
    } else if (first > 0) {
      throw notABlockStore(file, "it archived %d heights but holds no recent one".formatted(first));
    }
    try {
      this.archive = BlockArchive.open(file, first);
    } catch (IOException e) {
      throw notABlockStore(file, e.getMessage());
    }
    this.archived = first;
    this.size = n;
    try {
      if (first > 0) {
        decode(first - 1, archive.read(first - 1)); // the archive's last record is whole
      }
      Hash headHash = n > 0 ? decode(n - 1, blocks.get(key(n - 1))).hash() : Hash.ZERO;
      head.check(file, store.getCurrentVersion(), n - 1, headHash);
    } catch (IOException | RuntimeException e) {
      closeArchive();
      if (e instanceof UncheckedIOException u) {
        throw u;
      }
      throw notABlockStore(file, e.getMessage());
    }
  }

  private static long archivedCount(Path file, String value) {
    if (value == null) {
      return 0;
    }
    try {
      long n = Long.parseLong(value);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // named below
    }
    throw notABlockStore(
        file, "its archived height count '%s' is not a number >= 0".formatted(value));
  }

  private void closeArchive() {
    try {
      archive.close();
    } catch (UncheckedIOException e) {
      log.debug("closing the archive of {} failed: {}", file, e.toString());
    }
  }

  /**
   * Opens the store in {@code file}, creating it (and its parent directories) if it does not exist,
   * and checks it: its format, and heights contiguous from 0.
   *
   * @param file the store file
   * @return the open store; close it to release the file lock
   * @throws UncheckedIOException if the file cannot be created or opened, is locked by another
   *     process (or another open store in this one), or is not a consistent GridTrade block store
   */
  public static MvStoreBlockStore open(Path file) {
    return open(file, DEFAULT_CACHE_NODES);
  }

  /**
   * Opens the store as {@link #open(Path)} does, keeping up to {@code cacheNodes} decoded
   * state-tree nodes in memory.
   *
   * @param file the store file
   * @param cacheNodes decoded nodes cached, 0 or more
   * @return the open store
   */
  public static MvStoreBlockStore open(Path file, int cacheNodes) {
    return open(file, cacheNodes, DEFAULT_RECENT_BLOCKS);
  }

  /**
   * Opens the store as {@link #open(Path, int)} does, keeping the last {@code recentBlocks} blocks
   * in the MVStore, where they can be replaced; older ones move to the archive in batches.
   *
   * @param file the store file
   * @param cacheNodes decoded nodes cached, 0 or more
   * @param recentBlocks blocks kept replaceable, 1 or more
   * @return the open store
   */
  public static MvStoreBlockStore open(Path file, int cacheNodes, int recentBlocks) {
    Objects.requireNonNull(file, "file");
    if (cacheNodes < 0) {
      throw new IllegalArgumentException("cacheNodes %d must be >= 0".formatted(cacheNodes));
    }
    if (recentBlocks < 1) {
      throw new IllegalArgumentException("recentBlocks %d must be >= 1".formatted(recentBlocks));
    }
    Path path = file.toAbsolutePath().normalize();
    boolean created = false;
    try {
      Path dir = path.getParent();
      if (dir == null) {
        throw new IOException("block store path %s has no parent directory".formatted(path));
      }
      Files.createDirectories(dir);
      removeStaleInitFiles(path);
      if (Files.isDirectory(path)) {
        throw new FileSystemException(path.toString(), null, "block store path is a directory");
      }
      if (!Files.exists(path)) {
        create(path);
        created = true;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create block store %s: %s".formatted(path, e.getMessage()), e);
    }
    if (!created) {
      // H2 MVStore does not always settle a file a killed writer left on the first open: a first
      // writable open can miss the newest chunks, and once it has closed the file, the next open
      // finds them (LedgerCrashTest kept such a file). Open and close once first, so that every
      // reader of this store sees what MVStore settles on, not a view a later open contradicts.
      openMvStore(path).close();
    }
    MVStore store = openMvStore(path);
    HeadRecord head = null;
    try {
      refuseOldFormat(path, store); // before the head record, which opening would create
      head = HeadRecord.open(headFile(path), created);
      MvStoreBlockStore opened = new MvStoreBlockStore(path, store, head, cacheNodes, recentBlocks);
      log.debug("opened block store {} with {} blocks", path, opened.size);
      return opened;
    } catch (UncheckedIOException e) {
      closeQuietly(store, head);
      throw e;
    } catch (RuntimeException e) {
      closeQuietly(store, head);
      throw notABlockStore(path, e.toString());
    } catch (StackOverflowError | OutOfMemoryError | AssertionError e) {
      // A damaged page can send H2 into deep recursion, a huge allocation or (with -ea) one of its
      // internal assertions; nothing was changed.
      closeQuietly(store, head);
      throw notABlockStore(path, "H2 MVStore failed reading it (%s): it is damaged".formatted(e));
    }
  }

  // A store of GridTrade 0.1 is refused, and nothing beside it is created.
  private static void refuseOldFormat(Path file, MVStore store) {
    if (!store.hasMap(META_MAP)) {
      return; // the constructor names what is wrong
    }
    String format =
        store
            .openMap(
                META_MAP,
                new MVMap.Builder<String, String>()
                    .keyType(StringDataType.INSTANCE)
                    .valueType(StringDataType.INSTANCE))
            .get(FORMAT_KEY);
    if (FORMAT_V1.equals(format)) {
      throw notABlockStore(
          file,
          ("it was written by GridTrade 0.1 (format '%s'), whose blocks commit to the sorted-accounts"
                  + " state root and which stores no state tree; this version reads format '%s'"
                  + " only. Such a chain cannot be migrated in place: keep 0.1 to read it, or start"
                  + " a new chain")
              .formatted(format, FORMAT));
    }
  }

  private static void closeQuietly(MVStore store, HeadRecord head) {
    try {
      store.closeImmediately();
    } catch (RuntimeException | AssertionError e) {
      log.debug("closing damaged store failed: {}", e.toString());
    }
    if (head != null) {
      head.close();
    }
  }

  @Override
  public long size() {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return size;
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void append(StoredBlock block) {
    appendRecord(block, null);
  }

  // Appends the block and, in the same commit, the state changes (if any).
  private void appendRecord(StoredBlock block, NodeStore.Commit commit) {
    Objects.requireNonNull(block, "block");
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      appendLock.lock();
      try {
        ensureOpen();
        long height = size;
        if (block.height() != height) {
          throw new IllegalArgumentException(
              "block height %d != store size %d: blocks are appended at the end only"
                  .formatted(block.height(), height));
        }
        write(height, block, "appending", commit);
        size = height + 1;
      } finally {
        appendLock.unlock();
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void replaceLast(StoredBlock block) {
    Objects.requireNonNull(block, "block");
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      appendLock.lock();
      try {
        ensureOpen();
        long height = size - 1;
        if (height < 1 || block.height() != height) {
          throw new IllegalArgumentException(
              "block height %d is not the highest non-genesis height %d"
                  .formatted(block.height(), height));
        }
        write(height, block, "replacing", null); // one commit: the old record or the new one
      } finally {
        appendLock.unlock();
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void replaceFrom(long height, List<StoredBlock> replacement) {
    replace(height, replacement, null);
  }

  private void replace(long height, List<StoredBlock> replacement, NodeStore.Commit commit) {
    List<StoredBlock> records = List.copyOf(replacement);
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      appendLock.lock();
      try {
        ensureOpen();
        long old = size;
        InMemoryBlockStore.checkReplacement(height, records, old);
        if (height < archived) {
          throw new IllegalArgumentException(
              ("cannot replace from height %d: heights below %d are archived (the store keeps the"
                      + " last %d blocks replaceable)")
                  .formatted(height, archived, recentBlocks));
        }
        long next = height + records.size();
        // Readers stop below the records that change, so none reads a removed one.
        size = height;
        try {
          // One commit for the removals and the puts: after a crash the old records or the new
          // ones.
          commitAndSync(
              () -> {
                for (long h = next; h < old; h++) {
                  blocks.remove(key(h));
                }
                for (StoredBlock b : records) {
                  blocks.put(key(b.height()), encode(b));
                }
                if (commit != null) {
                  nodes.write(commit);
                }
              },
              "replacing from height %d".formatted(height));
        } catch (RuntimeException e) {
          size = old; // rolled back (or the store is closed after a failure)
          throw e;
        }
        size = next;
        Hash headHash =
            records.isEmpty()
                ? decode(next - 1, blocks.get(key(next - 1))).hash()
                : records.get(records.size() - 1).hash();
        recordHead(next - 1, headHash, "replacing from height %d".formatted(height));
      } finally {
        appendLock.unlock();
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public NodeStore nodeStore() {
    return nodes;
  }

  @Override
  public void append(StoredBlock block, NodeStore.Commit commit) {
    appendRecord(block, Objects.requireNonNull(commit, "commit"));
  }

  @Override
  public void replaceFrom(long height, List<StoredBlock> replacement, NodeStore.Commit commit) {
    replace(height, replacement, commit);
  }

  // Commits state changes that go with no block (a replay of a chain whose state is missing).
  private void commitStateOnly(Runnable changes) {
    appendLock.lock();
    try {
      ensureOpen();
      commitAndSync(changes, "committing replayed state");
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Puts one record (and state changes), commits and syncs; called with the append lock held. An
   * append that leaves more than {@link #recentBlocks} plus a batch in the blocks map first writes
   * the oldest batch to the archive, and its commit removes them from the map.
   */
  private void write(long height, StoredBlock block, String what, NodeStore.Commit commit) {
    byte[] record = encode(block);
    String action = "%s height %d".formatted(what, height);
    long from = archived;
    long to = height + 1 - from > (long) recentBlocks + archiveBatch ? from + archiveBatch : from;
    if (to > from) {
      archiveRecords(from, to, action);
      // Readers of these heights go to the archive from now on: the removals below are visible
      // in the map before the commit is.
      archived = to;
    }
    try {
      commitAndSync(
          () -> {
            blocks.put(key(height), record);
            if (commit != null) {
              nodes.write(commit);
            }
            if (to > from) {
              for (long h = from; h < to; h++) {
                blocks.remove(key(h));
              }
              meta.put(ARCHIVED_KEY, Long.toString(to));
            }
          },
          action);
    } catch (RuntimeException e) {
      if (to > from && !store.isClosed()) {
        // Rolled back: the map holds the batch again, but readers may be reading it from the
        // archive, which therefore stays; reopening cuts it back to the committed count.
        fail("%s failed after archiving heights %d..%d: %s".formatted(action, from, to - 1, e));
      }
      throw e;
    }
    recordHead(height, block.hash(), action);
  }

  // Writes heights from..to-1 to the archive and syncs it; with the append lock held.
  private void archiveRecords(long from, long to, String what) {
    List<byte[]> records = new ArrayList<>();
    for (long h = from; h < to; h++) {
      byte[] r = blocks.get(key(h));
      decode(h, r); // never archive a damaged record
      records.add(r);
    }
    try {
      archive.append(records);
    } catch (IOException e) {
      throw new UncheckedIOException(
          new IOException(
              "block store %s: archiving heights %d..%d before %s failed: %s"
                  .formatted(file, from, to - 1, what, e.getMessage()),
              e));
    }
  }

  /**
   * Applies {@code changes}, writes again the next {@link #REWRITE_BYTES} of existing entries,
   * moves live pages out of sparse chunks, commits all that as one chunk and syncs; with the append
   * lock held.
   */
  private void commitAndSync(Runnable changes, String what) {
    try {
      changes.run();
      rewriter.rewriteSome(REWRITE_BYTES);
      compactSome();
      store.commit();
    } catch (MVStoreException e) {
      rollBack(e);
      throw storageFailure(what + " failed", e);
    }
    try {
      store.sync();
    } catch (MVStoreException e) {
      // The records are committed but maybe not on the device; after a failed fsync the file's
      // state is unknown, so stop here and let a reopen recover the durable prefix.
      fail("sync after %s failed: %s".formatted(what, e.getMessage()));
      throw storageFailure("sync after %s failed".formatted(what), e);
    }
  }

  /**
   * Marks for rewriting the live pages of the sparsest chunks, up to {@link #COMPACT_WRITE_BYTES},
   * while the chunks are less than {@link #COMPACT_FILL_RATE} percent live; the commit that follows
   * writes them into its own chunk. MVStore frees a chunk a few versions after its last live page
   * is gone, and reuses its space.
   */
  private void compactSome() {
    try {
      store.compact(COMPACT_FILL_RATE, COMPACT_WRITE_BYTES);
    } catch (MVStoreException e) {
      throw e;
    } catch (RuntimeException e) {
      if (e.getCause() instanceof InterruptedException) {
        // MVStore waits for its lock interruptibly; the next commit compacts instead.
        Thread.currentThread().interrupt();
        return;
      }
      throw DataUtils.newMVStoreException(
          DataUtils.ERROR_INTERNAL, "compacting failed: {0}", e.toString(), e);
    }
  }

  /** Records the new head durably, after its commit was synced; with the append lock held. */
  private void recordHead(long height, Hash hash, String what) {
    try {
      head.write(store.getCurrentVersion(), height, hash);
    } catch (IOException e) {
      // The blocks are committed; a head record behind the store is accepted on reopen.
      fail("writing the head record after %s failed: %s".formatted(what, e.getMessage()));
      throw new UncheckedIOException(
          new IOException(
              "block store %s: writing the head record after %s failed: %s"
                  .formatted(file, what, e.getMessage()),
              e));
    }
  }

  @Override
  public Optional<StoredBlock> read(long height) {
    if (height < 0) {
      throw new IllegalArgumentException("height %d < 0".formatted(height));
    }
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      if (height >= size) {
        return Optional.empty();
      }
      if (height < archived) {
        return Optional.of(decode(height, readArchived(height)));
      }
      byte[] record;
      // Registered, so no chunk this read may still need is freed and overwritten meanwhile.
      MVStore.TxCounter reading = store.registerVersionUsage();
      try {
        record = blocks.get(key(height));
      } catch (MVStoreException e) {
        throw storageFailure("read of height %d failed".formatted(height), e);
      } catch (RuntimeException | StackOverflowError | OutOfMemoryError | AssertionError e) {
        // H2 reading a damaged page fails in other ways too; report it as the damage it is.
        throw corrupt(height, "H2 MVStore failed reading the record: " + e);
      } finally {
        store.deregisterVersionUsage(reading);
      }
      if (record == null && height < archived) {
        record = readArchived(height); // archived while this read ran
      }
      return Optional.of(decode(height, record));
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private byte[] readArchived(long height) {
    try {
      return archive.read(height);
    } catch (IOException e) {
      throw corrupt(height, "reading the archive failed: " + e.getMessage());
    }
  }

  /**
   * The size of the store file and its archive, which includes MVStore's chunk headers, B-tree
   * pages and space not yet reclaimed.
   *
   * @return the file size in bytes
   */
  @Override
  public long sizeInBytes() {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return store.getFileStore().size() + archive.sizeInBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (!store.isClosed()) {
        try {
          store.close();
        } catch (RuntimeException | AssertionError e) {
          // Every acknowledged block is already committed and synced; nothing is lost. (H2 fails
          // with other exceptions than MVStoreException on a damaged file, and with -ea in its
          // internal assertions.)
          log.warn("closing block store {} failed: {}", file, e.toString());
          try {
            store.closeImmediately();
          } catch (RuntimeException | AssertionError again) {
            log.debug("closing block store {} at once failed too: {}", file, again.toString());
          }
        }
      }
      head.close();
      closeArchive();
      log.debug("closed block store {}", file);
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "MvStoreBlockStore[file=%s, size=%d]".formatted(file, size);
  }

  // Builds a new store under a temporary name and links it into place, so the store file either
  // does not exist or is complete: a crash while MVStore writes its first headers cannot leave a
  // torn file behind.
  private static void create(Path path) throws IOException {
    Path dir = path.getParent();
    Path tmp =
        dir.resolve(
            "%s.%016x%s"
                .formatted(
                    path.getFileName(), ThreadLocalRandom.current().nextLong(), INIT_SUFFIX));
    Files.createFile(tmp);
    try {
      MVStore s = openMvStore(tmp);
      try {
        s.openMap(
                META_MAP,
                new MVMap.Builder<String, String>()
                    .keyType(StringDataType.INSTANCE)
                    .valueType(StringDataType.INSTANCE))
            .put(FORMAT_KEY, FORMAT);
        s.openMap(BLOCKS_MAP, blocksMap()).put(SENTINEL, new byte[0]);
        s.commit();
        s.sync();
      } finally {
        s.close();
      }
      try {
        try {
          // link() fails if the target exists, so two processes creating at once cannot replace
          // one another's store.
          Files.createLink(path, tmp);
        } catch (FileAlreadyExistsException e) {
          throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
          // No hard links on this file system: a plain move, which also refuses to replace.
          Files.move(tmp, path);
        }
        log.debug("created block store {}", path);
      } catch (FileAlreadyExistsException e) {
        log.debug("block store {} was created concurrently; opening that one", path);
      }
    } catch (MVStoreException e) {
      throw new IOException(e.getMessage(), e);
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory(dir);
  }

  // Deletes temporary files of creations that crashed (before the link, or between the link and
  // the delete); a file another process has locked (it is creating the store right now, or it is a
  // second link to an open store) is left alone.
  private static void removeStaleInitFiles(Path path) {
    String name = path.getFileName().toString();
    try (DirectoryStream<Path> siblings =
        Files.newDirectoryStream(path.getParent(), name + ".*" + INIT_SUFFIX)) {
      for (Path stale : siblings) {
        String rest = stale.getFileName().toString().substring(name.length());
        if (!INIT_NAME.matcher(rest).matches()) {
          continue;
        }
        try (FileChannel ch = FileChannel.open(stale, StandardOpenOption.WRITE)) {
          FileLock lock = ch.tryLock();
          if (lock == null) {
            continue;
          }
          lock.release();
        } catch (OverlappingFileLockException e) {
          continue;
        }
        Files.deleteIfExists(stale);
        log.debug("deleted {}, left by a crash while creating a block store", stale);
      }
    } catch (IOException e) {
      log.debug("could not clean up stale files of block store {}: {}", path, e.toString());
    }
  }

  private static MVStore openMvStore(Path path) {
    try {
      MVStore store =
          new MVStore.Builder()
              .fileName(path.toString())
              .autoCommitDisabled()
              .pageSplitSize(PAGE_SPLIT_SIZE)
              .open();
      // Every commit is synced before the next begins, and reads register the version they use,
      // so a chunk without live pages may be overwritten as soon as MVStore's versions allow,
      // rather than after the default 45 s of a store that relies on the OS to flush in time.
      store.setRetentionTime(0);
      return store;
    } catch (MVStoreException e) {
      if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
        throw new UncheckedIOException(
            new FileSystemException(
                path.toString(),
                null,
                "block store is locked: another process, or another open store in this process,"
                    + " is using it"));
      }
      throw notABlockStore(path, "H2 MVStore cannot open it: " + e.getMessage());
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError | AssertionError e) {
      // H2 reading a damaged file fails in other ways too; it changed nothing.
      throw notABlockStore(path, "H2 MVStore cannot open it (%s): it is damaged".formatted(e));
    }
  }

  /**
   * Writes every entry of the store's maps again, in turn, a bounded number of bytes per commit, in
   * the commit's own chunk.
   *
   * <p>Why: MVStore appends each commit as a chunk and frees a chunk only once none of its pages is
   * live. Each chunk holds the leaf of its block, live for ever, so no chunk was ever freed and the
   * file (about 36 KB per block of one transaction: the state maps' pages beside the block's) and
   * MVStore's chunk table, read on every open, grew with the history. {@link #compactSome()} moves
   * live pages out of sparse chunks, but MVStore cannot move an internal page whose first key was
   * deleted (the state nodes map deletes pruned keys all the time), and it picks the chunks holding
   * them first, so on its own it stalls within a few thousand blocks. Writing an entry again
   * rewrites its leaf and every internal page above it, so after one round over the maps no page
   * older than the round is live: such pages cannot pin their chunks for longer than a round. A
   * rewritten entry has the same key and value, so the commit stays atomic: a crash keeps the old
   * chunks or the new one.
   *
   * <p>The position is kept in memory only; after a reopen a round starts from the beginning.
   */
  private static final class Rewriter {
    private final List<MVMap<?, ?>> maps;
    private int map; // the map being rewritten
    private Object from; // the key to resume at, or null for the map's first

    Rewriter(List<MVMap<?, ?>> maps) {
      this.maps = List.copyOf(maps);
    }

    /** Rewrites entries from where the last call stopped, until about {@code budget} bytes. */
    void rewriteSome(long budget) {
      long left = budget;
      // At most one pass over the maps, even if they hold less than the budget.
      for (int visited = 0; left > 0 && visited <= maps.size(); visited++) {
        left -= rewrite(maps.get(map), left);
        if (from == null) {
          map = (map + 1) % maps.size();
        }
      }
    }

    // Rewrites entries of m from `from` on; returns the bytes rewritten, and leaves `from` at the
    // next key to rewrite, or null once the map is done.
    private <K, V> long rewrite(MVMap<K, V> m, long budget) {
      @SuppressWarnings("unchecked")
      K start = (K) from;
      Cursor<K, V> c = m.cursor(start);
      List<K> keys = new ArrayList<>();
      List<V> values = new ArrayList<>();
      long bytes = 0;
      while (bytes < budget && c.hasNext()) {
        K k = c.next();
        V v = c.getValue();
        keys.add(k);
        values.add(v);
        bytes += m.getKeyType().getMemory(k) + m.getValueType().getMemory(v);
      }
      from = c.hasNext() ? c.next() : null;
      for (int i = 0; i < keys.size(); i++) {
        m.put(keys.get(i), values.get(i));
      }
      return Math.max(bytes, 1);
    }
  }

  /**
   * The head record kept beside a store file: {@code <file>.head}.
   *
   * @param file the store file
   * @return the head record's path
   */
  public static Path headFile(Path file) {
    return file.resolveSibling(file.getFileName() + ".head");
  }

  /**
   * The blocks-map key of a height: its bitwise complement, so keys fall as heights rise.
   *
   * @param height a height, 0 or more
   * @return {@code ~height}, a negative key above {@link Long#MIN_VALUE} (the sentinel)
   */
  public static long key(long height) {
    return ~height;
  }

  private static long height(long key) {
    return ~key;
  }

  private static MVMap.Builder<Long, byte[]> blocksMap() {
    return new MVMap.Builder<Long, byte[]>()
        .keyType(LongDataType.INSTANCE)
        .valueType(ByteArrayDataType.INSTANCE);
  }

  private static byte[] encode(StoredBlock block) {
    byte[] encoded = block.encoded();
    byte[] record = new byte[RECORD_HEADER + encoded.length + CHECKSUM];
    record[0] = RECORD_V2;
    System.arraycopy(block.hash().bytes(), 0, record, 1, Hash.LENGTH);
    System.arraycopy(encoded, 0, record, RECORD_HEADER, encoded.length);
    int crc = crc32c(record, record.length - CHECKSUM);
    ByteBuffer.wrap(record, record.length - CHECKSUM, CHECKSUM).putInt(crc);
    return record;
  }

  static int crc32c(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  private StoredBlock decode(long height, byte[] record) {
    if (record == null) {
      throw corrupt(height, "the record is missing");
    }
    if (record.length < RECORD_HEADER) {
      throw corrupt(height, "record length %d < %d".formatted(record.length, RECORD_HEADER));
    }
    int end = record.length;
    if (record[0] == RECORD_V2) {
      end -= CHECKSUM;
      if (end < RECORD_HEADER) {
        throw corrupt(
            height, "record length %d < %d".formatted(record.length, RECORD_HEADER + CHECKSUM));
      }
      int stored = ByteBuffer.wrap(record, end, CHECKSUM).getInt();
      int computed = crc32c(record, end);
      if (stored != computed) {
        throw corrupt(
            height,
            "record checksum %08x != %08x computed: the record is damaged"
                .formatted(stored, computed));
      }
    } else if (record[0] != RECORD_V1) {
      throw corrupt(
          height, "record tag %d is neither %d nor %d".formatted(record[0], RECORD_V1, RECORD_V2));
    }
    Hash hash = Hash.of(Arrays.copyOfRange(record, 1, RECORD_HEADER));
    return new StoredBlock(height, hash, Arrays.copyOfRange(record, RECORD_HEADER, end));
  }

  private UncheckedIOException corrupt(long height, String why) {
    return new UncheckedIOException(
        new IOException("block store %s is corrupt at height %d: %s".formatted(file, height, why)));
  }

  private void rollBack(MVStoreException cause) {
    try {
      if (!store.isClosed()) {
        store.rollback();
      }
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
    if (store.isClosed()) {
      fail(cause.getMessage());
    }
  }

  private void fail(String why) {
    failure = why;
    if (!store.isClosed()) {
      store.closeImmediately();
    }
    log.error("block store {} closed after a storage failure: {}", file, why);
  }

  private UncheckedIOException storageFailure(String what, MVStoreException e) {
    return new UncheckedIOException(
        new IOException("block store %s: %s: %s".formatted(file, what, e.getMessage()), e));
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("block store %s is closed".formatted(file));
    }
    String why = failure;
    if (why != null) {
      throw new IllegalStateException(
          "block store %s was closed after a storage failure (%s); reopen it to recover"
              .formatted(file, why));
    }
  }

  private static UncheckedIOException notABlockStore(Path path, String why) {
    return new UncheckedIOException(
        new IOException("%s is not a GridTrade block store: %s".formatted(path, why)));
  }

  // Makes a new directory entry durable where the platform can open a directory (not Windows).
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("cannot sync directory {}: {}", dir, e.toString());
    }
  }
}

package org.gridtrade.benchmarks.rocks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.internal.state.Layer;
import org.gridtrade.ledger.internal.state.Node;
import org.gridtrade.ledger.internal.state.NodeCache;
import org.gridtrade.ledger.internal.state.NodeKey;
import org.gridtrade.ledger.internal.state.NodeStore;
import org.gridtrade.ledger.internal.state.StateStorage;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * A durable {@link BlockStore} with its state tree ({@link StateStorage}) in one RocksDB database,
 * for comparing RocksDB with the ledger's embedded H2 MVStore store under the same load. Benchmark
 * code only: the libraries never depend on RocksDB.
 *
 * <p>Layout, one column family each: {@code blocks} (8-byte big-endian height to the 32-byte block
 * hash followed by the encoded block), {@code nodes} (node key bytes to the encoded node), {@code
 * stale} ({@code staleSince (8 bytes) ‖ node key} to nothing), {@code roots} (8-byte big-endian
 * height to the encoded root record) and the default family for metadata (the format). RocksDB's
 * default bytewise comparator orders keys as unsigned bytes, which is the order the MVStore maps
 * use, so "every node written after version v" is one range here too.
 *
 * <p>Durability: every append or replacement and its state commit go into one {@link
 * WriteBatchWithIndex}, written with {@code sync} (the write-ahead log is fsynced before the call
 * returns): all or nothing across a crash, like the MVStore store's commit and fsync. The batch is
 * indexed so that the range scans of a commit (rollback, pruning) see the commit's own earlier
 * writes, exactly as the MVStore store's maps do. Bulk nodes (a genesis build) go in plain batches
 * of {@value #BULK_BATCH} written without sync; {@link NodeStore#bulkFlush} syncs.
 *
 * <p>Thread-safe: reads run concurrently with each other and with one write; writes are serialised;
 * {@link #close} waits for running calls (a RocksDB handle must not be used once closed).
 */
public final class RocksDbStore implements BlockStore, StateStorage {
  /** The format this class writes and reads, kept under {@code format} in the default family. */
  public static final String FORMAT = "gridtrade-rocksdb-store/1";

  /** Decoded state-tree nodes kept in memory, as many as the MVStore store keeps. */
  public static final int DEFAULT_CACHE_NODES = 65_536;

  /** RocksDB's block cache, shared by the column families. */
  public static final long BLOCK_CACHE_BYTES = 32L << 20;

  private static final int BULK_BATCH = 100_000;
  private static final byte[] FORMAT_KEY = "format".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NONE = new byte[0];
  private static final List<String> FAMILIES = List.of("blocks", "nodes", "stale", "roots");

  private final Path dir;
  private final RocksDB db;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final LRUCache blockCache;
  private final BloomFilter bloom;
  private final WriteOptions sync;
  private final WriteOptions noSync;
  private final List<ColumnFamilyHandle> handles;
  private final ColumnFamilyHandle meta;
  private final ColumnFamilyHandle blocks;
  private final ColumnFamilyHandle nodesCf;
  private final ColumnFamilyHandle staleCf;
  private final ColumnFamilyHandle rootsCf;
  private final Nodes nodes;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ReentrantLock writeLock = new ReentrantLock();
  private volatile long size;
  private boolean closed; // written under the lifecycle write lock

  private RocksDbStore(
      Path dir,
      RocksDB db,
      DBOptions dbOptions,
      ColumnFamilyOptions cfOptions,
      LRUCache blockCache,
      BloomFilter bloom,
      List<ColumnFamilyHandle> handles) {
    this.dir = dir;
    this.db = db;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.blockCache = blockCache;
    this.bloom = bloom;
    this.handles = handles;
    this.meta = handles.get(0);
    this.blocks = handles.get(1);
    this.nodesCf = handles.get(2);
    this.staleCf = handles.get(3);
    this.rootsCf = handles.get(4);
    this.sync = new WriteOptions().setSync(true);
    this.noSync = new WriteOptions().setSync(false);
    this.nodes = new Nodes();
  }

  /**
   * Opens the store in directory {@code dir}, creating it if needed.
   *
   * @param dir the database directory
   * @return the open store; close it to release RocksDB's lock on the directory
   * @throws UncheckedIOException if RocksDB cannot open it, or it is not a store of this format
   */
  public static RocksDbStore open(Path dir) {
    Objects.requireNonNull(dir, "dir");
    RocksDB.loadLibrary();
    Path path = dir.toAbsolutePath().normalize();
    LRUCache cache = new LRUCache(BLOCK_CACHE_BYTES);
    BloomFilter bloom = new BloomFilter(10);
    ColumnFamilyOptions cf =
        new ColumnFamilyOptions()
            .setTableFormatConfig(
                new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(bloom));
    DBOptions options =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setKeepLogFileNum(2);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cf));
    for (String f : FAMILIES) {
      descriptors.add(new ColumnFamilyDescriptor(f.getBytes(StandardCharsets.US_ASCII), cf));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    RocksDB db;
    try {
      Files.createDirectories(path);
      db = RocksDB.open(options, path.toString(), descriptors, handles);
    } catch (RocksDBException | IOException e) {
      options.close();
      cf.close();
      cache.close();
      bloom.close();
      throw new UncheckedIOException(
          new IOException("cannot open RocksDB store %s: %s".formatted(path, e.getMessage()), e));
    }
    RocksDbStore s = new RocksDbStore(path, db, options, cf, cache, bloom, handles);
    try {
      s.init();
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  private void init() {
    try {
      byte[] format = db.get(meta, FORMAT_KEY);
      if (format == null) {
        try (RocksIterator it = db.newIterator(blocks)) {
          it.seekToFirst();
          if (it.isValid()) {
            throw notAStore("it holds blocks but no format");
          }
        }
        db.put(meta, sync, FORMAT_KEY, FORMAT.getBytes(StandardCharsets.US_ASCII));
      } else if (!FORMAT.equals(new String(format, StandardCharsets.US_ASCII))) {
        throw notAStore(
            "format '%s' != '%s'".formatted(new String(format, StandardCharsets.US_ASCII), FORMAT));
      }
    } catch (RocksDBException e) {
      throw failure("reading the format", e);
    }
    long n = 0;
    try (RocksIterator it = db.newIterator(blocks)) {
      it.seekToLast();
      if (it.isValid()) {
        n = height(it.key()) + 1;
        it.seekToFirst();
        if (height(it.key()) != 0) {
          throw notAStore("its lowest height is %d, not 0".formatted(height(it.key())));
        }
      }
    }
    size = n;
    nodes.initVersion();
  }

  /** The state tree's nodes and root records in this store. */
  @Override
  public NodeStore nodeStore() {
    return nodes;
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
    Objects.requireNonNull(block, "block");
    write(block, null);
  }

  @Override
  public void append(StoredBlock block, NodeStore.Commit commit) {
    Objects.requireNonNull(block, "block");
    Objects.requireNonNull(commit, "commit");
    write(block, commit);
  }

  private void write(StoredBlock block, NodeStore.Commit commit) {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      writeLock.lock();
      try {
        long height = size;
        if (block.height() != height) {
          throw new IllegalArgumentException(
              "block height %d != store size %d: blocks are appended at the end only"
                  .formatted(block.height(), height));
        }
        try (WriteBatchWithIndex batch = new WriteBatchWithIndex(true)) {
          batch.put(blocks, key(height), encode(block));
          List<NodeKey> uncached = commit == null ? List.of() : nodes.write(batch, commit);
          db.write(sync, batch);
          nodes.afterWrite(commit, uncached);
        } catch (RocksDBException e) {
          throw failure("appending height %d".formatted(height), e);
        }
        size = height + 1;
      } finally {
        writeLock.unlock();
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void replaceLast(StoredBlock block) {
    Objects.requireNonNull(block, "block");
    replace(-1, List.of(block), null);
  }

  @Override
  public void replaceFrom(long height, List<StoredBlock> replacement) {
    replace(height, replacement, null);
  }

  @Override
  public void replaceFrom(long height, List<StoredBlock> replacement, NodeStore.Commit commit) {
    Objects.requireNonNull(commit, "commit");
    replace(height, replacement, commit);
  }

  // height -1: replace the highest block (replaceLast), checked under the write lock.
  private void replace(long from, List<StoredBlock> replacement, NodeStore.Commit commit) {
    List<StoredBlock> records = List.copyOf(replacement);
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      writeLock.lock();
      try {
        long old = size;
        long height = from;
        if (from == -1) {
          height = old - 1;
          long h = records.get(0).height();
          if (height < 1 || h != height) {
            throw new IllegalArgumentException(
                "block height %d is not the highest non-genesis height %d".formatted(h, height));
          }
        }
        checkReplacement(height, records, old);
        long next = height + records.size();
        size = height; // readers stop below the records that change
        try (WriteBatchWithIndex batch = new WriteBatchWithIndex(true)) {
          for (long h = next; h < old; h++) {
            batch.delete(blocks, key(h));
          }
          for (StoredBlock b : records) {
            batch.put(blocks, key(b.height()), encode(b));
          }
          List<NodeKey> uncached = commit == null ? List.of() : nodes.write(batch, commit);
          db.write(sync, batch);
          nodes.afterWrite(commit, uncached);
        } catch (RocksDBException e) {
          size = old;
          throw failure("replacing from height %d".formatted(height), e);
        }
        size = next;
      } finally {
        writeLock.unlock();
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private static void checkReplacement(long height, List<StoredBlock> records, long size) {
    if (height < 1 || height > size) {
      throw new IllegalArgumentException(
          "replacement height %d is not in 1..%d (the genesis block is never replaced)"
              .formatted(height, size));
    }
    if (records.isEmpty()) {
      throw new IllegalArgumentException("replacement from height %d is empty".formatted(height));
    }
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i).height() != height + i) {
        throw new IllegalArgumentException(
            "replacement record %d has height %d, not %d"
                .formatted(i, records.get(i).height(), height + i));
      }
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
      byte[] record;
      try {
        record = db.get(blocks, key(height));
      } catch (RocksDBException e) {
        throw failure("reading height %d".formatted(height), e);
      }
      if (record == null || record.length < Hash.LENGTH) {
        throw new UncheckedIOException(
            new IOException(
                "RocksDB store %s is corrupt at height %d: record %s"
                    .formatted(
                        dir,
                        height,
                        record == null ? "missing" : "of " + record.length + " bytes")));
      }
      return Optional.of(
          new StoredBlock(
              height,
              Hash.of(Arrays.copyOf(record, Hash.LENGTH)),
              Arrays.copyOfRange(record, Hash.LENGTH, record.length)));
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * Bytes of the database's files (tables, write-ahead log, manifest), without RocksDB's info logs.
   *
   * @return the size in bytes
   */
  @Override
  public long sizeInBytes() {
    return bytesOnDisk(dir);
  }

  /**
   * Bytes of a RocksDB directory's files, without RocksDB's info logs ({@code LOG*}).
   *
   * @param dir the database directory
   * @return the size in bytes
   */
  public static long bytesOnDisk(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> !p.getFileName().toString().startsWith("LOG"))
          .mapToLong(
              p -> {
                try {
                  return Files.isRegularFile(p) ? Files.size(p) : 0;
                } catch (IOException e) {
                  return 0; // deleted by a compaction meanwhile
                }
              })
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Flushes the memtables to tables (so a reopen replays no log) and closes the database. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
        db.flush(f, handles);
      } catch (RocksDBException e) {
        // Every acknowledged write is in the synced log; the reopen replays it.
      }
      nodes.closeBulk();
      handles.forEach(ColumnFamilyHandle::close);
      try {
        db.closeE();
      } catch (RocksDBException e) {
        throw failure("closing", e);
      } finally {
        sync.close();
        noSync.close();
        dbOptions.close();
        cfOptions.close();
        blockCache.close();
        bloom.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /**
   * Counts the stored state-tree nodes (a full scan; for checks).
   *
   * @return the count
   */
  public long nodeCount() {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      long n = 0;
      try (RocksIterator it = db.newIterator(nodesCf)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          n++;
        }
      }
      return n;
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "RocksDbStore[dir=%s, size=%d]".formatted(dir, size);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("RocksDB store %s is closed".formatted(dir));
    }
  }

  private UncheckedIOException failure(String what, RocksDBException e) {
    return new UncheckedIOException(
        new IOException("RocksDB store %s: %s failed: %s".formatted(dir, what, e.getMessage()), e));
  }

  private UncheckedIOException notAStore(String why) {
    return new UncheckedIOException(
        new IOException("%s is not a GridTrade RocksDB store: %s".formatted(dir, why)));
  }

  private static byte[] encode(StoredBlock b) {
    byte[] encoded = b.encoded();
    byte[] r = new byte[Hash.LENGTH + encoded.length];
    System.arraycopy(b.hash().bytes(), 0, r, 0, Hash.LENGTH);
    System.arraycopy(encoded, 0, r, Hash.LENGTH, encoded.length);
    return r;
  }

  /** A height (or version) as 8 big-endian bytes, which sort like the numbers when >= 0. */
  static byte[] key(long height) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (height >>> (56 - 8 * i));
    }
    return b;
  }

  static long height(byte[] key) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (key[i] & 0xFF);
    }
    return v;
  }

  private static byte[] staleKey(long since, NodeKey key) {
    byte[] k = key == null ? NONE : key.bytes();
    byte[] b = Arrays.copyOf(key(since), 8 + k.length);
    System.arraycopy(k, 0, b, 8, k.length);
    return b;
  }

  /** The state tree in the nodes, stale and roots families. */
  private final class Nodes implements NodeStore {
    private final NodeCache cache = new NodeCache(DEFAULT_CACHE_NODES);
    private final AtomicLong versions = new AtomicLong();
    private WriteBatch bulk; // guarded by writeLock
    private long bulkCount;

    void initVersion() {
      try (RocksIterator it = db.newIterator(nodesCf)) {
        it.seekToLast();
        versions.set(it.isValid() ? NodeKey.decode(it.key()).version() : 0);
      }
    }

    @Override
    public Node node(NodeKey key) {
      Node n = cache.get(key);
      if (n != null) {
        return n;
      }
      byte[] b;
      lifecycle.readLock().lock();
      try {
        ensureOpen();
        b = db.get(nodesCf, key.bytes());
      } catch (RocksDBException e) {
        throw failure("reading node " + key, e);
      } finally {
        lifecycle.readLock().unlock();
      }
      if (b == null) {
        return null;
      }
      n = Node.decode(b);
      cache.put(key, n);
      return n;
    }

    @Override
    public long allocateVersion() {
      return versions.incrementAndGet();
    }

    @Override
    public Optional<RootRecord> root(long height) {
      lifecycle.readLock().lock();
      try {
        ensureOpen();
        byte[] b = db.get(rootsCf, key(height));
        return b == null ? Optional.empty() : Optional.of(RootRecord.decode(height, b));
      } catch (RocksDBException e) {
        throw failure("reading the root of height %d".formatted(height), e);
      } finally {
        lifecycle.readLock().unlock();
      }
    }

    /**
     * Adds to {@code batch} what {@code c} changes, in the order and with the scans of the MVStore
     * node store's {@code write}; the scans see the batch's own earlier writes.
     *
     * @return the pruned nodes, to drop from the cache once the batch is written
     */
    List<NodeKey> write(WriteBatchWithIndex batch, Commit c) throws RocksDBException {
      if (c.rollbackAfter() >= 0) {
        for (byte[] k :
            keysFrom(batch, nodesCf, NodeKey.root(c.rollbackAfter() + 1).bytes(), Long.MAX_VALUE)) {
          batch.delete(nodesCf, k);
        }
        for (byte[] k :
            keysFrom(batch, staleCf, staleKey(c.rollbackAfter() + 1, null), Long.MAX_VALUE)) {
          batch.delete(staleCf, k);
        }
      }
      for (byte[] k : keysFrom(batch, rootsCf, key(c.dropRootsFrom()), Long.MAX_VALUE)) {
        batch.delete(rootsCf, k);
      }
      for (Layer l : c.layers()) {
        Map<NodeKey, Node> m = l.nodes();
        if (m != null) {
          for (Map.Entry<NodeKey, Node> e : m.entrySet()) {
            batch.put(nodesCf, e.getKey().bytes(), e.getValue().encode());
          }
        }
        for (NodeKey k : l.stale()) {
          batch.put(staleCf, staleKey(l.version(), k), NONE);
        }
      }
      for (RootRecord r : c.roots()) {
        batch.put(rootsCf, key(r.height()), r.encode());
      }
      List<NodeKey> pruned = new ArrayList<>();
      if (c.pruneUpTo() >= 0) {
        for (byte[] k : keysFrom(batch, staleCf, NONE, c.pruneUpTo())) {
          byte[] nodeKey = Arrays.copyOfRange(k, 8, k.length);
          batch.delete(nodesCf, nodeKey);
          batch.delete(staleCf, k);
          pruned.add(NodeKey.decode(nodeKey));
        }
        for (byte[] k : keysFrom(batch, rootsCf, NONE, c.pruneHeightsBelow() - 1)) {
          batch.delete(rootsCf, k);
        }
      }
      return pruned;
    }

    /** Drops from the cache what a written commit removed. */
    void afterWrite(Commit c, List<NodeKey> pruned) {
      if (c == null) {
        return;
      }
      if (c.rollbackAfter() >= 0) {
        cache.clear();
      }
      pruned.forEach(cache::remove);
    }

    /**
     * The keys of {@code cf} at or after {@code from} (in the batch over the database), up to the
     * first whose leading 8 bytes, read as a number, exceed {@code upTo} ({@link Long#MAX_VALUE}:
     * no bound; below 0: none).
     */
    private List<byte[]> keysFrom(
        WriteBatchWithIndex batch, ColumnFamilyHandle cf, byte[] from, long upTo) {
      List<byte[]> out = new ArrayList<>();
      if (upTo < 0) {
        return out;
      }
      try (RocksIterator it = batch.newIteratorWithBase(cf, db.newIterator(cf))) {
        it.seek(from);
        for (; it.isValid(); it.next()) {
          byte[] k = it.key();
          if (upTo != Long.MAX_VALUE && height(k) > upTo) {
            break;
          }
          out.add(k);
        }
      }
      return out;
    }

    @Override
    public void commit(Commit c) {
      Objects.requireNonNull(c, "commit");
      lifecycle.readLock().lock();
      try {
        ensureOpen();
        writeLock.lock();
        try (WriteBatchWithIndex batch = new WriteBatchWithIndex(true)) {
          List<NodeKey> pruned = write(batch, c);
          db.write(sync, batch);
          afterWrite(c, pruned);
        } catch (RocksDBException e) {
          throw failure("committing replayed state", e);
        } finally {
          writeLock.unlock();
        }
      } finally {
        lifecycle.readLock().unlock();
      }
    }

    @Override
    public void prune(long upToVersion, long heightsBelow) {
      commit(new Commit(-1, List.of(), List.of(), Long.MAX_VALUE, upToVersion, heightsBelow));
    }

    @Override
    public void bulkPut(NodeKey key, Node node) {
      lifecycle.readLock().lock();
      try {
        ensureOpen();
        writeLock.lock();
        try {
          if (bulk == null) {
            bulk = new WriteBatch();
          }
          bulk.put(nodesCf, key.bytes(), node.encode());
          if (++bulkCount % BULK_BATCH == 0) {
            db.write(noSync, bulk);
            bulk.clear();
          }
        } catch (RocksDBException e) {
          throw failure("writing bulk nodes", e);
        } finally {
          writeLock.unlock();
        }
      } finally {
        lifecycle.readLock().unlock();
      }
    }

    @Override
    public void bulkFlush() {
      lifecycle.readLock().lock();
      try {
        ensureOpen();
        writeLock.lock();
        try {
          // A synced write syncs the log up to it, so the earlier unsynced batches too.
          if (bulk == null) {
            bulk = new WriteBatch();
          }
          db.write(sync, bulk);
          closeBulk();
        } catch (RocksDBException e) {
          throw failure("flushing bulk nodes", e);
        } finally {
          writeLock.unlock();
        }
      } finally {
        lifecycle.readLock().unlock();
      }
    }

    void closeBulk() {
      if (bulk != null) {
        bulk.close();
        bulk = null;
      }
    }

    @Override
    public void clear() {
      lifecycle.readLock().lock();
      try {
        ensureOpen();
        writeLock.lock();
        try {
          for (ColumnFamilyHandle cf : List.of(nodesCf, staleCf, rootsCf)) {
            try (WriteBatch batch = new WriteBatch();
                RocksIterator it = db.newIterator(cf)) {
              for (it.seekToFirst(); it.isValid(); it.next()) {
                batch.delete(cf, it.key());
                if (batch.count() >= BULK_BATCH) {
                  db.write(noSync, batch);
                  batch.clear();
                }
              }
              db.write(sync, batch);
            }
          }
          closeBulk();
          bulkCount = 0;
          cache.clear();
        } catch (RocksDBException e) {
          throw failure("clearing the state", e);
        } finally {
          writeLock.unlock();
        }
      } finally {
        lifecycle.readLock().unlock();
      }
    }
  }
}

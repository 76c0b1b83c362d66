package org.gridtrade.ledger.internal.state;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Sorts fixed-length records by their first {@code keyLength} bytes (unsigned) with bounded memory:
 * chunks of records are sorted in memory and spilled to temporary files, then merged. Not
 * thread-safe.
 */
public final class ExternalSorter implements AutoCloseable {
  private final int recordLength;
  private final int keyLength;
  private final int chunk;
  private final Comparator<byte[]> order;
  private final List<byte[]> buffer = new ArrayList<>();
  private final List<Path> spills = new ArrayList<>();
  private final List<InputStream> open = new ArrayList<>();

  /**
   * A sorter.
   *
   * @param recordLength bytes per record
   * @param keyLength leading bytes compared
   * @param chunk records held in memory at most
   */
  public ExternalSorter(int recordLength, int keyLength, int chunk) {
    this.recordLength = recordLength;
    this.keyLength = keyLength;
    this.chunk = chunk;
    this.order = (a, b) -> Arrays.compareUnsigned(a, 0, keyLength, b, 0, keyLength);
  }

  /**
   * Adds a record.
   *
   * @param record exactly {@code recordLength} bytes (kept, not copied)
   */
  public void add(byte[] record) {
    if (record.length != recordLength) {
      throw new IllegalArgumentException(
          "record length %d != %d".formatted(record.length, recordLength));
    }
    buffer.add(record);
    if (buffer.size() == chunk) {
      spill();
    }
  }

  private void spill() {
    buffer.sort(order);
    try {
      Path f = Files.createTempFile("gridtrade-sort", ".bin");
      spills.add(f);
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(f), 1 << 16)) {
        for (byte[] r : buffer) {
          out.write(r);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spill sorted records: " + e.getMessage(), e);
    }
    buffer.clear();
  }

  /**
   * The records in order. Call once, after the last {@link #add}.
   *
   * @return an iterator over the sorted records
   */
  public Iterator<byte[]> sorted() {
    if (spills.isEmpty()) {
      buffer.sort(order);
      return buffer.iterator();
    }
    if (!buffer.isEmpty()) {
      spill();
    }
    record Head(byte[] record, int source) {}
    List<DataInputStream> sources = new ArrayList<>();
    PriorityQueue<Head> heap =
        new PriorityQueue<>(
            Math.max(1, spills.size()), (a, b) -> order.compare(a.record, b.record));
    try {
      for (Path f : spills) {
        DataInputStream in =
            new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16));
        open.add(in);
        sources.add(in);
        byte[] r = readRecord(in);
        if (r != null) {
          heap.add(new Head(r, sources.size() - 1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read sorted records: " + e.getMessage(), e);
    }
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return !heap.isEmpty();
      }

      @Override
      public byte[] next() {
        Head h = heap.poll();
        if (h == null) {
          throw new NoSuchElementException();
        }
        try {
          byte[] r = readRecord(sources.get(h.source));
          if (r != null) {
            heap.add(new Head(r, h.source));
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read sorted records: " + e.getMessage(), e);
        }
        return h.record;
      }
    };
  }

  private byte[] readRecord(DataInputStream in) throws IOException {
    byte[] r = new byte[recordLength];
    try {
      in.readFully(r);
      return r;
    } catch (EOFException e) {
      return null;
    }
  }

  /** Deletes the temporary files. */
  @Override
  public void close() {
    for (InputStream in : open) {
      try {
        in.close();
      } catch (IOException ignored) {
        // deleting below is what matters
      }
    }
    for (Path f : spills) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException ignored) {
        // a temp file left behind
      }
    }
  }
}

package org.gridtrade.ledger;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;

/**
 * Child process of {@link ReorgCrashTest}: replaces the top of a durable store over and over with
 * {@link BlockStore#replaceFrom} until it is killed. Before each call it logs {@code trying <size>
 * <hash>} (the store's size and highest hash once the call is done), after it {@code acked <size>
 * <hash>}. Every record starts with its predecessor's hash, so a mix of old and new records breaks
 * a link. The log is a file written with one unbuffered write per line, not the standard output:
 * the bytes of a write that returned survive the kill, while the parent's end of a pipe may lose
 * the last lines.
 */
public final class ReorgCrashChild {
  private ReorgCrashChild() {}

  /**
   * Runs the child.
   *
   * @param args the store file, a seed and the log file
   * @throws IOException if the log cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
    DurableStoreCrashChild.startWatchdog();
    try (Log out = new Log(new FileOutputStream(args[2], true));
        BlockStore store = BlockStores.openDurable(file)) {
      out.println(
          "opened %d %s"
              .formatted(store.size(), store.read(store.size() - 1).orElseThrow().hash()));
      while (true) {
        long size = store.size();
        long from = Math.max(1, size - random.nextInt(9));
        int count = 1 + random.nextInt(10);
        Hash previous = store.read(from - 1).orElseThrow().hash();
        List<StoredBlock> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          byte[] bytes =
              new byte
                  [random.nextInt(
                      DurableStoreCrashChild.MIN_LENGTH, DurableStoreCrashChild.MAX_LENGTH + 1)];
          random.nextBytes(bytes);
          System.arraycopy(previous.bytes(), 0, bytes, 0, Hash.LENGTH);
          previous = Hash.sha256(bytes);
          records.add(new StoredBlock(from + i, previous, bytes));
        }
        out.println("trying " + (from + count) + " " + previous);
        store.replaceFrom(from, records);
        out.println("acked " + (from + count) + " " + previous);
      }
    }
  }

  /** Writes each line with one unbuffered write. */
  private record Log(FileOutputStream out) implements AutoCloseable {
    void println(String line) {
      try {
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}

package org.gridtrade.ledger;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.gridtrade.ledger.internal.MvStoreBlockStore;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;

/**
 * Child process of {@link DurableStoreCrashTest}: appends chained random records to a durable store
 * until it is killed, printing {@code acked <height> <hash>} after each append returns.
 *
 * <p>Arguments: the store file and the content seed. The bytes of the record at a height depend
 * only on the seed, the height and the previous record's hash, so the parent can rebuild them.
 */
public final class DurableStoreCrashChild {
  /** Blocks the child keeps replaceable; older ones go to the archive. */
  static final int ARCHIVE_WINDOW = 8;

  private DurableStoreCrashChild() {}

  // Record lengths in bytes, inclusive.
  static final int MIN_LENGTH = 100;
  static final int MAX_LENGTH = 20_000;

  /**
   * Runs the child.
   *
   * @param args the store file and the content seed
   */
  public static void main(String[] args) {
    Path file = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    DurableStoreCrashChild.startWatchdog();

    PrintStream out = System.out;
    out.println("opening");
    out.flush();
    // A window of 8 recent blocks: every other append also moves a block to the archive, so kills
    // land in the middle of archiving too.
    try (BlockStore store =
        MvStoreBlockStore.open(file, MvStoreBlockStore.DEFAULT_CACHE_NODES, ARCHIVE_WINDOW)) {
      long height = store.size();
      out.println("opened " + height);
      out.flush();
      Hash previous = height == 0 ? Hash.ZERO : store.read(height - 1).orElseThrow().hash();
      while (true) {
        byte[] bytes = recordBytes(seed, height, previous);
        Hash hash = Hash.sha256(bytes);
        store.append(new StoredBlock(height, hash, bytes));
        out.println("acked " + height + " " + hash);
        out.flush();
        previous = hash;
        height++;
      }
    }
  }

  /** If the parent dies without killing this child process, do not run forever. */
  static void startWatchdog() {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(60_000);
              } catch (InterruptedException e) {
                return;
              }
              Runtime.getRuntime().halt(3);
            });
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /**
   * The record at {@code height}: random length and content from the seed and height, the first 32
   * bytes replaced by the previous record's hash.
   */
  static byte[] recordBytes(long seed, long height, Hash previous) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + height);
    byte[] bytes = new byte[random.nextInt(MIN_LENGTH, MAX_LENGTH + 1)];
    random.nextBytes(bytes);
    System.arraycopy(previous.bytes(), 0, bytes, 0, Hash.LENGTH);
    return bytes;
  }
}

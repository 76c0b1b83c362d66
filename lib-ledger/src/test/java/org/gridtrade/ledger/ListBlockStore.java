package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;

/** A deliberately simple store for tests, which can also corrupt what it holds. */
final class ListBlockStore implements BlockStore {
  private final List<StoredBlock> blocks = new ArrayList<>();

  @Override
  public synchronized long size() {
    return blocks.size();
  }

  @Override
  public synchronized void append(StoredBlock block) {
    if (block.height() != blocks.size()) {
      throw new IllegalArgumentException("height " + block.height() + " != " + blocks.size());
    }
    blocks.add(block);
  }

  @Override
  public synchronized Optional<StoredBlock> read(long height) {
    return height < blocks.size() ? Optional.of(blocks.get((int) height)) : Optional.empty();
  }

  @Override
  public synchronized long sizeInBytes() {
    return blocks.stream().mapToLong(StoredBlock::encodedLength).sum();
  }

  @Override
  public void close() {}

  /** Total encoded bytes of block {@code h}. */
  synchronized int length(int h) {
    return blocks.get(h).encodedLength();
  }

  /** XORs one byte of block {@code h}'s stored encoding. */
  synchronized void flip(int h, int at, int mask) {
    StoredBlock b = blocks.get(h);
    byte[] enc = b.encoded();
    enc[at] ^= (byte) mask;
    blocks.set(h, new StoredBlock(b.height(), b.hash(), enc));
  }
}

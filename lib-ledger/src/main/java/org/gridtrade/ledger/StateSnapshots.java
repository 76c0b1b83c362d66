package org.gridtrade.ledger;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.gridtrade.ledger.internal.Digests;
import org.gridtrade.ledger.internal.state.Node;
import org.gridtrade.ledger.internal.state.NodeStore;
import org.gridtrade.ledger.internal.state.SparseMerkleTree;
import org.gridtrade.ledger.internal.state.StateView;

/**
 * The state snapshot format: every key and value of the state after one height, in the order of the
 * keys' hashes, so a node can build the tree bottom-up in one pass and check its root against the
 * block header.
 *
 * <pre>
 * "GridTrade/snapshot/v1" ‖ chainId (4) ‖ height (8) ‖ block hash (32) ‖ state root (32)
 *   ‖ count (8) ‖ count × (key: u16 length ‖ bytes, value: i32 length ‖ bytes)
 * </pre>
 */
final class StateSnapshots {
  private StateSnapshots() {}

  static final byte[] MAGIC = "GridTrade/snapshot/v1".getBytes(StandardCharsets.US_ASCII);

  /** Writes the snapshot of {@code state}, the state after {@code header}; returns the count. */
  static long write(int chainId, BlockHeader header, LedgerState state, OutputStream out) {
    StateView view = state.view();
    long[] count = {0};
    view.forEach(l -> count[0]++);
    try {
      DataOutputStream d = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
      d.write(MAGIC);
      d.writeInt(chainId);
      d.writeLong(header.height());
      d.write(header.hash().bytes());
      d.write(header.stateRoot().bytes());
      d.writeLong(count[0]);
      IOException[] failure = {null};
      view.forEach(
          l -> {
            if (failure[0] != null) {
              return;
            }
            try {
              d.writeShort(l.key().length);
              d.write(l.key());
              d.writeInt(l.value().length);
              d.write(l.value());
            } catch (IOException e) {
              failure[0] = e;
            }
          });
      if (failure[0] != null) {
        throw failure[0];
      }
      d.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing the state snapshot failed", e);
    }
    return count[0];
  }

  /** The header fields of a snapshot, read before its entries. */
  record Head(long height, Hash blockHash, Hash stateRoot, long count) {}

  /** Reads a snapshot's head and then streams its entries as leaves, checking their order. */
  static final class Reader implements Iterator<Node.Leaf> {
    private final DataInputStream in;
    private final Head head;
    private long read;
    private byte[] lastHash;

    Reader(InputStream raw, int chainId) {
      this.in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
      try {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
          throw new IllegalArgumentException(
              "snapshot.magic: not a GridTrade state snapshot (version 1)");
        }
        int chain = in.readInt();
        if (chain != chainId) {
          throw new IllegalArgumentException(
              "snapshot.chainId %d != this chain's %d".formatted(chain, chainId));
        }
        long height = in.readLong();
        if (height < 0) {
          throw new IllegalArgumentException("snapshot.height %d must be >= 0".formatted(height));
        }
        byte[] block = new byte[Hash.LENGTH];
        in.readFully(block);
        byte[] root = new byte[Hash.LENGTH];
        in.readFully(root);
        long count = in.readLong();
        if (count < 0) {
          throw new IllegalArgumentException("snapshot.count %d must be >= 0".formatted(count));
        }
        this.head = new Head(height, Hash.of(block), Hash.of(root), count);
      } catch (EOFException e) {
        throw new IllegalArgumentException("snapshot: truncated in its header");
      } catch (IOException e) {
        throw new UncheckedIOException("reading the state snapshot failed", e);
      }
    }

    Head head() {
      return head;
    }

    @Override
    public boolean hasNext() {
      return read < head.count();
    }

    @Override
    public Node.Leaf next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      long i = read;
      try {
        int kl = in.readUnsignedShort();
        if (kl < 1 || kl > StateKey.MAX_LENGTH) {
          throw new IllegalArgumentException(
              "snapshot.entries[%d].key length %d not in 1..%d"
                  .formatted(i, kl, StateKey.MAX_LENGTH));
        }
        byte[] key = new byte[kl];
        in.readFully(key);
        int vl = in.readInt();
        if (vl < 0 || vl > Node.MAX_VALUE) {
          throw new IllegalArgumentException(
              "snapshot.entries[%d].value length %d not in 0..%d".formatted(i, vl, Node.MAX_VALUE));
        }
        byte[] value = new byte[vl];
        in.readFully(value);
        byte[] keyHash = Digests.sha256(key);
        if (lastHash != null && Arrays.compareUnsigned(lastHash, keyHash) >= 0) {
          throw new IllegalArgumentException(
              "snapshot.entries[%d]: key hash not above the previous entry's (order or duplicate)"
                  .formatted(i));
        }
        lastHash = keyHash;
        read++;
        return new Node.Leaf(keyHash, key, value);
      } catch (EOFException e) {
        throw new IllegalArgumentException(
            "snapshot: truncated at entry %d of %d".formatted(i, head.count()));
      } catch (IOException e) {
        throw new UncheckedIOException("reading the state snapshot failed", e);
      }
    }

    /** Checks that nothing follows the last entry. */
    void expectEnd() {
      try {
        if (in.read() != -1) {
          throw new IllegalArgumentException(
              "snapshot: bytes after its %d entries".formatted(head.count()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("reading the state snapshot failed", e);
      }
    }
  }

  /**
   * Builds the tree of a snapshot into {@code store} (bulk, in one pass) and returns its view.
   *
   * @throws IllegalArgumentException if the entries are malformed or out of order
   */
  static StateView build(Reader reader, NodeStore store) {
    long version = store.allocateVersion();
    SparseMerkleTree.Ptr root = SparseMerkleTree.bulkBuild(reader, version, store::bulkPut);
    store.bulkFlush();
    reader.expectEnd();
    return StateView.stored(store, root, version);
  }
}

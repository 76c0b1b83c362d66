package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.gridtrade.ledger.internal.ByteWriter;

/**
 * The confirmed energy trades that still await a {@link Payload.Rating}: per trade transaction id,
 * its seller and buyer and which of them has rated. Immutable; a new version shares the old one and
 * layers the block's changes on top, flattening every {@value #MAX_DEPTH} layers, so applying a
 * block costs time linear in its changes (plus an amortised copy).
 *
 * <p>A trade leaves the index once both parties have rated it; it stays while one of them has not.
 */
final class TradeIndex {
  static final int MAX_DEPTH = 16;
  static final TradeIndex EMPTY = new TradeIndex(null, Map.of(), 0, 0);
  private static final byte[] STATE_V2 =
      "GridTrade/state/v2".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * One open trade.
   *
   * @param seller the trade's seller
   * @param buyer the trade's buyer
   * @param sellerRated whether the seller has rated the buyer
   * @param buyerRated whether the buyer has rated the seller
   */
  record Entry(Address seller, Address buyer, boolean sellerRated, boolean buyerRated) {
    Entry {
      Objects.requireNonNull(seller, "seller");
      Objects.requireNonNull(buyer, "buyer");
    }

    boolean complete() {
      return sellerRated && buyerRated;
    }
  }

  /** Marks a removed entry in a layer. */
  private static final Entry REMOVED =
      new Entry(
          Address.ofBytes(new byte[Address.LENGTH]),
          Address.ofBytes(new byte[Address.LENGTH]),
          true,
          true);

  private final TradeIndex parent;
  private final Map<Hash, Entry> own;
  private final int depth;
  private final int size;
  private volatile Hash root;

  private TradeIndex(TradeIndex parent, Map<Hash, Entry> own, int depth, int size) {
    this.parent = parent;
    this.own = own;
    this.depth = depth;
    this.size = size;
  }

  Entry get(Hash trade) {
    for (TradeIndex t = this; t != null; t = t.parent) {
      Entry e = t.own.get(trade);
      if (e != null) {
        return e == REMOVED ? null : e;
      }
    }
    return null;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /**
   * A new version with {@code changes} applied: a complete entry (both parties rated) removes the
   * trade.
   */
  TradeIndex with(Map<Hash, Entry> changes) {
    if (changes.isEmpty()) {
      return this;
    }
    HashMap<Hash, Entry> layer = new HashMap<>(changes.size() * 2);
    int n = size;
    for (Map.Entry<Hash, Entry> c : changes.entrySet()) {
      boolean had = get(c.getKey()) != null;
      boolean keeps = !c.getValue().complete();
      layer.put(c.getKey(), keeps ? c.getValue() : REMOVED);
      n += (keeps ? 1 : 0) - (had ? 1 : 0);
    }
    TradeIndex next = new TradeIndex(this, Map.copyOf(layer), depth + 1, n);
    return next.depth > MAX_DEPTH ? next.flatten() : next;
  }

  private TradeIndex flatten() {
    return new TradeIndex(null, Map.copyOf(entries()), 0, size);
  }

  /** Every open trade, sorted by id. */
  TreeMap<Hash, Entry> entries() {
    List<TradeIndex> chain = new ArrayList<>();
    for (TradeIndex t = this; t != null; t = t.parent) {
      chain.add(t);
    }
    TreeMap<Hash, Entry> m = new TreeMap<>();
    for (int i = chain.size() - 1; i >= 0; i--) {
      for (Map.Entry<Hash, Entry> e : chain.get(i).own.entrySet()) {
        if (e.getValue() == REMOVED) {
          m.remove(e.getKey());
        } else {
          m.put(e.getKey(), e.getValue());
        }
      }
    }
    return m;
  }

  /**
   * The state root given the accounts' root: unchanged when no trade is open, else {@code
   * SHA-256("GridTrade/state/v2" ‖ accountsRoot ‖ tradesRoot)} with {@code tradesRoot} the RFC 6962
   * root over the open trades sorted by id, each leaf {@code id ‖ seller ‖ buyer ‖ flags} (bit 0:
   * seller rated, bit 1: buyer rated).
   */
  Hash stateRoot(Hash accountsRoot) {
    if (isEmpty()) {
      return accountsRoot;
    }
    Hash r = root;
    if (r == null) {
      List<byte[]> leaves = new ArrayList<>(size);
      for (Map.Entry<Hash, Entry> e : entries().entrySet()) {
        Entry t = e.getValue();
        leaves.add(
            new ByteWriter(Hash.LENGTH + 2 * Address.LENGTH + 1)
                .raw(e.getKey().unsafeBytes())
                .raw(t.seller().unsafeBytes())
                .raw(t.buyer().unsafeBytes())
                .u8((t.sellerRated() ? 1 : 0) | (t.buyerRated() ? 2 : 0))
                .toByteArray());
      }
      r = MerkleTree.root(leaves);
      root = r;
    }
    return Hash.sha256(STATE_V2, accountsRoot.bytes(), r.bytes());
  }
}

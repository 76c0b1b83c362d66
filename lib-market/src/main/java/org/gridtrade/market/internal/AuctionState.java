package org.gridtrade.market.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.market.SealedAuction;
import org.gridtrade.market.SealedAuctionSpec;
import org.gridtrade.market.SealedBid;

/**
 * The sealed-auction module's keys and encodings: {@code 'n'} the auction count; {@code 'a' ‖ id}
 * an auction; {@code 'b' ‖ id ‖ index} a commitment; {@code 'w' ‖ id ‖ bidder} the bidder's index;
 * {@code 'g' ‖ height} the auctions closing at that height.
 */
public final class AuctionState {
  /** The namespace of the sealed-auction module. */
  public static final int NAMESPACE = 33;

  private static final byte VERSION = 1;

  private AuctionState() {}

  /**
   * The auction counter's key.
   *
   * @return the key
   */
  public static StateKey countKey() {
    return StateKey.of(NAMESPACE, new byte[] {'n'});
  }

  /**
   * An auction's key.
   *
   * @param id the auction
   * @return the key
   */
  public static StateKey auctionKey(long id) {
    return StateKey.of(NAMESPACE, ByteBuffer.allocate(9).put((byte) 'a').putLong(id).array());
  }

  /**
   * A commitment's key.
   *
   * @param id the auction
   * @param index the commitment's index
   * @return the key
   */
  public static StateKey bidKey(long id, int index) {
    return StateKey.of(
        NAMESPACE, ByteBuffer.allocate(13).put((byte) 'b').putLong(id).putInt(index).array());
  }

  /**
   * The key of a bidder's commitment index.
   *
   * @param id the auction
   * @param bidder the bidder
   * @return the key
   */
  public static StateKey bidderKey(long id, Address bidder) {
    return StateKey.of(
        NAMESPACE,
        ByteBuffer.allocate(9 + Address.LENGTH)
            .put((byte) 'w')
            .putLong(id)
            .put(bidder.bytes())
            .array());
  }

  /**
   * The key listing the auctions that close at a height.
   *
   * @param height the height
   * @return the key
   */
  public static StateKey closeKey(long height) {
    return StateKey.of(NAMESPACE, ByteBuffer.allocate(9).put((byte) 'g').putLong(height).array());
  }

  /**
   * Encodes an auction.
   *
   * @param a the auction
   * @return its bytes
   */
  public static byte[] encode(SealedAuction a) {
    ByteBuffer b = ByteBuffer.allocate(512 + 1024);
    SealedAuctionSpec s = a.spec();
    b.put(VERSION)
        .putLong(a.id())
        .put(a.operator().bytes())
        .put((byte) (s.secondPrice() ? 1 : 0))
        .putLong(s.reserveMicroPerKWh())
        .putLong(s.lotWh())
        .putLong(s.depositMicro())
        .putLong(s.commitEndHeight())
        .putLong(s.revealEndHeight())
        .putInt(a.bidCount());
    if (a.outcome().isEmpty()) {
      b.put((byte) 0);
    } else {
      SealedAuction.Outcome o = a.outcome().get();
      byte[] reason = o.noTradeReason().getBytes(StandardCharsets.UTF_8);
      int n = Math.min(reason.length, 1024);
      b.put((byte) 1)
          .putLong(o.height())
          .put(o.winner().map(Address::bytes).orElse(new byte[Address.LENGTH]))
          .put((byte) (o.winner().isPresent() ? 1 : 0))
          .putLong(o.winningBid().orElse(-1))
          .putLong(o.payment().orElse(-1))
          .putLong(o.paidMicro())
          .putLong(o.forfeitedMicro())
          .putShort((short) n)
          .put(reason, 0, n);
    }
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }

  /**
   * Decodes an auction.
   *
   * @param v its bytes
   * @return the auction
   */
  public static SealedAuction decodeAuction(byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    b.get();
    long id = b.getLong();
    Address operator = address(b);
    SealedAuctionSpec spec =
        new SealedAuctionSpec(
            b.get() == 1, b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong());
    int bids = b.getInt();
    Optional<SealedAuction.Outcome> outcome = Optional.empty();
    if (b.get() == 1) {
      long height = b.getLong();
      Address w = address(b);
      boolean hasWinner = b.get() == 1;
      long bid = b.getLong();
      long pay = b.getLong();
      long paid = b.getLong();
      long forfeited = b.getLong();
      byte[] reason = new byte[b.getShort()];
      b.get(reason);
      outcome =
          Optional.of(
              new SealedAuction.Outcome(
                  height,
                  hasWinner ? Optional.of(w) : Optional.empty(),
                  bid < 0 ? OptionalLong.empty() : OptionalLong.of(bid),
                  pay < 0 ? OptionalLong.empty() : OptionalLong.of(pay),
                  paid,
                  forfeited,
                  new String(reason, StandardCharsets.UTF_8)));
    }
    return new SealedAuction(id, operator, spec, bids, outcome);
  }

  /**
   * Encodes a commitment.
   *
   * @param s the commitment
   * @return its bytes
   */
  public static byte[] encode(SealedBid s) {
    return ByteBuffer.allocate(1 + 8 + 4 + Address.LENGTH + Hash.LENGTH + 8 + 8 + 1)
        .put(VERSION)
        .putLong(s.auction())
        .putInt(s.index())
        .put(s.bidder().bytes())
        .put(s.commitment().bytes())
        .putLong(s.depositMicro())
        .putLong(s.revealedPrice().orElse(-1))
        .put((byte) s.status().ordinal())
        .array();
  }

  /**
   * Decodes a commitment.
   *
   * @param v its bytes
   * @return the commitment
   */
  public static SealedBid decodeBid(byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    b.get();
    long auction = b.getLong();
    int index = b.getInt();
    Address bidder = address(b);
    byte[] c = new byte[Hash.LENGTH];
    b.get(c);
    long deposit = b.getLong();
    long price = b.getLong();
    SealedBid.Status status = SealedBid.Status.values()[b.get()];
    return new SealedBid(
        auction,
        index,
        bidder,
        Hash.of(c),
        deposit,
        price < 0 ? OptionalLong.empty() : OptionalLong.of(price),
        status);
  }

  private static Address address(ByteBuffer b) {
    byte[] a = new byte[Address.LENGTH];
    b.get(a);
    return Address.ofBytes(a);
  }
}

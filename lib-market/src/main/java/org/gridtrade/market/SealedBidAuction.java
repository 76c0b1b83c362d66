package org.gridtrade.market;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;
import org.gridtrade.market.internal.AuctionState;
import org.gridtrade.market.internal.MarketState;
import org.gridtrade.market.internal.ModuleSupport;

/**
 * Sealed-bid reverse auctions on chain (Aggarwal Alg. 1, the leader election of the PETS game):
 * bidders commit to a price with a deposit, reveal it before the deadline, and every node computes
 * the winner and its payment; a commitment never revealed forfeits its deposit.
 *
 * <p><b>Calls</b> (payloads built by the static methods here):
 *
 * <ul>
 *   <li>{@link #open(SealedAuctionSpec)}: an authority opens an auction (ids 0, 1, …) and escrows
 *       {@code ⌈reserve × lot / 1000⌉} micro-coins, the most it can owe the winner.
 *   <li>{@link #commit(long, Hash)}: anyone, in blocks up to the commit end height, once per
 *       auction: locks the deposit and records the commitment.
 *   <li>{@link #reveal(long, long, byte[])}: the committer, in the blocks after the commit end
 *       height up to the reveal end height: the price and salt must hash to the commitment ({@link
 *       #commitment}); a reveal that does not match is refused (and changes nothing), so the bidder
 *       may still reveal correctly. A reveal while commitments are still taken is refused: no price
 *       is public while another bidder may still commit against it.
 * </ul>
 *
 * <p><b>Close</b>, at the end of the reveal end height's block, on every node: the valid reveals at
 * or below the reserve rank by price, then by commit order (the earlier commitment wins a tie). The
 * lowest wins. First price: it is paid its bid; second price: the second-lowest ranked price, or
 * the reserve when it is the only one, as lib-auction's {@code ReverseAuction}. The winner receives
 * {@code ⌊payment × lot / 1000⌋} from the operator's escrow, the operator gets the rest back and
 * the deposits of commitments never revealed; every revealed bidder gets its deposit back.
 *
 * <p><b>Commitment</b>: {@code SHA-256("GridTrade/sealed-bid/v1" ‖ auction ‖ bidder ‖ price ‖
 * salt)}, with the auction id and the price as 8-byte big-endian integers, the bidder's 20-byte
 * address, and 16 to 64 bytes of fresh random salt. Binding the auction and the bidder stops a
 * bidder from copying another's commitment and revealing it once the other has revealed.
 */
public final class SealedBidAuction implements LedgerModule {
  /** The module's name in {@link Payload.Call} and in the genesis. */
  public static final String NAME = "sealed-auction";

  /** The most commitments one auction takes. */
  public static final int MAX_BIDS = 10_000;

  /** The shortest salt, bytes. */
  public static final int MIN_SALT = 16;

  /** The longest salt, bytes. */
  public static final int MAX_SALT = 64;

  private static final byte OPEN = 1;
  private static final byte COMMIT = 2;
  private static final byte REVEAL = 3;
  private static final byte[] DOMAIN =
      "GridTrade/sealed-bid/v1".getBytes(StandardCharsets.US_ASCII);

  /** Creates the module; it holds no state of its own. */
  public SealedBidAuction() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int namespace() {
    return AuctionState.NAMESPACE;
  }

  /**
   * The commitment to a price.
   *
   * @param auction the auction's id
   * @param bidder the bidder's account
   * @param priceMicroPerKWh the sealed price, 0 to {@value DoubleAuctionMarket#MAX_PRICE}
   * @param salt {@value #MIN_SALT} to {@value #MAX_SALT} bytes of fresh randomness
   * @return the commitment
   */
  public static Hash commitment(long auction, Address bidder, long priceMicroPerKWh, byte[] salt) {
    Objects.requireNonNull(bidder, "bidder");
    Objects.requireNonNull(salt, "salt");
    return Hash.sha256(
        DOMAIN,
        ByteBuffer.allocate(8).putLong(auction).array(),
        bidder.bytes(),
        ByteBuffer.allocate(8).putLong(priceMicroPerKWh).array(),
        salt);
  }

  /**
   * Opens an auction (only an authority may).
   *
   * @param spec its rule, reserve, lot, deposit and deadlines
   * @return the payload
   */
  public static Payload.Call open(SealedAuctionSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return new Payload.Call(
        NAME,
        ByteBuffer.allocate(42)
            .put(OPEN)
            .put((byte) (spec.secondPrice() ? 1 : 0))
            .putLong(spec.reserveMicroPerKWh())
            .putLong(spec.lotWh())
            .putLong(spec.depositMicro())
            .putLong(spec.commitEndHeight())
            .putLong(spec.revealEndHeight())
            .array());
  }

  /**
   * Commits to a sealed price.
   *
   * @param auction the auction's id
   * @param commitment {@link #commitment}
   * @return the payload
   */
  public static Payload.Call commit(long auction, Hash commitment) {
    Objects.requireNonNull(commitment, "commitment");
    return new Payload.Call(
        NAME, ByteBuffer.allocate(41).put(COMMIT).putLong(auction).put(commitment.bytes()).array());
  }

  /**
   * Reveals a committed price.
   *
   * @param auction the auction's id
   * @param priceMicroPerKWh the price committed to
   * @param salt the salt committed with
   * @return the payload
   * @throws IllegalArgumentException if the salt's length is out of range
   */
  public static Payload.Call reveal(long auction, long priceMicroPerKWh, byte[] salt) {
    if (salt.length < MIN_SALT || salt.length > MAX_SALT) {
      throw new IllegalArgumentException(
          "salt of %d bytes must be %d to %d bytes".formatted(salt.length, MIN_SALT, MAX_SALT));
    }
    return new Payload.Call(
        NAME,
        ByteBuffer.allocate(17 + salt.length)
            .put(REVEAL)
            .putLong(auction)
            .putLong(priceMicroPerKWh)
            .put(salt)
            .array());
  }

  /**
   * One auction.
   *
   * @param state a ledger state
   * @param id the auction's id
   * @return it, or empty
   */
  public static Optional<SealedAuction> auction(LedgerState state, long id) {
    return id < 0
        ? Optional.empty()
        : state.get(AuctionState.auctionKey(id)).map(AuctionState::decodeAuction);
  }

  /**
   * An auction's commitments, in commit order.
   *
   * @param state a ledger state
   * @param id the auction's id
   * @return every commitment (empty if there is no such auction)
   */
  public static List<SealedBid> bids(LedgerState state, long id) {
    List<SealedBid> out = new ArrayList<>();
    auction(state, id)
        .ifPresent(
            a -> {
              for (int i = 0; i < a.bidCount(); i++) {
                out.add(
                    AuctionState.decodeBid(state.get(AuctionState.bidKey(id, i)).orElseThrow()));
              }
            });
    return List.copyOf(out);
  }

  @Override
  public Optional<TxResult.Rejected> execute(ModuleContext ctx, Transaction tx) {
    byte[] data = ((Payload.Call) tx.body().payload()).data();
    if (data.length == 0) {
      return reject("call data is empty; it must start with an operation (1 to 3)");
    }
    ByteBuffer in = ByteBuffer.wrap(data);
    byte op = in.get();
    switch (op) {
      case OPEN -> {
        return data.length == 42 ? open(ctx, tx, in) : length(op, "42", data.length);
      }
      case COMMIT -> {
        return data.length == 41 ? commit(ctx, tx, in) : length(op, "41", data.length);
      }
      case REVEAL -> {
        return data.length >= 17 + MIN_SALT && data.length <= 17 + MAX_SALT
            ? reveal(ctx, tx, in)
            : length(op, (17 + MIN_SALT) + " to " + (17 + MAX_SALT), data.length);
      }
      default -> {
        return reject(
            "operation %d is unknown; it must be 1 (open), 2 (commit) or 3 (reveal)".formatted(op));
      }
    }
  }

  private Optional<TxResult.Rejected> open(ModuleContext ctx, Transaction tx, ByteBuffer in) {
    if (!ctx.authorities().contains(tx.sender())) {
      return reject(
          "only an authority of the chain may open an auction; %s is not one"
              .formatted(tx.sender()));
    }
    SealedAuctionSpec spec;
    try {
      spec =
          new SealedAuctionSpec(
              in.get() == 1, in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong());
    } catch (IllegalArgumentException e) {
      return reject(e.getMessage());
    }
    if (spec.commitEndHeight() < ctx.height()) {
      return reject(
          "commitEndHeight %d must not be below the current height %d"
              .formatted(spec.commitEndHeight(), ctx.height()));
    }
    StateKey closeKey = AuctionState.closeKey(spec.revealEndHeight());
    byte[] closing = ctx.get(closeKey).orElse(new byte[0]);
    if (closing.length / 8 >= DoubleAuctionMarket.MAX_MARKETS_PER_HEIGHT) {
      return reject(
          "%d auctions already close at height %d; at most %d may"
              .formatted(
                  closing.length / 8,
                  spec.revealEndHeight(),
                  DoubleAuctionMarket.MAX_MARKETS_PER_HEIGHT));
    }
    long escrow = (spec.reserveMicroPerKWh() * spec.lotWh() + 999L) / 1000L;
    Optional<TxResult.Rejected> moved =
        ctx.transfer(tx.sender(), LedgerModule.account(NAME), escrow);
    if (moved.isPresent()) {
      return Optional.of(
          new TxResult.Rejected(
              moved.get().reason(),
              "%s: the lot's escrow of %d micro-coins exceeds what %s holds: %s"
                  .formatted(NAME, escrow, tx.sender(), moved.get().detail())));
    }
    long id = ctx.get(AuctionState.countKey()).map(MarketState::readLong).orElse(0L);
    ctx.put(AuctionState.countKey(), MarketState.longBytes(id + 1));
    ctx.put(
        AuctionState.auctionKey(id),
        AuctionState.encode(new SealedAuction(id, tx.sender(), spec, 0, Optional.empty())));
    ctx.put(closeKey, ModuleSupport.appended(closing, id));
    return Optional.empty();
  }

  private Optional<TxResult.Rejected> commit(ModuleContext ctx, Transaction tx, ByteBuffer in) {
    long id = in.getLong();
    byte[] c = new byte[Hash.LENGTH];
    in.get(c);
    Optional<SealedAuction> found =
        ctx.get(AuctionState.auctionKey(id)).map(AuctionState::decodeAuction);
    if (found.isEmpty()) {
      return reject("auction %d does not exist".formatted(id));
    }
    SealedAuction a = found.get();
    if (ctx.height() > a.spec().commitEndHeight()) {
      return reject(
          "auction %d took commitments up to height %d; this block is %d"
              .formatted(id, a.spec().commitEndHeight(), ctx.height()));
    }
    StateKey mine = AuctionState.bidderKey(id, tx.sender());
    if (ctx.get(mine).isPresent()) {
      return reject("%s has already committed to auction %d".formatted(tx.sender(), id));
    }
    if (a.bidCount() >= MAX_BIDS) {
      return reject("auction %d holds %d commitments, the most one takes".formatted(id, MAX_BIDS));
    }
    long deposit = a.spec().depositMicro();
    if (deposit > 0) {
      Optional<TxResult.Rejected> moved =
          ctx.transfer(tx.sender(), LedgerModule.account(NAME), deposit);
      if (moved.isPresent()) {
        return Optional.of(
            new TxResult.Rejected(
                moved.get().reason(),
                "%s: the deposit of %d micro-coins exceeds what %s holds: %s"
                    .formatted(NAME, deposit, tx.sender(), moved.get().detail())));
      }
    }
    int index = a.bidCount();
    ctx.put(
        AuctionState.bidKey(id, index),
        AuctionState.encode(
            new SealedBid(
                id,
                index,
                tx.sender(),
                Hash.of(c),
                deposit,
                OptionalLong.empty(),
                SealedBid.Status.COMMITTED)));
    ctx.put(mine, ByteBuffer.allocate(4).putInt(index).array());
    ctx.put(
        AuctionState.auctionKey(id),
        AuctionState.encode(
            new SealedAuction(id, a.operator(), a.spec(), index + 1, Optional.empty())));
    return Optional.empty();
  }

  private Optional<TxResult.Rejected> reveal(ModuleContext ctx, Transaction tx, ByteBuffer in) {
    long id = in.getLong();
    long price = in.getLong();
    byte[] salt = new byte[in.remaining()];
    in.get(salt);
    Optional<SealedAuction> found =
        ctx.get(AuctionState.auctionKey(id)).map(AuctionState::decodeAuction);
    if (found.isEmpty()) {
      return reject("auction %d does not exist".formatted(id));
    }
    SealedAuction a = found.get();
    if (ctx.height() <= a.spec().commitEndHeight()) {
      return reject(
          "auction %d takes reveals from height %d, once its commitments closed at %d; this block"
                  .formatted(id, a.spec().commitEndHeight() + 1, a.spec().commitEndHeight())
              + " is %d".formatted(ctx.height()));
    }
    if (ctx.height() > a.spec().revealEndHeight()) {
      return reject(
          "auction %d took reveals up to height %d; this block is %d"
              .formatted(id, a.spec().revealEndHeight(), ctx.height()));
    }
    if (price < 0 || price > DoubleAuctionMarket.MAX_PRICE) {
      return reject(
          "priceMicroPerKWh %d must be in [0, %d]".formatted(price, DoubleAuctionMarket.MAX_PRICE));
    }
    Optional<byte[]> mine = ctx.get(AuctionState.bidderKey(id, tx.sender()));
    if (mine.isEmpty()) {
      return reject("%s has no commitment in auction %d".formatted(tx.sender(), id));
    }
    int index = ByteBuffer.wrap(mine.get()).getInt();
    StateKey key = AuctionState.bidKey(id, index);
    SealedBid bid = AuctionState.decodeBid(ctx.get(key).orElseThrow());
    if (bid.status() != SealedBid.Status.COMMITTED) {
      return reject("%s has already revealed in auction %d".formatted(tx.sender(), id));
    }
    if (!commitment(id, tx.sender(), price, salt).equals(bid.commitment())) {
      return reject(
          "price %d and the %d-byte salt do not hash to %s's commitment %s in auction %d"
              .formatted(price, salt.length, tx.sender(), bid.commitment(), id));
    }
    ctx.put(
        key,
        AuctionState.encode(
            new SealedBid(
                id,
                index,
                bid.bidder(),
                bid.commitment(),
                bid.depositMicro(),
                OptionalLong.of(price),
                SealedBid.Status.REVEALED)));
    return Optional.empty();
  }

  @Override
  public void endBlock(ModuleContext ctx) {
    StateKey closeKey = AuctionState.closeKey(ctx.height());
    Optional<byte[]> closing = ctx.get(closeKey);
    if (closing.isEmpty()) {
      return;
    }
    ByteBuffer ids = ByteBuffer.wrap(closing.get());
    while (ids.hasRemaining()) {
      close(ctx, ids.getLong());
    }
    ctx.delete(closeKey);
  }

  private static void close(ModuleContext ctx, long id) {
    SealedAuction a =
        AuctionState.decodeAuction(ctx.get(AuctionState.auctionKey(id)).orElseThrow());
    SealedAuctionSpec s = a.spec();
    Address escrow = LedgerModule.account(NAME);
    int best = -1;
    long bestPrice = 0;
    long secondPrice = -1;
    long forfeited = 0;
    int revealed = 0;
    long lowestAbove = -1;
    for (int i = 0; i < a.bidCount(); i++) {
      StateKey key = AuctionState.bidKey(id, i);
      SealedBid b = AuctionState.decodeBid(ctx.get(key).orElseThrow());
      SealedBid.Status status;
      if (b.status() == SealedBid.Status.REVEALED) {
        status = SealedBid.Status.REFUNDED;
        move(ctx, escrow, b.bidder(), b.depositMicro());
        revealed++;
        long p = b.revealedPrice().orElseThrow();
        if (p > s.reserveMicroPerKWh()) {
          lowestAbove = lowestAbove < 0 ? p : Math.min(lowestAbove, p);
        } else if (best < 0 || p < bestPrice) {
          secondPrice = best < 0 ? -1 : bestPrice;
          best = i;
          bestPrice = p;
        } else if (secondPrice < 0 || p < secondPrice) {
          secondPrice = p;
        }
      } else {
        status = SealedBid.Status.FORFEITED;
        forfeited += b.depositMicro();
      }
      ctx.put(
          key,
          AuctionState.encode(
              new SealedBid(
                  id, i, b.bidder(), b.commitment(), b.depositMicro(), b.revealedPrice(), status)));
    }
    long escrowed = (s.reserveMicroPerKWh() * s.lotWh() + 999L) / 1000L;
    SealedAuction.Outcome outcome;
    if (best < 0) {
      String reason =
          a.bidCount() == 0
              ? "no commitments"
              : revealed == 0
                  ? "no commitment was revealed"
                  : "no revealed bid at or below the reserve %d; the lowest was %d"
                      .formatted(s.reserveMicroPerKWh(), lowestAbove);
      outcome =
          new SealedAuction.Outcome(
              ctx.height(),
              Optional.empty(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              0,
              forfeited,
              reason);
      move(ctx, escrow, a.operator(), escrowed + forfeited);
    } else {
      long payment =
          !s.secondPrice() ? bestPrice : secondPrice >= 0 ? secondPrice : s.reserveMicroPerKWh();
      long paid = payment * s.lotWh() / 1000L;
      Address winner =
          AuctionState.decodeBid(ctx.get(AuctionState.bidKey(id, best)).orElseThrow()).bidder();
      move(ctx, escrow, winner, paid);
      move(ctx, escrow, a.operator(), escrowed - paid + forfeited);
      outcome =
          new SealedAuction.Outcome(
              ctx.height(),
              Optional.of(winner),
              OptionalLong.of(bestPrice),
              OptionalLong.of(payment),
              paid,
              forfeited,
              "");
    }
    ctx.put(
        AuctionState.auctionKey(id),
        AuctionState.encode(
            new SealedAuction(id, a.operator(), s, a.bidCount(), Optional.of(outcome))));
  }

  private static void move(ModuleContext ctx, Address from, Address to, long amount) {
    ModuleSupport.move(ctx, from, to, amount);
  }

  private static Optional<TxResult.Rejected> length(byte op, String expected, int got) {
    return reject("operation %d takes %s bytes of data, not %d".formatted(op, expected, got));
  }

  private static Optional<TxResult.Rejected> reject(String detail) {
    return ModuleSupport.refused(NAME, detail);
  }
}

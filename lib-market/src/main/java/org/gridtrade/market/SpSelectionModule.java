package org.gridtrade.market;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;
import org.gridtrade.market.internal.ModuleSupport;

/**
 * Per-EV SP selection on chain (Aggarwal Alg. 7): in a round an authority opens, EVs post their
 * bids, SPs post asks to individual EVs, and at the round's close height every node selects, for
 * every EV, the SP with the lowest ask at or below the EV's bid (ties to the earlier ask), as
 * lib-auction's {@code SpSelection}. No money moves: the selection decides which EV–SP pairs the
 * demand-response auction may trade on (Alg. 7 feeds Alg. 8).
 *
 * <p><b>Calls</b> (in blocks below the close height): {@link #open(long)} (an authority; rounds are
 * numbered 0, 1, …), {@link #request(long, long)} (an EV, once per round), {@link #offer(long,
 * Address, long)} (an SP, once per EV and round, to an EV that has requested). At most {@value
 * #MAX_REQUESTS} requests and {@value #MAX_OFFERS} offers per round. Refusals name the rule and
 * change nothing.
 */
public final class SpSelectionModule implements LedgerModule {
  /** The module's name in {@link Payload.Call} and in the genesis. */
  public static final String NAME = "sp-selection";

  /** The most EV requests in one round. */
  public static final int MAX_REQUESTS = 1_000;

  /** The most SP offers in one round. */
  public static final int MAX_OFFERS = 20_000;

  private static final int NAMESPACE = 34;
  private static final byte OPEN = 1;
  private static final byte REQUEST = 2;
  private static final byte OFFER = 3;

  /** Creates the module; it holds no state of its own. */
  public SpSelectionModule() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int namespace() {
    return NAMESPACE;
  }

  /**
   * Opens a round (only an authority may).
   *
   * @param closeHeight the height at whose end the round closes, above the current one
   * @return the payload
   */
  public static Payload.Call open(long closeHeight) {
    return new Payload.Call(NAME, ByteBuffer.allocate(9).put(OPEN).putLong(closeHeight).array());
  }

  /**
   * An EV's bid in a round.
   *
   * @param round the round's id
   * @param priceMicroPerKWh the most it pays per kWh, 1 to {@value DoubleAuctionMarket#MAX_PRICE}
   * @return the payload
   */
  public static Payload.Call request(long round, long priceMicroPerKWh) {
    return new Payload.Call(
        NAME,
        ByteBuffer.allocate(17).put(REQUEST).putLong(round).putLong(priceMicroPerKWh).array());
  }

  /**
   * An SP's ask to one EV in a round.
   *
   * @param round the round's id
   * @param ev the EV's account; it must have requested in this round
   * @param priceMicroPerKWh the ask, 1 to {@value DoubleAuctionMarket#MAX_PRICE}
   * @return the payload
   */
  public static Payload.Call offer(long round, Address ev, long priceMicroPerKWh) {
    Objects.requireNonNull(ev, "ev");
    return new Payload.Call(
        NAME,
        ByteBuffer.allocate(37)
            .put(OFFER)
            .putLong(round)
            .put(ev.bytes())
            .putLong(priceMicroPerKWh)
            .array());
  }

  /**
   * A round with its requests, offers and, once closed, its selections.
   *
   * @param state a ledger state
   * @param id the round's id
   * @return the round, or empty
   */
  public static Optional<SpSelectionRound> round(LedgerState state, long id) {
    Optional<byte[]> h = id < 0 ? Optional.empty() : state.get(key('r', id));
    if (h.isEmpty()) {
      return Optional.empty();
    }
    Header head = Header.decode(h.get());
    List<SpSelectionRound.Request> requests = new ArrayList<>();
    for (int i = 0; i < head.requests; i++) {
      ByteBuffer b = ByteBuffer.wrap(state.get(key('q', id, i)).orElseThrow());
      requests.add(new SpSelectionRound.Request(i, address(b), b.getLong()));
    }
    List<SpSelectionRound.Offer> offers = new ArrayList<>();
    for (int i = 0; i < head.offers; i++) {
      ByteBuffer b = ByteBuffer.wrap(state.get(key('o', id, i)).orElseThrow());
      offers.add(new SpSelectionRound.Offer(i, address(b), b.getInt(), b.getLong()));
    }
    Optional<List<SpSelectionRound.Selection>> selections = Optional.empty();
    if (head.closed) {
      ByteBuffer b = ByteBuffer.wrap(state.get(key('s', id)).orElseThrow());
      List<SpSelectionRound.Selection> out = new ArrayList<>();
      for (SpSelectionRound.Request r : requests) {
        boolean selected = b.get() == 1;
        Address sp = address(b);
        long price = b.getLong();
        long lowest = b.getLong();
        out.add(
            selected
                ? new SpSelectionRound.Selection(
                    r.index(), Optional.of(sp), OptionalLong.of(price), "")
                : new SpSelectionRound.Selection(
                    r.index(),
                    Optional.empty(),
                    OptionalLong.empty(),
                    lowest < 0
                        ? "no SP asks for %s".formatted(r.ev())
                        : "no SP asks at or below %s's bid %d; lowest ask %d"
                            .formatted(r.ev(), r.priceMicroPerKWh(), lowest)));
      }
      selections = Optional.of(out);
    }
    return Optional.of(
        new SpSelectionRound(id, head.operator, head.closeHeight, requests, offers, selections));
  }

  @Override
  public Optional<TxResult.Rejected> execute(ModuleContext ctx, Transaction tx) {
    byte[] data = ((Payload.Call) tx.body().payload()).data();
    int expected =
        data.length == 0
            ? -1
            : switch (data[0]) {
              case OPEN -> 9;
              case REQUEST -> 17;
              case OFFER -> 37;
              default -> -2;
            };
    if (expected == -1) {
      return reject("call data is empty; it must start with an operation (1 to 3)");
    }
    if (expected == -2) {
      return reject(
          "operation %d is unknown; it must be 1 (open), 2 (request) or 3 (offer)"
              .formatted(data[0]));
    }
    if (data.length != expected) {
      return reject(
          "operation %d takes %d bytes of data, not %d".formatted(data[0], expected, data.length));
    }
    ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1);
    Address sender = tx.sender();
    if (data[0] == OPEN) {
      long close = in.getLong();
      if (!ctx.authorities().contains(sender)) {
        return reject(
            "only an authority of the chain may open a round; %s is not one".formatted(sender));
      }
      if (close <= ctx.height()) {
        return reject(
            "closeHeight %d must be above the current height %d".formatted(close, ctx.height()));
      }
      byte[] closing = ctx.get(key('g', close)).orElse(new byte[0]);
      if (closing.length / 8 >= DoubleAuctionMarket.MAX_MARKETS_PER_HEIGHT) {
        return reject("%d rounds already close at height %d".formatted(closing.length / 8, close));
      }
      long id = ctx.get(key('n')).map(v -> ByteBuffer.wrap(v).getLong()).orElse(0L);
      ctx.put(key('n'), ByteBuffer.allocate(8).putLong(id + 1).array());
      ctx.put(key('r', id), new Header(sender, close, 0, 0, false).encode());
      ctx.put(key('g', close), ModuleSupport.appended(closing, id));
      return Optional.empty();
    }
    long id = in.getLong();
    Optional<byte[]> h = ctx.get(key('r', id));
    if (h.isEmpty()) {
      return reject("round %d does not exist".formatted(id));
    }
    Header head = Header.decode(h.get());
    if (ctx.height() >= head.closeHeight) {
      return reject(
          "round %d closed at height %d; this block is %d"
              .formatted(id, head.closeHeight, ctx.height()));
    }
    if (data[0] == REQUEST) {
      long price = in.getLong();
      if (price < 1 || price > DoubleAuctionMarket.MAX_PRICE) {
        return reject(
            "priceMicroPerKWh %d must be in [1, %d]"
                .formatted(price, DoubleAuctionMarket.MAX_PRICE));
      }
      StateKey mine = key('e', id, sender.bytes());
      if (ctx.get(mine).isPresent()) {
        return reject("%s has already requested in round %d".formatted(sender, id));
      }
      if (head.requests >= MAX_REQUESTS) {
        return reject("round %d holds %d requests, the most one takes".formatted(id, MAX_REQUESTS));
      }
      ctx.put(
          key('q', id, head.requests),
          ByteBuffer.allocate(28).put(sender.bytes()).putLong(price).array());
      ctx.put(mine, ByteBuffer.allocate(4).putInt(head.requests).array());
      ctx.put(
          key('r', id),
          new Header(head.operator, head.closeHeight, head.requests + 1, head.offers, false)
              .encode());
      return Optional.empty();
    }
    byte[] evBytes = new byte[Address.LENGTH];
    in.get(evBytes);
    Address ev = Address.ofBytes(evBytes);
    long price = in.getLong();
    if (price < 1 || price > DoubleAuctionMarket.MAX_PRICE) {
      return reject(
          "priceMicroPerKWh %d must be in [1, %d]".formatted(price, DoubleAuctionMarket.MAX_PRICE));
    }
    Optional<byte[]> req = ctx.get(key('e', id, evBytes));
    if (req.isEmpty()) {
      return reject("%s has not requested in round %d".formatted(ev, id));
    }
    int request = ByteBuffer.wrap(req.get()).getInt();
    StateKey pair =
        key('p', id, ByteBuffer.allocate(24).put(sender.bytes()).putInt(request).array());
    if (ctx.get(pair).isPresent()) {
      return reject("%s has already offered to %s in round %d".formatted(sender, ev, id));
    }
    if (head.offers >= MAX_OFFERS) {
      return reject("round %d holds %d offers, the most one takes".formatted(id, MAX_OFFERS));
    }
    ctx.put(
        key('o', id, head.offers),
        ByteBuffer.allocate(32).put(sender.bytes()).putInt(request).putLong(price).array());
    ctx.put(pair, new byte[] {1});
    ctx.put(
        key('r', id),
        new Header(head.operator, head.closeHeight, head.requests, head.offers + 1, false)
            .encode());
    return Optional.empty();
  }

  @Override
  public void endBlock(ModuleContext ctx) {
    StateKey gate = key('g', ctx.height());
    Optional<byte[]> closing = ctx.get(gate);
    if (closing.isEmpty()) {
      return;
    }
    ByteBuffer ids = ByteBuffer.wrap(closing.get());
    while (ids.hasRemaining()) {
      close(ctx, ids.getLong());
    }
    ctx.delete(gate);
  }

  private static void close(ModuleContext ctx, long id) {
    Header head = Header.decode(ctx.get(key('r', id)).orElseThrow());
    long[] bid = new long[head.requests];
    for (int i = 0; i < head.requests; i++) {
      bid[i] = ByteBuffer.wrap(ctx.get(key('q', id, i)).orElseThrow()).position(20).getLong();
    }
    int[] best = new int[head.requests];
    long[] bestPrice = new long[head.requests];
    long[] lowest = new long[head.requests];
    byte[][] bestSp = new byte[head.requests][];
    java.util.Arrays.fill(best, -1);
    java.util.Arrays.fill(lowest, -1);
    for (int k = 0; k < head.offers; k++) {
      ByteBuffer b = ByteBuffer.wrap(ctx.get(key('o', id, k)).orElseThrow());
      byte[] sp = new byte[Address.LENGTH];
      b.get(sp);
      int r = b.getInt();
      long price = b.getLong();
      lowest[r] = lowest[r] < 0 ? price : Math.min(lowest[r], price);
      if (price <= bid[r] && (best[r] < 0 || price < bestPrice[r])) {
        best[r] = k;
        bestPrice[r] = price;
        bestSp[r] = sp;
      }
    }
    ByteBuffer out = ByteBuffer.allocate(head.requests * (1 + Address.LENGTH + 16));
    for (int r = 0; r < head.requests; r++) {
      out.put((byte) (best[r] >= 0 ? 1 : 0))
          .put(best[r] >= 0 ? bestSp[r] : new byte[Address.LENGTH])
          .putLong(best[r] >= 0 ? bestPrice[r] : -1)
          .putLong(lowest[r]);
    }
    ctx.put(key('s', id), out.array());
    ctx.put(
        key('r', id),
        new Header(head.operator, head.closeHeight, head.requests, head.offers, true).encode());
  }

  private record Header(
      Address operator, long closeHeight, int requests, int offers, boolean closed) {
    byte[] encode() {
      return ByteBuffer.allocate(20 + 8 + 4 + 4 + 1)
          .put(operator.bytes())
          .putLong(closeHeight)
          .putInt(requests)
          .putInt(offers)
          .put((byte) (closed ? 1 : 0))
          .array();
    }

    static Header decode(byte[] v) {
      ByteBuffer b = ByteBuffer.wrap(v);
      return new Header(address(b), b.getLong(), b.getInt(), b.getInt(), b.get() == 1);
    }
  }

  private static Address address(ByteBuffer b) {
    byte[] a = new byte[Address.LENGTH];
    b.get(a);
    return Address.ofBytes(a);
  }

  private static StateKey key(char kind) {
    return StateKey.of(NAMESPACE, new byte[] {(byte) kind});
  }

  private static StateKey key(char kind, long id) {
    return StateKey.of(NAMESPACE, ByteBuffer.allocate(9).put((byte) kind).putLong(id).array());
  }

  private static StateKey key(char kind, long id, int index) {
    return StateKey.of(
        NAMESPACE, ByteBuffer.allocate(13).put((byte) kind).putLong(id).putInt(index).array());
  }

  private static StateKey key(char kind, long id, byte[] rest) {
    return StateKey.of(
        NAMESPACE,
        ByteBuffer.allocate(9 + rest.length).put((byte) kind).putLong(id).put(rest).array());
  }

  private static Optional<TxResult.Rejected> reject(String detail) {
    return ModuleSupport.refused(NAME, detail);
  }
}

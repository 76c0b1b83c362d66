package org.gridtrade.market.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.market.AttestingMeters;
import org.gridtrade.market.Clearing;
import org.gridtrade.market.ClearingRule;
import org.gridtrade.market.Delivery;
import org.gridtrade.market.DeliveryTerms;
import org.gridtrade.market.Market;
import org.gridtrade.market.MarketOrder;
import org.gridtrade.market.MarketSpec;
import org.gridtrade.market.MarketTrade;
import org.gridtrade.market.OrderStatus;
import org.gridtrade.market.Side;

/**
 * The double-auction module's key layout and value encodings (big-endian, fixed layouts, a version
 * byte first). Keys, all in the module's namespace: {@code 'n'} the market count; {@code 'm' ‖
 * market} a market; {@code 'p' ‖ market ‖ page} orders {@code page × ORDER_PAGE} onwards as placed
 * (or cancelled), {@value #ORDER_BYTES} bytes each; {@code 'g' ‖ height} the ids of the markets
 * whose gate closes at that height. Orders are paged so that a gate closure reads one key per
 * {@value #ORDER_PAGE} orders, not one per order; what a clearing writes is paged too, so that it
 * writes a few hundred keys rather than one per order and per trade: {@code 'T' ‖ market ‖ page}
 * holds trades {@code page × PAGE} onwards, {@code 'F' ‖ market ‖ page} the fill, payment and
 * refund of orders {@code page × PAGE} onwards (zero for orders that were not open at the gate).
 */
public final class MarketState {
  /** The namespace of the double-auction module. */
  public static final int NAMESPACE = 32;

  private static final byte VERSION = 1;
  private static final Side[] SIDES = Side.values();
  private static final OrderStatus[] STATUSES = OrderStatus.values();
  private static final ClearingRule[] RULES = ClearingRule.values();

  /** Records per settlement page: 1,024 trades of 48 bytes fit one 64 KiB value. */
  public static final int PAGE = 1_024;

  /** Bytes of one trade in a trade page. */
  public static final int TRADE_BYTES = 48;

  /** Bytes of one order's settlement in a fill page. */
  public static final int FILL_BYTES = 32;

  /**
   * Orders per order page: 64 orders of {@value #ORDER_BYTES} bytes, about 6.8 KB. Placing an order
   * rewrites its page, so the page is small; the gate closure reads 1 key per 64 orders.
   */
  public static final int ORDER_PAGE = 64;

  /** Bytes of one order in an order page (its market is the page's). */
  public static final int ORDER_BYTES = 4 + 1 + 20 + 8 * 3 + 1 + 8 * 3 + 32;

  private MarketState() {}

  /**
   * The market counter's key.
   *
   * @return the key
   */
  public static StateKey countKey() {
    return StateKey.of(NAMESPACE, new byte[] {'n'});
  }

  /**
   * A market's key.
   *
   * @param market the id
   * @return the key
   */
  public static StateKey marketKey(long market) {
    return StateKey.of(NAMESPACE, ByteBuffer.allocate(9).put((byte) 'm').putLong(market).array());
  }

  /**
   * The key of the page that holds an order.
   *
   * @param market the market id
   * @param order the order id
   * @return the key of page {@code order / ORDER_PAGE}
   */
  public static StateKey orderPageKey(long market, int order) {
    return StateKey.of(
        NAMESPACE,
        ByteBuffer.allocate(13).put((byte) 'p').putLong(market).putInt(order / ORDER_PAGE).array());
  }

  /**
   * Reads one order from its page.
   *
   * @param page the order page's bytes
   * @param market the market id
   * @param order the order id; its page must hold it
   * @return the order
   */
  public static MarketOrder order(byte[] page, long market, int order) {
    ByteBuffer b = ByteBuffer.wrap(page).position(1 + (order % ORDER_PAGE) * ORDER_BYTES);
    int id = b.getInt();
    Side side = SIDES[b.get()];
    Address owner = address(b);
    long price = b.getLong();
    long qty = b.getLong();
    long escrow = b.getLong();
    OrderStatus status = STATUSES[b.get()];
    long filled = b.getLong();
    long settled = b.getLong();
    long refunded = b.getLong();
    byte[] tx = new byte[Hash.LENGTH];
    b.get(tx);
    return new MarketOrder(
        market,
        id,
        side,
        owner,
        price,
        qty,
        escrow,
        status,
        filled,
        settled,
        refunded,
        Hash.of(tx));
  }

  /**
   * An order page with one order written: the next order appended, or a held one replaced.
   *
   * @param page the page's bytes, or {@code null} when the order is the first of its page
   * @param o the order
   * @return the new page's bytes (the old ones are not changed)
   * @throws IllegalArgumentException if the order is neither held by the page nor the next one
   */
  public static byte[] withOrder(byte[] page, MarketOrder o) {
    int slot = o.id() % ORDER_PAGE;
    int held = page == null ? 0 : (page.length - 1) / ORDER_BYTES;
    if (slot > held) {
      throw new IllegalArgumentException(
          "order %d is not in or next after a page of %d orders".formatted(o.id(), held));
    }
    byte[] out = new byte[1 + Math.max(held, slot + 1) * ORDER_BYTES];
    if (page != null) {
      System.arraycopy(page, 0, out, 0, page.length);
    }
    ByteBuffer.wrap(out)
        .put(VERSION)
        .position(1 + slot * ORDER_BYTES)
        .putInt(o.id())
        .put((byte) o.side().ordinal())
        .put(o.owner().bytes())
        .putLong(o.priceMicroPerKWh())
        .putLong(o.quantityWh())
        .putLong(o.escrowMicro())
        .put((byte) o.status().ordinal())
        .putLong(o.filledWh())
        .putLong(o.settledMicro())
        .putLong(o.refundedMicro())
        .put(o.transaction().bytes());
    return out;
  }

  /**
   * A trade page's key.
   *
   * @param market the market id
   * @param page the page: trades {@code page × PAGE} to {@code page × PAGE + PAGE - 1}
   * @return the key
   */
  public static StateKey tradePageKey(long market, int page) {
    return StateKey.of(
        NAMESPACE, ByteBuffer.allocate(13).put((byte) 'T').putLong(market).putInt(page).array());
  }

  /**
   * A fill page's key.
   *
   * @param market the market id
   * @param page the page: orders {@code page × PAGE} to {@code page × PAGE + PAGE - 1}
   * @return the key
   */
  public static StateKey fillPageKey(long market, int page) {
    return StateKey.of(
        NAMESPACE, ByteBuffer.allocate(13).put((byte) 'F').putLong(market).putInt(page).array());
  }

  /**
   * The key listing the markets whose gate closes at a height.
   *
   * @param height the height
   * @return the key
   */
  public static StateKey gateKey(long height) {
    return StateKey.of(NAMESPACE, ByteBuffer.allocate(9).put((byte) 'g').putLong(height).array());
  }

  /**
   * Encodes a long.
   *
   * @param v the value
   * @return 8 bytes
   */
  public static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  /**
   * Decodes a long.
   *
   * @param b 8 bytes
   * @return the value
   */
  public static long readLong(byte[] b) {
    return ByteBuffer.wrap(b).getLong();
  }

  /**
   * Encodes a market.
   *
   * @param m the market
   * @return its bytes
   */
  public static byte[] encode(Market m) {
    byte[] reason =
        m.clearing().map(c -> c.noTradeReason().getBytes(StandardCharsets.UTF_8)).orElse(null);
    ByteBuffer b = ByteBuffer.allocate(1 + 8 + 20 + 1 + 4 + 8 + 8 + 8 + 17 + 4 + 1 + 88 + 2 + 1024);
    b.put(VERSION).putLong(m.id()).put(m.operator().bytes());
    MarketSpec s = m.spec();
    b.put((byte) s.rule().ordinal())
        .putInt(s.kPpm())
        .putLong(s.gateClosureHeight())
        .putLong(s.deliveryStart().getEpochSecond())
        .putLong(s.deliveryEnd().getEpochSecond())
        .put((byte) (s.delivery().isPresent() ? 1 : 0))
        .putLong(s.delivery().map(DeliveryTerms::penaltyMicroPerKWh).orElse(0L))
        .putLong(s.delivery().map(DeliveryTerms::reportDeadlineHeight).orElse(0L))
        .putInt(m.orderCount());
    if (m.clearing().isEmpty()) {
      b.put((byte) 0);
    } else {
      Clearing c = m.clearing().get();
      b.put((byte) 1)
          .putLong(c.height())
          .putInt(c.trades())
          .putLong(c.volumeWh())
          .putLong(c.welfareMicro())
          .putLong(c.buyerPrice().orElse(-1))
          .putLong(c.sellerPrice().orElse(-1))
          .putLong(c.paidMicro())
          .putLong(c.receivedMicro())
          .putLong(c.refundedMicro())
          .putLong(c.budgetMicro());
      int n = Math.min(reason.length, 1024);
      b.putShort((short) n).put(reason, 0, n);
    }
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }

  /**
   * Decodes a market.
   *
   * @param v its bytes, as {@link #encode(Market)} wrote them
   * @return the market
   */
  public static Market decodeMarket(byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    b.get();
    long id = b.getLong();
    Address operator = address(b);
    ClearingRule rule = RULES[b.get()];
    int kPpm = b.getInt();
    long gate = b.getLong();
    Instant start = Instant.ofEpochSecond(b.getLong());
    Instant end = Instant.ofEpochSecond(b.getLong());
    boolean onDelivery = b.get() == 1;
    long penalty = b.getLong();
    long deadline = b.getLong();
    Optional<DeliveryTerms> terms =
        onDelivery ? Optional.of(new DeliveryTerms(penalty, deadline)) : Optional.empty();
    int orders = b.getInt();
    Optional<Clearing> clearing = Optional.empty();
    if (b.get() == 1) {
      long height = b.getLong();
      int trades = b.getInt();
      long volume = b.getLong();
      long welfare = b.getLong();
      long bp = b.getLong();
      long sp = b.getLong();
      long paid = b.getLong();
      long received = b.getLong();
      long refunded = b.getLong();
      long budget = b.getLong();
      byte[] reason = new byte[b.getShort()];
      b.get(reason);
      clearing =
          Optional.of(
              new Clearing(
                  height,
                  trades,
                  volume,
                  welfare,
                  bp < 0 ? OptionalLong.empty() : OptionalLong.of(bp),
                  sp < 0 ? OptionalLong.empty() : OptionalLong.of(sp),
                  paid,
                  received,
                  refunded,
                  budget,
                  new String(reason, StandardCharsets.UTF_8)));
    }
    return new Market(
        id, operator, new MarketSpec(rule, kPpm, gate, start, end, terms), orders, clearing);
  }

  /**
   * Writes one trade into a trade page.
   *
   * @param page the page's bytes
   * @param slot the trade's place in the page
   * @param t the trade
   */
  public static void putTrade(ByteBuffer page, int slot, MarketTrade t) {
    page.position(1 + slot * TRADE_BYTES)
        .putInt(t.buyOrder())
        .putInt(t.sellOrder())
        .putLong(t.quantityWh())
        .putLong(t.buyerPriceMicroPerKWh())
        .putLong(t.sellerPriceMicroPerKWh())
        .putLong(t.buyerPaysMicro())
        .putLong(t.sellerReceivesMicro());
  }

  /**
   * Reads one trade from a trade page.
   *
   * @param page the page's bytes
   * @param market the market id
   * @param index the trade's index in the market
   * @return the trade
   */
  public static MarketTrade trade(byte[] page, long market, int index) {
    ByteBuffer b = ByteBuffer.wrap(page).position(1 + (index % PAGE) * TRADE_BYTES);
    return new MarketTrade(
        market,
        index,
        b.getInt(),
        b.getInt(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong());
  }

  /**
   * Writes one order's settlement into a fill page.
   *
   * @param page the page's bytes
   * @param slot the order's place in the page
   * @param filled Wh traded
   * @param settled micro-coins paid (bid) or received (ask)
   * @param refunded escrow returned
   * @param firstTrade the index of the order's first trade (its trades are consecutive)
   * @param trades how many trades it has
   */
  public static void putFill(
      ByteBuffer page,
      int slot,
      long filled,
      long settled,
      long refunded,
      int firstTrade,
      int trades) {
    page.position(1 + slot * FILL_BYTES)
        .putLong(filled)
        .putLong(settled)
        .putLong(refunded)
        .putInt(firstTrade)
        .putInt(trades);
  }

  /**
   * The trades of an order, from its fill page.
   *
   * @param fillPage the page
   * @param order the order's id
   * @return {@code {first trade index, trade count}}
   */
  public static int[] tradeRange(byte[] fillPage, int order) {
    ByteBuffer b = ByteBuffer.wrap(fillPage).position(1 + (order % PAGE) * FILL_BYTES + 24);
    return new int[] {b.getInt(), b.getInt()};
  }

  /**
   * The filled quantity of an order, from its fill page.
   *
   * @param fillPage the page
   * @param order the order's id
   * @return Wh
   */
  public static long filled(byte[] fillPage, int order) {
    return ByteBuffer.wrap(fillPage).position(1 + (order % PAGE) * FILL_BYTES).getLong();
  }

  /**
   * A seller's delivery record's key.
   *
   * @param market the market id
   * @param order the ask's id
   * @return the key
   */
  public static StateKey deliveryKey(long market, int order) {
    return StateKey.of(
        NAMESPACE, ByteBuffer.allocate(13).put((byte) 'v').putLong(market).putInt(order).array());
  }

  /**
   * The key of a trade's delivered energy.
   *
   * @param market the market id
   * @param trade the trade's index
   * @return the key
   */
  public static StateKey tradeDeliveryKey(long market, int trade) {
    return StateKey.of(
        NAMESPACE, ByteBuffer.allocate(13).put((byte) 'x').putLong(market).putInt(trade).array());
  }

  /**
   * The key of a trade's rating.
   *
   * @param market the market id
   * @param trade the trade's index
   * @return the key
   */
  public static StateKey ratingKey(long market, int trade) {
    return StateKey.of(
        NAMESPACE, ByteBuffer.allocate(13).put((byte) 'y').putLong(market).putInt(trade).array());
  }

  /**
   * The key of a seller's meter cluster.
   *
   * @param seller the seller
   * @return the key
   */
  public static StateKey attestingMetersKey(Address seller) {
    return StateKey.of(
        NAMESPACE,
        ByteBuffer.allocate(1 + Address.LENGTH).put((byte) 'c').put(seller.bytes()).array());
  }

  /**
   * Encodes a meter cluster: threshold, count, the keys.
   *
   * @param c the cluster
   * @return its bytes
   */
  public static byte[] encode(AttestingMeters c) {
    ByteBuffer b = ByteBuffer.allocate(2 + PublicKey.LENGTH * c.meters().size());
    b.put((byte) c.threshold()).put((byte) c.meters().size());
    c.meters().forEach(k -> b.put(k.bytes()));
    return b.array();
  }

  /**
   * Decodes a meter cluster.
   *
   * @param v its bytes
   * @return the cluster
   */
  public static AttestingMeters decodeAttestingMeters(byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    int threshold = b.get() & 0xff;
    int n = b.get() & 0xff;
    List<PublicKey> keys = new ArrayList<>();
    byte[] k = new byte[PublicKey.LENGTH];
    for (int i = 0; i < n; i++) {
      b.get(k);
      keys.add(PublicKey.of(k));
    }
    return new AttestingMeters(threshold, keys);
  }

  /**
   * The key of a seller's attested reading for one interval.
   *
   * @param seller the seller
   * @param start the interval's start, epoch seconds
   * @param end the interval's end, epoch seconds
   * @return the key
   */
  public static StateKey readingKey(Address seller, long start, long end) {
    return StateKey.of(
        NAMESPACE,
        ByteBuffer.allocate(1 + Address.LENGTH + 16)
            .put((byte) 'r')
            .put(seller.bytes())
            .putLong(start)
            .putLong(end)
            .array());
  }

  /**
   * The key listing the markets whose delivery reports are due by a height.
   *
   * @param height the report deadline
   * @return the key
   */
  public static StateKey deadlineKey(long height) {
    return StateKey.of(NAMESPACE, ByteBuffer.allocate(9).put((byte) 'd').putLong(height).array());
  }

  /**
   * Encodes a delivery.
   *
   * @param d the delivery
   * @return its bytes
   */
  public static byte[] encode(Delivery d) {
    return ByteBuffer.allocate(1 + 8 + 4 + 8 * 7 + 1)
        .put(VERSION)
        .putLong(d.market())
        .putInt(d.order())
        .putLong(d.deliveredWh())
        .putLong(d.sellerReceivedMicro())
        .putLong(d.penaltyMicro())
        .putLong(d.collateralReturnedMicro())
        .putLong(d.buyersRefundedMicro())
        .putLong(d.operatorSpreadMicro())
        .putLong(d.height())
        .put((byte) (d.byDeadline() ? 1 : 0))
        .array();
  }

  /**
   * Decodes a delivery.
   *
   * @param v its bytes
   * @return the delivery
   */
  public static Delivery decodeDelivery(byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    b.get();
    return new Delivery(
        b.getLong(),
        b.getInt(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.get() == 1);
  }

  /**
   * An order as its record and, once its market has cleared, its fill page say.
   *
   * @param placed the order's record
   * @param fillPage the page of its fill, or null if the market has not cleared
   * @return the order, {@code CLEARED} with its fill if it was open at the gate
   */
  public static MarketOrder withFill(MarketOrder placed, byte[] fillPage) {
    if (fillPage == null || placed.status() != OrderStatus.OPEN) {
      return placed;
    }
    ByteBuffer b = ByteBuffer.wrap(fillPage).position(1 + (placed.id() % PAGE) * FILL_BYTES);
    return new MarketOrder(
        placed.market(),
        placed.id(),
        placed.side(),
        placed.owner(),
        placed.priceMicroPerKWh(),
        placed.quantityWh(),
        placed.escrowMicro(),
        OrderStatus.CLEARED,
        b.getLong(),
        b.getLong(),
        b.getLong(),
        placed.transaction());
  }

  /**
   * A new page for {@code n} records of {@code size} bytes.
   *
   * @param n records
   * @param size bytes each
   * @return a buffer with the version byte written
   */
  public static ByteBuffer page(int n, int size) {
    ByteBuffer b = ByteBuffer.allocate(1 + n * size);
    b.put(VERSION);
    return b;
  }

  private static Address address(ByteBuffer b) {
    byte[] a = new byte[Address.LENGTH];
    b.get(a);
    return Address.ofBytes(a);
  }
}

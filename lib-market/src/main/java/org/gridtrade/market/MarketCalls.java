package org.gridtrade.market;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.gridtrade.ledger.Payload;

/**
 * Builds the payloads of transactions to a {@link DoubleAuctionMarket}: sign them as any other
 * payload ({@code new TransactionBody(chainId, key, nonce, fee, payload).sign(keyPair)}). The
 * arguments are checked here with the same rules the module applies on chain, so a mistake is
 * caught before it costs a fee; the module checks them again, since a call may come from anyone.
 */
public final class MarketCalls {
  static final byte OPEN = 1;
  static final byte BID = 2;
  static final byte ASK = 3;
  static final byte CANCEL = 4;
  static final byte DELIVERED = 5;
  static final byte RATE = 6;
  static final int OPEN_BYTES = 1 + 1 + 4 + 8 + 8 + 8 + 1 + 8 + 8;

  private MarketCalls() {}

  /**
   * Opens a market (only an authority of the chain may).
   *
   * @param spec the market's rule, gate closure and delivery interval
   * @return the payload
   */
  public static Payload.Call open(MarketSpec spec) {
    Objects.requireNonNull(spec, "spec");
    byte[] d =
        ByteBuffer.allocate(OPEN_BYTES)
            .put(OPEN)
            .put((byte) spec.rule().ordinal())
            .putInt(spec.kPpm())
            .putLong(spec.gateClosureHeight())
            .putLong(spec.deliveryStart().getEpochSecond())
            .putLong(spec.deliveryEnd().getEpochSecond())
            .put((byte) (spec.delivery().isPresent() ? 1 : 0))
            .putLong(spec.delivery().map(DeliveryTerms::penaltyMicroPerKWh).orElse(0L))
            .putLong(spec.delivery().map(DeliveryTerms::reportDeadlineHeight).orElse(0L))
            .array();
    return new Payload.Call(DoubleAuctionMarket.NAME, d);
  }

  /**
   * A bid: buys up to {@code quantityWh} at no more than {@code priceMicroPerKWh}; locks {@code
   * ⌈quantity × price / 1000⌉} micro-coins of the sender until the market clears or the bid is
   * cancelled.
   *
   * @param market the market's id
   * @param priceMicroPerKWh 1 to {@value DoubleAuctionMarket#MAX_PRICE}
   * @param quantityWh 1 to {@value DoubleAuctionMarket#MAX_QUANTITY}
   * @return the payload
   * @throws IllegalArgumentException naming the field, the value and the rule
   */
  public static Payload.Call bid(long market, long priceMicroPerKWh, long quantityWh) {
    return order(BID, market, priceMicroPerKWh, quantityWh);
  }

  /**
   * An ask: sells up to {@code quantityWh} at no less than {@code priceMicroPerKWh}.
   *
   * @param market the market's id
   * @param priceMicroPerKWh 1 to {@value DoubleAuctionMarket#MAX_PRICE}
   * @param quantityWh 1 to {@value DoubleAuctionMarket#MAX_QUANTITY}
   * @return the payload
   * @throws IllegalArgumentException naming the field, the value and the rule
   */
  public static Payload.Call ask(long market, long priceMicroPerKWh, long quantityWh) {
    return order(ASK, market, priceMicroPerKWh, quantityWh);
  }

  /**
   * Cancels one of the sender's open orders before gate closure; a bid's escrow is returned.
   *
   * @param market the market's id
   * @param order the order's id in that market
   * @return the payload
   */
  public static Payload.Call cancel(long market, int order) {
    requireId("market", market);
    requireId("order", order);
    byte[] d = ByteBuffer.allocate(1 + 8 + 4).put(CANCEL).putLong(market).putInt(order).array();
    return new Payload.Call(DoubleAuctionMarket.NAME, d);
  }

  /**
   * Reports a seller's metered delivery for a market that settles on delivery (only an authority of
   * the chain may, after the delivery interval has ended and up to the report deadline, once per
   * ask that traded).
   *
   * @param market the market's id
   * @param order the ask's order id
   * @param deliveredWh the energy the seller's meter delivered in the interval, attested, 0 or more
   * @return the payload
   */
  public static Payload.Call reportDelivery(long market, int order, long deliveredWh) {
    requireId("market", market);
    requireId("order", order);
    if (deliveredWh < 0) {
      throw new IllegalArgumentException("deliveredWh %d must be >= 0".formatted(deliveredWh));
    }
    byte[] d =
        ByteBuffer.allocate(1 + 8 + 4 + 8)
            .put(DELIVERED)
            .putLong(market)
            .putInt(order)
            .putLong(deliveredWh)
            .array();
    return new Payload.Call(DoubleAuctionMarket.NAME, d);
  }

  /**
   * Rates the seller of a trade (only its buyer may, once, and only when some of its energy was
   * delivered).
   *
   * @param market the market's id
   * @param trade the trade's index
   * @param score 1 to 5
   * @return the payload
   */
  public static Payload.Call rate(long market, int trade, int score) {
    requireId("market", market);
    requireId("trade", trade);
    if (score < 1 || score > 5) {
      throw new IllegalArgumentException("score %d must be in [1, 5]".formatted(score));
    }
    byte[] d =
        ByteBuffer.allocate(1 + 8 + 4 + 1)
            .put(RATE)
            .putLong(market)
            .putInt(trade)
            .put((byte) score)
            .array();
    return new Payload.Call(DoubleAuctionMarket.NAME, d);
  }

  private static Payload.Call order(byte tag, long market, long price, long quantity) {
    requireId("market", market);
    DoubleAuctionMarket.checkOrder(price, quantity)
        .ifPresent(
            m -> {
              throw new IllegalArgumentException(m);
            });
    byte[] d =
        ByteBuffer.allocate(1 + 8 + 8 + 8)
            .put(tag)
            .putLong(market)
            .putLong(price)
            .putLong(quantity)
            .array();
    return new Payload.Call(DoubleAuctionMarket.NAME, d);
  }

  private static void requireId(String field, long id) {
    if (id < 0) {
      throw new IllegalArgumentException("%s %d must be >= 0".formatted(field, id));
    }
  }
}

package org.gridtrade.market;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;

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
  static final byte REGISTER_METERS = 7;
  static final byte ATTESTED = 8;
  static final int METERS_HEADER = 1 + Address.LENGTH + 1 + 1;
  static final int ATTESTED_HEADER = 1 + 8 + 4 + 8 + 1;
  static final int ATTESTATION = 1 + Signature.LENGTH;
  private static final byte[] READING_DOMAIN =
      "GridTrade/meter-reading/v1".getBytes(StandardCharsets.US_ASCII);
  static final int RATE_BYTES = 1 + 8 + 4 + 1 + Address.LENGTH + 8;
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
   * delivered). The call names the seller and the coins of the trade, so that anyone reading the
   * chain's blocks can fold the rating into the seller's trust ({@link Markets#ratingDecoder()});
   * the module refuses it unless both match the trade.
   *
   * @param trade the trade, as {@link Markets#trades} gives it
   * @param seller the owner of the trade's ask ({@link Markets#order})
   * @param score 1 to 5
   * @return the payload
   */
  public static Payload.Call rate(MarketTrade trade, Address seller, int score) {
    Objects.requireNonNull(trade, "trade");
    Objects.requireNonNull(seller, "seller");
    if (score < 1 || score > 5) {
      throw new IllegalArgumentException("score %d must be in [1, 5]".formatted(score));
    }
    byte[] d =
        ByteBuffer.allocate(RATE_BYTES)
            .put(RATE)
            .putLong(trade.market())
            .putInt(trade.index())
            .put((byte) score)
            .put(seller.bytes())
            .putLong(trade.buyerPaysMicro())
            .array();
    return new Payload.Call(DoubleAuctionMarket.NAME, d);
  }

  /**
   * Registers the meters that attest a seller's deliveries (only an authority of the chain may, the
   * utility that installs the meters); registering again replaces the cluster. From then on the
   * seller's asks in markets that settle on delivery are settled only by attested readings ({@link
   * #attestedDelivery}).
   *
   * @param seller the seller's account
   * @param cluster its meters and how many must sign
   * @return the payload
   */
  public static Payload.Call registerMeters(Address seller, AttestingMeters cluster) {
    Objects.requireNonNull(seller, "seller");
    Objects.requireNonNull(cluster, "cluster");
    ByteBuffer b =
        ByteBuffer.allocate(METERS_HEADER + PublicKey.LENGTH * cluster.meters().size())
            .put(REGISTER_METERS)
            .put(seller.bytes())
            .put((byte) cluster.threshold())
            .put((byte) cluster.meters().size());
    cluster.meters().forEach(k -> b.put(k.bytes()));
    return new Payload.Call(DoubleAuctionMarket.NAME, b.array());
  }

  /**
   * The bytes a meter signs to attest a seller's export over a delivery interval: {@code
   * "GridTrade/meter-reading/v1" ‖ chain id ‖ seller ‖ start ‖ end ‖ exportedWh} (the id a 4-byte
   * and the rest 8-byte big-endian integers, times in epoch seconds). The chain id keeps a reading
   * from settling on another chain.
   *
   * @param chainId the chain's id
   * @param seller the seller's account
   * @param start the interval's start (a whole second)
   * @param end the interval's end (a whole second)
   * @param exportedWh the energy the seller fed in over the interval, 0 or more
   * @return the message
   */
  public static byte[] readingMessage(
      int chainId, Address seller, Instant start, Instant end, long exportedWh) {
    Objects.requireNonNull(seller, "seller");
    if (exportedWh < 0) {
      throw new IllegalArgumentException("exportedWh %d must be >= 0".formatted(exportedWh));
    }
    return ByteBuffer.allocate(READING_DOMAIN.length + 4 + Address.LENGTH + 8 + 8 + 8)
        .put(READING_DOMAIN)
        .putInt(chainId)
        .put(seller.bytes())
        .putLong(start.getEpochSecond())
        .putLong(end.getEpochSecond())
        .putLong(exportedWh)
        .array();
  }

  /**
   * Settles an ask against its seller's attested reading (anyone may send it, after the delivery
   * interval has ended and up to the report deadline): the meters of the seller's cluster sign
   * {@link #readingMessage} for the market's delivery interval, and at least the cluster's
   * threshold of signatures must verify. The ask is paid for what is left of the reading, at most
   * what it sold.
   *
   * @param market the market's id
   * @param order the ask's order id
   * @param exportedWh the seller's export over the interval that the meters signed
   * @param signatures the signatures by each signing meter's index in the cluster, 1 to {@value
   *     AttestingMeters#MAX_ATTESTATIONS}
   * @return the payload
   */
  public static Payload.Call attestedDelivery(
      long market, int order, long exportedWh, SortedMap<Integer, Signature> signatures) {
    requireId("market", market);
    requireId("order", order);
    Objects.requireNonNull(signatures, "signatures");
    if (exportedWh < 0) {
      throw new IllegalArgumentException("exportedWh %d must be >= 0".formatted(exportedWh));
    }
    if (signatures.isEmpty() || signatures.size() > AttestingMeters.MAX_ATTESTATIONS) {
      throw new IllegalArgumentException(
          "signatures has %d entries, must have 1 to %d"
              .formatted(signatures.size(), AttestingMeters.MAX_ATTESTATIONS));
    }
    ByteBuffer b =
        ByteBuffer.allocate(ATTESTED_HEADER + ATTESTATION * signatures.size())
            .put(ATTESTED)
            .putLong(market)
            .putInt(order)
            .putLong(exportedWh)
            .put((byte) signatures.size());
    for (Map.Entry<Integer, Signature> e : signatures.entrySet()) {
      int i = e.getKey();
      if (i < 0 || i >= AttestingMeters.MAX_METERS) {
        throw new IllegalArgumentException(
            "meter index %d must be in [0, %d)".formatted(i, AttestingMeters.MAX_METERS));
      }
      b.put((byte) i).put(e.getValue().bytes());
    }
    return new Payload.Call(DoubleAuctionMarket.NAME, b.array());
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

package org.gridtrade.market;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.spi.RatingDecoder;
import org.gridtrade.market.internal.MarketState;
import org.gridtrade.market.internal.ModuleSupport;
import org.gridtrade.market.internal.Readings;

/**
 * Reads the {@link DoubleAuctionMarket}'s records from a ledger state: what any node, explorer or
 * auditor needs to show why each trade and each payment happened, from the chain alone. Each record
 * can be proved against a block header with the ledger's state proofs.
 */
public final class Markets {
  private Markets() {}

  /**
   * How many markets were opened; their ids are 0 to {@code count - 1}.
   *
   * @param state a ledger state
   * @return the count
   */
  public static long count(LedgerState state) {
    return state.get(MarketState.countKey()).map(MarketState::readLong).orElse(0L);
  }

  /**
   * One market.
   *
   * @param state a ledger state
   * @param id the market's id
   * @return the market, or empty if there is none with that id
   */
  public static Optional<Market> market(LedgerState state, long id) {
    Objects.requireNonNull(state, "state");
    return id < 0
        ? Optional.empty()
        : state.get(MarketState.marketKey(id)).map(MarketState::decodeMarket);
  }

  /**
   * A market's orders, by id.
   *
   * @param state a ledger state
   * @param id the market's id
   * @return every order placed in it (empty if there is no such market)
   */
  public static List<MarketOrder> orders(LedgerState state, long id) {
    return orders(state, id, 0, Integer.MAX_VALUE);
  }

  /**
   * A page of a market's orders, by id.
   *
   * @param state a ledger state
   * @param id the market's id
   * @param from the first order id, 0 or more
   * @param limit the most orders returned, 0 or more
   * @return orders {@code from} to {@code from + limit - 1}, those that exist
   */
  public static List<MarketOrder> orders(LedgerState state, long id, int from, int limit) {
    Optional<Market> found = market(state, id);
    if (found.isEmpty()) {
      return List.of();
    }
    Market m = found.get();
    List<MarketOrder> out = new ArrayList<>();
    int end = (int) Math.min(m.orderCount(), (long) Math.max(from, 0) + Math.max(limit, 0));
    byte[] fills = null;
    int fillPage = -1;
    byte[] orders = null;
    int orderPage = -1;
    for (int i = Math.max(from, 0); i < end; i++) {
      if (m.cleared() && i / MarketState.PAGE != fillPage) {
        fillPage = i / MarketState.PAGE;
        fills = state.get(MarketState.fillPageKey(id, fillPage)).orElseThrow();
      }
      if (i / MarketState.ORDER_PAGE != orderPage) {
        orderPage = i / MarketState.ORDER_PAGE;
        orders = state.get(MarketState.orderPageKey(id, i)).orElseThrow();
      }
      MarketOrder placed = MarketState.order(orders, id, i);
      out.add(MarketState.withFill(placed, fills));
    }
    return List.copyOf(out);
  }

  /**
   * One order of a market.
   *
   * @param state a ledger state
   * @param id the market's id
   * @param order the order's id
   * @return the order, or empty if there is no such market or order
   */
  public static Optional<MarketOrder> order(LedgerState state, long id, int order) {
    if (order < 0) {
      return Optional.empty();
    }
    List<MarketOrder> one = orders(state, id, order, 1);
    return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
  }

  /**
   * A cleared market's trades, in merit order.
   *
   * @param state a ledger state
   * @param id the market's id
   * @return its trades (empty until it clears, or if nothing traded)
   */
  public static List<MarketTrade> trades(LedgerState state, long id) {
    return trades(state, id, 0, Integer.MAX_VALUE);
  }

  /**
   * A page of a cleared market's trades, in merit order.
   *
   * @param state a ledger state
   * @param id the market's id
   * @param from the first trade's index, 0 or more
   * @param limit the most trades returned, 0 or more
   * @return trades {@code from} to {@code from + limit - 1}, those that exist
   */
  public static List<MarketTrade> trades(LedgerState state, long id, int from, int limit) {
    Optional<Clearing> c = market(state, id).flatMap(Market::clearing);
    if (c.isEmpty()) {
      return List.of();
    }
    List<MarketTrade> out = new ArrayList<>();
    int end = (int) Math.min(c.get().trades(), (long) Math.max(from, 0) + Math.max(limit, 0));
    byte[] page = null;
    int pageNo = -1;
    for (int t = Math.max(from, 0); t < end; t++) {
      if (t / MarketState.PAGE != pageNo) {
        pageNo = t / MarketState.PAGE;
        page = state.get(MarketState.tradePageKey(id, pageNo)).orElseThrow();
      }
      out.add(MarketState.trade(page, id, t));
    }
    return List.copyOf(out);
  }

  /**
   * How a seller's ask was settled against metered delivery.
   *
   * @param state a ledger state
   * @param id the market's id
   * @param order the ask's order id
   * @return the settlement, or empty until it is reported (or the deadline passes), or if the
   *     market settles at gate closure
   */
  public static Optional<Delivery> delivery(LedgerState state, long id, int order) {
    return state.get(MarketState.deliveryKey(id, order)).map(MarketState::decodeDelivery);
  }

  /**
   * The energy counted as delivered for one trade.
   *
   * @param state a ledger state
   * @param id the market's id
   * @param trade the trade's index
   * @return Wh, or empty until its seller's delivery is settled
   */
  public static OptionalLong deliveredWh(LedgerState state, long id, int trade) {
    Optional<byte[]> v = state.get(MarketState.tradeDeliveryKey(id, trade));
    return v.isPresent() ? OptionalLong.of(MarketState.readLong(v.get())) : OptionalLong.empty();
  }

  /**
   * The buyer's rating of a trade's seller.
   *
   * @param state a ledger state
   * @param id the market's id
   * @param trade the trade's index
   * @return 1 to 5, or empty if not rated
   */
  public static OptionalInt rating(LedgerState state, long id, int trade) {
    Optional<byte[]> v = state.get(MarketState.ratingKey(id, trade));
    return v.isPresent() ? OptionalInt.of(v.get()[0]) : OptionalInt.empty();
  }

  /**
   * Reads the market's rating calls ({@link MarketCalls#rate}) from a chain's transactions, so that
   * trust can be computed from ratings of delivered trades: give it to {@code
   * org.gridtrade.consensus.trust.TrustIndex} or to the trust-stake consensus. It reads the call's
   * bytes only; the rating is one the chain accepted when its transaction is in a block (the module
   * refused it otherwise).
   *
   * @return the decoder
   */
  public static RatingDecoder ratingDecoder() {
    return RATINGS;
  }

  private static final RatingDecoder RATINGS =
      tx ->
          ModuleSupport.callData(
                  tx, DoubleAuctionMarket.NAME, MarketCalls.RATE, MarketCalls.RATE_BYTES)
              .flatMap(
                  d -> {
                    ByteBuffer in = ByteBuffer.wrap(d, 1 + 8 + 4, d.length - 1 - 8 - 4);
                    int score = in.get();
                    byte[] seller = new byte[Address.LENGTH];
                    in.get(seller);
                    long micro = in.getLong();
                    if (score < 1 || score > 5 || micro < 0) {
                      return Optional.empty(); // never in a block: the module refuses such a call
                    }
                    return Optional.of(
                        new RatingDecoder.Rated(Address.ofBytes(seller), micro, score));
                  });

  /**
   * The meters that attest a seller's deliveries.
   *
   * @param state a ledger state
   * @param seller the seller's account
   * @return its cluster, or empty if an authority reports its deliveries
   */
  public static Optional<AttestingMeters> attestingMeters(LedgerState state, Address seller) {
    return state
        .get(MarketState.attestingMetersKey(seller))
        .map(MarketState::decodeAttestingMeters);
  }

  /**
   * A seller's attested reading for one delivery interval, and how much of it has settled asks of
   * that interval and of the seller's readings inside it.
   *
   * @param state a ledger state
   * @param seller the seller's account
   * @param start the interval's start
   * @param end the interval's end
   * @return the reading, or empty if none was attested
   */
  public static Optional<AttestedReading> reading(
      LedgerState state, Address seller, Instant start, Instant end) {
    return Readings.read(state::get, seller, start.getEpochSecond(), end.getEpochSecond())
        .map(v -> new AttestedReading(seller, start, end, v[0], v[1], v[2]));
  }
}

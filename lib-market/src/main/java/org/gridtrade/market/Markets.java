package org.gridtrade.market;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.market.internal.MarketState;

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
    List<MarketOrder> out = new ArrayList<>();
    market(state, id)
        .ifPresent(
            m -> {
              for (int i = 0; i < m.orderCount(); i++) {
                state
                    .get(MarketState.orderKey(id, i))
                    .map(MarketState::decodeOrder)
                    .ifPresent(out::add);
              }
            });
    return List.copyOf(out);
  }

  /**
   * A cleared market's trades, in merit order.
   *
   * @param state a ledger state
   * @param id the market's id
   * @return its trades (empty until it clears, or if nothing traded)
   */
  public static List<MarketTrade> trades(LedgerState state, long id) {
    List<MarketTrade> out = new ArrayList<>();
    market(state, id)
        .flatMap(Market::clearing)
        .ifPresent(
            c -> {
              for (int t = 0; t < c.trades(); t++) {
                out.add(
                    MarketState.decodeTrade(state.get(MarketState.tradeKey(id, t)).orElseThrow()));
              }
            });
    return List.copyOf(out);
  }
}

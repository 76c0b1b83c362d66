package org.gridtrade.examples.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.examples.study.MarketSimulation;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.market.ClearingRule;
import org.gridtrade.market.DoubleAuctionMarket;
import org.gridtrade.market.Market;
import org.gridtrade.market.MarketCalls;
import org.gridtrade.market.MarketOrder;
import org.gridtrade.market.MarketSpec;
import org.gridtrade.market.MarketTrade;
import org.gridtrade.market.Markets;
import org.gridtrade.market.SealedAuction;
import org.gridtrade.market.Side;

/**
 * The day's double-auction markets on chain (lib-market's {@link DoubleAuctionMarket}): in every
 * hour that has markets ({@link CommunityDay.MarketPlan}), the market operator opens them with a
 * gate a few blocks ahead; once the opens are on every node the participants place their orders
 * (bids escrow their coins); the operator's heartbeats then carry the chain to the gate, at whose
 * block every node clears the markets, pays the sellers and refunds unused escrow.
 *
 * <p>It drives {@link DemoChain}'s follow-up batches: {@link #next} is called after the hour's
 * other transactions are on every node, and again each time the batch before it is, until it
 * returns an empty batch.
 *
 * <p>A PETS market's ask is placed by the leader the chain elected ({@link DemoElection}), which
 * may differ from the plan's leader only by a tie at the same price.
 */
public final class DemoMarkets {
  /** Blocks after the one that opens a market that take its orders; the next one is its gate. */
  static final long ORDER_BLOCKS = 5;

  /** Every market of the day clears at the uniform price, {@code k = 1/2}. */
  static final int K_PPM = 500_000;

  private enum Phase {
    OPEN,
    ORDERS,
    AWAIT_GATE,
    DONE
  }

  /**
   * A market the operator opened.
   *
   * @param plan what was planned
   * @param id its id on chain
   * @param spec what it was opened with
   * @param orders the orders placed in it, the PETS ask signed by the elected leader
   */
  public record Opened(
      CommunityDay.MarketPlan plan,
      long id,
      MarketSpec spec,
      List<CommunityDay.PlannedOrder> orders) {
    public Opened {
      Objects.requireNonNull(plan, "plan");
      Objects.requireNonNull(spec, "spec");
      orders = List.copyOf(orders);
    }
  }

  /**
   * One market as a node holds it.
   *
   * @param market the market, its spec and its clearing
   * @param orders its orders, with their fills, payments and refunds
   * @param trades its trades, in merit order
   */
  public record Book(Market market, List<MarketOrder> orders, List<MarketTrade> trades) {
    public Book {
      Objects.requireNonNull(market, "market");
      orders = List.copyOf(orders);
      trades = List.copyOf(trades);
    }
  }

  /**
   * Every double-auction market as one node holds it at the end of the run.
   *
   * @param books the markets in id order
   */
  public record Record(List<Book> books) {
    public Record {
      books = List.copyOf(books);
    }

    /** Reads every market from a node's state. */
    public static Record of(LedgerState state) {
      List<Book> books = new ArrayList<>();
      long count = Markets.count(state);
      for (long id = 0; id < count; id++) {
        books.add(
            new Book(
                Markets.market(state, id).orElseThrow(),
                Markets.orders(state, id),
                Markets.trades(state, id)));
      }
      return new Record(books);
    }
  }

  private final List<CommunityDay.MarketPlan> plans;
  private final Map<String, KeyPair> keys;
  private final Map<Address, String> names = new LinkedHashMap<>();
  private final List<Opened> opened = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();
  private int hour = -1;
  private Phase phase = Phase.DONE;
  private long gate;
  private List<Opened> openedThisHour = List.of();

  /**
   * @param plans the day's markets
   * @param keys every participant's key, by name (the operator's among them)
   */
  DemoMarkets(List<CommunityDay.MarketPlan> plans, Map<String, KeyPair> keys) {
    this.plans = List.copyOf(plans);
    this.keys = Objects.requireNonNull(keys, "keys");
    keys.forEach((n, k) -> names.put(k.address(), n));
  }

  /** The markets the operator opened, in id order. */
  public List<Opened> opened() {
    return List.copyOf(opened);
  }

  /** Markets that were planned but not opened, and why. */
  public List<String> skipped() {
    return List.copyOf(skipped);
  }

  /**
   * The next batch of the hour, decided from the chain so far.
   *
   * @param reference a node whose chain holds every batch before this one
   * @param gameHour the hour
   * @return the batch, empty once the hour's markets have cleared
   */
  List<CommunityDay.Order> next(BlockEngine reference, int gameHour) {
    if (gameHour != hour) {
      hour = gameHour;
      phase = Phase.OPEN;
    }
    LedgerState state = reference.ledger().state();
    long height = reference.ledger().height();
    switch (phase) {
      case OPEN -> {
        phase = Phase.DONE;
        Optional<Address> winner =
            DemoElection.Record.of(state).outcome().flatMap(SealedAuction.Outcome::winner);
        long base = Markets.count(state);
        // The opens land in the next block; orders are taken in it and the ORDER_BLOCKS after it.
        gate = height + 1 + ORDER_BLOCKS;
        List<Opened> now = new ArrayList<>();
        List<CommunityDay.Order> opens = new ArrayList<>();
        for (CommunityDay.MarketPlan p : plans) {
          if (p.hour() != hour) {
            continue;
          }
          if (p.pets() && winner.isEmpty()) {
            skipped.add(p.name() + ": no leader was elected on chain");
            continue;
          }
          List<CommunityDay.PlannedOrder> orders = new ArrayList<>();
          for (CommunityDay.PlannedOrder o : p.orders()) {
            orders.add(
                p.pets() && o.side() == Side.SELL
                    ? new CommunityDay.PlannedOrder(
                        names.get(winner.get()), o.side(), o.priceMicroPerKWh(), o.wh())
                    : o);
          }
          MarketSpec spec =
              new MarketSpec(
                  ClearingRule.UNIFORM_PRICE,
                  K_PPM,
                  gate,
                  CommunityDay.DAY_START.plusSeconds(3_600L * hour),
                  CommunityDay.DAY_START.plusSeconds(3_600L * (hour + 1)));
          now.add(new Opened(p, base + now.size(), spec, orders));
          opens.add(order(CommunityDay.OPERATOR, MarketCalls.open(spec)));
        }
        if (!now.isEmpty()) {
          openedThisHour = List.copyOf(now);
          opened.addAll(now);
          phase = Phase.ORDERS;
        }
        return opens;
      }
      case ORDERS -> {
        // The operator's opens were admitted in nonce order, so the ids are base, base + 1, ...
        for (Opened o : openedThisHour) {
          Optional<Market> m = Markets.market(state, o.id());
          if (m.isEmpty() || !m.get().spec().equals(o.spec())) {
            throw new IllegalStateException(
                "market %d on chain is %s, not the %s the operator opened"
                    .formatted(o.id(), m, o.plan().name()));
          }
        }
        List<CommunityDay.Order> orders = new ArrayList<>();
        for (Opened o : openedThisHour) {
          for (CommunityDay.PlannedOrder p : o.orders()) {
            orders.add(
                order(
                    p.signer(),
                    p.side() == Side.BUY
                        ? MarketCalls.bid(o.id(), p.priceMicroPerKWh(), p.wh())
                        : MarketCalls.ask(o.id(), p.priceMicroPerKWh(), p.wh())));
          }
        }
        phase = Phase.AWAIT_GATE;
        return orders;
      }
      case AWAIT_GATE -> {
        if (height < gate) {
          return List.of(DemoElection.heartbeat(keys));
        }
        phase = Phase.DONE;
        return List.of();
      }
      default -> {
        return List.of();
      }
    }
  }

  /**
   * How the chain's markets differ from lib-auction's off-chain clearing of the same orders (in the
   * chain's admission order, at the chain's integer prices and quantities), one line per market
   * that differs; empty when all agree.
   */
  static List<String> offChainDifferences(Record record) {
    List<String> out = new ArrayList<>();
    for (Book b : record.books()) {
      MarketSpec spec = b.market().spec();
      String d =
          MarketSimulation.offChainDifference(spec.rule(), spec.kPpm(), b.orders(), b.trades());
      if (!d.isEmpty()) {
        out.add("market %d: %s".formatted(b.market().id(), d));
      }
    }
    return out;
  }

  /**
   * How the chain's markets differ from the day's plan, one line per difference; empty when every
   * planned market was opened, took every planned order, cleared, and filled each participant with
   * exactly the energy it was planned to trade.
   */
  List<String> planDifferences(Record record) {
    List<String> out = new ArrayList<>(skipped);
    out.addAll(planDifferences(opened, names, record));
    return out;
  }

  /**
   * How the chain's markets differ from the markets the operator opened and the orders placed in
   * them.
   *
   * @param opened the markets opened, in id order
   * @param names account names by address
   * @param record the markets as a node holds them
   * @return one line per difference
   */
  static List<String> planDifferences(
      List<Opened> opened, Map<Address, String> names, Record record) {
    List<String> out = new ArrayList<>();
    if (record.books().size() != opened.size()) {
      out.add(
          "%d markets on chain, %d opened by the operator"
              .formatted(record.books().size(), opened.size()));
      return out;
    }
    for (Opened o : opened) {
      Book b = record.books().get((int) o.id());
      String name = o.plan().name();
      if (!b.market().cleared()) {
        out.add(name + ": not cleared");
        continue;
      }
      if (b.orders().size() != o.orders().size()) {
        out.add(
            "%s: %d orders on chain, %d placed"
                .formatted(name, b.orders().size(), o.orders().size()));
        continue;
      }
      for (Side side : Side.values()) {
        Map<String, Long> planned = new LinkedHashMap<>();
        o.orders().stream()
            .filter(p -> p.side() == side)
            .forEach(p -> planned.merge(p.signer(), p.wh(), Long::sum));
        Map<String, Long> filled = new LinkedHashMap<>();
        b.orders().stream()
            .filter(x -> x.side() == side && x.filledWh() > 0)
            .forEach(x -> filled.merge(names.get(x.owner()), x.filledWh(), Long::sum));
        if (!filled.equals(planned)) {
          out.add("%s: %s filled %s, planned %s".formatted(name, side, filled, planned));
        }
      }
    }
    return out;
  }

  private static CommunityDay.Order order(String signer, org.gridtrade.ledger.Payload payload) {
    return new CommunityDay.Order(0, signer, payload);
  }
}

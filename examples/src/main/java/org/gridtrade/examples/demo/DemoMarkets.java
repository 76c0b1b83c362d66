package org.gridtrade.examples.demo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.examples.study.MarketSimulation;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Units;
import org.gridtrade.market.AttestingMeters;
import org.gridtrade.market.ClearingRule;
import org.gridtrade.market.Delivery;
import org.gridtrade.market.DeliveryTerms;
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
 * The day's double-auction markets on chain (lib-market's {@link DoubleAuctionMarket}), settled
 * against metered delivery. The first batch of the day registers every possible seller's meters
 * (its own and two neighbours', {@value #THRESHOLD} of {@value #METERS} must sign). In every hour:
 *
 * <ol>
 *   <li>the sellers of the markets whose delivery hour has ended post their readings, signed by
 *       their meters; every node verifies the signatures, pays each seller for what was delivered
 *       and releases the buyers' payments;
 *   <li>the market operator opens the hour's markets ({@link CommunityDay.MarketPlan}) with a gate
 *       a few blocks ahead;
 *   <li>once the opens are on every node the participants place their orders (bids escrow their
 *       coins, asks lock collateral at the grid price);
 *   <li>the operator's heartbeats carry the chain to the gate, at whose block every node clears the
 *       markets and refunds unused escrow.
 * </ol>
 *
 * <p>It drives {@link DemoChain}'s follow-up batches: {@link #next} is called after the hour's
 * other transactions are on every node, and again each time the batch before it is, until it
 * returns an empty batch; at hour 24 (08:00 the next morning) only the last reports remain.
 *
 * <p>A PETS market's ask is placed by the leader the chain elected ({@link DemoElection}), which
 * may differ from the plan's leader only by a tie at the same price. Every seller delivers what it
 * sold, so its reading for an hour is the sum of its sales in that hour's markets.
 */
public final class DemoMarkets {
  /** Blocks after the one that opens a market that take its orders; the next one is its gate. */
  static final long ORDER_BLOCKS = 5;

  /** Every market of the day clears at the uniform price, {@code k = 1/2}. */
  static final int K_PPM = 500_000;

  /**
   * Blocks after a market's gate that take its delivery reports (they come the next hour); the
   * demand-response round's blocks are added at its hour.
   */
  static final long REPORT_BLOCKS = 60;

  /** Meters that attest each seller's export: its own and two neighbours'. */
  public static final int METERS = 3;

  /** How many of them must sign a reading. */
  public static final int THRESHOLD = 2;

  /**
   * The grid price a shortfall settles at: the leader's cap {@code pMax} (Aggarwal Table 3.1), what
   * the buyer pays the grid instead.
   */
  static final long PENALTY_MICRO_PER_KWH =
      Units.centsPerKWhToMicroPerKWh(CommunityDay.BOUNDS.pMax());

  private enum Phase {
    REPORT,
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
   * @param deliveries how each ask that sold was settled against its seller's metered delivery, in
   *     order id order (empty until reported)
   */
  public record Book(
      Market market,
      List<MarketOrder> orders,
      List<MarketTrade> trades,
      List<Delivery> deliveries) {
    public Book {
      Objects.requireNonNull(market, "market");
      orders = List.copyOf(orders);
      trades = List.copyOf(trades);
      deliveries = List.copyOf(deliveries);
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
        List<MarketOrder> orders = Markets.orders(state, id);
        List<Delivery> deliveries = new ArrayList<>();
        for (MarketOrder o : orders) {
          Markets.delivery(state, id, o.id()).ifPresent(deliveries::add);
        }
        books.add(
            new Book(
                Markets.market(state, id).orElseThrow(),
                orders,
                Markets.trades(state, id),
                deliveries));
      }
      return new Record(books);
    }
  }

  private final long seed;
  private final List<CommunityDay.MarketPlan> plans;
  private final List<String> sps;
  private final Map<String, KeyPair> keys;
  private boolean registered;
  private final Set<Long> reported = new HashSet<>();
  private final Map<Address, String> names = new LinkedHashMap<>();
  private final List<Opened> opened = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();
  private final long drBlocks;
  private int hour = -1;
  private Phase phase = Phase.DONE;
  private long gate;
  private List<Opened> openedThisHour = List.of();

  /**
   * @param seed the demo's seed, from which the meters' keys derive
   * @param plans the day's markets
   * @param sps the SPs, any of which the chain may elect to sell the PETS hours
   * @param keys every participant's key, by name (the operator's among them)
   * @param drBlocks the blocks the demand-response round takes at its hour, after that hour's
   *     markets and before the next hour's reports
   */
  DemoMarkets(
      long seed,
      List<CommunityDay.MarketPlan> plans,
      List<String> sps,
      Map<String, KeyPair> keys,
      long drBlocks) {
    this.seed = seed;
    this.drBlocks = drBlocks;
    this.sps = List.copyOf(sps);
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
      phase = Phase.REPORT;
    }
    LedgerState state = reference.ledger().state();
    long height = reference.ledger().height();
    switch (phase) {
      case REPORT -> {
        phase = Phase.OPEN;
        List<CommunityDay.Order> out = new ArrayList<>();
        if (!registered) {
          registered = true;
          for (String seller : sellers()) {
            out.add(
                order(
                    CommunityDay.OPERATOR,
                    MarketCalls.registerMeters(address(seller), attestingMeters(seller))));
          }
        }
        out.addAll(reports(state));
        return out.isEmpty() ? next(reference, gameHour) : out;
      }
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
                      CommunityDay.DAY_START.plusSeconds(3_600L * (hour + 1)))
                  .withDelivery(
                      new DeliveryTerms(
                          PENALTY_MICRO_PER_KWH,
                          gate + REPORT_BLOCKS + (hour == CommunityDay.DR_HOUR ? drBlocks : 0)));
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

  /** Everyone who may sell in a market of the day: every SP (any may lead), then the plans'. */
  private List<String> sellers() {
    LinkedHashSet<String> out = new LinkedHashSet<>(sps);
    for (CommunityDay.MarketPlan p : plans) {
      for (CommunityDay.PlannedOrder o : p.orders()) {
        if (o.side() == Side.SELL && !p.pets()) {
          out.add(o.signer());
        }
      }
    }
    return List.copyOf(out);
  }

  /** The key of a seller's meter: its own (0) and its neighbours' (1, 2), derived from the seed. */
  KeyPair meter(String seller, int i) {
    return CommunityDay.key(seed, "meter/" + seller + "/" + i);
  }

  private AttestingMeters attestingMeters(String seller) {
    List<PublicKey> ks = new ArrayList<>();
    for (int i = 0; i < METERS; i++) {
      ks.add(meter(seller, i).publicKey());
    }
    return new AttestingMeters(THRESHOLD, ks);
  }

  private Address address(String name) {
    return Objects.requireNonNull(keys.get(name), () -> "no key for " + name).address();
  }

  /**
   * The attested deliveries of every market whose delivery interval has ended by this hour and that
   * is not yet reported: each seller's export over the interval is what it sold in all the
   * interval's markets (every seller delivers in full), signed by its own meter and its first
   * neighbour; the seller posts one report per ask.
   */
  private List<CommunityDay.Order> reports(LedgerState state) {
    Map<String, Long> export = new LinkedHashMap<>();
    Map<Opened, List<MarketOrder>> due = new LinkedHashMap<>();
    for (Opened o : opened) {
      if (o.plan().hour() + 1 <= hour && !reported.contains(o.id())) {
        List<MarketOrder> orders = Markets.orders(state, o.id());
        due.put(o, orders);
        for (MarketOrder x : orders) {
          if (x.side() == Side.SELL && x.filledWh() > 0) {
            export.merge(names.get(x.owner()) + "@" + o.plan().hour(), x.filledWh(), Long::sum);
          }
        }
      }
    }
    List<CommunityDay.Order> out = new ArrayList<>();
    for (Map.Entry<Opened, List<MarketOrder>> e : due.entrySet()) {
      Opened o = e.getKey();
      reported.add(o.id());
      for (MarketOrder x : e.getValue()) {
        if (x.side() != Side.SELL || x.filledWh() == 0) {
          continue;
        }
        String seller = names.get(x.owner());
        long wh = export.get(seller + "@" + o.plan().hour());
        byte[] reading =
            MarketCalls.readingMessage(
                CommunityDay.CHAIN_ID,
                x.owner(),
                o.spec().deliveryStart(),
                o.spec().deliveryEnd(),
                wh);
        SortedMap<Integer, Signature> sigs = new TreeMap<>();
        for (int i = 0; i < THRESHOLD; i++) {
          sigs.put(i, meter(seller, i).sign(reading));
        }
        out.add(order(seller, MarketCalls.attestedDelivery(o.id(), x.id(), wh, sigs)));
      }
    }
    return out;
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
      Map<Integer, Delivery> delivered = new LinkedHashMap<>();
      b.deliveries().forEach(d -> delivered.put(d.order(), d));
      for (MarketOrder x : b.orders()) {
        if (x.side() != Side.SELL || x.filledWh() == 0) {
          continue;
        }
        Delivery d = delivered.get(x.id());
        if (d == null) {
          out.add("%s: ask %d not settled against its delivery".formatted(name, x.id()));
        } else if (d.byDeadline() || d.deliveredWh() != x.filledWh()) {
          out.add(
              "%s: ask %d delivered %d of %d Wh%s"
                  .formatted(
                      name,
                      x.id(),
                      d.deliveredWh(),
                      x.filledWh(),
                      d.byDeadline() ? ", unreported by the deadline" : ""));
        }
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

  private static CommunityDay.Order order(String signer, Payload payload) {
    return new CommunityDay.Order(0, signer, payload);
  }
}

package org.gridtrade.market;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;
import org.gridtrade.market.internal.IntegerClearing;
import org.gridtrade.market.internal.MarketState;
import org.gridtrade.market.internal.ModuleSupport;
import org.gridtrade.market.internal.Readings;

/**
 * Double-auction markets on chain: every node takes the orders, holds the bids' escrow, and clears
 * each market at its gate closure with the same integer arithmetic, so no single party settles a
 * market (the auction contracts of Aggarwal's PoA network, Haider's trading contract).
 *
 * <p><b>Life of a market.</b> An authority of the chain opens it ({@link MarketCalls#open}) with a
 * {@link ClearingRule}, a gate closure height and a delivery interval; it gets the next id (0, 1,
 * …). In blocks below the gate closure height anyone may place bids and asks ({@link
 * MarketCalls#bid}, {@link MarketCalls#ask}); a bid moves {@code ⌈quantity × price / 1000⌉}
 * micro-coins from the buyer to this module's escrow account ({@link LedgerModule#account}). An
 * order's owner may cancel it before the gate closes; a bid's escrow comes back in full. At the end
 * of the gate closure block every node clears the market's open orders:
 *
 * <ul>
 *   <li>The allocation is the merit-order matching of the off-chain {@code
 *       org.gridtrade.auction.DoubleAuction} (bids by price, highest first; asks lowest first;
 *       equal prices by order id, i.e. admission order), in Wh and micro-coins per kWh. It is
 *       identical to the off-chain auction's on the same orders; so is the welfare.
 *   <li>Prices: the uniform price {@code lo + ⌊(hi − lo) × kPpm / 10^6⌋} and McAfee's {@code p0 =
 *       ⌊(b' + s') / 2⌋} round down to a whole micro-coin per kWh (the off-chain auction's exact
 *       price is at most 1 micro-coin per kWh above); McAfee's test {@code s* ≤ p0 ≤ b*} is made
 *       exactly, as {@code 2s* ≤ b' + s' ≤ 2b*}, so it reduces the same trades.
 *   <li>Payments: in each trade the buyer pays {@code ⌊q × buyer price / 1000⌋} and the seller
 *       receives {@code ⌊q × seller price / 1000⌋} (each rounds down by less than one micro-coin).
 *       Each bid's unused escrow goes back to its owner; the spread of pay-as-bid and McAfee goes
 *       to the market's operator. The module's account ends each clearing with exactly the escrow
 *       of the markets still open: coins are conserved, and nothing is left behind.
 * </ul>
 *
 * <p>Sellers are paid at gate closure, unless the market was opened with {@link DeliveryTerms}:
 * then each ask locks collateral, the buyers' payments stay in escrow at gate closure, and each
 * seller is paid for the energy an authority of the chain (the metering service) reports delivered
 * ({@link MarketCalls#reportDelivery}), or, once an authority has registered the seller's meters
 * ({@link MarketCalls#registerMeters}), for the export that at least their threshold signed ({@link
 * MarketCalls#attestedDelivery}, which anyone may post and every node verifies; one reading settles
 * all the seller's asks for its interval, never paying the same energy twice); the buyers are
 * refunded the rest and paid the shortfall's penalty from the collateral; a seller without a report
 * by the deadline delivered nothing. Only a delivered trade may be rated, once, by its buyer
 * ({@link MarketCalls#rate}). Every trade, order, clearing, delivery and rating stays in the state
 * ({@link Markets} reads them), so any node can show why each trade and each payment happened.
 *
 * <p><b>Rejected calls</b> change nothing and name the rule: an unknown market, a gate that has
 * closed, a price or quantity out of range, escrow the buyer cannot afford, a cancel of another's
 * or a closed order, a market opened by a non-authority or with its gate in the past, more than
 * {@value #MAX_ORDERS} orders in one market or {@value #MAX_MARKETS_PER_HEIGHT} markets closing at
 * one height.
 */
public final class DoubleAuctionMarket implements LedgerModule {
  /** The module's name in {@link Payload.Call} and in the genesis. */
  public static final String NAME = "double-auction";

  /** The largest price, micro-coins per kWh (1,000 coins per kWh). */
  public static final long MAX_PRICE = IntegerClearing.MAX_PRICE;

  /** The largest order, Wh (1 GWh). */
  public static final long MAX_QUANTITY = IntegerClearing.MAX_QUANTITY;

  /** The most orders one market takes (it clears them all inside one block). */
  public static final int MAX_ORDERS = 100_000;

  /** The most markets whose gates close at the same height. */
  public static final int MAX_MARKETS_PER_HEIGHT = 4_096;

  /** Creates the module; it holds no state of its own. */
  public DoubleAuctionMarket() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int namespace() {
    return MarketState.NAMESPACE;
  }

  /**
   * The rule every order's price and quantity must meet.
   *
   * @param price micro-coins per kWh
   * @param quantity Wh
   * @return empty if both are in range, or the message naming the field, the value and the rule
   */
  static Optional<String> checkOrder(long price, long quantity) {
    if (price < 1 || price > MAX_PRICE) {
      return Optional.of("priceMicroPerKWh %d must be in [1, %d]".formatted(price, MAX_PRICE));
    }
    if (quantity < 1 || quantity > MAX_QUANTITY) {
      return Optional.of("quantityWh %d must be in [1, %d]".formatted(quantity, MAX_QUANTITY));
    }
    return Optional.empty();
  }

  @Override
  public Optional<TxResult.Rejected> execute(ModuleContext ctx, Transaction tx) {
    byte[] data = ((Payload.Call) tx.body().payload()).data();
    if (data.length == 0) {
      return reject("call data is empty; it must start with an operation (1 to 8)");
    }
    ByteBuffer in = ByteBuffer.wrap(data);
    byte op = in.get();
    int expected =
        switch (op) {
          case MarketCalls.OPEN -> MarketCalls.OPEN_BYTES;
          case MarketCalls.BID, MarketCalls.ASK -> 1 + 8 + 8 + 8;
          case MarketCalls.CANCEL -> 1 + 8 + 4;
          case MarketCalls.DELIVERED -> 1 + 8 + 4 + 8;
          case MarketCalls.RATE -> MarketCalls.RATE_BYTES;
          case MarketCalls.REGISTER_METERS ->
              data.length < MarketCalls.METERS_HEADER
                  ? MarketCalls.METERS_HEADER
                  : MarketCalls.METERS_HEADER
                      + PublicKey.LENGTH * (data[MarketCalls.METERS_HEADER - 1] & 0xff);
          case MarketCalls.ATTESTED ->
              data.length < MarketCalls.ATTESTED_HEADER
                  ? MarketCalls.ATTESTED_HEADER
                  : MarketCalls.ATTESTED_HEADER
                      + MarketCalls.ATTESTATION * (data[MarketCalls.ATTESTED_HEADER - 1] & 0xff);
          default -> -1;
        };
    if (expected < 0) {
      return reject(
          ("operation %d is unknown; it must be 1 (open), 2 (bid), 3 (ask), 4 (cancel),"
                  + " 5 (delivery report), 6 (rating), 7 (register meters) or 8 (attested"
                  + " delivery)")
              .formatted(op));
    }
    if (data.length != expected) {
      return reject(
          "operation %d takes %d bytes of data, not %d".formatted(op, expected, data.length));
    }
    return switch (op) {
      case MarketCalls.OPEN -> open(ctx, tx, in);
      case MarketCalls.CANCEL -> cancel(ctx, tx, in.getLong(), in.getInt());
      case MarketCalls.DELIVERED -> delivered(ctx, tx, in.getLong(), in.getInt(), in.getLong());
      case MarketCalls.RATE -> rate(ctx, tx, in);
      case MarketCalls.REGISTER_METERS -> registerMeters(ctx, tx, in);
      case MarketCalls.ATTESTED -> attested(ctx, in);
      default -> place(ctx, tx, op == MarketCalls.BID ? Side.BUY : Side.SELL, in);
    };
  }

  private Optional<TxResult.Rejected> open(ModuleContext ctx, Transaction tx, ByteBuffer in) {
    Address sender = tx.sender();
    if (!ctx.authorities().contains(sender)) {
      return reject(
          "only an authority of the chain may open a market; %s is not one".formatted(sender));
    }
    int rule = in.get();
    if (rule < 0 || rule >= ClearingRule.values().length) {
      return reject(
          "rule %d is unknown; it must be 0 (uniform-price), 1 (pay-as-bid) or 2 (mcafee)"
              .formatted(rule));
    }
    int kPpm = in.getInt();
    long gate = in.getLong();
    long start = in.getLong();
    long end = in.getLong();
    boolean onDelivery = in.get() == 1;
    long penalty = in.getLong();
    long deadline = in.getLong();
    if (gate <= ctx.height()) {
      return reject(
          "gateClosureHeight %d must be above the current height %d".formatted(gate, ctx.height()));
    }
    MarketSpec spec;
    try {
      spec =
          new MarketSpec(
              ClearingRule.values()[rule],
              kPpm,
              gate,
              Instant.ofEpochSecond(start),
              Instant.ofEpochSecond(end),
              onDelivery ? Optional.of(new DeliveryTerms(penalty, deadline)) : Optional.empty());
    } catch (RuntimeException e) {
      return reject(e.getMessage());
    }
    StateKey deadlineKey = MarketState.deadlineKey(deadline);
    byte[] due = onDelivery ? ctx.get(deadlineKey).orElse(new byte[0]) : new byte[0];
    if (due.length / 8 >= MAX_MARKETS_PER_HEIGHT) {
      return reject(
          "%d markets already take delivery reports up to height %d; at most %d may"
              .formatted(due.length / 8, deadline, MAX_MARKETS_PER_HEIGHT));
    }
    StateKey gateKey = MarketState.gateKey(gate);
    byte[] closing = ctx.get(gateKey).orElse(new byte[0]);
    if (closing.length / 8 >= MAX_MARKETS_PER_HEIGHT) {
      return reject(
          "%d markets already close at height %d; at most %d may"
              .formatted(closing.length / 8, gate, MAX_MARKETS_PER_HEIGHT));
    }
    long id = ctx.get(MarketState.countKey()).map(MarketState::readLong).orElse(0L);
    ctx.put(MarketState.countKey(), MarketState.longBytes(id + 1));
    ctx.put(
        MarketState.marketKey(id),
        MarketState.encode(new Market(id, sender, spec, 0, Optional.empty())));
    ctx.put(gateKey, ModuleSupport.appended(closing, id));
    if (onDelivery) {
      ctx.put(deadlineKey, ModuleSupport.appended(due, id));
    }
    return Optional.empty();
  }

  private Optional<TxResult.Rejected> place(
      ModuleContext ctx, Transaction tx, Side side, ByteBuffer in) {
    long id = in.getLong();
    long price = in.getLong();
    long quantity = in.getLong();
    Optional<String> bad = checkOrder(price, quantity);
    if (bad.isPresent()) {
      return reject(bad.get());
    }
    Optional<Market> found = ctx.get(MarketState.marketKey(id)).map(MarketState::decodeMarket);
    if (found.isEmpty()) {
      return reject("market %d does not exist".formatted(id));
    }
    Market m = found.get();
    if (ctx.height() >= m.spec().gateClosureHeight()) {
      return reject(
          "market %d's gate closed at height %d; this block is %d"
              .formatted(id, m.spec().gateClosureHeight(), ctx.height()));
    }
    if (m.orderCount() >= MAX_ORDERS) {
      return reject(
          "market %d holds %d orders, the most one market takes".formatted(id, MAX_ORDERS));
    }
    long escrow = 0;
    if (side == Side.BUY) {
      escrow = (price * quantity + 999L) / 1000L;
      Optional<TxResult.Rejected> moved =
          ctx.transfer(tx.sender(), LedgerModule.account(NAME), escrow);
      if (moved.isPresent()) {
        return Optional.of(
            new TxResult.Rejected(
                moved.get().reason(),
                "%s: the bid's escrow of %d micro-coins (%d Wh at %d per kWh) exceeds what %s holds: %s"
                    .formatted(NAME, escrow, quantity, price, tx.sender(), moved.get().detail())));
      }
    } else if (m.spec().delivery().isPresent()) {
      long penalty = m.spec().delivery().get().penaltyMicroPerKWh();
      escrow = (penalty * quantity + 999L) / 1000L;
      Optional<TxResult.Rejected> moved =
          escrow == 0
              ? Optional.empty()
              : ctx.transfer(tx.sender(), LedgerModule.account(NAME), escrow);
      if (moved.isPresent()) {
        return Optional.of(
            new TxResult.Rejected(
                moved.get().reason(),
                "%s: the ask's collateral of %d micro-coins (%d Wh at the penalty price %d per kWh) exceeds what %s holds: %s"
                    .formatted(
                        NAME, escrow, quantity, penalty, tx.sender(), moved.get().detail())));
      }
    }
    int order = m.orderCount();
    writeOrder(
        ctx,
        new MarketOrder(
            id,
            order,
            side,
            tx.sender(),
            price,
            quantity,
            escrow,
            OrderStatus.OPEN,
            0,
            0,
            0,
            tx.id()));
    ctx.put(
        MarketState.marketKey(id),
        MarketState.encode(new Market(id, m.operator(), m.spec(), order + 1, Optional.empty())));
    return Optional.empty();
  }

  private Optional<TxResult.Rejected> cancel(
      ModuleContext ctx, Transaction tx, long id, int order) {
    Optional<Market> found = ctx.get(MarketState.marketKey(id)).map(MarketState::decodeMarket);
    if (found.isEmpty()) {
      return reject("market %d does not exist".formatted(id));
    }
    Market m = found.get();
    if (ctx.height() >= m.spec().gateClosureHeight()) {
      return reject(
          "market %d's gate closed at height %d; orders can no longer be cancelled"
              .formatted(id, m.spec().gateClosureHeight()));
    }
    if (order < 0 || order >= m.orderCount()) {
      return reject(
          "order %d does not exist in market %d (it has %d)".formatted(order, id, m.orderCount()));
    }
    MarketOrder o = readOrder(ctx, id, order);
    if (!o.owner().equals(tx.sender())) {
      return reject(
          "order %d of market %d belongs to %s, not %s"
              .formatted(order, id, o.owner(), tx.sender()));
    }
    if (o.status() != OrderStatus.OPEN) {
      return reject(
          "order %d of market %d is %s, not open"
              .formatted(order, id, o.status().name().toLowerCase(java.util.Locale.ROOT)));
    }
    if (o.escrowMicro() > 0) {
      ctx.transfer(LedgerModule.account(NAME), o.owner(), o.escrowMicro());
    }
    writeOrder(
        ctx,
        new MarketOrder(
            id,
            order,
            o.side(),
            o.owner(),
            o.priceMicroPerKWh(),
            o.quantityWh(),
            o.escrowMicro(),
            OrderStatus.CANCELLED,
            0,
            0,
            o.escrowMicro(),
            o.transaction()));
    return Optional.empty();
  }

  private Optional<TxResult.Rejected> delivered(
      ModuleContext ctx, Transaction tx, long id, int order, long deliveredWh) {
    if (!ctx.authorities().contains(tx.sender())) {
      return reject(
          "only an authority of the chain (the metering service) may report delivery; %s is not one"
              .formatted(tx.sender()));
    }
    if (deliveredWh < 0) {
      return reject("deliveredWh %d must be >= 0".formatted(deliveredWh));
    }
    Object t = settleable(ctx, id, order);
    if (t instanceof String problem) {
      return reject(problem);
    }
    Settleable a = (Settleable) t;
    Optional<byte[]> cluster = ctx.get(MarketState.attestingMetersKey(a.order().owner()));
    if (cluster.isPresent()) {
      AttestingMeters c = MarketState.decodeAttestingMeters(cluster.get());
      return reject(
          ("seller %s's deliveries are attested by its %d meters (%d must sign); an authority's"
                  + " report does not settle them")
              .formatted(a.order().owner(), c.meters().size(), c.threshold()));
    }
    settle(ctx, a.market(), a.order(), a.fills(), deliveredWh, false);
    return Optional.empty();
  }

  /** A sold ask of a market that settles on delivery, ready to settle. */
  private record Settleable(Market market, MarketOrder order, byte[] fills) {}

  /**
   * The ask {@code order} of market {@code id} if it may settle in this block, or why not.
   *
   * @return a {@link Settleable} or the refusal's message
   */
  private static Object settleable(ModuleContext ctx, long id, int order) {
    Optional<Market> found = ctx.get(MarketState.marketKey(id)).map(MarketState::decodeMarket);
    if (found.isEmpty()) {
      return "market %d does not exist".formatted(id);
    }
    Market m = found.get();
    if (m.spec().delivery().isEmpty()) {
      return "market %d settles at gate closure, not on delivery".formatted(id);
    }
    if (!m.cleared()) {
      return "market %d has not cleared yet".formatted(id);
    }
    long end = m.spec().deliveryEnd().toEpochMilli();
    if (ctx.blockTime() < end) {
      return "market %d's delivery interval ends at %s; this block's time is %s"
          .formatted(id, m.spec().deliveryEnd(), Instant.ofEpochMilli(ctx.blockTime()));
    }
    long deadline = m.spec().delivery().get().reportDeadlineHeight();
    if (ctx.height() > deadline) {
      return "market %d took delivery reports up to height %d; this block is %d"
          .formatted(id, deadline, ctx.height());
    }
    if (order < 0 || order >= m.orderCount()) {
      return "order %d does not exist in market %d (it has %d)"
          .formatted(order, id, m.orderCount());
    }
    MarketOrder o = readOrder(ctx, id, order);
    byte[] fills = ctx.get(MarketState.fillPageKey(id, order / MarketState.PAGE)).orElseThrow();
    if (o.side() != Side.SELL
        || o.status() != OrderStatus.OPEN
        || MarketState.filled(fills, order) == 0) {
      return "order %d of market %d is not an ask that sold energy".formatted(order, id);
    }
    if (ctx.get(MarketState.deliveryKey(id, order)).isPresent()) {
      return "order %d of market %d has been settled already".formatted(order, id);
    }
    return new Settleable(m, o, fills);
  }

  private Optional<TxResult.Rejected> registerMeters(
      ModuleContext ctx, Transaction tx, ByteBuffer in) {
    if (!ctx.authorities().contains(tx.sender())) {
      return reject(
          "only an authority of the chain may register a seller's meters; %s is not one"
              .formatted(tx.sender()));
    }
    byte[] seller = new byte[Address.LENGTH];
    in.get(seller);
    int threshold = in.get() & 0xff;
    int n = in.get() & 0xff;
    List<PublicKey> keys = new ArrayList<>();
    byte[] k = new byte[PublicKey.LENGTH];
    for (int i = 0; i < n; i++) {
      in.get(k);
      keys.add(PublicKey.of(k));
    }
    AttestingMeters cluster;
    try {
      cluster = new AttestingMeters(threshold, keys);
    } catch (IllegalArgumentException e) {
      return reject(e.getMessage());
    }
    ctx.put(MarketState.attestingMetersKey(Address.ofBytes(seller)), MarketState.encode(cluster));
    return Optional.empty();
  }

  private Optional<TxResult.Rejected> attested(ModuleContext ctx, ByteBuffer in) {
    long id = in.getLong();
    int order = in.getInt();
    long exportedWh = in.getLong();
    int count = in.get() & 0xff;
    if (exportedWh < 0) {
      return reject("exportedWh %d must be >= 0".formatted(exportedWh));
    }
    if (count < 1 || count > AttestingMeters.MAX_ATTESTATIONS) {
      return reject(
          "the reading carries %d signatures, must carry 1 to %d"
              .formatted(count, AttestingMeters.MAX_ATTESTATIONS));
    }
    Object t = settleable(ctx, id, order);
    if (t instanceof String problem) {
      return reject(problem);
    }
    Settleable a = (Settleable) t;
    Address seller = a.order().owner();
    Optional<byte[]> stored = ctx.get(MarketState.attestingMetersKey(seller));
    if (stored.isEmpty()) {
      return reject(
          "seller %s has no registered meter cluster; an authority reports its deliveries"
              .formatted(seller));
    }
    AttestingMeters cluster = MarketState.decodeAttestingMeters(stored.get());
    if (count < cluster.threshold()) {
      return reject(
          "the reading carries %d signatures; seller %s's cluster needs %d of its %d meters"
              .formatted(count, seller, cluster.threshold(), cluster.meters().size()));
    }
    MarketSpec spec = a.market().spec();
    byte[] message =
        MarketCalls.readingMessage(
            ctx.chainId(), seller, spec.deliveryStart(), spec.deliveryEnd(), exportedWh);
    int previous = -1;
    byte[] sig = new byte[Signature.LENGTH];
    for (int s = 0; s < count; s++) {
      int meter = in.get() & 0xff;
      in.get(sig);
      if (meter <= previous || meter >= cluster.meters().size()) {
        return reject(
            ("signature %d names meter %d; meters must be named in increasing order, each once,"
                    + " and the cluster has meters 0 to %d")
                .formatted(s, meter, cluster.meters().size() - 1));
      }
      previous = meter;
      if (!cluster.meters().get(meter).verify(message, Signature.of(sig))) {
        return reject(
            "meter %d's signature does not verify over seller %s's reading of %d Wh for %s to %s"
                .formatted(meter, seller, exportedWh, spec.deliveryStart(), spec.deliveryEnd()));
      }
    }
    Object delivered =
        Readings.settle(
            ctx,
            seller,
            spec.deliveryStart().getEpochSecond(),
            spec.deliveryEnd().getEpochSecond(),
            exportedWh,
            MarketState.filled(a.fills(), order));
    if (delivered instanceof String problem) {
      return reject(problem);
    }
    settle(ctx, a.market(), a.order(), a.fills(), (Long) delivered, false);
    return Optional.empty();
  }

  /** Settles one ask against its delivered energy: pays the seller, refunds and compensates. */
  private static void settle(
      ModuleContext ctx, Market m, MarketOrder o, byte[] fills, long reported, boolean byDeadline) {
    long id = m.id();
    long penaltyPrice = m.spec().delivery().orElseThrow().penaltyMicroPerKWh();
    int[] range = MarketState.tradeRange(fills, o.id());
    long filled = MarketState.filled(fills, o.id());
    long remaining = Math.min(reported, filled);
    long delivered = remaining;
    long sellerGot = 0;
    long penalty = 0;
    long refunds = 0;
    long spread = 0;
    Address escrow = LedgerModule.account(NAME);
    byte[] page = null;
    int pageNo = -1;
    for (int t = range[0]; t < range[0] + range[1]; t++) {
      if (t / MarketState.PAGE != pageNo) {
        pageNo = t / MarketState.PAGE;
        page = ctx.get(MarketState.tradePageKey(id, pageNo)).orElseThrow();
      }
      MarketTrade tr = MarketState.trade(page, id, t);
      long dt = Math.min(remaining, tr.quantityWh());
      remaining -= dt;
      long pays = dt * tr.buyerPriceMicroPerKWh() / 1000L;
      long gets = dt * tr.sellerPriceMicroPerKWh() / 1000L;
      long refund = tr.buyerPaysMicro() - pays;
      long compensation = (tr.quantityWh() - dt) * penaltyPrice / 1000L;
      Address buyer = readOrder(ctx, id, tr.buyOrder()).owner();
      move(ctx, escrow, buyer, refund + compensation);
      sellerGot += gets;
      spread += pays - gets;
      refunds += refund;
      penalty += compensation;
      ctx.put(MarketState.tradeDeliveryKey(id, t), MarketState.longBytes(dt));
    }
    long collateral = (filled * penaltyPrice + 999L) / 1000L;
    move(ctx, escrow, o.owner(), sellerGot + collateral - penalty);
    move(ctx, escrow, m.operator(), spread);
    ctx.put(
        MarketState.deliveryKey(id, o.id()),
        MarketState.encode(
            new Delivery(
                id,
                o.id(),
                delivered,
                sellerGot,
                penalty,
                collateral - penalty,
                refunds,
                spread,
                ctx.height(),
                byDeadline)));
  }

  private Optional<TxResult.Rejected> rate(ModuleContext ctx, Transaction tx, ByteBuffer in) {
    long id = in.getLong();
    int trade = in.getInt();
    int score = in.get();
    byte[] named = new byte[Address.LENGTH];
    in.get(named);
    long namedMicro = in.getLong();
    if (score < 1 || score > 5) {
      return reject("score %d must be in [1, 5]".formatted(score));
    }
    Optional<Market> found = ctx.get(MarketState.marketKey(id)).map(MarketState::decodeMarket);
    if (found.isEmpty()) {
      return reject("market %d does not exist".formatted(id));
    }
    Market m = found.get();
    if (m.spec().delivery().isEmpty()) {
      return reject(
          "market %d settles at gate closure: without metered delivery its trades cannot be rated"
              .formatted(id));
    }
    int trades = m.clearing().map(Clearing::trades).orElse(0);
    if (trade < 0 || trade >= trades) {
      return reject(
          "trade %d does not exist in market %d (it has %d)".formatted(trade, id, trades));
    }
    long dt =
        ctx.get(MarketState.tradeDeliveryKey(id, trade)).map(MarketState::readLong).orElse(0L);
    if (dt == 0) {
      return reject(
          "trade %d of market %d has no delivered energy; only delivered trades may be rated"
              .formatted(trade, id));
    }
    MarketTrade tr =
        MarketState.trade(
            ctx.get(MarketState.tradePageKey(id, trade / MarketState.PAGE)).orElseThrow(),
            id,
            trade);
    Address buyer = readOrder(ctx, id, tr.buyOrder()).owner();
    if (!buyer.equals(tx.sender())) {
      return reject(
          "trade %d of market %d was bought by %s; only its buyer may rate it, not %s"
              .formatted(trade, id, buyer, tx.sender()));
    }
    Address seller = readOrder(ctx, id, tr.sellOrder()).owner();
    if (seller.equals(buyer)) {
      return reject(
          "trade %d of market %d was sold and bought by %s; a trader cannot rate itself"
              .formatted(trade, id, buyer));
    }
    if (!seller.equals(Address.ofBytes(named))) {
      return reject(
          "seller %s does not match trade %d of market %d, which %s sold"
              .formatted(Address.ofBytes(named), trade, id, seller));
    }
    if (namedMicro != tr.buyerPaysMicro()) {
      return reject(
          "tradedMicro %d does not match trade %d of market %d, whose buyer pays %d"
              .formatted(namedMicro, trade, id, tr.buyerPaysMicro()));
    }
    StateKey key = MarketState.ratingKey(id, trade);
    if (ctx.get(key).isPresent()) {
      return reject("trade %d of market %d has been rated already".formatted(trade, id));
    }
    ctx.put(key, new byte[] {(byte) score});
    return Optional.empty();
  }

  @Override
  public void endBlock(ModuleContext ctx) {
    StateKey gateKey = MarketState.gateKey(ctx.height());
    Optional<byte[]> closing = ctx.get(gateKey);
    if (closing.isPresent()) {
      ByteBuffer ids = ByteBuffer.wrap(closing.get());
      while (ids.hasRemaining()) {
        clear(ctx, ids.getLong());
      }
      ctx.delete(gateKey);
    }
    StateKey deadlineKey = MarketState.deadlineKey(ctx.height());
    Optional<byte[]> due = ctx.get(deadlineKey);
    if (due.isPresent()) {
      ByteBuffer ids = ByteBuffer.wrap(due.get());
      while (ids.hasRemaining()) {
        settleUnreported(ctx, ids.getLong());
      }
      ctx.delete(deadlineKey);
    }
  }

  /** At the report deadline: every ask that sold and has no report delivered nothing. */
  private static void settleUnreported(ModuleContext ctx, long id) {
    Market m = MarketState.decodeMarket(ctx.get(MarketState.marketKey(id)).orElseThrow());
    byte[] fills = null;
    int pageNo = -1;
    byte[] orderPage = null;
    int orderPageNo = -1;
    for (int i = 0; i < m.orderCount(); i++) {
      if (i / MarketState.PAGE != pageNo) {
        pageNo = i / MarketState.PAGE;
        fills = ctx.get(MarketState.fillPageKey(id, pageNo)).orElseThrow();
      }
      if (MarketState.filled(fills, i) == 0
          || ctx.get(MarketState.deliveryKey(id, i)).isPresent()) {
        continue;
      }
      if (i / MarketState.ORDER_PAGE != orderPageNo) {
        orderPageNo = i / MarketState.ORDER_PAGE;
        orderPage = ctx.get(MarketState.orderPageKey(id, i)).orElseThrow();
      }
      MarketOrder o = MarketState.order(orderPage, id, i);
      if (o.side() == Side.SELL && o.status() == OrderStatus.OPEN) {
        settle(ctx, m, o, fills, 0, true);
      }
    }
  }

  private static void clear(ModuleContext ctx, long id) {
    Market m = MarketState.decodeMarket(ctx.get(MarketState.marketKey(id)).orElseThrow());
    List<MarketOrder> buys = new ArrayList<>();
    List<MarketOrder> sells = new ArrayList<>();
    byte[] orderPage = null;
    for (int i = 0; i < m.orderCount(); i++) {
      if (i % MarketState.ORDER_PAGE == 0) {
        orderPage = ctx.get(MarketState.orderPageKey(id, i)).orElseThrow();
      }
      MarketOrder o = MarketState.order(orderPage, id, i);
      if (o.status() == OrderStatus.OPEN) {
        (o.side() == Side.BUY ? buys : sells).add(o);
      }
    }
    long[] bp = new long[buys.size()];
    long[] bq = new long[buys.size()];
    long[] sp = new long[sells.size()];
    long[] sq = new long[sells.size()];
    for (int i = 0; i < bp.length; i++) {
      bp[i] = buys.get(i).priceMicroPerKWh();
      bq[i] = buys.get(i).quantityWh();
    }
    for (int i = 0; i < sp.length; i++) {
      sp[i] = sells.get(i).priceMicroPerKWh();
      sq[i] = sells.get(i).quantityWh();
    }
    IntegerClearing.Outcome out =
        IntegerClearing.clear(m.spec().rule().ordinal(), m.spec().kPpm(), bp, bq, sp, sq);
    long[] bFilled = new long[bp.length];
    long[] bPaid = new long[bp.length];
    long[] sFilled = new long[sp.length];
    long[] sGot = new long[sp.length];
    int[] bFirst = new int[bp.length];
    int[] bCount = new int[bp.length];
    int[] sFirst = new int[sp.length];
    int[] sCount = new int[sp.length];
    long volume = 0;
    long welfareWhole = 0;
    long welfareRest = 0;
    long paid = 0;
    long received = 0;
    int n = out.size();
    ByteBuffer tradePage = null;
    for (int t = 0; t < n; t++) {
      int b = out.buy()[t];
      int s = out.sell()[t];
      long q = out.quantity()[t];
      long pays = out.buyerPrice()[t] * q / 1000L;
      long gets = out.sellerPrice()[t] * q / 1000L;
      long surplus = (bp[b] - sp[s]) * q;
      welfareWhole += surplus / 1000L;
      welfareRest += surplus % 1000L;
      bFilled[b] += q;
      bPaid[b] += pays;
      sFilled[s] += q;
      sGot[s] += gets;
      if (bCount[b]++ == 0) {
        bFirst[b] = t;
      }
      if (sCount[s]++ == 0) {
        sFirst[s] = t;
      }
      volume += q;
      paid += pays;
      received += gets;
      int slot = t % MarketState.PAGE;
      if (slot == 0) {
        tradePage = MarketState.page(Math.min(MarketState.PAGE, n - t), MarketState.TRADE_BYTES);
      }
      MarketState.putTrade(
          tradePage,
          slot,
          new MarketTrade(
              id,
              t,
              buys.get(b).id(),
              sells.get(s).id(),
              q,
              out.buyerPrice()[t],
              out.sellerPrice()[t],
              pays,
              gets));
      if (slot == MarketState.PAGE - 1 || t == n - 1) {
        ctx.put(MarketState.tradePageKey(id, t / MarketState.PAGE), tradePage.array());
      }
    }
    // Fills, payments and refunds: paged by order id, zero for orders not open at the gate.
    ByteBuffer[] fills = new ByteBuffer[(m.orderCount() + MarketState.PAGE - 1) / MarketState.PAGE];
    for (int p = 0; p < fills.length; p++) {
      fills[p] =
          MarketState.page(
              Math.min(MarketState.PAGE, m.orderCount() - p * MarketState.PAGE),
              MarketState.FILL_BYTES);
    }
    Address escrow = LedgerModule.account(NAME);
    long refunded = 0;
    // What each owner gets back or is paid, summed over its orders, in order of first appearance:
    // one account update per trader rather than one per order.
    Map<Address, Long> owed = new LinkedHashMap<>();
    for (int i = 0; i < bp.length; i++) {
      MarketOrder o = buys.get(i);
      long refund = o.escrowMicro() - bPaid[i];
      refunded += refund;
      owed.merge(o.owner(), refund, Long::sum);
      MarketState.putFill(
          fills[o.id() / MarketState.PAGE],
          o.id() % MarketState.PAGE,
          bFilled[i],
          bPaid[i],
          refund,
          bFirst[i],
          bCount[i]);
    }
    Optional<DeliveryTerms> terms = m.spec().delivery();
    for (int i = 0; i < sp.length; i++) {
      MarketOrder o = sells.get(i);
      long settled = sGot[i];
      long back = 0;
      if (terms.isPresent()) {
        // Paid on delivery: keep the collateral of what was sold, return the rest.
        settled = 0;
        back = o.escrowMicro() - (sFilled[i] * terms.get().penaltyMicroPerKWh() + 999L) / 1000L;
        owed.merge(o.owner(), back, Long::sum);
      } else {
        owed.merge(o.owner(), settled, Long::sum);
      }
      MarketState.putFill(
          fills[o.id() / MarketState.PAGE],
          o.id() % MarketState.PAGE,
          sFilled[i],
          settled,
          back,
          sFirst[i],
          sCount[i]);
    }
    owed.forEach((owner, amount) -> move(ctx, escrow, owner, amount));
    for (int p = 0; p < fills.length; p++) {
      ctx.put(MarketState.fillPageKey(id, p), fills[p].array());
    }
    if (terms.isPresent()) {
      received = 0; // sellers are paid, and the spread settled, per delivery report
    }
    long budget = paid - received;
    if (terms.isPresent()) {
      budget = 0;
    }
    move(ctx, escrow, m.operator(), budget);
    Clearing c =
        new Clearing(
            ctx.height(),
            out.size(),
            volume,
            welfareWhole + welfareRest / 1000L,
            out.size() > 0 && out.uniformBuyer() >= 0
                ? OptionalLong.of(out.uniformBuyer())
                : OptionalLong.empty(),
            out.size() > 0 && out.uniformSeller() >= 0
                ? OptionalLong.of(out.uniformSeller())
                : OptionalLong.empty(),
            paid,
            received,
            refunded,
            budget,
            out.reason());
    ctx.put(
        MarketState.marketKey(id),
        MarketState.encode(new Market(id, m.operator(), m.spec(), m.orderCount(), Optional.of(c))));
  }

  private static MarketOrder readOrder(ModuleContext ctx, long id, int order) {
    return MarketState.order(ctx.get(MarketState.orderPageKey(id, order)).orElseThrow(), id, order);
  }

  private static void writeOrder(ModuleContext ctx, MarketOrder o) {
    StateKey key = MarketState.orderPageKey(o.market(), o.id());
    ctx.put(key, MarketState.withOrder(ctx.get(key).orElse(null), o));
  }

  private static void move(ModuleContext ctx, Address from, Address to, long amount) {
    ModuleSupport.move(ctx, from, to, amount);
  }

  private static Optional<TxResult.Rejected> reject(String detail) {
    return ModuleSupport.refused(NAME, detail);
  }
}

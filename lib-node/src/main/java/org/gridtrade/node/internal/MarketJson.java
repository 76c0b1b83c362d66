package org.gridtrade.node.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.market.AttestingMeters;
import org.gridtrade.market.Clearing;
import org.gridtrade.market.Delivery;
import org.gridtrade.market.DemandResponseMarket;
import org.gridtrade.market.DrRound;
import org.gridtrade.market.DrRoundSpec;
import org.gridtrade.market.Market;
import org.gridtrade.market.MarketOrder;
import org.gridtrade.market.MarketTrade;
import org.gridtrade.market.SealedAuction;
import org.gridtrade.market.SealedBid;

/** The JSON of the market modules' records in the node's API (the OpenAPI document's schemas). */
public final class MarketJson {
  private MarketJson() {}

  /**
   * A market and its clearing.
   *
   * @param o the object to fill
   * @param m the market
   */
  public static void market(ObjectNode o, Market m) {
    o.put("id", m.id());
    o.put("operator", m.operator().toString());
    o.put("rule", m.spec().rule().label());
    o.put("kPpm", m.spec().kPpm());
    o.put("gateClosureHeight", m.spec().gateClosureHeight());
    o.put("deliveryStart", m.spec().deliveryStart().toString());
    o.put("deliveryEnd", m.spec().deliveryEnd().toString());
    if (m.spec().delivery().isPresent()) {
      ObjectNode d = o.putObject("delivery");
      d.put("penaltyMicroPerKWh", m.spec().delivery().get().penaltyMicroPerKWh());
      d.put("reportDeadlineHeight", m.spec().delivery().get().reportDeadlineHeight());
    } else {
      o.putNull("delivery");
    }
    o.put("orderCount", m.orderCount());
    if (m.clearing().isEmpty()) {
      o.putNull("clearing");
      return;
    }
    Clearing c = m.clearing().get();
    ObjectNode n = o.putObject("clearing");
    n.put("height", c.height());
    n.put("trades", c.trades());
    n.put("volumeWh", c.volumeWh());
    n.put("welfareMicro", c.welfareMicro());
    optional(n, "buyerPriceMicroPerKWh", c.buyerPrice());
    optional(n, "sellerPriceMicroPerKWh", c.sellerPrice());
    n.put("paidMicro", c.paidMicro());
    n.put("receivedMicro", c.receivedMicro());
    n.put("refundedMicro", c.refundedMicro());
    n.put("budgetMicro", c.budgetMicro());
    n.put("noTradeReason", c.noTradeReason());
  }

  /**
   * An order.
   *
   * @param n the object to fill
   * @param o the order
   */
  public static void order(ObjectNode n, MarketOrder o) {
    n.put("id", o.id());
    n.put("side", o.side().name().toLowerCase(Locale.ROOT));
    n.put("owner", o.owner().toString());
    n.put("priceMicroPerKWh", o.priceMicroPerKWh());
    n.put("quantityWh", o.quantityWh());
    n.put("escrowMicro", o.escrowMicro());
    n.put("status", o.status().name().toLowerCase(Locale.ROOT));
    n.put("filledWh", o.filledWh());
    n.put("settledMicro", o.settledMicro());
    n.put("refundedMicro", o.refundedMicro());
    n.put("transaction", o.transaction().toHex());
  }

  /**
   * How an ask was settled against metered delivery.
   *
   * @param n the object to fill
   * @param d the settlement
   */
  public static void delivery(ObjectNode n, Delivery d) {
    n.put("order", d.order());
    n.put("deliveredWh", d.deliveredWh());
    n.put("sellerReceivedMicro", d.sellerReceivedMicro());
    n.put("penaltyMicro", d.penaltyMicro());
    n.put("collateralReturnedMicro", d.collateralReturnedMicro());
    n.put("buyersRefundedMicro", d.buyersRefundedMicro());
    n.put("operatorSpreadMicro", d.operatorSpreadMicro());
    n.put("height", d.height());
    n.put("byDeadline", d.byDeadline());
  }

  /**
   * The meters that attest a seller's deliveries.
   *
   * @param n the object to fill
   * @param m the meters
   */
  public static void meters(ObjectNode n, AttestingMeters m) {
    n.put("threshold", m.threshold());
    ArrayNode keys = n.putArray("meters");
    m.meters().forEach(k -> keys.add(HexFormat.of().formatHex(k.bytes())));
  }

  /**
   * A trade.
   *
   * @param n the object to fill
   * @param t the trade
   */
  public static void trade(ObjectNode n, MarketTrade t) {
    n.put("index", t.index());
    n.put("buyOrder", t.buyOrder());
    n.put("sellOrder", t.sellOrder());
    n.put("quantityWh", t.quantityWh());
    n.put("buyerPriceMicroPerKWh", t.buyerPriceMicroPerKWh());
    n.put("sellerPriceMicroPerKWh", t.sellerPriceMicroPerKWh());
    n.put("buyerPaysMicro", t.buyerPaysMicro());
    n.put("sellerReceivesMicro", t.sellerReceivesMicro());
  }

  /**
   * A sealed-bid auction, its outcome and its commitments.
   *
   * @param o the object to fill
   * @param a the auction
   * @param bids its commitments
   */
  public static void auction(ObjectNode o, SealedAuction a, List<SealedBid> bids) {
    o.put("id", a.id());
    o.put("operator", a.operator().toString());
    o.put("rule", a.spec().secondPrice() ? "second-price" : "first-price");
    o.put("reserveMicroPerKWh", a.spec().reserveMicroPerKWh());
    o.put("lotWh", a.spec().lotWh());
    o.put("depositMicro", a.spec().depositMicro());
    o.put("commitEndHeight", a.spec().commitEndHeight());
    o.put("revealEndHeight", a.spec().revealEndHeight());
    ArrayNode list = o.putArray("bids");
    for (SealedBid b : bids) {
      ObjectNode n = list.addObject();
      n.put("index", b.index());
      n.put("bidder", b.bidder().toString());
      n.put("commitment", b.commitment().toHex());
      optional(n, "revealedPriceMicroPerKWh", b.revealedPrice());
      n.put("status", b.status().name().toLowerCase(Locale.ROOT));
    }
    if (a.outcome().isEmpty()) {
      o.putNull("outcome");
      return;
    }
    SealedAuction.Outcome r = a.outcome().get();
    ObjectNode n = o.putObject("outcome");
    n.put("height", r.height());
    if (r.winner().isPresent()) {
      n.put("winner", r.winner().get().toString());
    } else {
      n.putNull("winner");
    }
    optional(n, "winningBidMicroPerKWh", r.winningBid());
    optional(n, "paymentMicroPerKWh", r.payment());
    n.put("paidMicro", r.paidMicro());
    n.put("forfeitedMicro", r.forfeitedMicro());
    n.put("noTradeReason", r.noTradeReason());
  }

  /**
   * A demand-response round: its spec, escrows, and once certified its allocation, prices,
   * payments, settlements and ratings.
   *
   * @param o the object to fill
   * @param r the round
   * @param state the state it was read from (for each EV's {@code pre_record} and the ratings)
   */
  public static void drRound(ObjectNode o, DrRound r, LedgerState state) {
    DrRoundSpec s = r.spec();
    o.put("id", r.id());
    o.put("operator", r.operator().toString());
    o.put("status", r.status().name().toLowerCase(Locale.ROOT));
    o.put("etaPpm", s.etaPpm());
    o.put("rhoPpm", s.rhoPpm());
    o.put("retailPriceMicroPerKWh", s.retailPriceMicroPerKWh());
    o.put("toleranceMicroPerKWh", s.toleranceMicroPerKWh());
    o.put("certifyByHeight", s.certifyByHeight());
    o.put("settleByHeight", s.settleByHeight());
    ArrayNode evs = o.putArray("evs");
    for (int i = 0; i < s.evs().size(); i++) {
      DrRoundSpec.Ev e = s.evs().get(i);
      ObjectNode n = evs.addObject();
      n.put("index", i);
      n.put("address", e.address().toString());
      n.put("willingnessMicro", e.willingnessMicro());
      n.put("eMinWh", e.eMinWh());
      n.put("eMaxWh", e.eMaxWh());
      n.put("maxPriceMicroPerKWh", e.maxPriceMicroPerKWh());
      n.put("escrowMicro", r.escrowMicro().get(i));
      // What the EV's next settlement token must name (Aggarwal §4.4.3): its last settlement.
      Optional<Hash> pre = DemandResponseMarket.preRecord(state, r.id(), i);
      if (pre.isPresent()) {
        n.put("preRecord", pre.get().toHex());
      } else {
        n.putNull("preRecord");
      }
    }
    ArrayNode sps = o.putArray("sps");
    for (int j = 0; j < s.sps().size(); j++) {
      DrRoundSpec.Sp p = s.sps().get(j);
      ObjectNode n = sps.addObject();
      n.put("index", j);
      n.put("address", p.address().toString());
      n.put("capacityWh", p.capacityWh());
      n.put("c1MicroPerKWh2", p.c1MicroPerKWh2());
      n.put("c2MicroPerKWh", p.c2MicroPerKWh());
      n.put("minPriceMicroPerKWh", p.minPriceMicroPerKWh());
    }
    if (r.certificate().isEmpty()) {
      o.putNull("certificate");
      return;
    }
    DrRound.Certificate c = r.certificate().get();
    ObjectNode n = o.putObject("certificate");
    n.put("operatorMicro", c.operatorMicro());
    ArrayNode evPrices = n.putArray("evPricesMicroPerKWh");
    c.evPricesMicroPerKWh().forEach(evPrices::add);
    ArrayNode spPrices = n.putArray("spPricesMicroPerKWh");
    c.spPricesMicroPerKWh().forEach(spPrices::add);
    ArrayNode paid = n.putArray("evPaymentsMicro");
    c.evPaymentsMicro().forEach(paid::add);
    ArrayNode returned = n.putArray("returnedMicro");
    c.returnedMicro().forEach(returned::add);
    ArrayNode cells = n.putArray("cells");
    for (int i = 0; i < s.evs().size(); i++) {
      for (int j = 0; j < s.sps().size(); j++) {
        long x = c.allocationWh().get(i).get(j);
        if (x == 0) {
          continue;
        }
        ObjectNode cell = cells.addObject();
        cell.put("ev", i);
        cell.put("sp", j);
        cell.put("supplyWh", x);
        cell.put("paymentMicro", c.cellPaymentsMicro().get(i).get(j));
        cell.put("settled", c.settled().get(i).get(j));
        OptionalInt rating = DemandResponseMarket.rating(state, r.id(), i, j);
        if (rating.isPresent()) {
          cell.put("rating", rating.getAsInt());
        } else {
          cell.putNull("rating");
        }
      }
    }
  }

  private static void optional(ObjectNode n, String field, OptionalLong v) {
    if (v.isPresent()) {
      n.put(field, v.getAsLong());
    } else {
      n.putNull(field);
    }
  }
}

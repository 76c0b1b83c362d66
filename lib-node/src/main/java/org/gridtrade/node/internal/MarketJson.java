package org.gridtrade.node.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.gridtrade.market.AttestingMeters;
import org.gridtrade.market.Clearing;
import org.gridtrade.market.Delivery;
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

  private static void optional(ObjectNode n, String field, OptionalLong v) {
    if (v.isPresent()) {
      n.put(field, v.getAsLong());
    } else {
      n.putNull(field);
    }
  }
}

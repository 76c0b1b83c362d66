package org.gridtrade.examples.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.coalition.FormationResult;
import org.gridtrade.examples.demo.CommunityDay;
import org.gridtrade.examples.demo.CommunityDemo;
import org.gridtrade.examples.demo.DemoChain;
import org.gridtrade.examples.demo.DemoElection;
import org.gridtrade.examples.demo.DemoMarkets;
import org.gridtrade.game.stackelberg.StackelbergSolution;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Units;
import org.gridtrade.market.Clearing;
import org.gridtrade.market.Delivery;
import org.gridtrade.market.DrRound;
import org.gridtrade.market.DrRoundSpec;
import org.gridtrade.market.MarketOrder;
import org.gridtrade.market.MarketTrade;
import org.gridtrade.market.SealedAuction;
import org.gridtrade.market.SealedBid;
import org.gridtrade.market.Side;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The demo's report: a terminal summary, a JSON summary, and {@code report.md} plus {@code
 * report.html} with charts (prices, load and PAR, GA convergence, demand-response welfare, the
 * coalition map, payoffs, rewards and blocks per node, block sizes and commit latencies).
 */
public final class DemoReport {
  private DemoReport() {}

  /** A section of the written report: a title, rows of (label, value), and chart files. */
  private record Section(String title, List<String[]> rows, List<Path> charts) {}

  static String pct(double v) {
    return String.format(Locale.ROOT, "%.1f %%", 100 * v);
  }

  static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  static long percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static List<Section> sections(
      CommunityDemo.Report r, Map<String, List<Path>> charts, boolean perMarket) {
    CommunityDay.Markets m = r.markets();
    StackelbergSolution pets = m.pets();
    FormationResult fr = m.coalitions();
    DemandResponseResult dr = m.dr();
    DemoChain.Result c = r.chain();
    List<Section> out = new ArrayList<>();

    CommunityDemo.Election el = r.election();
    List<String[]> auction = new ArrayList<>();
    auction.add(
        row(
            "on chain",
            f(
                "the market operator opened auction %d (second price, one %d-Wh lot, reserve %.2f c/kWh,"
                    + " deposit %d coins): commitments up to height %d, reveals up to %d",
                DemoElection.AUCTION,
                el.spec().lotWh(),
                Units.microPerKWhToCentsPerKWh(el.spec().reserveMicroPerKWh()),
                DemoElection.DEPOSIT_COINS,
                el.spec().commitEndHeight(),
                el.spec().revealEndHeight())));
    auction.add(
        row(
            "sealed bids",
            String.join(
                ", ",
                el.record().bids().stream()
                    .map(
                        b ->
                            b.revealedPrice().isPresent()
                                ? f(
                                    "%s %.2f c/kWh",
                                    r.name(b.bidder()),
                                    Units.microPerKWhToCentsPerKWh(b.revealedPrice().getAsLong()))
                                : f("%s never revealed", r.name(b.bidder())))
                    .toList())));
    auction.add(row("leader", leaderText(r)));
    auction.add(
        row(
            "checks",
            f(
                "%s; %s; %s",
                el.agreeAcrossNodes()
                    ? "every node holds the same auction and bids"
                    : "NODES DISAGREE on the auction",
                el.matchesOffChain()
                    ? "lib-game's election of the revealed bids in commit order agrees"
                    : "DIFFERS from lib-game's election of the revealed bids",
                el.matchesPlan()
                    ? f(
                        "the day's prices were planned with this leader's bid (cap %.2f c/kWh)",
                        m.election().priceCap().orElse(Double.NaN))
                    : "the day was planned with ANOTHER leader's bid")));
    out.add(
        new Section(
            "1. Leader auction on chain (sealed-bid second-price reverse auction)",
            auction,
            List.of()));

    List<String[]> game = new ArrayList<>();
    game.add(
        row(
            "GA",
            f(
                "%d generations, %d price vectors evaluated, seed %d, load-shaping weight %.0f"
                    + " c per unit of PAR",
                pets.generations(),
                pets.evaluations(),
                m.settings().seed(),
                CommunityDay.LOAD_SHAPING_WEIGHT)));
    game.add(
        row(
            "leader profit",
            f(
                "%.2f c; upper bound %.2f c (gap %s)",
                pets.profit(), pets.upperBound(), pct(pets.relativeGap()))));
    game.add(
        row(
            "PAR",
            f(
                "%.3f unscheduled -> %.3f with the leader's prices (%s lower); time-of-use %.3f",
                pets.parUnscheduled(),
                pets.par(),
                pct(pets.parReduction()),
                pets.timeOfUse().par())));
    double energy = pets.outcome().load().stream().mapToDouble(Double::doubleValue).sum();
    double bills = pets.outcome().schedules().stream().mapToDouble(s -> s.bill()).sum();
    game.add(
        row(
            "EV schedules",
            f(
                "%d EVs charge %.1f kWh for %.2f c (%.2f c/kWh on average)",
                pets.outcome().schedules().size(), energy, bills, bills / energy)));
    game.add(row("on chain", onChain(r, true)));
    out.add(
        new Section(
            "2. Leader prices (GA) and EV schedules (exact best responses)",
            game,
            charts.getOrDefault("pets", List.of())));

    List<String[]> co = new ArrayList<>();
    long formed = fr.coalitions().stream().filter(x -> x.members().size() > 1).count();
    co.add(
        row(
            "partition",
            f(
                "%d prosumers -> %d coalitions of 2+ and %d singletons; %d merges, %s",
                m.community().prosumers().size(),
                formed,
                fr.coalitions().size() - formed,
                fr.merges(),
                fr.converged() ? "stable" : "stopped by the operation cap")));
    co.add(
        row(
            "energy",
            f(
                "%.1f kWh inside coalitions, %.1f kWh with the EDC (%s inside)",
                fr.internalEnergy(), fr.edcEnergy(), pct(fr.internalShare()))));
    co.add(
        row(
            "line loss",
            f(
                "%.3f kWh acting alone -> %.3f kWh in coalitions (%s saved)",
                fr.standaloneLoss(), fr.coalitionLoss(), pct(fr.lossSaving()))));
    co.add(
        row(
            "mining round",
            f(
                "winner coalition %d, miner %s, reward M_r = %.4f kWh (delta %.2f)",
                m.mining().winner() + 1,
                m.mining().miner(),
                m.mining().reward(),
                CommunityDay.DELTA)));
    co.add(row("on chain", onChain(r, false)));
    out.add(
        new Section(
            "3. Coalitions (merge and split, Shapley payoffs)",
            co,
            charts.getOrDefault("coalitions", List.of())));

    List<String[]> d = new ArrayList<>();
    d.add(
        row(
            "auction",
            f(
                "%d EVs, %d SPs; %d rounds, %s",
                m.drInstance().evs().size(),
                m.drInstance().sps().size(),
                dr.iterations(),
                dr.converged() ? "converged" : "did not converge")));
    d.add(
        row(
            "welfare",
            f(
                "%.3f vs optimum %.3f (gap %s); individually rational %s, weakly budget balanced"
                    + " %s (an EV held at e_min has utility 0: docs/demand-response.md)",
                dr.welfare(),
                dr.optimalWelfare(),
                pct(dr.welfareGap()),
                dr.individuallyRational() ? "yes" : "no",
                dr.weaklyBudgetBalanced() ? "yes" : "no")));
    d.add(row("on chain", drOnChain(r)));
    out.add(
        new Section(
            "4. Demand response (iterative double auction at 18:00)",
            d,
            charts.getOrDefault("dr", List.of())));

    List<String[]> ch = new ArrayList<>();
    ch.add(row("consensus", r.consensus().label() + ": " + r.consensus().description));
    ch.add(
        row(
            "nodes",
            String.join(
                ", ", r.nodes().stream().map(n -> f("%s (%s)", n.name(), n.operator())).toList())));
    ch.add(
        row(
            "transactions",
            f(
                "%d signed and accepted, %d refused; on chain by market: %s; by payload: %s",
                c.submitted(),
                c.refused().size(),
                String.join(
                    ", ",
                    c.markets().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .toList()),
                String.join(
                    ", ",
                    c.payloads().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .toList()))));
    r.notes().forEach(n -> ch.add(row(n[0], n[1])));
    IntSummary sizes =
        IntSummary.of(c.blocks().stream().mapToInt(DemoChain.BlockStat::transactions).toArray());
    ch.add(
        row(
            "blocks",
            f(
                "%d blocks; transactions per block mean %.1f, max %d",
                c.blocks().size(), sizes.mean, sizes.max)));
    ch.add(
        row(
            "commit latency",
            f(
                "submit -> block on node-1: p50 %d ms, p99 %d ms (simulated network, %d-%d ms"
                    + " delays, 2 s block time)",
                percentile(c.commitLatencies(), 0.5),
                percentile(c.commitLatencies(), 0.99),
                DemoChain.MIN_DELAY,
                DemoChain.MAX_DELAY)));
    if (!c.rewards().isEmpty()) {
      ch.add(
          row(
              "rewards",
              String.join(
                  ", ",
                  c.rewards().entrySet().stream()
                      .map(e -> f("%s %.2f c", r.name(e.getKey()), micro(e.getValue())))
                      .toList())));
    }
    if (c.crash() != null) {
      ch.add(row("crash", c.crash()));
    }
    ch.add(
        row(
            "misbehaviour",
            f(
                "%d rejected blocks, %d equivocation evidence, %d slashes",
                c.rejectedBlocks(), c.evidence().size(), c.slashed().size())));
    out.add(
        new Section(
            "5. Signed transactions in blocks (" + r.nodes().size() + "-node network)",
            ch,
            charts.getOrDefault("chain", List.of())));

    List<String[]> v = new ArrayList<>();
    v.add(
        row(
            "agreement",
            c.nodesAgree()
                ? f("all %d nodes hold the same chain and state root", r.nodes().size())
                : "NODES DISAGREE: " + c.tips()));
    if (!c.allIncluded()) {
      v.add(row("inclusion", "NOT EVERY ACCEPTED TRANSACTION REACHED EVERY NODE'S CHAIN"));
    }
    v.add(
        row(
            "verification",
            c.verification().valid()
                ? f(
                    "%d blocks, %d transactions verified (links, Merkle roots, seals, signatures,"
                        + " state); tip %s",
                    c.verification().validBlocks(),
                    c.verification().transactions(),
                    c.verification().tip())
                : "FAILED: " + c.verification().problem().orElse("?")));
    v.add(
        row(
            "reopened",
            c.reopened().valid()
                ? f(
                    "node-1's store reopened and replayed with seal checks: %d blocks, state root"
                        + " %s",
                    c.reopened().validBlocks(), c.reopened().stateRoot())
                : "FAILED: " + c.reopened().problem().orElse("?")));
    CommunityDemo.DayMarkets dm = r.dayMarkets();
    v.add(
        row(
            "markets",
            f(
                "%s; %s; %s",
                dm.agreeAcrossNodes()
                    ? f(
                        "every node holds the same %d markets, orders and trades%s",
                        dm.opened().size(),
                        dm.drRounds().isEmpty() ? "" : " and the same demand-response round")
                    : "NODES DISAGREE on the markets",
                dm.matchesOffChain()
                    ? "each market's trades are lib-auction's off-chain clearing of its orders"
                        + (dm.drRounds().isEmpty()
                            ? ""
                            : ", and the round's payments are lib-auction's IR rule's within"
                                + " 100 micro-coins")
                    : "DIFFER from lib-auction: " + String.join("; ", dm.offChainDifferences()),
                dm.matchesPlan()
                    ? "every participant traded the energy the day planned, and every seller's meters attested"
                        + " its delivery"
                    : "DIFFER from the plan: " + String.join("; ", dm.planDifferences()))));
    out.add(new Section("6. Verification", v, List.of()));
    if (perMarket) {
      List<String[]> rows = new ArrayList<>();
      for (DemoMarkets.Opened o : dm.opened()) {
        rows.add(row(o.plan().name(), marketText(r, o)));
      }
      out.add(new Section("7. The day's markets as the chain holds them", rows, List.of()));
    }
    return out;
  }

  /** The book of an opened market, as node 1 holds it, if it is there. */
  private static Optional<DemoMarkets.Book> book(CommunityDemo.Report r, DemoMarkets.Opened o) {
    List<DemoMarkets.Book> books = r.dayMarkets().record().books();
    return o.id() < books.size() ? Optional.of(books.get((int) o.id())) : Optional.empty();
  }

  /** One line on the PETS hours' or the coalitions' markets, from node 1's state. */
  private static String onChain(CommunityDemo.Report r, boolean pets) {
    int markets = 0;
    int bids = 0;
    int asks = 0;
    int trades = 0;
    long volumeWh = 0;
    long paidMicro = 0;
    long refundedMicro = 0;
    int settled = 0;
    long deliveredWh = 0;
    long sellersMicro = 0;
    for (DemoMarkets.Opened o : r.dayMarkets().opened()) {
      Optional<DemoMarkets.Book> b = book(r, o);
      if (o.plan().pets() != pets || b.isEmpty() || b.get().market().clearing().isEmpty()) {
        continue;
      }
      markets++;
      for (MarketOrder x : b.get().orders()) {
        if (x.side() == Side.BUY) {
          bids++;
        } else {
          asks++;
        }
      }
      Clearing c = b.get().market().clearing().get();
      trades += c.trades();
      volumeWh += c.volumeWh();
      paidMicro += c.paidMicro();
      refundedMicro += c.refundedMicro();
      for (Delivery d : b.get().deliveries()) {
        settled += d.byDeadline() ? 0 : 1;
        deliveredWh += d.deliveredWh();
        sellersMicro += d.sellerReceivedMicro();
      }
    }
    if (markets == 0) {
      return "no market cleared";
    }
    return f(
        "%d double-auction markets cleared by every node (%s): %d bids, %d asks, %d trades, %.1f"
            + " kWh for %.2f c, %.2f c of escrow refunded; %d asks settled the next hour by readings"
            + " that %d of the seller's %d meters signed: %.1f kWh delivered, %.2f c paid to the"
            + " sellers",
        markets,
        pets
            ? "one per hour with charging: the elected leader asks at its price what the EVs bid"
            : f(
                "one per trading coalition at %s: givers ask, takers bid, at %.0f c/kWh",
                CommunityDay.clock(CommunityDay.COALITION_HOUR), CommunityDay.COALITION_PRICE),
        bids,
        asks,
        trades,
        Units.whToKWh(volumeWh),
        micro(paidMicro),
        micro(refundedMicro),
        settled,
        DemoMarkets.THRESHOLD,
        DemoMarkets.METERS,
        Units.whToKWh(deliveredWh),
        micro(sellersMicro));
  }

  /** One market: its id, gate, orders, clearing price, volume and payments. */
  private static String marketText(CommunityDemo.Report r, DemoMarkets.Opened o) {
    Optional<DemoMarkets.Book> b = book(r, o);
    if (b.isEmpty()) {
      return f("market %d: NOT ON CHAIN", o.id());
    }
    Optional<Clearing> c = b.get().market().clearing();
    if (c.isEmpty()) {
      return f("market %d, gate %d: NOT CLEARED", o.id(), o.spec().gateClosureHeight());
    }
    Clearing k = c.get();
    Map<Integer, Delivery> delivered = new HashMap<>();
    b.get().deliveries().forEach(d -> delivered.put(d.order(), d));
    List<String> sides = new ArrayList<>();
    for (MarketOrder x : b.get().orders()) {
      Delivery d = delivered.get(x.id());
      if (d != null) {
        sides.add(
            f(
                "%s sold %.3f kWh, delivered %.3f kWh (%s at height %d), paid %.2f c",
                r.name(x.owner()),
                Units.whToKWh(x.filledWh()),
                Units.whToKWh(d.deliveredWh()),
                d.byDeadline() ? "unreported by the deadline" : "attested reading",
                d.height(),
                micro(d.sellerReceivedMicro())));
        continue;
      }
      sides.add(
          f(
              "%s %s %.3f kWh",
              r.name(x.owner()),
              x.side() == Side.BUY ? "bought" : "sold",
              Units.whToKWh(x.filledWh())));
    }
    return f(
        "market %d, cleared at height %d: %d trades, %.3f kWh at %.4f c/kWh; buyers paid %.2f c"
            + " (held until delivery), %.2f c of escrow refunded (%s)",
        o.id(),
        k.height(),
        k.trades(),
        Units.whToKWh(k.volumeWh()),
        k.buyerPrice().isPresent() ? Units.microPerKWhToCentsPerKWh(k.buyerPrice().getAsLong()) : 0,
        micro(k.paidMicro()),
        micro(k.refundedMicro()),
        String.join(", ", sides));
  }

  private record IntSummary(double mean, int max) {
    static IntSummary of(int[] xs) {
      int max = 0;
      double sum = 0;
      for (int x : xs) {
        max = Math.max(max, x);
        sum += x;
      }
      return new IntSummary(xs.length == 0 ? 0 : sum / xs.length, max);
    }
  }

  private static String leaderText(CommunityDemo.Report r) {
    Optional<SealedAuction.Outcome> o = r.election().record().outcome();
    if (o.isEmpty()) {
      return "none: the auction did not close";
    }
    if (o.get().winner().isEmpty()) {
      return "none: " + o.get().noTradeReason();
    }
    return f(
        "%s, elected by every node at height %d; bid %.2f c/kWh, paid the second price %.2f c/kWh"
            + " (%d micro-coins for the lot from the operator's escrow)",
        r.name(o.get().winner().get()),
        o.get().height(),
        Units.microPerKWhToCentsPerKWh(o.get().winningBid().getAsLong()),
        Units.microPerKWhToCentsPerKWh(o.get().payment().getAsLong()),
        o.get().paidMicro());
  }

  /**
   * The on-chain markets: every order (commitment), clearing and trade of the leader election and
   * of the day's double-auction markets, read from node 1's state, and the checks across nodes,
   * against lib-game's election, lib-auction's clearing and the day's plan.
   */
  private static void markets(ObjectNode root, CommunityDemo.Report r) {
    CommunityDemo.Election el = r.election();
    ObjectNode markets = root.putObject("markets");
    ArrayNode orders = markets.putArray("orders");
    for (SealedBid b : el.record().bids()) {
      ObjectNode o = orders.addObject();
      o.put("market", DemoElection.MARKET);
      o.put("index", b.index());
      o.put("bidder", r.name(b.bidder()));
      o.put("commitment", b.commitment().toString());
      o.put("depositMicro", b.depositMicro());
      if (b.revealedPrice().isPresent()) {
        o.put("priceMicroPerKWh", b.revealedPrice().getAsLong());
      } else {
        o.putNull("priceMicroPerKWh");
      }
      o.put("status", b.status().name().toLowerCase(Locale.ROOT));
    }
    ArrayNode clearings = markets.putArray("clearings");
    ArrayNode trades = markets.putArray("trades");
    Optional<SealedAuction.Outcome> outcome = el.record().outcome();
    if (outcome.isPresent()) {
      SealedAuction.Outcome o = outcome.get();
      ObjectNode c = clearings.addObject();
      c.put("market", DemoElection.MARKET);
      c.put("rule", "second-price sealed-bid reverse auction");
      c.put("height", o.height());
      c.put("winner", o.winner().map(r::name).orElse(null));
      c.put("paymentMicroPerKWh", o.payment().isPresent() ? o.payment().getAsLong() : null);
      c.put("forfeitedMicro", o.forfeitedMicro());
      c.put("noTradeReason", o.noTradeReason());
      if (o.winner().isPresent()) {
        ObjectNode t = trades.addObject();
        t.put("market", DemoElection.MARKET);
        t.put("seller", r.name(o.winner().get()));
        t.put("buyer", r.name(el.record().auction().orElseThrow().operator()));
        t.put("energyWh", el.spec().lotWh());
        t.put("priceMicroPerKWh", o.payment().getAsLong());
        t.put("paidMicro", o.paidMicro());
      }
    }
    CommunityDemo.DayMarkets dm = r.dayMarkets();
    ArrayNode deliveries = markets.putArray("deliveries");
    for (DemoMarkets.Opened op : dm.opened()) {
      Optional<DemoMarkets.Book> book = book(r, op);
      if (book.isEmpty()) {
        continue;
      }
      String name = op.plan().name();
      for (MarketOrder x : book.get().orders()) {
        ObjectNode o = orders.addObject();
        o.put("market", name);
        o.put("marketId", op.id());
        o.put("index", x.id());
        o.put("side", x.side().name().toLowerCase(Locale.ROOT));
        o.put("owner", r.name(x.owner()));
        o.put("priceMicroPerKWh", x.priceMicroPerKWh());
        o.put("quantityWh", x.quantityWh());
        o.put("escrowMicro", x.escrowMicro());
        o.put("status", x.status().name().toLowerCase(Locale.ROOT));
        o.put("filledWh", x.filledWh());
        o.put("settledMicro", x.settledMicro());
        o.put("refundedMicro", x.refundedMicro());
        o.put("transaction", x.transaction().toString());
      }
      Optional<Clearing> k = book.get().market().clearing();
      if (k.isPresent()) {
        Clearing x = k.get();
        ObjectNode c = clearings.addObject();
        c.put("market", name);
        c.put("marketId", op.id());
        c.put("rule", "uniform-price k-double auction, k = 0.5");
        c.put("height", x.height());
        c.put("trades", x.trades());
        c.put("volumeWh", x.volumeWh());
        c.put("welfareMicro", x.welfareMicro());
        c.put("priceMicroPerKWh", x.buyerPrice().isPresent() ? x.buyerPrice().getAsLong() : null);
        c.put("paidMicro", x.paidMicro());
        c.put("receivedMicro", x.receivedMicro());
        c.put("refundedMicro", x.refundedMicro());
        c.put("budgetMicro", x.budgetMicro());
        c.put("noTradeReason", x.noTradeReason());
      }
      for (Delivery x : book.get().deliveries()) {
        ObjectNode d = deliveries.addObject();
        d.put("market", name);
        d.put("marketId", op.id());
        d.put("order", x.order());
        d.put("seller", r.name(book.get().orders().get(x.order()).owner()));
        d.put("deliveredWh", x.deliveredWh());
        d.put("sellerReceivedMicro", x.sellerReceivedMicro());
        d.put("penaltyMicro", x.penaltyMicro());
        d.put("buyersRefundedMicro", x.buyersRefundedMicro());
        d.put("height", x.height());
        d.put("byDeadline", x.byDeadline());
      }
      List<MarketOrder> byId = book.get().orders();
      for (MarketTrade x : book.get().trades()) {
        ObjectNode t = trades.addObject();
        t.put("market", name);
        t.put("marketId", op.id());
        t.put("index", x.index());
        t.put("seller", r.name(byId.get(x.sellOrder()).owner()));
        t.put("buyer", r.name(byId.get(x.buyOrder()).owner()));
        t.put("energyWh", x.quantityWh());
        t.put("priceMicroPerKWh", x.buyerPriceMicroPerKWh());
        t.put("paidMicro", x.buyerPaysMicro());
      }
    }
    ObjectNode dr = markets.putObject("demandResponse");
    dr.put("onChain", !dm.drRounds().isEmpty());
    for (DrRound round : dm.drRounds()) {
      dr.put("round", round.id());
      dr.put("status", round.status().name());
      dr.put("certifyByHeight", round.spec().certifyByHeight());
      dr.put("settleByHeight", round.spec().settleByHeight());
      dr.put("toleranceMicroPerKWh", round.spec().toleranceMicroPerKWh());
      ArrayNode evs = dr.putArray("evs");
      ArrayNode sps = dr.putArray("sps");
      round
          .certificate()
          .ifPresent(
              c -> {
                for (int i = 0; i < round.spec().evs().size(); i++) {
                  ObjectNode e = evs.addObject();
                  e.put("ev", r.name(round.spec().evs().get(i).address()));
                  e.put("supplyWh", c.allocationWh().get(i).stream().mapToLong(v -> v).sum());
                  e.put("priceMicroPerKWh", c.evPricesMicroPerKWh().get(i));
                  e.put("paidMicro", c.evPaymentsMicro().get(i));
                  e.put(
                      "returnedMicro", c.returnedMicro().isEmpty() ? 0 : c.returnedMicro().get(i));
                }
                for (int j = 0; j < round.spec().sps().size(); j++) {
                  ObjectNode o = sps.addObject();
                  long supply = 0;
                  long revenue = 0;
                  int settled = 0;
                  for (int i = 0; i < round.spec().evs().size(); i++) {
                    supply += c.allocationWh().get(i).get(j);
                    revenue += c.cellPaymentsMicro().get(i).get(j);
                    settled +=
                        c.settled().get(i).get(j) && c.allocationWh().get(i).get(j) > 0 ? 1 : 0;
                  }
                  o.put("sp", r.name(round.spec().sps().get(j).address()));
                  o.put("supplyWh", supply);
                  o.put("capacityPriceMicroPerKWh", c.spPricesMicroPerKWh().get(j));
                  o.put("revenueMicro", revenue);
                  o.put("cellsSettled", settled);
                }
                dr.put("operatorMicro", c.operatorMicro());
              });
    }
    markets.put("agreeAcrossNodes", el.agreeAcrossNodes() && dm.agreeAcrossNodes());
    markets.put("matchesOffChain", el.matchesOffChain() && dm.matchesOffChain());
    markets.put("matchesPlan", el.matchesPlan() && dm.matchesPlan());
    ArrayNode differences = markets.putArray("differences");
    dm.offChainDifferences().forEach(differences::add);
    dm.planDifferences().forEach(differences::add);
  }

  /** One line on the demand-response round as node 1 holds it. */
  private static String drOnChain(CommunityDemo.Report r) {
    List<DrRound> rounds = r.dayMarkets().drRounds();
    if (rounds.isEmpty()) {
      return f(
          "%d EVs x %d SPs do not fit one dr-settlement round (at most %d EVs, %d SPs and %d"
              + " cells): settled as signed trades at each EV's unit price",
          r.markets().drInstance().evs().size(),
          r.markets().drInstance().sps().size(),
          DrRoundSpec.MAX_ROUND_EVS,
          DrRoundSpec.MAX_ROUND_SPS,
          DrRoundSpec.MAX_ROUND_CELLS);
    }
    DrRound round = rounds.get(0);
    if (round.certificate().isEmpty()) {
      return f("round %d is %s: never certified", round.id(), round.status());
    }
    DrRound.Certificate c = round.certificate().get();
    long paid = c.evPaymentsMicro().stream().mapToLong(v -> v).sum();
    long supply = 0;
    long revenue = 0;
    int cells = 0;
    int settled = 0;
    for (int i = 0; i < round.spec().evs().size(); i++) {
      for (int j = 0; j < round.spec().sps().size(); j++) {
        long x = c.allocationWh().get(i).get(j);
        supply += x;
        revenue += c.cellPaymentsMicro().get(i).get(j);
        cells += x > 0 ? 1 : 0;
        settled += x > 0 && c.settled().get(i).get(j) ? 1 : 0;
      }
    }
    return f(
        "dr-settlement round %d, %s: the operator posted the allocation (%.1f kWh of supply on %d"
            + " cells) with its dual prices, every node checked it within %.1f c/kWh and charged"
            + " the EVs %.2f c by the IR rule out of their escrow; %d of the %d cells settled by"
            + " the EV's countersigned token, paying the SPs %.2f c; %.2f c of budget surplus to"
            + " the operator",
        round.id(),
        round.status(),
        supply / 1e3,
        cells,
        micro(round.spec().toleranceMicroPerKWh()),
        micro(paid),
        settled,
        cells,
        micro(revenue),
        micro(c.operatorMicro()));
  }

  private static double micro(long micro) {
    return Units.microToCents(micro);
  }

  private static String[] row(String label, String value) {
    return new String[] {label, value};
  }

  /** The terminal summary: one line per section row. */
  public static String toText(CommunityDemo.Report r, List<Path> files) {
    StringBuilder b = new StringBuilder();
    CommunityDay.Settings s = r.markets().settings();
    b.append(
        f(
            "GridTrade community day: seed %d, consensus %s, %d nodes, %d EVs, %d prosumers, %d"
                + " SPs%n",
            s.seed(), r.consensus().label(), s.nodes(), s.evs(), s.prosumers(), s.sps()));
    for (Section sec : sections(r, Map.of(), false)) {
      b.append(System.lineSeparator()).append(sec.title()).append(System.lineSeparator());
      for (String[] row : sec.rows()) {
        b.append(f("  %-15s %s%n", row[0], row[1]));
      }
    }
    b.append(System.lineSeparator());
    if (!files.isEmpty()) {
      b.append(
          f(
              "report          %s (and report.md, %d charts)%n",
              files.get(0), files.stream().filter(p -> p.toString().endsWith(".png")).count()));
    }
    if (r.out() != null) {
      b.append(f("stores          %s%n", r.out().resolve("nodes")));
    }
    b.append(
        f(
            "result          %s in %d ms%n",
            r.verified() ? "VERIFIED" : "NOT VERIFIED", r.chain().wallMillis()));
    return b.toString();
  }

  /** The JSON summary. */
  public static ObjectNode toJson(CommunityDemo.Report r, List<Path> files) {
    ObjectMapper om = new ObjectMapper();
    ObjectNode root = om.createObjectNode();
    CommunityDay.Markets m = r.markets();
    DemoChain.Result c = r.chain();
    root.put("seed", m.settings().seed());
    root.put("consensus", r.consensus().label());
    root.put("nodes", r.nodes().size());
    root.put(
        "leader",
        r.election()
            .record()
            .outcome()
            .flatMap(SealedAuction.Outcome::winner)
            .map(r::name)
            .orElse(null));
    if (m.election().priceCap().isPresent()) {
      root.put("priceCap", m.election().priceCap().getAsDouble());
    } else {
      root.putNull("priceCap");
    }
    ArrayNode prices = root.putArray("prices");
    m.pets().prices().forEach(prices::add);
    root.put("par", m.pets().par());
    root.put("parUnscheduled", m.pets().parUnscheduled());
    root.put("leaderProfit", m.pets().profit());
    root.put("coalitions", m.coalitions().coalitions().size());
    root.put("merges", m.coalitions().merges());
    root.put("internalShare", m.coalitions().internalShare());
    root.put("lossSaving", m.coalitions().lossSaving());
    root.put("drRounds", m.dr().iterations());
    root.put("drWelfareGap", m.dr().welfareGap());
    root.put("drIndividuallyRational", m.dr().individuallyRational());
    root.put("drWeaklyBudgetBalanced", m.dr().weaklyBudgetBalanced());
    root.put("transactions", c.submitted());
    root.put("refused", c.refused().size());
    root.put("blocks", c.blocks().size());
    root.put("latencyP50Millis", percentile(c.commitLatencies(), 0.5));
    root.put("latencyP99Millis", percentile(c.commitLatencies(), 0.99));
    ObjectNode rewards = root.putObject("rewards");
    c.rewards().forEach((a, v) -> rewards.put(r.name(a), v));
    root.put("rejectedBlocks", c.rejectedBlocks());
    root.put("crash", c.crash());
    if (c.cheat() != null) {
      DemoChain.CheatOutcome a = c.cheat();
      ObjectNode attack = root.putObject("attack");
      attack.put("node", a.node());
      attack.put("validator", r.name(a.cheat()));
      attack.put("height", a.height());
      ArrayNode by = attack.putArray("rejectedAsInvalidBy");
      a.rejectedAsInvalidBy().forEach(by::add);
      ArrayNode at = attack.putArray("attestedAt");
      a.attestedAt().forEach(at::add);
      attack.put("confiscatedAt", a.confiscatedAt());
    }
    ObjectNode notes = root.putObject("notes");
    r.notes().forEach(n -> notes.put(n[0], n[1]));
    ObjectNode slashed = root.putObject("slashed");
    c.slashed().forEach((a, v) -> slashed.put(r.name(a), v));
    root.put("tip", c.verification().tip().toString());
    root.put("stateRoot", c.verification().stateRoot().toString());
    markets(root, r);
    root.put("nodesAgree", c.nodesAgree());
    root.put("allIncluded", c.allIncluded());
    root.put("verified", r.verified());
    ArrayNode fs = root.putArray("files");
    files.forEach(p -> fs.add(p.toString()));
    root.put("wallMillis", c.wallMillis());
    return root;
  }

  /**
   * Writes the charts, {@code report.md} and {@code report.html} into {@code dir}.
   *
   * @return the files written, report.html first
   */
  public static List<Path> write(CommunityDemo.Report r, Path dir) throws IOException {
    Path chartDir = dir.resolve("charts");
    Files.createDirectories(chartDir);
    Map<String, List<Path>> charts = new LinkedHashMap<>();
    charts.put("pets", StackelbergCharts.write(chartDir, r.markets().pets(), List.of()));
    List<Path> co = new ArrayList<>();
    co.add(
        save(
            CoalitionCharts.mapChart(r.markets().community(), r.markets().coalitions()),
            chartDir,
            "coalition-map"));
    co.add(save(CoalitionCharts.payoffChart(r.markets().mining()), chartDir, "coalition-payoffs"));
    charts.put("coalitions", co);
    charts.put("dr", List.of(save(DrCharts.chart(r.markets().dr()), chartDir, "dr-welfare")));
    charts.put(
        "chain",
        List.of(
            save(blockChart(r), chartDir, "blocks"),
            save(latencyChart(r), chartDir, "commit-latency"),
            save(nodeChart(r), chartDir, "nodes")));

    List<Section> sections = sections(r, charts, true);
    StringBuilder md = new StringBuilder();
    StringBuilder html = new StringBuilder();
    String title =
        f(
            "GridTrade community day (seed %d, %s)",
            r.markets().settings().seed(), r.consensus().label());
    md.append("# ").append(title).append("\n\n");
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(esc(title))
        .append("</title>\n<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}")
        .append("td{vertical-align:top;padding:2px 8px}img{max-width:100%}</style></head><body>\n")
        .append("<h1>")
        .append(esc(title))
        .append("</h1>\n");
    String verdict = r.verified() ? "Verified" : "NOT verified";
    md.append("**")
        .append(verdict)
        .append(".** Every number below is reproducible with `gridtrade demo --seed ")
        .append(r.markets().settings().seed())
        .append(" --consensus ")
        .append(r.consensus().label())
        .append("`.\n\n");
    html.append("<p><b>")
        .append(verdict)
        .append(".</b> Every number below is reproducible with <code>gridtrade demo --seed ")
        .append(r.markets().settings().seed())
        .append(" --consensus ")
        .append(r.consensus().label())
        .append("</code>.</p>\n");
    for (Section s : sections) {
      md.append("## ").append(s.title()).append("\n\n| | |\n|---|---|\n");
      html.append("<h2>").append(esc(s.title())).append("</h2>\n<table>\n");
      for (String[] row : s.rows()) {
        md.append("| ")
            .append(row[0])
            .append(" | ")
            .append(row[1].replace("|", "\\|"))
            .append(" |\n");
        html.append("<tr><td><b>")
            .append(esc(row[0]))
            .append("</b></td><td>")
            .append(esc(row[1]))
            .append("</td></tr>\n");
      }
      md.append('\n');
      html.append("</table>\n");
      for (Path p : s.charts()) {
        if (!p.getFileName().toString().endsWith(".png")) {
          continue; // the PETS charts' SVG copies are files to keep, not a second image
        }
        String rel = dir.relativize(p).toString().replace('\\', '/');
        md.append("![").append(p.getFileName()).append("](").append(rel).append(")\n\n");
        html.append("<p><img src=\"")
            .append(esc(rel))
            .append("\" alt=\"")
            .append(esc(p.getFileName().toString()))
            .append("\"></p>\n");
      }
    }
    html.append("</body></html>\n");
    Path htmlFile = dir.resolve("report.html");
    Path mdFile = dir.resolve("report.md");
    Files.writeString(htmlFile, html, StandardCharsets.UTF_8);
    Files.writeString(mdFile, md, StandardCharsets.UTF_8);
    List<Path> files = new ArrayList<>();
    files.add(htmlFile);
    files.add(mdFile);
    charts.values().forEach(files::addAll);
    return files;
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static Path save(
      org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path dir, String name)
      throws IOException {
    Path p = dir.resolve(name + ".png");
    Charts.write(chart, p);
    return p;
  }

  private static XYChart blockChart(CommunityDemo.Report r) {
    XYChart chart =
        new XYChartBuilder()
            .width(960)
            .height(400)
            .title("Transactions per block over the day")
            .xAxisTitle(StackelbergCharts.CLOCK_AXIS)
            .yAxisTitle("transactions")
            .build();
    StackelbergCharts.clockAxis(chart);
    List<DemoChain.BlockStat> bs = r.chain().blocks();
    if (bs.isEmpty()) {
      return chart;
    }
    double[] x = new double[bs.size()];
    double[] y = new double[bs.size()];
    long start = CommunityDay.DAY_START.toEpochMilli();
    for (int i = 0; i < bs.size(); i++) {
      x[i] = (bs.get(i).timestamp() - start) / 3_600_000.0;
      y[i] = bs.get(i).transactions();
    }
    XYSeries series = chart.addSeries("block size", x, y);
    series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    series.setMarker(SeriesMarkers.CIRCLE);
    return chart;
  }

  private static CategoryChart latencyChart(CommunityDemo.Report r) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(960)
            .height(400)
            .title("Commit latency: submit to block on node-1 (simulated)")
            .xAxisTitle("latency (ms, bucket start)")
            .yAxisTitle("transactions")
            .build();
    List<Long> l = r.chain().commitLatencies();
    long max = l.isEmpty() ? 0 : l.get(l.size() - 1);
    long width = Math.max(100, (max / 20 + 99) / 100 * 100);
    Map<Long, Integer> buckets = new LinkedHashMap<>();
    for (long b = 0; b <= max; b += width) {
      buckets.put(b, 0);
    }
    for (long v : l) {
      buckets.merge(v / width * width, 1, Integer::sum);
    }
    List<String> xs = new ArrayList<>();
    List<Integer> ys = new ArrayList<>();
    buckets.forEach(
        (k, v) -> {
          xs.add(Long.toString(k));
          ys.add(v);
        });
    if (xs.isEmpty()) {
      xs.add("0");
      ys.add(0);
    }
    chart.addSeries("transactions", xs, ys);
    return chart;
  }

  private static CategoryChart nodeChart(CommunityDemo.Report r) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(960)
            .height(400)
            .title("Blocks sealed and rewards received per node")
            .xAxisTitle("node")
            .yAxisTitle("count / cents")
            .build();
    List<String> names = new ArrayList<>();
    List<Double> sealed = new ArrayList<>();
    List<Double> rewards = new ArrayList<>();
    for (CommunityDemo.Node n : r.nodes()) {
      names.add(n.name());
      Address a = n.address();
      sealed.add((double) r.chain().blocks().stream().filter(b -> b.proposer().equals(a)).count());
      rewards.add(micro(r.chain().rewards().getOrDefault(a, 0L)));
    }
    chart.addSeries("blocks sealed", names, sealed);
    if (r.chain().rewards().values().stream().anyMatch(v -> v > 0)) {
      chart.addSeries("rewards (cents)", names, rewards);
    }
    return chart;
  }
}

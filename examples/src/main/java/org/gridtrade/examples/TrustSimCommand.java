package org.gridtrade.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.gridtrade.auction.Trade;
import org.gridtrade.auction.TrustRatedAccess;
import org.gridtrade.consensus.trust.TrustIndex;
import org.gridtrade.consensus.trust.TrustParameters;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.Units;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gridtrade trust-sim}: Haider's trust experiment (Table 4.3: 50 prosumers, 50 consumers, 30
 * malicious users) on the real ledger, trust index and trust-rated market access.
 */
@Command(
    name = "trust-sim",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Simulates Haider's trust experiment: 50 honest prosumers, 50 honest consumers and 30"
          + " malicious users (15 prosumers that under-deliver, 15 consumers that under-pay) trade"
          + " in hourly rounds. Each round every trader's TRP comes from the trust index folded"
          + " from the ledger (signed EnergyTrade and Rating transactions); the market is"
          + " lib-auction's trust-rated access (TRP 1-4 see 50/75/90/100 %% of the offers, most"
          + " expensive first, higher TRP served first, and the higher-TRP seller first among equal"
          + " prices; prices are quoted in half cents: offers 8-16, bid limits 10-20 cents/kWh)."
          + " After delivery each party rates the other:"
          + " 4-5 for an honest counterparty, 1-2 for a malicious one.",
      "Reports the mean trust of honest and malicious users over time and the share of the"
          + " traded energy with a malicious party."
    })
final class TrustSimCommand implements Callable<Integer> {
  private static final int CHAIN = 4004;
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final long HOUR = 3_600_000L;

  @Spec CommandSpec spec;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      defaultValue = "48",
      description = "Hourly trading rounds, 2..1000 (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--prosumers",
      paramLabel = "N",
      defaultValue = "50",
      description = "Honest prosumers (sellers), 1..1000 (default: ${DEFAULT-VALUE}).")
  int prosumers;

  @Option(
      names = "--consumers",
      paramLabel = "N",
      defaultValue = "50",
      description = "Honest consumers (buyers), 1..1000 (default: ${DEFAULT-VALUE}).")
  int consumers;

  @Option(
      names = "--malicious",
      paramLabel = "N",
      defaultValue = "30",
      description =
          "Malicious users, half sellers (rounded up) and half buyers, 0..1000 (default:"
              + " ${DEFAULT-VALUE}).")
  int malicious;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Option(
      names = "--chart",
      paramLabel = "FILE",
      description = "Write the mean trust per round as a chart (.png or .svg).")
  Path chart;

  /** One trader of the simulation. */
  private record Trader(String id, KeyPair key, boolean seller, boolean malicious) {}

  /** Per-round figures. */
  record Round(
      int round,
      double honestMeanTrust,
      double maliciousMeanTrust,
      double honestMeanTrp,
      double maliciousMeanTrp,
      double tradedKwh,
      double maliciousShare) {}

  /** The whole run. */
  record Result(
      List<Round> rounds,
      double honestMeanTrust,
      double maliciousMeanTrust,
      double maliciousTradedShare,
      double maliciousBoughtShare,
      double maliciousSoldShare,
      double honestBuyerMeanPrice,
      double maliciousBuyerMeanPrice,
      int trades,
      int ratings,
      int blocks) {}

  @Override
  public Integer call() throws Exception {
    if (rounds < 2 || rounds > 1000) {
      throw bad("--rounds %d is outside 2..1000".formatted(rounds));
    }
    if (prosumers < 1 || prosumers > 1000 || consumers < 1 || consumers > 1000) {
      throw bad(
          "--prosumers %d / --consumers %d must be in 1..1000".formatted(prosumers, consumers));
    }
    if (malicious < 0 || malicious > 1000) {
      throw bad("--malicious %d is outside 0..1000".formatted(malicious));
    }
    if (chart != null) {
      try {
        Charts.isSvg(chart);
      } catch (IllegalArgumentException e) {
        throw bad("--chart: " + e.getMessage());
      }
    }
    Result r = simulate(true);
    Result base = simulate(false);
    if (chart != null) {
      Charts.write(chart(r), chart);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(
          new ObjectMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(toJson(r, base)));
    } else {
      out.print(toText(r, base));
    }
    out.flush();
    return 0;
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private static KeyPair key(long seed, int i) {
    byte[] s = new byte[32];
    ByteBuffer.wrap(s).putLong(seed).putLong(i).putLong(0x7275737453696dL);
    return KeyPair.fromSeed(Hash.sha256(s).bytes());
  }

  /**
   * Runs the market; with {@code withTrust} false every trader gets TRP 4 (no trust-rated access),
   * on the same offers and bids, as the baseline.
   */
  Result simulate(boolean withTrust) {
    SplittableRandom rnd = new SplittableRandom(seed);
    SplittableRandom ratingRnd = rnd.split();
    List<Trader> traders = new ArrayList<>();
    int badSellers = (malicious + 1) / 2;
    int n = 0;
    for (int i = 0; i < prosumers; i++) {
      traders.add(new Trader("P" + i, key(seed, n++), true, false));
    }
    for (int i = 0; i < consumers; i++) {
      traders.add(new Trader("C" + i, key(seed, n++), false, false));
    }
    for (int i = 0; i < malicious; i++) {
      boolean seller = i < badSellers;
      traders.add(new Trader((seller ? "MP" : "MC") + i, key(seed, n++), seller, true));
    }
    Map<String, Trader> byId = new HashMap<>();
    Map<Address, Long> alloc = new HashMap<>();
    Map<Address, Long> nonces = new HashMap<>();
    for (Trader t : traders) {
      byId.put(t.id(), t);
      alloc.put(t.key().address(), 1_000_000_000_000L);
    }
    Genesis genesis = new Genesis(CHAIN, alloc, java.util.Set.of(), T0);
    LedgerState state = genesis.state();
    Block head = genesis.block();
    TrustIndex index = new TrustIndex(TrustParameters.DEFAULT);
    index.fold(head);

    List<Round> out = new ArrayList<>();
    List<Map.Entry<KeyPair, Payload.Rating>> pendingRatings = new ArrayList<>();
    double traded = 0;
    double maliciousTraded = 0;
    double bought = 0;
    double maliciousBought = 0;
    double sold = 0;
    double maliciousSold = 0;
    double honestPaid = 0;
    double honestQty = 0;
    double maliciousPaid = 0;
    double maliciousQty = 0;
    int tradeCount = 0;
    int ratingCount = 0;
    for (int round = 1; round <= rounds; round++) {
      List<TrustRatedAccess.Offer> offers = new ArrayList<>();
      List<TrustRatedAccess.Bid> bids = new ArrayList<>();
      for (Trader t : traders) {
        int trp = withTrust ? index.trp(t.key().address()) : 4;
        double q = 2 + rnd.nextDouble() * 8;
        if (t.seller()) {
          offers.add(new TrustRatedAccess.Offer(t.id(), trp, 8 + 0.5 * rnd.nextInt(17), q));
        } else {
          bids.add(new TrustRatedAccess.Bid(t.id(), trp, 10 + 0.5 * rnd.nextInt(21), q));
        }
      }
      // Buyers of equal TRP are served in input order: shuffle it every round.
      java.util.Collections.shuffle(bids, new java.util.Random(rnd.nextLong()));
      TrustRatedAccess.Matching m = TrustRatedAccess.match(offers, bids);
      // Last round's ratings are signed first, so their nonces precede this round's trades.
      List<Transaction> txs = new ArrayList<>();
      for (Map.Entry<KeyPair, Payload.Rating> e : pendingRatings) {
        txs.add(sign(e.getKey(), nonces, e.getValue()));
      }
      ratingCount += pendingRatings.size();
      pendingRatings = new ArrayList<>();
      double roundKwh = 0;
      double roundMalicious = 0;
      for (Trade tr : m.trades()) {
        Trader seller = byId.get(tr.sellerId());
        Trader buyer = byId.get(tr.buyerId());
        long wh = Math.max(1, Units.kWhToWh(tr.quantity()));
        long price = Units.centsPerKWhToMicroPerKWh(tr.buyerPrice());
        Transaction t =
            sign(
                buyer.key(),
                nonces,
                new Payload.EnergyTrade(
                    seller.key().address(),
                    buyer.key().address(),
                    wh,
                    price,
                    "trust-sim/" + round));
        txs.add(t);
        tradeCount++;
        double kwh = Units.whToKWh(wh);
        roundKwh += kwh;
        traded += kwh;
        bought += kwh;
        sold += kwh;
        if (seller.malicious() || buyer.malicious()) {
          roundMalicious += kwh;
          maliciousTraded += kwh;
        }
        if (seller.malicious()) {
          maliciousSold += kwh;
        }
        if (buyer.malicious()) {
          maliciousBought += kwh;
          maliciousPaid += kwh * tr.buyerPrice();
          maliciousQty += kwh;
        } else {
          honestPaid += kwh * tr.buyerPrice();
          honestQty += kwh;
        }
        // Rated after delivery, in the next block: 1-2 for a malicious counterparty, else 4-5.
        pendingRatings.add(
            Map.entry(buyer.key(), new Payload.Rating(t.id(), rating(ratingRnd, seller))));
        pendingRatings.add(
            Map.entry(seller.key(), new Payload.Rating(t.id(), rating(ratingRnd, buyer))));
      }
      long time = T0 + round * HOUR;
      List<Transaction> block = txs;
      LedgerState.Outcome o = state.apply(block, traders.get(0).key().address(), time);
      if (o instanceof LedgerState.Outcome.Rejected rej) {
        throw new IllegalStateException(
            "round %d: transaction %d rejected: %s".formatted(round, rej.index(), rej.rejection()));
      }
      state = ((LedgerState.Outcome.Applied) o).state();
      head =
          new Block(
              new BlockHeader(
                  head.height() + 1,
                  head.hash(),
                  Block.transactionsRoot(block),
                  block.size(),
                  state.root(),
                  time,
                  traders.get(0).key().address(),
                  new byte[0]),
              block);
      index.fold(head);
      out.add(roundFigures(round, traders, index, roundKwh, roundMalicious));
    }
    Round last = out.get(out.size() - 1);
    return new Result(
        List.copyOf(out),
        last.honestMeanTrust(),
        last.maliciousMeanTrust(),
        traded == 0 ? 0 : maliciousTraded / traded,
        bought == 0 ? 0 : maliciousBought / bought,
        sold == 0 ? 0 : maliciousSold / sold,
        honestQty == 0 ? 0 : honestPaid / honestQty,
        maliciousQty == 0 ? 0 : maliciousPaid / maliciousQty,
        tradeCount,
        ratingCount,
        (int) head.height());
  }

  private static int rating(SplittableRandom rnd, Trader counterparty) {
    return counterparty.malicious() ? 1 + rnd.nextInt(2) : 4 + rnd.nextInt(2);
  }

  private static Transaction sign(KeyPair k, Map<Address, Long> nonces, Payload p) {
    long nonce = nonces.merge(k.address(), 1L, Long::sum) - 1;
    return new TransactionBody(CHAIN, k.publicKey(), nonce, 0, p).sign(k);
  }

  private static Round roundFigures(
      int round, List<Trader> traders, TrustIndex index, double kwh, double maliciousKwh) {
    double ht = 0;
    double mt = 0;
    double hp = 0;
    double mp = 0;
    int h = 0;
    int m = 0;
    for (Trader t : traders) {
      double trust = index.trust(t.key().address());
      int trp = index.trp(t.key().address());
      if (t.malicious()) {
        mt += trust;
        mp += trp;
        m++;
      } else {
        ht += trust;
        hp += trp;
        h++;
      }
    }
    return new Round(
        round,
        h == 0 ? 0 : ht / h,
        m == 0 ? 0 : mt / m,
        h == 0 ? 0 : hp / h,
        m == 0 ? 0 : mp / m,
        kwh,
        kwh == 0 ? 0 : maliciousKwh / kwh);
  }

  private ObjectNode toJson(Result r, Result base) {
    ObjectMapper om = new ObjectMapper();
    ObjectNode j = om.createObjectNode();
    j.put("seed", seed);
    j.put("rounds", rounds);
    j.put("prosumers", prosumers);
    j.put("consumers", consumers);
    j.put("malicious", malicious);
    j.put("honestMeanTrust", r.honestMeanTrust());
    j.put("maliciousMeanTrust", r.maliciousMeanTrust());
    j.put("maliciousTradedShare", r.maliciousTradedShare());
    j.put("maliciousBoughtShare", r.maliciousBoughtShare());
    j.put("maliciousSoldShare", r.maliciousSoldShare());
    j.put("honestBuyerMeanPrice", r.honestBuyerMeanPrice());
    j.put("maliciousBuyerMeanPrice", r.maliciousBuyerMeanPrice());
    ObjectNode b = j.putObject("withoutTrust");
    b.put("maliciousTradedShare", base.maliciousTradedShare());
    b.put("maliciousBoughtShare", base.maliciousBoughtShare());
    b.put("maliciousSoldShare", base.maliciousSoldShare());
    b.put("honestBuyerMeanPrice", base.honestBuyerMeanPrice());
    b.put("maliciousBuyerMeanPrice", base.maliciousBuyerMeanPrice());
    j.put("trades", r.trades());
    j.put("ratings", r.ratings());
    j.put("blocks", r.blocks());
    ArrayNode series = j.putArray("series");
    for (Round x : r.rounds()) {
      ObjectNode o = series.addObject();
      o.put("round", x.round());
      o.put("honestMeanTrust", x.honestMeanTrust());
      o.put("maliciousMeanTrust", x.maliciousMeanTrust());
      o.put("honestMeanTrp", x.honestMeanTrp());
      o.put("maliciousMeanTrp", x.maliciousMeanTrp());
      o.put("tradedKwh", x.tradedKwh());
      o.put("maliciousShare", x.maliciousShare());
    }
    return j;
  }

  private String toText(Result r, Result base) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "trust-sim: seed %d, %d rounds, %d honest prosumers, %d honest consumers, %d malicious"
                + " (%d sellers, %d buyers)%n",
            seed,
            rounds,
            prosumers,
            consumers,
            malicious,
            (malicious + 1) / 2,
            malicious / 2));
    s.append(
        String.format(
            Locale.ROOT,
            "%d trades, %d ratings in %d blocks%n",
            r.trades(),
            r.ratings(),
            r.blocks()));
    s.append(
        String.format(
            Locale.ROOT,
            "%6s %9s %9s %7s %7s %9s%n",
            "round",
            "honest",
            "malic.",
            "hTRP",
            "mTRP",
            "malShare"));
    for (Round x : r.rounds()) {
      if (x.round() <= 3 || x.round() % 12 == 0 || x.round() == rounds) {
        s.append(
            String.format(
                Locale.ROOT,
                "%6d %9.3f %9.3f %7.2f %7.2f %8.1f%%%n",
                x.round(),
                x.honestMeanTrust(),
                x.maliciousMeanTrust(),
                x.honestMeanTrp(),
                x.maliciousMeanTrp(),
                100 * x.maliciousShare()));
      }
    }
    int total = prosumers + consumers + malicious;
    s.append(
        String.format(
            Locale.ROOT,
            "final mean trust: honest %.3f, malicious %.3f%n"
                + "malicious share of traded energy %.1f %% (they are %.1f %% of the traders);"
                + " bought %.1f %% (%.1f %% of the buyers), sold %.1f %% (%.1f %% of the sellers)%n"
                + "mean price paid: honest buyers %.2f, malicious buyers %.2f cents/kWh%n",
            r.honestMeanTrust(),
            r.maliciousMeanTrust(),
            100 * r.maliciousTradedShare(),
            100.0 * malicious / total,
            100 * r.maliciousBoughtShare(),
            100.0 * (malicious / 2) / (consumers + malicious / 2),
            100 * r.maliciousSoldShare(),
            100.0 * ((malicious + 1) / 2) / (prosumers + (malicious + 1) / 2),
            r.honestBuyerMeanPrice(),
            r.maliciousBuyerMeanPrice()));
    s.append(
        String.format(
            Locale.ROOT,
            "same market without trust (every TRP 4): malicious share %.1f %%, bought %.1f %%,"
                + " sold %.1f %%; mean price honest %.2f, malicious %.2f cents/kWh%n",
            100 * base.maliciousTradedShare(),
            100 * base.maliciousBoughtShare(),
            100 * base.maliciousSoldShare(),
            base.honestBuyerMeanPrice(),
            base.maliciousBuyerMeanPrice()));
    return s.toString();
  }

  private XYChart chart(Result r) {
    XYChart c =
        new XYChartBuilder()
            .width(960)
            .height(540)
            .title("Mean trust score per round (trust-sim, seed " + seed + ")")
            .xAxisTitle("round (hours)")
            .yAxisTitle("trust score (0-5)")
            .build();
    double[] x = new double[r.rounds().size()];
    double[] h = new double[x.length];
    double[] m = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      Round rd = r.rounds().get(i);
      x[i] = rd.round();
      h[i] = rd.honestMeanTrust();
      m[i] = rd.maliciousMeanTrust();
    }
    c.addSeries("honest", x, h);
    c.addSeries("malicious", x, m);
    c.getStyler().setYAxisMin(0.0).setYAxisMax(5.0);
    return c;
  }
}

package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gridtrade.examples.report.Charts;
import org.gridtrade.examples.report.TrustCharts;
import org.gridtrade.examples.study.TrustSimulation;
import org.gridtrade.examples.study.TrustSimulation.Result;
import org.gridtrade.examples.study.TrustSimulation.Round;
import org.gridtrade.examples.study.WashRingStudy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
public final class TrustSimCommand implements Callable<Integer> {

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

  @Option(
      names = "--ring",
      paramLabel = "N",
      defaultValue = "5",
      description =
          "Identities of the wash-trading ring, 2..50 (default: ${DEFAULT-VALUE}): they trade"
              + " 10 kWh (one coin) in a circle every round and rate each other 5, once on the ledger's own"
              + " trades and once through the market that settles on meter-attested delivery.")
  int ring;

  @Mixin JsonOutput output;

  @Option(
      names = "--chart",
      paramLabel = "FILE",
      description = "Write the mean trust per round as a chart (.png or .svg).")
  Path chart;

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
    if (ring < 2 || ring > 50) {
      throw bad("--ring %d is outside 2..50".formatted(ring));
    }
    if (chart != null) {
      try {
        Charts.isSvg(chart);
      } catch (IllegalArgumentException e) {
        throw bad("--chart: " + e.getMessage());
      }
    }
    TrustSimulation.Settings settings =
        new TrustSimulation.Settings(seed, rounds, prosumers, consumers, malicious);
    Result r = TrustSimulation.run(settings, true);
    Result base = TrustSimulation.run(settings, false);
    WashRingStudy.Result w = WashRingStudy.run(new WashRingStudy.Settings(seed, rounds, ring));
    if (chart != null) {
      Charts.write(TrustCharts.meanTrust(r, seed), chart);
    }
    output.print(
        () -> {
          ObjectNode j = toJson(r, base);
          j.set("washRing", washRingJson(w));
          return j;
        },
        () -> toText(r, base) + washRingText(w));
    return 0;
  }

  private ObjectNode washRingJson(WashRingStudy.Result w) {
    ObjectNode j = new ObjectMapper().createObjectNode();
    j.put("ring", ring);
    j.put("rounds", rounds);
    ObjectNode l = j.putObject("ledgerRatings");
    WashRingStudy.Hour last = w.hours().get(w.hours().size() - 1);
    l.put("ringTrust", last.ledgerRingTrust());
    l.put("ringTrp", last.ledgerRingTrp());
    l.put("ringTrp4Round", w.ledgerRingTrp4Hour());
    l.put("honestSellerTrust", last.ledgerHonestTrust());
    ObjectNode m = j.putObject("marketRatings");
    m.put("ringTrust", last.marketRingTrust());
    m.put("ringTrp", last.marketRingTrp());
    m.put("ringTrp4Round", w.marketRingTrp4Hour());
    m.put("honestSellerTrust", last.marketHonestTrust());
    m.put("honestSellerTrp4Round", w.marketHonestTrp4Hour());
    m.put("ringRatingsSent", w.ringRatingsSent());
    m.put("ringRatingsRefused", w.ringRatingsRefused());
    m.put("honestRatingsAccepted", w.honestRatingsAccepted());
    m.put("ringPenaltyMicro", w.ringPenaltyMicro());
    m.put("ringCostMicro", w.ringCostMicro());
    m.put("blocks", w.marketBlocks());
    ArrayNode series = j.putArray("series");
    for (WashRingStudy.Hour h : w.hours()) {
      ObjectNode o = series.addObject();
      o.put("round", h.hour());
      o.put("ledgerRingTrust", h.ledgerRingTrust());
      o.put("ledgerRingTrp", h.ledgerRingTrp());
      o.put("ledgerHonestSellerTrust", h.ledgerHonestTrust());
      o.put("marketRingTrust", h.marketRingTrust());
      o.put("marketRingTrp", h.marketRingTrp());
      o.put("marketHonestSellerTrust", h.marketHonestTrust());
    }
    return j;
  }

  private String washRingText(WashRingStudy.Result w) {
    WashRingStudy.Hour last = w.hours().get(w.hours().size() - 1);
    return String.format(
        Locale.ROOT,
        "wash-trading ring of %d (10 kWh, one coin, in a circle each round, every trade rated 5; the ring"
            + " generates nothing):%n"
            + "  ledger ratings (a confirmed trade may be rated): ring trust %.3f, TRP %d%s;"
            + " honest seller %.3f%n"
            + "  market ratings (only delivered energy may be rated): ring trust %.3f, TRP %d;"
            + " %d of its %d ratings refused; it paid %.2f coins of penalties (to itself) and"
            + " %.6f coins of fees; honest seller %.3f%s%n",
        ring,
        last.ledgerRingTrust(),
        last.ledgerRingTrp(),
        w.ledgerRingTrp4Hour() < 0 ? "" : " from round " + w.ledgerRingTrp4Hour(),
        last.ledgerHonestTrust(),
        last.marketRingTrust(),
        last.marketRingTrp(),
        w.ringRatingsRefused(),
        w.ringRatingsSent(),
        w.ringPenaltyMicro() / 1e6,
        w.ringCostMicro() / 1e6,
        last.marketHonestTrust(),
        w.marketHonestTrp4Hour() < 0 ? "" : ", TRP 4 from round " + w.marketHonestTrp4Hour());
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
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
}

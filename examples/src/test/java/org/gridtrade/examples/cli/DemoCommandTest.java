package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.gridtrade.coalition.Coalition;
import org.gridtrade.coalition.Transfer;
import org.gridtrade.consensus.trust.TrustIndex;
import org.gridtrade.consensus.trust.TrustParameters;
import org.gridtrade.consensus.trust.TrustScores;
import org.gridtrade.examples.demo.CommunityDay;
import org.gridtrade.game.stackelberg.Schedule;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.Units;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.SealVerifier;
import org.gridtrade.market.DemandResponseMarket;
import org.gridtrade.market.DrRound;
import org.gridtrade.market.Market;
import org.gridtrade.market.MarketModules;
import org.gridtrade.market.MarketOrder;
import org.gridtrade.market.MarketTrade;
import org.gridtrade.market.Markets;
import org.gridtrade.market.Side;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gridtrade demo}: the flagship flow end to end, on a small community. */
public class DemoCommandTest {
  @TempDir Path tmp;

  private static final String[] SMALL = {
    "--evs", "6", "--prosumers", "8", "--sps", "3", "--nodes", "3"
  };

  private Cli demo(String dir, String... extra) {
    String[] args = new String[4 + SMALL.length + extra.length];
    args[0] = "demo";
    args[1] = "--json";
    args[2] = "--out";
    args[3] = tmp.resolve(dir).toString();
    System.arraycopy(SMALL, 0, args, 4, SMALL.length);
    System.arraycopy(extra, 0, args, 4 + SMALL.length, extra.length);
    return Cli.run(args);
  }

  @Test
  void poa_dayIsVerified_reproducible_andTheChainCarriesEverySettlement() throws Exception {
    Cli a = demo("a", "--seed", "7");
    assertThat(a.exitCode()).as(a.err()).isZero();
    JsonNode j = a.json();
    assertThat(j.get("verified").asBoolean()).isTrue();
    assertThat(j.get("nodesAgree").asBoolean()).isTrue();
    assertThat(j.get("allIncluded").asBoolean()).isTrue();
    assertThat(j.get("consensus").asText()).isEqualTo("poa");
    assertThat(j.get("refused").asInt()).isZero();
    assertThat(j.get("rejectedBlocks").asInt()).isZero();
    assertThat(j.get("blocks").asInt()).isPositive();
    assertThat(j.get("prices")).hasSize(24);
    JsonNode drJson = j.at("/markets/demandResponse");
    assertThat(drJson.get("onChain").asBoolean()).isTrue();
    assertThat(drJson.get("status").asText()).isEqualTo("CLOSED");
    assertThat(drJson.get("evs")).hasSize(6);
    assertThat(drJson.get("sps")).hasSize(3);

    // Same seed, other directory: the same chain.
    Cli b = demo("b", "--seed", "7");
    assertThat(b.json().get("tip").asText()).isEqualTo(j.get("tip").asText());
    // Another seed: another day.
    Cli c = demo("c", "--seed", "8");
    assertThat(c.json().get("tip").asText()).isNotEqualTo(j.get("tip").asText());

    // Independently of the demo's own checks: reopen node-2's durable store and compare the
    // energy each participant bought on chain with what the markets decided: the EVs' schedules
    // (PETS, one double-auction market per hour), each coalition's transfers netted per member
    // (one double-auction market per coalition), and the demand response's round.
    CommunityDay.Markets m = CommunityDay.run(new CommunityDay.Settings(7, 6, 8, 3, 3));
    Map<String, Long> expectedBought = new TreeMap<>();
    for (Schedule s : m.pets().outcome().schedules()) {
      for (double kWh : s.energy()) {
        expectedBought.merge(s.evId(), Units.kWhToWh(kWh), Long::sum);
      }
    }
    for (Coalition co : m.coalitions().coalitions()) {
      Map<String, Long> net = new HashMap<>();
      for (Transfer t : co.transfers()) {
        long wh = Units.kWhToWh(t.energy());
        net.merge(t.to().equals(Transfer.EDC) ? "edc" : t.to(), wh, Long::sum);
        net.merge(t.from().equals(Transfer.EDC) ? "edc" : t.from(), -wh, Long::sum);
      }
      net.forEach((who, wh) -> expectedBought.merge(who, Math.max(0, wh), Long::sum));
    }
    expectedBought.values().removeIf(v -> v == 0);
    long expectedDr = 0;
    int cells = 0;
    for (var f : m.dr().allocation()) {
      expectedDr += Math.round(f.supply() * 1e3);
      cells += f.supply() > 0 ? 1 : 0;
    }

    Map<org.gridtrade.ledger.Address, String> names = new HashMap<>();
    m.keys().keySet().forEach(n -> names.put(CommunityDay.key(7, n).address(), n));
    for (Schedule s : m.pets().outcome().schedules()) {
      names.put(CommunityDay.key(7, s.evId()).address(), s.evId());
    }
    Map<String, Long> bought = new TreeMap<>();
    long dr = 0;
    int transactions = 0;
    Genesis genesis = genesis(tmp.resolve("a"));
    try (Ledger ledger = open(genesis, tmp.resolve("a/nodes/node-2.mv"))) {
      assertThat(ledger.verify().valid()).isTrue();
      assertThat(ledger.head().hash().toString()).isEqualTo(j.get("tip").asText());
      for (long h = 1; h <= ledger.height(); h++) {
        Block blk = ledger.block(h).orElseThrow();
        for (Transaction tx : blk.transactions()) {
          transactions++;
          assertThat(tx.body().payload()).isNotInstanceOf(Payload.EnergyTrade.class);
        }
      }
      LedgerState state = ledger.state();
      // The demand response: one round, closed, every cell that supplies settled by its token,
      // and nothing left in the module's account.
      assertThat(DemandResponseMarket.count(state)).isEqualTo(1);
      DrRound round = DemandResponseMarket.round(state, 0).orElseThrow();
      assertThat(round.status()).isEqualTo(DrRound.Status.CLOSED);
      DrRound.Certificate cert = round.certificate().orElseThrow();
      for (int i = 0; i < round.spec().evs().size(); i++) {
        for (int jj = 0; jj < round.spec().sps().size(); jj++) {
          long x = cert.allocationWh().get(i).get(jj);
          dr += x;
          assertThat(cert.settled().get(i).get(jj)).as("cell %d,%d", i, jj).isTrue();
        }
      }
      assertThat(state.account(LedgerModule.account(DemandResponseMarket.NAME)).balance()).isZero();
      for (long id = 0; id < Markets.count(state); id++) {
        assertThat(Markets.market(state, id).orElseThrow().cleared()).as("market %d", id).isTrue();
        List<MarketOrder> orders = Markets.orders(state, id);
        Market market = Markets.market(state, id).orElseThrow();
        for (MarketOrder o : orders) {
          if (o.side() == Side.SELL && o.filledWh() > 0) {
            // Settled on the seller's own meters' reading, for everything it sold.
            var d = Markets.delivery(state, id, o.id()).orElseThrow();
            assertThat(d.byDeadline()).isFalse();
            assertThat(d.deliveredWh()).isEqualTo(o.filledWh());
            assertThat(Markets.attestingMeters(state, o.owner())).isPresent();
            assertThat(
                    Markets.reading(
                            state,
                            o.owner(),
                            market.spec().deliveryStart(),
                            market.spec().deliveryEnd())
                        .orElseThrow()
                        .usedWh())
                .isGreaterThanOrEqualTo(o.filledWh());
          }
        }
        for (MarketTrade t : Markets.trades(state, id)) {
          MarketOrder buy = orders.get(t.buyOrder());
          assertThat(buy.side()).isEqualTo(Side.BUY);
          assertThat(orders.get(t.sellOrder()).side()).isEqualTo(Side.SELL);
          bought.merge(names.get(buy.owner()), t.quantityWh(), Long::sum);
        }
      }
    }
    assertThat(bought).isEqualTo(expectedBought);
    // Each cell is the auction's supply rounded to a Wh (raised a Wh where an EV fell below e_min).
    assertThat(dr)
        .isPositive()
        .isCloseTo(expectedDr, org.assertj.core.data.Offset.offset((long) cells));
    assertThat(transactions).isEqualTo(j.get("transactions").asInt());
    electedOnChain(j, m, genesis, tmp.resolve("a/nodes/node-3.mv"));

    // The operator's command replays a demo store with the modules its genesis names.
    Cli verify =
        Cli.run(
            "ledger",
            "verify",
            "--all",
            "--store",
            tmp.resolve("a/nodes/node-1.mv").toString(),
            "--genesis",
            tmp.resolve("a/genesis.bin").toString());
    assertThat(verify.exitCode()).as(verify.err()).isZero();
  }

  /**
   * The leader election as the chain holds it, against a naive recomputation from the SPs' bids:
   * the lowest bid wins (ties to the earlier commitment), the second-lowest is the payment; every
   * PETS trade on chain is sold by that winner; the operator paid the winner for the lot.
   */
  private static void electedOnChain(
      JsonNode j, CommunityDay.Markets m, Genesis genesis, Path store) {
    JsonNode markets = j.get("markets");
    assertThat(markets.get("agreeAcrossNodes").asBoolean()).isTrue();
    assertThat(markets.get("matchesOffChain").asBoolean()).isTrue();
    assertThat(markets.get("matchesPlan").asBoolean()).isTrue();
    List<JsonNode> orders = new java.util.ArrayList<>();
    markets
        .get("orders")
        .forEach(
            o -> {
              if (o.get("market").asText().equals("sealed-auction/0")) {
                orders.add(o);
              }
            });
    assertThat(orders).hasSize(m.bids().size());
    Map<String, Long> price = new HashMap<>();
    m.bids().forEach(b -> price.put(b.id(), Math.round(b.price() * 10_000)));
    String winner = null;
    long lowest = Long.MAX_VALUE;
    long second = Long.MAX_VALUE;
    for (JsonNode o : orders) { // commit order
      assertThat(o.get("status").asText()).isEqualTo("refunded");
      String sp = o.get("bidder").asText();
      long p = o.get("priceMicroPerKWh").asLong();
      assertThat(p).as(sp).isEqualTo(price.get(sp));
      if (p < lowest) {
        second = lowest;
        lowest = p;
        winner = sp;
      } else if (p < second) {
        second = p;
      }
    }
    JsonNode clearing = markets.get("clearings").get(0);
    assertThat(clearing.get("market").asText()).isEqualTo("sealed-auction/0");
    assertThat(clearing.get("winner").asText())
        .isEqualTo(winner)
        .isEqualTo(j.get("leader").asText());
    assertThat(clearing.get("paymentMicroPerKWh").asLong()).isEqualTo(second);
    JsonNode trade = markets.get("trades").get(0);
    assertThat(trade.get("market").asText()).isEqualTo("sealed-auction/0");
    assertThat(trade.get("seller").asText()).isEqualTo(winner);
    assertThat(trade.get("paidMicro").asLong())
        .isEqualTo(second * trade.get("energyWh").asLong() / 1000);

    // Every SP that sells in the day's double-auction markets is the elected leader, and every
    // one of those markets cleared after the election closed.
    org.gridtrade.ledger.Address leader = CommunityDay.key(7, winner).address();
    java.util.Set<org.gridtrade.ledger.Address> sps = new java.util.HashSet<>();
    m.bids().forEach(b -> sps.add(CommunityDay.key(7, b.id()).address()));
    int sold = 0;
    try (Ledger ledger = open(genesis, store)) {
      LedgerState state = ledger.state();
      for (long id = 0; id < Markets.count(state); id++) {
        for (MarketOrder o : Markets.orders(state, id)) {
          if (o.side() == Side.SELL && sps.contains(o.owner())) {
            assertThat(o.owner()).isEqualTo(leader);
            assertThat(Markets.market(state, id).orElseThrow().clearing().orElseThrow().height())
                .as("sold after the election closed")
                .isGreaterThan(clearing.get("height").asLong());
            sold += o.filledWh() > 0 ? 1 : 0;
          }
        }
      }
    }
    assertThat(sold).isPositive();
  }

  @Test
  void defaultDay_showsEveryMechanismAtWork_andIsTheFirstSeedThatDoes() {
    DemoCommand defaults = new DemoCommand();
    new CommandLine(defaults).setCaseInsensitiveEnumValuesAllowed(true).parseArgs();
    CommunityDay.Settings settings =
        new CommunityDay.Settings(
            defaults.seed, defaults.evs, defaults.prosumers, defaults.sps, defaults.nodes);
    CommunityDay.Markets m = CommunityDay.run(settings);
    assertThat(DemoCommand.showsEveryMechanism(m)).as("default seed %d", defaults.seed).isTrue();

    // What a reader sees, recomputed from the loads, partition and payments themselves.
    assertThat(par(m.pets().outcome().load()))
        .as("PAR with the leader's prices")
        .isLessThanOrEqualTo(0.9 * par(m.pets().unscheduled().load()));
    assertThat(m.coalitions().coalitions().stream().filter(c -> c.members().size() > 1).count())
        .isPositive();
    double inside = 0;
    double withEdc = 0;
    for (Coalition co : m.coalitions().coalitions()) {
      for (Transfer t : co.transfers()) {
        if (t.from().equals(Transfer.EDC) || t.to().equals(Transfer.EDC)) {
          withEdc += t.energy();
        } else {
          inside += t.energy();
        }
      }
    }
    assertThat(inside / (inside + withEdc)).isGreaterThanOrEqualTo(0.25);
    assertThat(m.dr().welfare())
        .isCloseTo(m.dr().optimalWelfare(), within(1e-3 * m.dr().optimalWelfare()));
    assertThat(m.dr().individuallyRational()).isTrue();

    // The default is not a lucky pick among many: the seeds before it each miss a stage.
    for (long seed = 1; seed < defaults.seed; seed++) {
      CommunityDay.Markets other =
          CommunityDay.run(
              new CommunityDay.Settings(
                  seed, defaults.evs, defaults.prosumers, defaults.sps, defaults.nodes));
      assertThat(DemoCommand.showsEveryMechanism(other)).as("seed %d", seed).isFalse();
    }
  }

  private static double par(java.util.List<Double> load) {
    double max = load.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    double sum = load.stream().mapToDouble(Double::doubleValue).sum();
    return load.size() * max / sum;
  }

  /** Opens a node's store as any auditor would: with the modules its genesis names. */
  private static Ledger open(Genesis genesis, Path store) {
    return Ledger.open(
        genesis,
        BlockStores.openDurable(store),
        SealVerifier.acceptAll(),
        Ledger.DEFAULT_STATE_RETENTION,
        MarketModules.forGenesis(genesis));
  }

  /** The genesis the demo wrote next to the stores. */
  private static Genesis genesis(Path dir) throws Exception {
    return Genesis.decode(Files.readAllBytes(dir.resolve("genesis.bin")));
  }

  @Test
  void poeg_paysMiningRewardsToCoalitionMembers_andVerifies_throughACrashedNode() {
    Cli r = demo("poeg", "--consensus", "poeg", "--seed", "3", "--crash", "2");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("consensus").asText()).isEqualTo("poeg");
    assertThat(j.get("verified").asBoolean()).isTrue();
    assertThat(j.get("rewards").size()).as("reward recipients").isPositive();
    j.get("rewards").propertyStream().forEach(e -> assertThat(e.getKey()).startsWith("P"));
    assertThat(j.get("crash").asText()).startsWith("node-2 stopped at 13:00");
    assertThat(j.get("nodesAgree").asBoolean()).as("the restarted node caught up").isTrue();
  }

  @Test
  void posoc_settlesTheDaysProfitsThroughTheAggregator_andWithholdsTheLatePayer() throws Exception {
    Cli r =
        Cli.run(
            "demo",
            "--json",
            "--consensus",
            "posoc",
            "--seed",
            "2",
            "--out",
            tmp.resolve("posoc").toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("verified").asBoolean()).isTrue();
    // The EVs learned V2V trading; the seals record the federated mean of the trained networks.
    assertThat(j.at("/notes/global model").asText()).endsWith("the training's global model");
    assertThat(j.at("/notes/v2v training").asText()).contains("8 rounds");
    assertThat(j.at("/notes/v2v day").asText()).doesNotContain(" 0 of ");

    // Read the chain back: which block paid which EV, and when each EV paid its share.
    Map<org.gridtrade.ledger.Address, Long> paidAt = new HashMap<>();
    Map<org.gridtrade.ledger.Address, Long> rewardedAt = new HashMap<>();
    Map<Long, Long> time = new HashMap<>();
    try (Ledger ledger =
        open(genesis(tmp.resolve("posoc")), tmp.resolve("posoc/nodes/node-1.mv"))) {
      for (long h = 1; h <= ledger.height(); h++) {
        Block blk = ledger.block(h).orElseThrow();
        time.put(h, blk.header().timestamp());
        for (Transaction tx : blk.transactions()) {
          // A transfer to oneself is the market operator's heartbeat during the election.
          if (tx.body().payload() instanceof Payload.Transfer t && !t.to().equals(tx.sender())) {
            paidAt.putIfAbsent(tx.sender(), h);
          } else if (tx.body().payload() instanceof Payload.Reward rw) {
            assertThat(rewardedAt.put(rw.to(), h)).as("one release per EV").isNull();
          }
        }
      }
    }
    assertThat(paidAt).isNotEmpty();
    // Every payer is released after it paid, and only then.
    paidAt.forEach(
        (ev, h) -> assertThat(rewardedAt.get(ev)).as("release of %s", ev).isGreaterThan(h));
    long late = CommunityDay.DAY_START.toEpochMilli() + 8 * 3_600_000L;
    long lateReleases = rewardedAt.values().stream().filter(h -> time.get(h) >= late).count();
    assertThat(lateReleases).as("the late payer's profit, withheld until it paid").isEqualTo(1);
    assertThat(paidAt.keySet().stream().map(rewardedAt::get).distinct().count())
        .as("the prompt payers are released together, the late one later")
        .isEqualTo(2);
  }

  @Test
  void trust_spsAreRatedForTheirTrades_andLaterCommitteesRotateByDeposit() throws Exception {
    Cli r =
        Cli.run("demo", "--json", "--consensus", "trust", "--out", tmp.resolve("trust").toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("verified").asBoolean()).isTrue();
    int ratings = 0;
    int ratedCells = 0;
    java.util.Set<org.gridtrade.ledger.Address> proposers = new java.util.HashSet<>();
    java.util.List<Block> blocks = new java.util.ArrayList<>();
    try (Ledger ledger =
        open(genesis(tmp.resolve("trust")), tmp.resolve("trust/nodes/node-3.mv"))) {
      for (long h = 0; h <= ledger.height(); h++) {
        Block blk = ledger.block(h).orElseThrow();
        blocks.add(blk);
        proposers.add(blk.header().proposer());
        for (Transaction tx : blk.transactions()) {
          var rated = DemandResponseMarket.ratingDecoder().decode(tx);
          if (rated.isPresent()) {
            ratings++;
            assertThat(rated.get().score()).isEqualTo(5);
          }
          assertThat(tx.body().payload()).isNotInstanceOf(Payload.Rating.class);
        }
      }
      LedgerState state = ledger.state();
      DrRound round = DemandResponseMarket.round(state, 0).orElseThrow();
      DrRound.Certificate cert = round.certificate().orElseThrow();
      for (int i = 0; i < round.spec().evs().size(); i++) {
        for (int jj = 0; jj < round.spec().sps().size(); jj++) {
          if (cert.allocationWh().get(i).get(jj) > 0) {
            ratedCells++;
            assertThat(DemandResponseMarket.rating(state, 0, i, jj)).hasValue(5);
          }
        }
      }
    }
    assertThat(ratings).as("one rating per cell the EV bought from").isEqualTo(ratedCells);
    assertThat(ratings).isPositive();
    // The first committee is sp-01..sp-03. Once rated, a bigger depositor whose trader trust (Alg.
    // 1 on the round's ratings and revenue) reaches the candidates' 3.5 seals; one below it, never.
    TrustIndex trust =
        TrustIndex.replay(
            TrustParameters.DEFAULT,
            List.of(Markets.ratingDecoder(), DemandResponseMarket.ratingDecoder()),
            blocks);
    long seed = j.get("seed").asLong();
    int joined = 0;
    for (String sp : List.of("sp-04", "sp-05")) {
      org.gridtrade.ledger.Address a = CommunityDay.key(seed, sp).address();
      boolean candidate = trust.trust(a) >= TrustScores.TRP2_MIN;
      assertThat(proposers.contains(a))
          .as("%s (trust %.4f) sealed", sp, trust.trust(a))
          .isEqualTo(candidate);
      joined += candidate ? 1 : 0;
    }
    assertThat(joined).as("a bigger depositor joined").isPositive();
  }

  @Test
  void demandResponseLargerThanOneCall_isOpenedAndCertifiedInParts_andVerifies() throws Exception {
    Path out = tmp.resolve("parts");
    Cli r =
        Cli.run(
            "demo",
            "--json",
            "--evs",
            "26",
            "--prosumers",
            "4",
            "--sps",
            "3",
            "--nodes",
            "2",
            "--out",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("verified").asBoolean()).isTrue();
    JsonNode dr = j.at("/markets/demandResponse");
    assertThat(dr.get("onChain").asBoolean()).isTrue();
    assertThat(dr.get("status").asText()).isEqualTo("CLOSED");
    assertThat(dr.get("evs")).hasSize(26);
    // 26 EVs and 3 SPs are more than one open call holds (28 parties): the round was opened in
    // two parts, and its certificate (107 numbers) posted in one part.
    int openParts = 0;
    int certificateParts = 0;
    try (Ledger ledger = open(genesis(out), out.resolve("nodes/node-1.mv"))) {
      for (long h = 1; h <= ledger.height(); h++) {
        for (Transaction tx : ledger.block(h).orElseThrow().transactions()) {
          if (tx.body().payload() instanceof Payload.Call c
              && c.module().equals(DemandResponseMarket.NAME)
              && c.data()[0] >= 6) {
            openParts += c.data()[0] == 6 ? 1 : 0;
            certificateParts += c.data()[0] == 7 ? 1 : 0;
          }
        }
      }
    }
    assertThat(openParts).isEqualTo(2);
    assertThat(certificateParts).isEqualTo(1);
  }

  @Test
  void trust_aCheatingValidator_isRejectedAttestedAndConfiscated() throws Exception {
    Path dir = tmp.resolve("cheat");
    Cli r = Cli.run("demo", "--json", "--consensus", "trust", "--cheat", "--out", dir.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("verified").asBoolean()).isTrue();
    assertThat(j.get("nodesAgree").asBoolean()).isTrue();
    JsonNode a = j.get("attack");
    assertThat(a.get("validator").asText()).isEqualTo("sp-02");
    long height = a.get("height").asLong();
    assertThat(height).as("it came in turn").isPositive();
    assertThat(a.get("rejectedAsInvalidBy"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("node-1", "node-3", "node-4", "node-5");
    // The first committee has 3 members: both others must attest (more than 2/3 of 2).
    assertThat(a.get("attestedAt")).hasSize(2);
    long confiscatedAt = a.get("confiscatedAt").asLong();
    assertThat(a.get("attestedAt").get(1).asLong()).isEqualTo(confiscatedAt);
    assertThat(j.get("notes").get("attack").asText()).contains("confiscated at height");
    // Read back from a node's file: the attesting seals carry the 93-byte attestation (190-byte
    // seals, the documented format), by two different validators, and sp-02 never sealed a block.
    org.gridtrade.ledger.Address cheat =
        CommunityDay.key(j.get("seed").asLong(), "sp-02").address();
    java.util.Set<org.gridtrade.ledger.Address> attesters = new java.util.HashSet<>();
    try (Ledger ledger = open(genesis(dir), dir.resolve("nodes/node-4.mv"))) {
      for (long h = 1; h <= ledger.height(); h++) {
        Block blk = ledger.block(h).orElseThrow();
        assertThat(blk.header().proposer()).isNotEqualTo(cheat);
        if (blk.header().seal().length == 190) {
          attesters.add(blk.header().proposer());
          assertThat(h).isBetween(height, confiscatedAt);
        }
      }
    }
    assertThat(attesters).hasSize(2);
    Cli wrong = Cli.run("demo", "--consensus", "poa", "--cheat");
    assertThat(wrong.exitCode()).isEqualTo(2);
    assertThat(wrong.errorLine()).contains("--cheat works with --consensus trust only");
    assertThat(Cli.run("demo", "--consensus", "trust", "--cheat", "--nodes", "2").errorLine())
        .contains("--cheat needs --nodes and --sps of at least 3");
  }

  @Test
  void writesReportAndCharts() throws Exception {
    Cli r =
        Cli.run(
            "demo",
            "--out",
            tmp.resolve("report").toString(),
            "--evs",
            "4",
            "--prosumers",
            "4",
            "--sps",
            "2",
            "--nodes",
            "2",
            "--in-memory");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("VERIFIED").contains("6. Verification");
    String html = Files.readString(tmp.resolve("report/report.html"), StandardCharsets.UTF_8);
    assertThat(html).contains("<img src=\"charts/blocks.png\"").contains("coalition-map.png");
    for (String chart :
        new String[] {"blocks", "commit-latency", "nodes", "coalition-map", "dr-welfare"}) {
      assertThat(tmp.resolve("report/charts/" + chart + ".png")).isNotEmptyFile();
    }
    assertThat(tmp.resolve("report/report.md")).content().contains("## 6. Verification");
    assertThat(tmp.resolve("report/nodes")).doesNotExist();
  }

  @Test
  void badInput_oneLineNamingTheOption() throws Exception {
    assertThat(Cli.run("demo", "--nodes", "0").errorLine()).contains("--nodes 0 is outside 1..25");
    assertThat(Cli.run("demo", "--consensus", "pow").errorLine()).contains("--consensus");
    assertThat(Cli.run("demo", "--crash", "1").errorLine()).contains("--crash 1 is outside 2..5");
    assertThat(Cli.run("demo", "--crash", "2", "--in-memory").errorLine())
        .contains("--crash needs the durable stores");
    Path full = tmp.resolve("full");
    Files.createDirectories(full);
    Files.writeString(full.resolve("keep.txt"), "x");
    Cli r = Cli.run("demo", "--out", full.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errorLine()).contains("is not empty");
    assertThat(full.resolve("keep.txt")).hasContent("x");
  }
}

package org.gridtrade.examples.demo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.gridtrade.auction.DemandResponseAuction;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.auction.DrFlow;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.auction.SpSelection;
import org.gridtrade.coalition.Area;
import org.gridtrade.coalition.Coalition;
import org.gridtrade.coalition.CoalitionFormation;
import org.gridtrade.coalition.Community;
import org.gridtrade.coalition.FormationResult;
import org.gridtrade.coalition.MiningOutcome;
import org.gridtrade.coalition.MiningRound;
import org.gridtrade.coalition.ProfileGenerator;
import org.gridtrade.coalition.Transfer;
import org.gridtrade.game.stackelberg.Ev;
import org.gridtrade.game.stackelberg.EvGenerator;
import org.gridtrade.game.stackelberg.GenerationCost;
import org.gridtrade.game.stackelberg.LeaderConfig;
import org.gridtrade.game.stackelberg.LeaderElection;
import org.gridtrade.game.stackelberg.PriceBounds;
import org.gridtrade.game.stackelberg.Schedule;
import org.gridtrade.game.stackelberg.SpBid;
import org.gridtrade.game.stackelberg.StackelbergGame;
import org.gridtrade.game.stackelberg.StackelbergProblem;
import org.gridtrade.game.stackelberg.StackelbergSolution;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Units;
import org.gridtrade.market.DrAuctioneer;
import org.gridtrade.market.Side;

/**
 * The markets of one simulated community day (the flagship flow of docs/demo.md), before anything
 * touches a chain: the SPs' sealed second-price auction elects the leader, the leader's GA sets 24
 * prices and the EVs answer with their cheapest schedules (lib-game), the prosumers form coalitions
 * and the winning coalition is drawn (lib-coalition), and the evening's demand response clears by
 * the iterative double auction (lib-auction). The PETS hours and the coalitions become {@link
 * MarketPlan}s, double-auction markets that the chain clears ({@link DemoMarkets}); the demand
 * response becomes one round of the chain's demand-response settlement ({@link DemoDemandResponse})
 * when it fits one, and {@link Order}s of signed trades otherwise (a payload, the account that
 * signs it, and the hour it is submitted).
 *
 * <p>Deterministic: every participant, key and market derives from the seed.
 */
public final class CommunityDay {
  /** The day's first hour (PETS runs 08:00 to 08:00, Aggarwal Table 3.1). */
  public static final Instant DAY_START = Instant.parse("2026-11-21T08:00:00Z");

  /** The chain id of the demo chain. */
  static final int CHAIN_ID = 2027;

  /** Price of coalition and EDC trades in cents/kWh (the coalition scenarios' {@code price}). */
  public static final double COALITION_PRICE = 10;

  /** Mining-reward factor δ of Eq. 3.23. */
  public static final double DELTA = 0.1;

  /** Game hour (0 = 08:00) at which the coalitions settle their day's transfers: 12:00. */
  public static final int COALITION_HOUR = 4;

  /** Game hour at which the demand-response auction clears: 18:00, the evening peak. */
  static final int DR_HOUR = 10;

  /**
   * The leader's load-shaping weight w (cents per unit of PAR): it maximises profit − w·PAR, so its
   * prices flatten the evening peak where the EVs' windows allow (see docs/stackelberg.md).
   */
  public static final double LOAD_SHAPING_WEIGHT = 100;

  /** The leader's price range; {@code pMax} is the election's reserve (Aggarwal Table 3.1). */
  static final PriceBounds BOUNDS = PriceBounds.thesisDefaults();

  /** Account name of the distribution company that buys surpluses and sells deficits. */
  static final String EDC = "edc";

  /** Account name of the chain's authority (mints rewards, slashes). */
  static final String TREASURY = "treasury";

  /**
   * Account name of the community's market operator, the chain's other authority: it opens the
   * on-chain auctions and pays for their lots. The consensus protocols sign rewards and slashes
   * with the treasury's key as blocks are built, so the operator keeps its own nonces.
   */
  static final String OPERATOR = "market-operator";

  /** The demo's sizes and seed. */
  public record Settings(long seed, int evs, int prosumers, int sps, int nodes) {
    public Settings {
      if (evs < 1 || prosumers < 2 || sps < 2 || nodes < 1) {
        throw new IllegalArgumentException(
            "need evs >= 1, prosumers >= 2, sps >= 2, nodes >= 1: " + this);
      }
    }
  }

  /**
   * One settlement to put on chain: signed by {@code signer}, submitted at game hour {@code hour}.
   */
  record Order(int hour, String signer, Payload payload) {
    Order {
      if (hour < 0 || hour >= Ev.HOURS) {
        throw new IllegalArgumentException("hour %d must be 0..23".formatted(hour));
      }
      Objects.requireNonNull(signer, "signer");
      Objects.requireNonNull(payload, "payload");
    }
  }

  /**
   * One order of a planned market: its signer, side, limit price and quantity.
   *
   * @param signer the account that places it; in a PETS market the ask's signer is the leader the
   *     day was planned with, and the chain's elected leader places it
   * @param side buy or sell
   * @param priceMicroPerKWh the limit price, micro-coins per kWh
   * @param wh the quantity, Wh
   */
  public record PlannedOrder(String signer, Side side, long priceMicroPerKWh, long wh) {
    public PlannedOrder {
      Objects.requireNonNull(signer, "signer");
      Objects.requireNonNull(side, "side");
      if (priceMicroPerKWh < 1 || wh < 1) {
        throw new IllegalArgumentException(
            "price %d and quantity %d must be positive".formatted(priceMicroPerKWh, wh));
      }
    }
  }

  /**
   * A double-auction market of the day, to run on chain: the market operator opens it at game hour
   * {@code hour} for the energy of that hour, its participants place {@code orders}, and every node
   * clears it at the gate.
   *
   * @param name what the report calls it, e.g. {@code pets/08:00} or {@code coalition-2/12:00}
   * @param hour the game hour it trades (0 = 08:00); its delivery interval is that hour
   * @param orders the orders, in the order they are placed (which breaks price ties)
   */
  public record MarketPlan(String name, int hour, List<PlannedOrder> orders) {
    public MarketPlan {
      Objects.requireNonNull(name, "name");
      if (hour < 0 || hour >= Ev.HOURS) {
        throw new IllegalArgumentException("hour %d must be 0..23".formatted(hour));
      }
      orders = List.copyOf(orders);
    }

    /** Whether this is an hour of the leader's posted prices (its ask is the elected leader's). */
    public boolean pets() {
      return name.startsWith(PETS_MARKET);
    }
  }

  /** Prefix of the names of the PETS markets (one per hour with charging). */
  public static final String PETS_MARKET = "pets/";

  /** Prefix of the names of the coalition markets (one per coalition that trades). */
  public static final String COALITION_MARKET = "coalition-";

  /** What the markets produced. */
  public record Markets(
      Settings settings,
      List<SpBid> bids,
      LeaderElection election,
      List<Ev> evs,
      StackelbergSolution pets,
      Community community,
      FormationResult coalitions,
      MiningOutcome mining,
      Map<Integer, List<Double>> shapley,
      DrInstance drInstance,
      DemandResponseResult dr,
      List<MarketPlan> marketPlans,
      List<Order> orders,
      Map<String, KeyPair> keys) {}

  private CommunityDay() {}

  /**
   * The key of a named participant: {@code Ed25519 seed = SHA-256("GridTrade/demo" ‖ seed ‖ name)}.
   */
  public static KeyPair key(long seed, String name) {
    byte[] s =
        Hash.sha256(("GridTrade/demo/" + seed + "/" + name).getBytes(StandardCharsets.UTF_8))
            .bytes();
    return KeyPair.fromSeed(s);
  }

  /** The wall-clock time of a game hour, {@code HH:MM}. */
  public static String clock(int hour) {
    return DAY_START.plusSeconds(3_600L * hour).toString().substring(11, 16);
  }

  static String sp(int j) {
    return "sp-%02d".formatted(j + 1);
  }

  static String node(int i) {
    return "node-%d".formatted(i + 1);
  }

  /** Runs the markets of the day. */
  public static Markets run(Settings s) {
    SplittableRandom random = new SplittableRandom(s.seed());
    Map<String, KeyPair> keys = new LinkedHashMap<>();

    // 1. The SPs' sealed bids; the second-price reverse auction elects the leader.
    PriceBounds bounds = BOUNDS;
    List<SpBid> bids = new ArrayList<>();
    for (int j = 0; j < s.sps(); j++) {
      double price = bounds.pMin() + random.nextDouble() * (bounds.pMax() - bounds.pMin());
      bids.add(new SpBid(sp(j), Math.round(price * 100) / 100.0));
    }
    LeaderElection election = StackelbergGame.electLeader(bids, bounds);

    // 2. The leader's GA prices and the EVs' best responses.
    List<Ev> evs = EvGenerator.random(s.evs(), s.seed());
    StackelbergProblem problem =
        StackelbergProblem.of(evs, GenerationCost.thesisDefaults(), bounds).withElection(election);
    StackelbergSolution pets =
        StackelbergGame.solve(
            problem,
            LeaderConfig.defaults()
                .withRandomSeed(s.seed())
                .withLoadShapingWeight(LOAD_SHAPING_WEIGHT));

    // 3. Coalitions of prosumers and the mining round (winner, reward, Shapley payoffs).
    Community community =
        Community.of(
            Area.square(20),
            ProfileGenerator.thesisDefaults()
                .generate(
                    s.prosumers(),
                    ProfileGenerator.Distribution.NORMAL,
                    Area.square(20),
                    s.seed()));
    FormationResult formation = CoalitionFormation.builder().build().form(community);
    MiningOutcome mining =
        new MiningRound(DELTA, COALITION_PRICE).settle(community, formation, s.seed());
    Map<Integer, List<Double>> shapley = new HashMap<>();
    for (int c = 0; c < formation.coalitions().size(); c++) {
      Coalition co = formation.coalitions().get(c);
      shapley.put(
          c,
          co.members().size() == 1
              ? List.of(Math.max(0, co.saving()))
              : MiningRound.winnerShapley(community, co, s.seed()).values());
    }

    // 4. Demand response in the evening peak: the day's EVs buy from the SPs.
    // The market in whole Wh and micro-coins, as the chain will hold it (DrAuctioneer.onGrid);
    // Alg. 7 selects each EV's SPs (ask at most its bid), then Alg. 8 runs on those links.
    DrInstance drInstance =
        SpSelection.restrict(DrAuctioneer.onGrid(drInstance(evs, s.sps(), random)));
    DemandResponseResult dr = DemandResponseAuction.builder().build().run(drInstance);

    // 5. The PETS hours and the coalitions become double-auction markets on chain: in each hour
    // the leader asks what the EVs bid at its posted price; in each coalition the members that
    // give ask, the members that take bid (the EDC for the rest), at the coalition price.
    List<MarketPlan> plans = new ArrayList<>();
    String leader = election.leader().orElse(null);
    if (leader != null && pets.outcome().feasible()) {
      for (int h = 0; h < Ev.HOURS; h++) {
        long price = Units.centsPerKWhToMicroPerKWh(pets.prices().get(h));
        List<PlannedOrder> bidsAt = new ArrayList<>();
        long total = 0;
        for (Schedule sch : pets.outcome().schedules()) {
          long wh = Units.kWhToWh(sch.energy().get(h));
          if (wh > 0) {
            bidsAt.add(new PlannedOrder(sch.evId(), Side.BUY, price, wh));
            total += wh;
          }
        }
        if (total > 0) {
          List<PlannedOrder> all = new ArrayList<>();
          all.add(new PlannedOrder(leader, Side.SELL, price, total));
          all.addAll(bidsAt);
          plans.add(new MarketPlan(PETS_MARKET + clock(h), h, all));
        }
      }
    }
    long coalitionPrice = Units.centsPerKWhToMicroPerKWh(COALITION_PRICE);
    for (int c = 0; c < formation.coalitions().size(); c++) {
      // Net per participant: a member that both gives and takes trades the difference.
      Map<String, Long> net = new LinkedHashMap<>();
      for (Transfer t : formation.coalitions().get(c).transfers()) {
        long wh = Units.kWhToWh(t.energy());
        if (wh > 0) {
          net.merge(t.from().equals(Transfer.EDC) ? EDC : t.from(), -wh, Long::sum);
          net.merge(t.to().equals(Transfer.EDC) ? EDC : t.to(), wh, Long::sum);
        }
      }
      List<PlannedOrder> all = new ArrayList<>();
      net.forEach(
          (who, wh) -> {
            if (wh != 0) {
              all.add(
                  new PlannedOrder(
                      who, wh < 0 ? Side.SELL : Side.BUY, coalitionPrice, Math.abs(wh)));
            }
          });
      if (!all.isEmpty()) {
        plans.add(
            new MarketPlan(
                COALITION_MARKET + (c + 1) + "/" + clock(COALITION_HOUR), COALITION_HOUR, all));
      }
    }
    for (MarketPlan p : plans) {
      p.orders().forEach(o -> keys.computeIfAbsent(o.signer(), n -> key(s.seed(), n)));
    }

    // 6. Demand response: one round on chain when it fits one (DemoDemandResponse); a larger
    // market settles as signed trades at the auction's unit prices.
    drInstance.evs().forEach(e -> keys.computeIfAbsent(e.id(), n -> key(s.seed(), n)));
    drInstance.sps().forEach(p -> keys.computeIfAbsent(p.id(), n -> key(s.seed(), n)));
    List<Order> orders = new ArrayList<>();
    Map<String, Double> energyOf = new HashMap<>();
    for (DrFlow f : dr.allocation()) {
      energyOf.merge(f.evId(), f.energy(), Double::sum);
    }
    int offChainEvs = DemoDemandResponse.onChain(drInstance) ? 0 : drInstance.evs().size();
    for (int i = 0; i < offChainEvs; i++) {
      String ev = drInstance.evs().get(i).id();
      double energy = energyOf.getOrDefault(ev, 0.0);
      double pay = dr.settledEvPayments().get(i).amount();
      if (energy <= 1e-9 || pay <= 0) {
        continue;
      }
      double unit = pay / energy;
      for (DrFlow f : dr.allocation()) {
        long wh = Units.kWhToWh(f.energy());
        if (f.evId().equals(ev) && wh > 0) {
          orders.add(trade(DR_HOUR, ev, f.spId(), ev, wh, unit, "demand-response", keys, s));
        }
      }
    }
    return new Markets(
        s,
        List.copyOf(bids),
        election,
        List.copyOf(evs),
        pets,
        community,
        formation,
        mining,
        Map.copyOf(shapley),
        drInstance,
        dr,
        List.copyOf(plans),
        List.copyOf(orders),
        keys);
  }

  private static Order trade(
      int hour,
      String signer,
      String seller,
      String buyer,
      long wh,
      double centsPerKWh,
      String market,
      Map<String, KeyPair> keys,
      Settings s) {
    Address sellerAddress = keys.computeIfAbsent(seller, n -> key(s.seed(), n)).address();
    Address buyerAddress = keys.computeIfAbsent(buyer, n -> key(s.seed(), n)).address();
    long price = Units.centsPerKWhToMicroPerKWh(centsPerKWh);
    String ref = "%s/%s".formatted(market, DAY_START.plusSeconds(3_600L * hour));
    return new Order(
        hour, signer, new Payload.EnergyTrade(sellerAddress, buyerAddress, wh, price, ref));
  }

  /**
   * The evening's demand-response market: a seeded random instance (lib-auction's generator, so
   * every instance is feasible) with the day's EV and SP names.
   */
  private static DrInstance drInstance(List<Ev> evs, int spCount, SplittableRandom random) {
    DrInstance r = DrInstance.random(evs.size(), spCount, random);
    List<DrInstance.Ev> es = new ArrayList<>();
    for (int i = 0; i < evs.size(); i++) {
      DrInstance.Ev e = r.evs().get(i);
      es.add(new DrInstance.Ev(evs.get(i).id(), e.soc(), e.eMin(), e.eMax(), e.sigma()));
    }
    List<DrInstance.Sp> ss = new ArrayList<>();
    for (int j = 0; j < spCount; j++) {
      DrInstance.Sp p = r.sps().get(j);
      ss.add(new DrInstance.Sp(sp(j), p.capacity(), p.c1(), p.c2()));
    }
    return new DrInstance(es, ss, r.eta(), r.rho(), r.xi());
  }
}

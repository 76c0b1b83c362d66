package org.gridtrade.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.gridtrade.coalition.Coalition;
import org.gridtrade.coalition.MemberScore;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.StateOfChargeScores;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.poeg.ProofOfEnergyGeneration;
import org.gridtrade.consensus.posoc.ProofOfStateOfCharge;
import org.gridtrade.consensus.spi.EnergyProofSource;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.game.stackelberg.Ev;
import org.gridtrade.game.stackelberg.Schedule;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.Units;
import org.gridtrade.market.SealedAuction;
import org.gridtrade.market.SealedAuctionSpec;
import org.gridtrade.market.SealedBidAuction;

/**
 * The flagship flow end to end: {@link CommunityDay} runs the day's markets, this class chooses the
 * block producers for the consensus protocol, writes the genesis and runs {@link DemoChain}.
 */
final class CommunityDemo {
  /** Stake each PoEG miner locks at the start of the day, coins. */
  static final long MINER_STAKE_COINS = 1_000;

  /** Stake a PoEG miner loses for refusing its turn, coins. */
  static final long SLASH_COINS = 100;

  /** PoSOC: blocks per aggregator period (a day of about 40 blocks has 5 or 6 periods). */
  static final long POSOC_BLOCKS_PER_PERIOD = 8;

  /** PoSOC: share β of each EV's profit paid to the period's aggregator (Eq. 4.20). */
  static final double POSOC_BETA = 0.1;

  /**
   * PoSOC: the EV that pays its shares only from this game hour on (16:00), to show withholding.
   */
  static final int LATE_PAYER_HOUR = 8;

  /**
   * PoSOC: Ontario time-of-use prices, the means of the distributions of Moniruzzaman Table 4.1,
   * c/kWh.
   */
  static final StateOfChargeScores.TimeOfUsePrices TOU_PRICES =
      new StateOfChargeScores.TimeOfUsePrices(6.8, 10.0, 12.9);

  /** PoSOC: battery capacity (Moniruzzaman Table 4.1), kWh, and the SOC limit. */
  static final double BATTERY_KWH = 42;

  static final double SOC_MAX = 0.8;

  /** Trust stake: blocks per epoch (Haider's 10). */
  static final int TRUST_EPOCH = 10;

  /** Trust stake: the first SP node burns this many coins, the second twice as many, and so on. */
  static final long TRUST_DEPOSIT_COINS = 100;

  /** With a cheating validator: its node (sp-02's, in the first committee). */
  static final int CHEAT_NODE = 1;

  /** With a cheating validator: the game hour (0 = 08:00) from which it cheats in its turn. */
  static final int CHEAT_FROM_HOUR = 2;

  /** The consensus protocols the demo can run. */
  enum Consensus {
    POA("Proof of Authority (Clique rules): the nodes' operators are the sealers"),
    POEG(
        "Proof of Energy Generation: coalitions drawn by proof score; the signer of each of the"
            + " best-scoring coalitions runs a node"),
    POSOC(
        "Proof of State of Charge: an aggregator EV per period drawn by daily SOC score; the"
            + " best-scoring EVs run the nodes, the others pay it a share of their profit"),
    TRUST(
        "Trust-based stake: the SPs run the nodes, burn deposits and need trader trust from"
            + " ratings of their trades; committees of 10-block epochs rotate by deposit");

    final String description;

    Consensus(String description) {
      this.description = description;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A node of the network: its name, the account that seals, and who that account is. */
  record Node(String name, Address address, String operator) {}

  /** Everything the demo produced. */
  record Report(
      CommunityDay.Markets markets,
      Consensus consensus,
      List<Node> nodes,
      DemoChain.Result chain,
      Map<Address, String> names,
      Path out,
      List<String[]> notes,
      Election election) {

    /**
     * Whether every check passed: nodes agree, the chain verifies, the reopened store verifies, and
     * the leader elected on chain is the one the day was planned with.
     */
    boolean verified() {
      return chain.nodesAgree()
          && chain.allIncluded()
          && chain.verification().valid()
          && chain.reopened().valid()
          && chain.refused().isEmpty()
          && chain.rejectedBlocks() == 0
          && election.agreeAcrossNodes()
          && election.matchesOffChain()
          && election.matchesPlan();
    }

    String name(Address a) {
      return names.getOrDefault(a, a.toString());
    }
  }

  /**
   * The leader election as the chain holds it.
   *
   * @param spec its rule, reserve, lot, deposit and deadlines
   * @param record the auction and its commitments as node 1 holds them
   * @param agreeAcrossNodes whether every node holds the same record
   * @param matchesOffChain whether lib-game's election of the revealed bids, in commit order,
   *     elects the same SP at the same payment
   * @param matchesPlan whether the chain's winner bid the price of the leader the day's prices were
   *     planned with, and is paid the same (a tie at the lowest price may elect another SP at the
   *     same price, which plans the same day)
   */
  record Election(
      SealedAuctionSpec spec,
      DemoElection.Record record,
      boolean agreeAcrossNodes,
      boolean matchesOffChain,
      boolean matchesPlan) {}

  private CommunityDemo() {}

  static Report run(
      CommunityDay.Settings settings,
      Consensus consensus,
      Path out,
      boolean durable,
      DemoChain.Crash crash,
      boolean cheat)
      throws IOException {
    if (cheat) {
      cheatProblem(consensus, settings.nodes(), settings.sps())
          .ifPresent(
              p -> {
                throw new IllegalArgumentException(p);
              });
    }
    CommunityDay.Markets m = CommunityDay.run(settings);
    long seed = settings.seed();
    Map<String, KeyPair> keys = new LinkedHashMap<>(m.keys());
    m.pets().outcome().schedules().forEach(s -> keys.computeIfAbsent(s.evId(), n -> key(seed, n)));
    m.community().prosumers().forEach(p -> keys.computeIfAbsent(p.id(), n -> key(seed, n)));
    m.bids().forEach(b -> keys.computeIfAbsent(b.id(), n -> key(seed, n)));
    keys.computeIfAbsent(CommunityDay.EDC, n -> key(seed, n));
    KeyPair treasury = keys.computeIfAbsent(CommunityDay.TREASURY, n -> key(seed, n));
    keys.computeIfAbsent(CommunityDay.OPERATOR, n -> key(seed, n));

    List<CommunityDay.Order> orders = new ArrayList<>(m.orders());
    List<Node> nodes = new ArrayList<>();
    List<KeyPair> nodeKeys = new ArrayList<>();
    List<EnergyProofSource.Candidate> candidates = new ArrayList<>();
    Supplier<ConsensusSchedule> schedule;
    BiFunction<BlockEngine, Integer, List<CommunityDay.Order>> hourly = (e, h) -> List.of();
    switch (consensus) {
      case POA -> {
        for (int i = 0; i < settings.nodes(); i++) {
          String name = CommunityDay.node(i);
          KeyPair k = keys.computeIfAbsent(name, n -> key(seed, n));
          nodeKeys.add(k);
          nodes.add(new Node(name, k.address(), "operator " + name));
        }
        List<Address> sealers = nodeKeys.stream().map(KeyPair::address).toList();
        schedule = () -> ConsensusSchedule.of(ProofOfAuthority.builder().sealers(sealers).build());
      }
      case POEG -> {
        // The best-scoring coalitions run the mining nodes; their signers seal.
        List<Integer> order = new ArrayList<>();
        List<Coalition> cs = m.coalitions().coalitions();
        for (int c = 0; c < cs.size(); c++) {
          if (cs.get(c).proofScore() > 0) {
            order.add(c);
          }
        }
        order.sort(
            Comparator.comparingDouble((Integer c) -> -cs.get(c).proofScore())
                .thenComparing(c -> c));
        if (order.isEmpty()) {
          throw new IllegalStateException(
              "no coalition has a positive proof score: nobody may seal under PoEG;"
                  + " try another --seed");
        }
        for (int c : order.subList(0, Math.min(settings.nodes(), order.size()))) {
          Coalition co = cs.get(c);
          List<EnergyProofSource.Member> members = new ArrayList<>();
          List<Double> shapley = m.shapley().get(c);
          for (int i = 0; i < co.members().size(); i++) {
            MemberScore ms = co.members().get(i);
            members.add(
                new EnergyProofSource.Member(
                    keys.computeIfAbsent(ms.id(), n -> key(seed, n)).address(),
                    Math.max(0, ms.proofScore()),
                    Math.max(0, shapley.get(i))));
          }
          EnergyProofSource.Candidate cand =
              new EnergyProofSource.Candidate(
                  "coalition-" + (c + 1), co.proofScore(), List.copyOf(members));
          candidates.add(cand);
          String signer = nameOf(keys, cand.signer());
          KeyPair k = keys.get(signer);
          nodeKeys.add(k);
          nodes.add(new Node(CommunityDay.node(nodes.size()), k.address(), signer));
          orders.add(
              new CommunityDay.Order(
                  0, signer, new Payload.Stake(Units.coinsToMicro(MINER_STAKE_COINS))));
        }
        // Fewer coalitions than nodes: the rest observe and verify but never seal.
        while (nodes.size() < settings.nodes()) {
          String name = CommunityDay.node(nodes.size());
          KeyPair k = keys.computeIfAbsent(name, n -> key(seed, n));
          nodeKeys.add(k);
          nodes.add(new Node(name, k.address(), "observer " + name));
        }
        // M_r = δ · Σ savings (Eq. 3.23), in kWh, paid at the coalition price per block.
        List<EnergyProofSource.Candidate> fixed = List.copyOf(candidates);
        long blockReward =
            Math.max(1, Units.centsToMicro(m.mining().reward() * CommunityDay.COALITION_PRICE));
        schedule =
            () ->
                ConsensusSchedule.of(
                    ProofOfEnergyGeneration.builder()
                        .source(h -> fixed)
                        .timeout(DemoChain.POLICY.blockPeriod())
                        .blockReward(blockReward)
                        .slashAmount(Units.coinsToMicro(SLASH_COINS))
                        .treasury(treasury)
                        .build());
      }
      case POSOC -> {
        // Every EV's day (Eq. 4.1, 4.17) from its PETS schedule; the best-scoring EVs run nodes.
        List<StateOfChargeSource.Candidate> all = new ArrayList<>();
        List<double[]> models = new ArrayList<>();
        SplittableRandom socRandom = new SplittableRandom(seed ^ 0x50C);
        for (int i = 0; i < m.evs().size(); i++) {
          Ev ev = m.evs().get(i);
          Schedule sch = m.pets().outcome().schedules().get(i);
          StateOfChargeScores.EvDay day = evDay(ev, sch, socRandom);
          double score = StateOfChargeScores.dailyScore(day, TOU_PRICES);
          // R_i: what scheduling saved the EV against charging at the cap as early as it can.
          double saved = m.pets().unscheduled().schedules().get(i).bill() - sch.bill();
          KeyPair k = keys.computeIfAbsent(ev.id(), n -> key(seed, n));
          all.add(
              new StateOfChargeSource.Candidate(
                  k.address(), score, Units.centsToMicro(Math.max(0, saved))));
          models.add(day.chargedKWh());
        }
        List<StateOfChargeSource.Candidate> ranked = new ArrayList<>(all);
        ranked.removeIf(c -> c.dailyScore() <= 0);
        ranked.sort(
            Comparator.comparingDouble((StateOfChargeSource.Candidate c) -> -c.dailyScore())
                .thenComparing(StateOfChargeSource.Candidate::address));
        List<StateOfChargeSource.Candidate> running =
            List.copyOf(ranked.subList(0, Math.min(settings.nodes(), ranked.size())));
        if (running.isEmpty()) {
          throw new IllegalStateException(
              "no EV has a positive daily SOC score (Eq. 4.17): nobody may seal under PoSOC;"
                  + " try another --seed");
        }
        for (StateOfChargeSource.Candidate c : running) {
          String name = nameOf(keys, c.address());
          nodeKeys.add(keys.get(name));
          nodes.add(
              new Node(
                  CommunityDay.node(nodes.size()),
                  c.address(),
                  f("%s, daily score %.3f", name, c.dailyScore())));
        }
        while (nodes.size() < settings.nodes()) {
          String name = CommunityDay.node(nodes.size());
          KeyPair k = keys.computeIfAbsent(name, n -> key(seed, n));
          nodeKeys.add(k);
          nodes.add(new Node(name, k.address(), "observer " + name));
        }
        // Only EVs running a node can seal; every EV's profit is settled through the chain.
        List<StateOfChargeSource.Candidate> sourceEvs = new ArrayList<>(running);
        for (StateOfChargeSource.Candidate c : all) {
          if (!running.contains(c)) {
            sourceEvs.add(new StateOfChargeSource.Candidate(c.address(), 0, c.profitMicro()));
          }
        }
        // The day's profits are settled once, through the first period's aggregator; later
        // periods draw from the same scores with nothing left to settle.
        List<StateOfChargeSource.Candidate> settled =
            sourceEvs.stream()
                .map(c -> new StateOfChargeSource.Candidate(c.address(), c.dailyScore(), 0))
                .toList();
        List<StateOfChargeSource.Candidate> firstPeriod = List.copyOf(sourceEvs);
        List<double[]> localModels = List.copyOf(models);
        StateOfChargeSource source =
            new StateOfChargeSource() {
              @Override
              public List<StateOfChargeSource.Candidate> candidates(long period) {
                return period == 0 ? firstPeriod : settled;
              }

              @Override
              public List<double[]> localModels(long period) {
                return localModels.stream().map(double[]::clone).toList();
              }
            };
        Supplier<ProofOfStateOfCharge> posoc =
            () ->
                ProofOfStateOfCharge.builder()
                    .source(source)
                    .blocksPerPeriod(POSOC_BLOCKS_PER_PERIOD)
                    .timeout(DemoChain.POLICY.blockPeriod())
                    .beta(POSOC_BETA)
                    .treasury(treasury)
                    .build();
        schedule = () -> ConsensusSchedule.of(posoc.get());
        ProofOfStateOfCharge reader = posoc.get();
        ConsensusSchedule readerSchedule = ConsensusSchedule.of(reader);
        Set<String> paid = new HashSet<>();
        // The last EV that owes a share pays late, so its profit is withheld for a while.
        String latePayer = null;
        for (StateOfChargeSource.Candidate c : all) {
          if (c.profitMicro() > 0 && !running.contains(c)) {
            latePayer = nameOf(keys, c.address());
          }
        }
        String late = latePayer;
        hourly =
            (engine, hour) -> {
              long height = engine.ledger().height();
              List<CommunityDay.Order> pay = new ArrayList<>();
              if (height < 1) {
                return pay;
              }
              for (ProofOfStateOfCharge.Obligation o :
                  reader.obligations(readerSchedule.viewFor(engine.chain(), height), height)) {
                String ev = nameOf(keys, o.ev());
                if (o.paid() || o.shareMicro() <= 0 || !paid.add(o.period() + "/" + ev)) {
                  continue;
                }
                if (ev.equals(late) && hour < LATE_PAYER_HOUR) {
                  paid.remove(o.period() + "/" + ev); // pays later: its profit is withheld
                  continue;
                }
                pay.add(
                    new CommunityDay.Order(
                        hour, ev, new Payload.Transfer(o.mlag(), o.shareMicro())));
              }
              return pay;
            };
      }
      case TRUST -> {
        // The SPs run the nodes: they sell in the demand-response market and are rated for it.
        int n = Math.min(settings.nodes(), settings.sps());
        List<Address> validators = new ArrayList<>();
        for (int j = 0; j < settings.nodes(); j++) {
          String name = j < n ? CommunityDay.sp(j) : CommunityDay.node(j);
          KeyPair k = keys.computeIfAbsent(name, x -> key(seed, x));
          nodeKeys.add(k);
          if (j < n) {
            validators.add(k.address());
            // Deposits differ, so the ranking by deposit is visible: 100, 200, ... coins.
            long deposit = Units.coinsToMicro(TRUST_DEPOSIT_COINS * (j + 1));
            orders.add(
                new CommunityDay.Order(
                    0, name, new Payload.Transfer(TrustStake.BURN_ADDRESS, deposit)));
            nodes.add(
                new Node(
                    CommunityDay.node(j),
                    k.address(),
                    f("%s, burns %d coins", name, TRUST_DEPOSIT_COINS * (j + 1))));
          } else {
            nodes.add(new Node(CommunityDay.node(j), k.address(), "observer " + name));
          }
        }
        int committee = Math.max(1, (n + 1) / 2);
        List<Address> first = List.copyOf(validators.subList(0, committee));
        schedule =
            () ->
                ConsensusSchedule.of(
                    TrustStake.builder()
                        .initialValidators(first)
                        .committeeSize(committee)
                        .timeout(DemoChain.POLICY.blockPeriod())
                        .treasury(treasury)
                        .build());
        // An hour after demand response, every EV rates each SP it bought from (5 of 5).
        Set<Hash> rated = new HashSet<>();
        hourly =
            (engine, hour) -> {
              List<CommunityDay.Order> ratings = new ArrayList<>();
              if (hour != CommunityDay.DR_HOUR + 1) {
                return ratings;
              }
              for (long h = 1; h <= engine.ledger().height(); h++) {
                for (Transaction tx : engine.ledger().block(h).orElseThrow().transactions()) {
                  if (tx.body().payload() instanceof Payload.EnergyTrade t
                      && t.market().startsWith("demand-response")
                      && rated.add(tx.id())) {
                    ratings.add(
                        new CommunityDay.Order(
                            hour, nameOf(keys, t.buyer()), new Payload.Rating(tx.id(), 5)));
                  }
                }
              }
              return ratings;
            };
      }
      default -> throw new IllegalStateException("unknown consensus " + consensus);
    }

    // The PETS trades are sold by the leader the chain elects before the day (DemoElection).
    List<CommunityDay.Order> pets = new ArrayList<>();
    for (CommunityDay.Order o : orders) {
      if (o.payload() instanceof Payload.EnergyTrade t && t.market().startsWith("pets/")) {
        pets.add(o);
      }
    }
    orders.removeAll(pets);
    BiFunction<BlockEngine, Integer, List<CommunityDay.Order>> protocolHourly = hourly;
    hourly =
        (engine, hour) -> {
          List<CommunityDay.Order> due = new ArrayList<>();
          Optional<Address> leader =
              DemoElection.Record.of(engine.ledger().state())
                  .outcome()
                  .flatMap(SealedAuction.Outcome::winner);
          for (CommunityDay.Order o : pets) {
            if (o.hour() == hour && leader.isPresent()) {
              Payload.EnergyTrade t = (Payload.EnergyTrade) o.payload();
              due.add(
                  new CommunityDay.Order(
                      hour,
                      o.signer(),
                      new Payload.EnergyTrade(
                          leader.get(),
                          t.buyer(),
                          t.energyWh(),
                          t.priceMicroPerKWh(),
                          t.market())));
            }
          }
          due.addAll(protocolHourly.apply(engine, hour));
          return due;
        };

    Map<Address, String> names = new LinkedHashMap<>();
    keys.forEach((n, k) -> names.put(k.address(), n));
    Genesis genesis = genesis(keys);
    DemoElection election = new DemoElection(seed, m.bids(), CommunityDay.BOUNDS, keys);
    DemoChain.Result chain =
        DemoChain.run(
            genesis,
            keys,
            nodeKeys,
            schedule,
            orders,
            durable ? out : null,
            seed,
            crash,
            cheat ? new DemoChain.Cheat(CHEAT_NODE, CHEAT_FROM_HOUR) : null,
            hourly,
            election::next,
            DemoElection.Record::of);
    DemoElection.Record record = (DemoElection.Record) chain.audits().get(0);
    boolean agree = chain.audits().stream().allMatch(record::equals);
    return new Report(
        m,
        consensus,
        List.copyOf(nodes),
        chain,
        names,
        out,
        notes(consensus, chain, keys),
        new Election(
            election.spec().orElseThrow(),
            record,
            agree,
            election.matchesOffChain(record, names),
            matchesPlan(record, m, names)));
  }

  /** Whether the chain's winner bid what the planned leader bid and is paid the planned payment. */
  private static boolean matchesPlan(
      DemoElection.Record record, CommunityDay.Markets m, Map<Address, String> names) {
    Optional<SealedAuction.Outcome> o = record.outcome();
    if (o.isEmpty() || o.get().winner().isEmpty() || m.election().leader().isEmpty()) {
      return o.isPresent() && o.get().winner().isEmpty() && m.election().leader().isEmpty();
    }
    double planned =
        m.bids().stream()
            .filter(b -> b.id().equals(m.election().leader().get()))
            .findFirst()
            .orElseThrow()
            .price();
    return o.get().winningBid().getAsLong() == Units.centsPerKWhToMicroPerKWh(planned)
        && o.get().payment().getAsLong()
            == Units.centsPerKWhToMicroPerKWh(m.election().payment().getAsDouble());
  }

  /**
   * The demo's genesis: every participant funded with {@link DemoChain#START_COINS}, the treasury
   * and the market operator the authorities, the sealed-bid auction module (the leader election),
   * dated one minute before the network starts.
   */
  static Genesis genesis(Map<String, KeyPair> keys) {
    Map<Address, Long> alloc = new LinkedHashMap<>();
    keys.values().forEach(k -> alloc.put(k.address(), Units.coinsToMicro(DemoChain.START_COINS)));
    return new Genesis(
            CommunityDay.CHAIN_ID,
            alloc,
            Set.of(
                keys.get(CommunityDay.TREASURY).address(),
                keys.get(CommunityDay.OPERATOR).address()),
            CommunityDay.DAY_START.toEpochMilli() - DemoChain.PRELUDE_MILLIS - 60_000)
        .withModules(List.of(SealedBidAuction.NAME));
  }

  /**
   * An EV's day by clock hour: its PETS schedule (game hour h is clock hour (8 + h) mod 24), an
   * arrival SOC drawn from N(0.5, 0.1²) clipped to [0.2, 0.8] and lowered so the charge fits the
   * battery, and the departure in the clock hour of the window's last hour.
   */
  static StateOfChargeScores.EvDay evDay(Ev ev, Schedule sch, SplittableRandom random) {
    double[] charged = new double[24];
    double[] soc = new double[24];
    double start = 0.5 + 0.1 * random.nextGaussian();
    start = Math.max(0.2, Math.min(0.8, start));
    start = Math.max(0, Math.min(start, 1 - ev.energy() / BATTERY_KWH));
    double level = start;
    for (int h = 0; h < Ev.HOURS; h++) {
      int clock = (8 + h) % 24;
      charged[clock] = sch.energy().get(h);
      soc[clock] = Math.min(1, level);
      level += sch.energy().get(h) / BATTERY_KWH;
    }
    return new StateOfChargeScores.EvDay(
        charged, new double[24], soc, SOC_MAX, (8 + ev.end()) % 24);
  }

  /** Protocol-specific rows of the report, read from the chain. */
  private static List<String[]> notes(
      Consensus consensus, DemoChain.Result chain, Map<String, KeyPair> keys) {
    List<String[]> notes = new ArrayList<>();
    if (consensus == Consensus.POSOC && !chain.headers().isEmpty()) {
      StringBuilder periods = new StringBuilder();
      for (int i = 0; i < chain.headers().size(); i += (int) POSOC_BLOCKS_PER_PERIOD) {
        if (periods.length() > 0) {
          periods.append(", ");
        }
        periods.append(nameOf(keys, chain.headers().get(i).proposer()));
      }
      notes.add(
          new String[] {
            "aggregators",
            f(
                "one per %d-block period: %s (drawn by daily SOC score, Eq. 4.18)",
                POSOC_BLOCKS_PER_PERIOD, periods)
          });
      notes.add(
          new String[] {
            "global model",
            f(
                "every seal records %s, the hash of the mean of the EVs' 24-hour charging profiles"
                    + " (Eq. 4.19)",
                ProofOfStateOfCharge.recordedModelHash(chain.headers().get(0))
                    .map(Object::toString)
                    .orElse("no model hash"))
          });
      notes.add(
          new String[] {
            "settlement",
            f(
                "each EV pays %.0f %% of its day's profit (its saving against charging at the cap)"
                    + " to the first period's aggregator (Transfer); the treasury releases the"
                    + " profit (Reward) at the next period's first block; the last EV pays only"
                    + " from 16:00, so its profit is withheld until then (Eq. 4.20, Fig. 4.5)",
                100 * POSOC_BETA)
          });
    }
    if (consensus == Consensus.TRUST && !chain.headers().isEmpty()) {
      StringBuilder epochs = new StringBuilder();
      for (int e = 0; e * TRUST_EPOCH < chain.headers().size(); e++) {
        java.util.TreeSet<String> signers = new java.util.TreeSet<>();
        for (int i = e * TRUST_EPOCH;
            i < Math.min(chain.headers().size(), (e + 1) * TRUST_EPOCH);
            i++) {
          signers.add(nameOf(keys, chain.headers().get(i).proposer()));
        }
        epochs.append(e == 0 ? "" : "; ").append(f("epoch %d: %s", e, String.join(" ", signers)));
      }
      notes.add(new String[] {"epochs", epochs.toString()});
      DemoChain.CheatOutcome c = chain.cheat();
      if (c != null) {
        notes.add(new String[] {"attack", attackNote(c, keys)});
      }
      notes.add(
          new String[] {
            "ratings",
            f(
                "at 19:00 every EV rates each SP it bought from (Rating of the trade, 5 of 5);"
                    + " from then on the SPs are candidates (trader trust >= %.1f) and the next"
                    + " committee is chosen by deposit at the 5th block of an epoch",
                org.gridtrade.consensus.trust.TrustScores.TRP2_MIN)
          });
    }
    return List.copyOf(notes);
  }

  /**
   * Why a cheating validator cannot be shown with these settings, if it cannot: it needs trust
   * stake and a committee of 2 or more.
   */
  static Optional<String> cheatProblem(Consensus consensus, int nodes, int sps) {
    if (consensus != Consensus.TRUST) {
      return Optional.of("--cheat works with --consensus trust only, not " + consensus);
    }
    if (Math.min(nodes, sps) < 3) {
      return Optional.of(
          ("--cheat needs --nodes and --sps of at least 3 (a trust committee of 2 or more),"
                  + " not %d and %d")
              .formatted(nodes, sps));
    }
    return Optional.empty();
  }

  private static String attackNote(DemoChain.CheatOutcome c, Map<String, KeyPair> keys) {
    String who = "%s (%s)".formatted(nameOf(keys, c.cheat()), c.node());
    if (c.height() < 0) {
      return who + " never came in turn after " + hourName(CHEAT_FROM_HOUR) + ": no attack";
    }
    String attested =
        c.attestedAt().isEmpty()
            ? "nobody attested it"
            : "the committee attested it in the seals of blocks "
                + c.attestedAt().stream().map(String::valueOf).collect(Collectors.joining(", "));
    String end =
        c.confiscatedAt() >= 0
            ? "its deposit was confiscated at height %d, and it left the signing order"
                .formatted(c.confiscatedAt())
            : "its deposit was not confiscated by the end of the day";
    return ("%s, in turn at height %d, sent a block crediting itself through the state root;"
            + " %s rejected it as invalid; %s; %s")
        .formatted(who, c.height(), String.join(", ", c.rejectedAsInvalidBy()), attested, end);
  }

  private static String hourName(int hour) {
    return CommunityDay.DAY_START.plusSeconds(3_600L * hour).toString().substring(11, 16);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static KeyPair key(long seed, String name) {
    return CommunityDay.key(seed, name);
  }

  private static String nameOf(Map<String, KeyPair> keys, Address a) {
    return keys.entrySet().stream()
        .filter(e -> e.getValue().address().equals(a))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow();
  }
}

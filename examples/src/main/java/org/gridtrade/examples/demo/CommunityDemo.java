package org.gridtrade.examples.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.game.stackelberg.SpBid;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Units;
import org.gridtrade.market.DemandResponseMarket;
import org.gridtrade.market.DoubleAuctionMarket;
import org.gridtrade.market.DrRound;
import org.gridtrade.market.SealedAuction;
import org.gridtrade.market.SealedAuctionSpec;
import org.gridtrade.market.SealedBidAuction;

/**
 * The flagship flow end to end, stage by stage: {@link CommunityDay} plans the day's markets, the
 * protocol's {@link ConsensusSetup} chooses who runs the nodes and what the protocol needs on
 * chain, this class writes the genesis, and {@link DemoChain} runs the network: first the leader
 * election ({@link DemoElection}), then the day hour by hour: each hour's double-auction markets
 * ({@link DemoMarkets}), opened, bid and cleared on chain, and at 18:00 the demand response's round
 * ({@link DemoDemandResponse}), opened, escrowed, certified and settled on chain.
 */
public final class CommunityDemo {
  /** The consensus protocols the demo can run. */
  public enum Consensus {
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

    public final String description;

    Consensus(String description) {
      this.description = description;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A node of the network: its name, the account that seals, and who that account is. */
  public record Node(String name, Address address, String operator) {}

  /** Everything the demo produced. */
  public record Report(
      CommunityDay.Markets markets,
      Consensus consensus,
      List<Node> nodes,
      DemoChain.Result chain,
      Map<Address, String> names,
      Path out,
      List<String[]> notes,
      Election election,
      DayMarkets dayMarkets) {

    /**
     * Whether every check passed: nodes agree, the chain verifies, the reopened store verifies, and
     * the leader elected on chain is the one the day was planned with.
     */
    public boolean verified() {
      return chain.nodesAgree()
          && chain.allIncluded()
          && chain.verification().valid()
          && chain.reopened().valid()
          && chain.refused().isEmpty()
          && chain.rejectedBlocks() == 0
          && election.agreeAcrossNodes()
          && election.matchesOffChain()
          && election.matchesPlan()
          && dayMarkets.agreeAcrossNodes()
          && dayMarkets.matchesOffChain()
          && dayMarkets.matchesPlan();
    }

    public String name(Address a) {
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
  public record Election(
      SealedAuctionSpec spec,
      DemoElection.Record record,
      boolean agreeAcrossNodes,
      boolean matchesOffChain,
      boolean matchesPlan) {}

  /**
   * The day's double-auction markets (PETS hours and coalitions) as the chain holds them.
   *
   * @param opened the markets the operator opened, with the orders placed in each
   * @param record every market, its orders and trades as node 1 holds them
   * @param agreeAcrossNodes whether every node holds the same markets (and the same election)
   * @param offChainDifferences how a market's trades differ from lib-auction's off-chain clearing
   *     of its orders, one line per market that differs
   * @param planDifferences how a market differs from the day's plan (a market not opened or not
   *     cleared, a participant filled with other energy than planned)
   * @param drRounds the demand-response rounds as node 1 holds them (one, or none when the market
   *     does not fit a round and settles as signed trades)
   */
  public record DayMarkets(
      List<DemoMarkets.Opened> opened,
      DemoMarkets.Record record,
      boolean agreeAcrossNodes,
      List<String> offChainDifferences,
      List<String> planDifferences,
      List<DrRound> drRounds) {
    public DayMarkets {
      drRounds = List.copyOf(drRounds);
      opened = List.copyOf(opened);
      offChainDifferences = List.copyOf(offChainDifferences);
      planDifferences = List.copyOf(planDifferences);
    }

    /** Whether every market's trades are lib-auction's off-chain clearing of its orders. */
    public boolean matchesOffChain() {
      return offChainDifferences.isEmpty();
    }

    /** Whether every planned market cleared, filling each participant as planned. */
    public boolean matchesPlan() {
      return planDifferences.isEmpty();
    }
  }

  private CommunityDemo() {}

  public static Report run(
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

    ConsensusSetup setup = ConsensusSetup.of(consensus);
    ConsensusSetup.Network network =
        setup.prepare(new ConsensusSetup.Day(settings, m, keys, treasury));
    List<CommunityDay.Order> orders = new ArrayList<>(m.orders());
    orders.addAll(network.orders());
    List<Node> nodes = network.nodes();
    List<KeyPair> nodeKeys = network.nodeKeys();
    Supplier<ConsensusSchedule> schedule = network.schedule();
    BiFunction<BlockEngine, Integer, List<CommunityDay.Order>> hourly = network.hourly();

    Map<Address, String> names = new LinkedHashMap<>();
    keys.forEach((n, k) -> names.put(k.address(), n));
    Genesis genesis = genesis(keys);
    DemoElection election = new DemoElection(seed, m.bids(), CommunityDay.BOUNDS, keys);
    DemoMarkets dayMarkets =
        new DemoMarkets(
            seed,
            m.marketPlans(),
            m.bids().stream().map(SpBid::id).toList(),
            keys,
            DemoDemandResponse.settleBlocks(
                m.drInstance().evs().size(), m.drInstance().sps().size()));
    DemoDemandResponse demandResponse = new DemoDemandResponse(m.drInstance(), m.dr(), keys);
    // The hour's double-auction markets first, then (at 18:00) the demand-response round.
    BiFunction<BlockEngine, Integer, List<CommunityDay.Order>> followUp =
        (engine, hour) -> {
          List<CommunityDay.Order> batch = dayMarkets.next(engine, hour);
          return batch.isEmpty() ? demandResponse.next(engine, hour) : batch;
        };
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
            cheat ? new DemoChain.Cheat(TrustSetup.CHEAT_NODE, TrustSetup.CHEAT_FROM_HOUR) : null,
            hourly,
            followUp,
            election::next,
            state ->
                new Audit(
                    DemoElection.Record.of(state),
                    DemoMarkets.Record.of(state),
                    DemoDemandResponse.rounds(state)));
    Audit first = (Audit) chain.audits().get(0);
    boolean agree = chain.audits().stream().allMatch(first::equals);
    DemoElection.Record record = first.election();
    return new Report(
        m,
        consensus,
        List.copyOf(nodes),
        chain,
        names,
        out,
        setup.notes(chain, keys),
        new Election(
            election.spec().orElseThrow(),
            record,
            agree,
            election.matchesOffChain(record, names),
            matchesPlan(record, m, names)),
        new DayMarkets(
            dayMarkets.opened(),
            first.markets(),
            agree,
            concat(
                DemoMarkets.offChainDifferences(first.markets()),
                DemoDemandResponse.offChainDifferences(m.drInstance(), m.dr(), first.drRounds())),
            concat(
                dayMarkets.planDifferences(first.markets()),
                demandResponse.planDifferences(first.drRounds())),
            first.drRounds()));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** What the demo reads from each node's final state, to compare across nodes. */
  private record Audit(
      DemoElection.Record election, DemoMarkets.Record markets, List<DrRound> drRounds) {}

  /**
   * Why a cheating validator cannot be shown with these settings, if it cannot: it needs trust
   * stake and a committee of 2 or more.
   *
   * @param consensus the protocol
   * @param nodes the nodes of the network
   * @param sps the SPs of the day (the trust validators)
   * @return the reason, or empty if the cheat can be shown
   */
  public static Optional<String> cheatProblem(Consensus consensus, int nodes, int sps) {
    return TrustSetup.cheatProblem(consensus, nodes, sps);
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
   * the double-auction module (the PETS hours and the coalitions) and the demand-response
   * settlement, dated one minute before the network starts.
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
        .withModules(
            List.of(SealedBidAuction.NAME, DoubleAuctionMarket.NAME, DemandResponseMarket.NAME));
  }

  static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  static KeyPair key(long seed, String name) {
    return CommunityDay.key(seed, name);
  }

  static String nameOf(Map<String, KeyPair> keys, Address a) {
    return keys.entrySet().stream()
        .filter(e -> e.getValue().address().equals(a))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow();
  }
}

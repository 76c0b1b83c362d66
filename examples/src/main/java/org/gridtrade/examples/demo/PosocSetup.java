package org.gridtrade.examples.demo;

import static org.gridtrade.examples.demo.CommunityDemo.f;
import static org.gridtrade.examples.demo.CommunityDemo.key;
import static org.gridtrade.examples.demo.CommunityDemo.nameOf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.StateOfChargeScores;
import org.gridtrade.consensus.posoc.ProofOfStateOfCharge;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.examples.demo.CommunityDemo.Node;
import org.gridtrade.game.stackelberg.Ev;
import org.gridtrade.game.stackelberg.Schedule;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Units;

/**
 * Proof of State of Charge: every EV's day from its PETS schedule gives its daily SOC score; the
 * best-scoring EVs run the nodes, and every EV pays the period's aggregator a share of its profit,
 * one of them late.
 */
final class PosocSetup implements ConsensusSetup {

  /** PoSOC: blocks per aggregator period (a day of 45 to 50 blocks has 6 or 7 periods). */
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

  @Override
  public Network prepare(Day input) {
    CommunityDay.Settings settings = input.settings();
    CommunityDay.Markets m = input.markets();
    Map<String, KeyPair> keys = input.keys();
    long seed = settings.seed();
    KeyPair treasury = input.treasury();
    List<Node> nodes = new ArrayList<>();
    List<KeyPair> nodeKeys = new ArrayList<>();
    Supplier<ConsensusSchedule> schedule;
    BiFunction<BlockEngine, Integer, List<CommunityDay.Order>> hourly = (e, h) -> List.of();
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
    ConsensusSetup.addObservers(nodes, nodeKeys, keys, seed, settings.nodes());
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
                new CommunityDay.Order(hour, ev, new Payload.Transfer(o.mlag(), o.shareMicro())));
          }
          return pay;
        };
    return new Network(nodes, nodeKeys, schedule, List.of(), hourly);
  }

  @Override
  public List<String[]> notes(DemoChain.Result chain, Map<String, KeyPair> keys) {
    List<String[]> notes = new ArrayList<>();
    if (!chain.headers().isEmpty()) {
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
    return List.copyOf(notes);
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
}

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
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.posoc.ProofOfStateOfCharge;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.examples.demo.CommunityDemo.Node;
import org.gridtrade.game.stackelberg.Ev;
import org.gridtrade.game.v2v.FederatedRound;
import org.gridtrade.game.v2v.V2vEpisode;
import org.gridtrade.game.v2v.V2vStep;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Units;

/**
 * Proof of State of Charge: the day's EVs learn V2V trading at the hotspot by federated PPO ({@link
 * DemoV2v}); the trained policies' day gives each EV's daily SOC score and profit, the best-scoring
 * EVs run the nodes, the seals record the hash of the federated mean of the trained networks, and
 * every EV pays the period's aggregator a share of its profit, one of them late.
 */
final class PosocSetup implements ConsensusSetup {

  /** The fleet's training and day, once {@link #prepare} ran. */
  private DemoV2v.Day v2v;

  /** PoSOC: blocks per aggregator period (a day of 45 to 50 blocks has 6 or 7 periods). */
  static final long POSOC_BLOCKS_PER_PERIOD = 8;

  /** PoSOC: share β of each EV's profit paid to the period's aggregator (Eq. 4.20). */
  static final double POSOC_BETA = 0.1;

  /**
   * PoSOC: the EV that pays its shares only from this game hour on (16:00), to show withholding.
   */
  static final int LATE_PAYER_HOUR = 8;

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
    // The day's EVs learn their V2V policies at the hotspot by federated PPO, then play them
    // through the day: the actions give each EV's proof score (Eq. 4.17), the V2V profit its R_i,
    // and the trained networks are the local models the aggregator averages (Eq. 4.19).
    v2v = DemoV2v.run(m.evs(), seed);
    List<StateOfChargeSource.Candidate> all = new ArrayList<>();
    for (int i = 0; i < m.evs().size(); i++) {
      Ev ev = m.evs().get(i);
      KeyPair k = keys.computeIfAbsent(ev.id(), n -> key(seed, n));
      double profitCents = v2v.episodes().get(i).totalProfit();
      all.add(
          new StateOfChargeSource.Candidate(
              k.address(), v2v.scores().get(i), Units.centsToMicro(Math.max(0, profitCents))));
    }
    List<double[]> models = v2v.localModels();
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
      String recorded =
          ProofOfStateOfCharge.recordedModelHash(chain.headers().get(0))
              .map(Object::toString)
              .orElse("no model hash");
      notes.add(
          new String[] {
            "global model",
            f(
                "every seal records %s, the SHA-256 of the federated mean of the EVs' trained"
                    + " policy networks (Eq. 4.19)%s",
                recorded,
                recorded.equals(v2v.globalModelHash())
                    ? ", the training's global model"
                    : "; the training's global model is " + v2v.globalModelHash())
          });
      notes.addAll(v2vNotes(v2v, keys));
      notes.add(
          new String[] {
            "settlement",
            f(
                "each EV pays %.0f %% of its day's V2V profit to the first period's aggregator"
                    + " (Transfer); the treasury releases the"
                    + " profit (Reward) at the next period's first block; the last EV pays only"
                    + " from 16:00, so its profit is withheld until then (Eq. 4.20, Fig. 4.5)",
                100 * POSOC_BETA)
          });
    }
    return List.copyOf(notes);
  }

  /** The learning curve, the day's trading, and each EV's actions, profit and proof score. */
  private static List<String[]> v2vNotes(DemoV2v.Day d, Map<String, KeyPair> keys) {
    List<String[]> notes = new ArrayList<>();
    StringBuilder curve = new StringBuilder();
    for (FederatedRound r : d.rounds()) {
      double mean =
          r.trainingReturns().stream().mapToDouble(Double::doubleValue).average().orElse(0);
      curve.append(curve.length() == 0 ? "" : ", ").append(f("%.1f", mean));
    }
    notes.add(
        new String[] {
          "v2v training",
          f(
              "the day's %d EVs at the V2V hotspot over their charging windows (%.0f kWh, %.0f"
                  + " kWh/h, SOC %.1f-%.1f, Table 4.1 prices) learn by federated PPO: %d rounds of"
                  + " %,d steps per EV in %.1f s, each round's aggregator drawn by PoSOC from the"
                  + " round's proof scores; the fleet's mean training return by round (c): %s",
              d.scenarios().size(),
              DemoV2v.BATTERY_KWH,
              DemoV2v.RATE_KWH,
              DemoV2v.SOC_MIN,
              DemoV2v.SOC_MAX,
              d.rounds().size(),
              d.rounds().get(d.rounds().size() - 1).stepsPerEv() / d.rounds().size(),
              d.seconds(),
              curve)
        });
    double profit = d.episodes().stream().mapToDouble(V2vEpisode::totalProfit).sum();
    notes.add(
        new String[] {
          "v2v day",
          f(
              "with their trained policies on the day's prices %d of %d EVs discharge in some hour:"
                  + " %.1f kWh sold V2V, %.1f kWh bought, %.2f c of profit against the grid; the"
                  + " proof scores (Eq. 4.17) rank the EVs for the nodes and the aggregator draw",
              d.discharging(), d.episodes().size(), d.kwh(true), d.kwh(false), profit)
        });
    for (int i = 0; i < d.episodes().size(); i++) {
      V2vEpisode e = d.episodes().get(i);
      StringBuilder actions = new StringBuilder();
      for (V2vStep s : e.steps()) {
        actions
            .append(actions.length() == 0 ? "" : " ")
            .append(f("%02d:%+.1f", s.hour(), s.appliedKwh()));
      }
      notes.add(
          new String[] {
            "v2v " + d.ids().get(i),
            f(
                "%02d:00-%02d:00, kWh by hour %s; profit %.2f c, proof score %.3f",
                d.scenarios().get(i).arrivalHour(),
                d.scenarios().get(i).departureHour(),
                actions,
                e.totalProfit(),
                d.scores().get(i))
          });
    }
    return notes;
  }
}

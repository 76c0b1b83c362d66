package org.gridtrade.examples.demo;

import static org.gridtrade.examples.demo.CommunityDemo.f;
import static org.gridtrade.examples.demo.CommunityDemo.key;
import static org.gridtrade.examples.demo.CommunityDemo.nameOf;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.examples.demo.CommunityDemo.Node;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.Units;
import org.gridtrade.market.DemandResponseMarket;
import org.gridtrade.market.DrCalls;
import org.gridtrade.market.DrRound;
import org.gridtrade.market.Markets;

/**
 * Trust-based stake: the SPs run the nodes and burn deposits; an hour after demand response every
 * EV rates each SP it bought from, and the consensus reads those ratings into the SPs' trust.
 */
final class TrustSetup implements ConsensusSetup {

  /** Trust stake: blocks per epoch (Haider's 10). */
  static final int TRUST_EPOCH = 10;

  /** Trust stake: the first SP node burns this many coins, the second twice as many, and so on. */
  static final long TRUST_DEPOSIT_COINS = 100;

  /** With a cheating validator: its node (sp-02's, in the first committee). */
  static final int CHEAT_NODE = 1;

  /** With a cheating validator: the game hour (0 = 08:00) from which it cheats in its turn. */
  static final int CHEAT_FROM_HOUR = 2;

  @Override
  public Network prepare(Day input) {
    CommunityDay.Settings settings = input.settings();
    Map<String, KeyPair> keys = input.keys();
    long seed = settings.seed();
    KeyPair treasury = input.treasury();
    List<CommunityDay.Order> orders = new ArrayList<>();
    List<Node> nodes = new ArrayList<>();
    List<KeyPair> nodeKeys = new ArrayList<>();
    Supplier<ConsensusSchedule> schedule;
    BiFunction<BlockEngine, Integer, List<CommunityDay.Order>> hourly = (e, h) -> List.of();
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
                    .ratingDecoders(
                        List.of(Markets.ratingDecoder(), DemandResponseMarket.ratingDecoder()))
                    .committeeSize(committee)
                    .timeout(DemoChain.POLICY.blockPeriod())
                    .treasury(treasury)
                    .build());
    // An hour after demand response, every EV rates each SP it bought from (5 of 5): each cell of
    // the round its token settled, or each signed trade when the market did not fit a round.
    Set<Hash> rated = new HashSet<>();
    hourly =
        (engine, hour) -> {
          List<CommunityDay.Order> ratings = new ArrayList<>();
          if (hour != CommunityDay.DR_HOUR + 1) {
            return ratings;
          }
          for (DrRound round : DemoDemandResponse.rounds(engine.ledger().state())) {
            DrRound.Certificate c = round.certificate().orElse(null);
            for (int i = 0; c != null && i < round.spec().evs().size(); i++) {
              for (int j = 0; j < round.spec().sps().size(); j++) {
                if (c.allocationWh().get(i).get(j) > 0 && c.settled().get(i).get(j)) {
                  ratings.add(
                      new CommunityDay.Order(
                          hour,
                          nameOf(keys, round.spec().evs().get(i).address()),
                          DrCalls.rate(round, i, j, 5)));
                }
              }
            }
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
    return new Network(nodes, nodeKeys, schedule, orders, hourly);
  }

  @Override
  public List<String[]> notes(DemoChain.Result chain, Map<String, KeyPair> keys) {
    List<String[]> notes = new ArrayList<>();
    if (!chain.headers().isEmpty()) {
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
                "at 19:00 every EV rates each SP it bought from (5 of 5: each cell of the"
                    + " demand-response round that its token settled, read into trust by"
                    + " DemandResponseMarket.ratingDecoder, or each signed trade's Rating when the"
                    + " market did not fit a round); from then on the SPs are candidates (trader trust >= %.1f) and the next"
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
  public static Optional<String> cheatProblem(
      CommunityDemo.Consensus consensus, int nodes, int sps) {
    if (consensus != CommunityDemo.Consensus.TRUST) {
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
}

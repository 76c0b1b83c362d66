package org.gridtrade.examples.demo;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.ledger.KeyPair;

/**
 * How the demo sets up its network for one consensus protocol: who runs the nodes and seals, the
 * protocol each node runs, the transactions the protocol needs on top of the day's settlements, and
 * the protocol's rows of the report. One implementation per protocol.
 */
interface ConsensusSetup {
  /**
   * The day the network is set up for.
   *
   * @param settings the demo's sizes and seed
   * @param markets the day's markets, planned before the chain starts
   * @param keys every participant's key, by name; a set-up adds the keys of the nodes it creates
   * @param treasury the authority whose key the protocols use for rewards and slashes
   */
  record Day(
      CommunityDay.Settings settings,
      CommunityDay.Markets markets,
      Map<String, KeyPair> keys,
      KeyPair treasury) {}

  /**
   * What a set-up decided.
   *
   * @param nodes the nodes, in order
   * @param nodeKeys each node's sealing key, in node order
   * @param schedule a fresh consensus schedule per node
   * @param orders transactions the protocol needs besides the day's settlements (stakes, deposits),
   *     by hour
   * @param hourly more transactions for an hour, decided from the chain so far
   */
  record Network(
      List<CommunityDemo.Node> nodes,
      List<KeyPair> nodeKeys,
      Supplier<ConsensusSchedule> schedule,
      List<CommunityDay.Order> orders,
      BiFunction<BlockEngine, Integer, List<CommunityDay.Order>> hourly) {
    public Network {
      nodes = List.copyOf(nodes);
      nodeKeys = List.copyOf(nodeKeys);
      orders = List.copyOf(orders);
    }
  }

  /**
   * Sets up the network for the day.
   *
   * @param day the day
   * @return the nodes, their protocol and the protocol's transactions
   * @throws IllegalStateException when nobody may seal on this day (try another seed)
   */
  Network prepare(Day day);

  /**
   * The protocol's rows of the report, read from the chain.
   *
   * @param chain what the run measured
   * @param keys every participant's key, by name
   * @return rows of (label, text)
   */
  default List<String[]> notes(DemoChain.Result chain, Map<String, KeyPair> keys) {
    return List.of();
  }

  /**
   * Fills the network up to {@code count} nodes with observers ({@code node-K}), which validate and
   * relay blocks but never seal.
   */
  static void addObservers(
      List<CommunityDemo.Node> nodes,
      List<KeyPair> nodeKeys,
      Map<String, KeyPair> keys,
      long seed,
      int count) {
    while (nodes.size() < count) {
      String name = CommunityDay.node(nodes.size());
      KeyPair k = keys.computeIfAbsent(name, n -> CommunityDemo.key(seed, n));
      nodeKeys.add(k);
      nodes.add(new CommunityDemo.Node(name, k.address(), "observer " + name));
    }
  }

  /** The set-up of a protocol. */
  static ConsensusSetup of(CommunityDemo.Consensus consensus) {
    return switch (consensus) {
      case POA -> new PoaSetup();
      case POEG -> new PoegSetup();
      case POSOC -> new PosocSetup();
      case TRUST -> new TrustSetup();
    };
  }
}

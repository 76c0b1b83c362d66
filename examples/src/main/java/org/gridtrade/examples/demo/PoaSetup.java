package org.gridtrade.examples.demo;

import static org.gridtrade.examples.demo.CommunityDemo.key;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.examples.demo.CommunityDemo.Node;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;

/**
 * Proof of Authority: the nodes' operators ({@code node-1} … {@code node-N}) are the Clique
 * sealers.
 */
final class PoaSetup implements ConsensusSetup {

  @Override
  public Network prepare(Day input) {
    CommunityDay.Settings settings = input.settings();
    Map<String, KeyPair> keys = input.keys();
    long seed = settings.seed();
    List<Node> nodes = new ArrayList<>();
    List<KeyPair> nodeKeys = new ArrayList<>();
    Supplier<ConsensusSchedule> schedule;
    for (int i = 0; i < settings.nodes(); i++) {
      String name = CommunityDay.node(i);
      KeyPair k = keys.computeIfAbsent(name, n -> key(seed, n));
      nodeKeys.add(k);
      nodes.add(new Node(name, k.address(), "operator " + name));
    }
    List<Address> sealers = nodeKeys.stream().map(KeyPair::address).toList();
    schedule = () -> ConsensusSchedule.of(ProofOfAuthority.builder().sealers(sealers).build());
    return new Network(nodes, nodeKeys, schedule, List.of(), (e, h) -> List.of());
  }
}

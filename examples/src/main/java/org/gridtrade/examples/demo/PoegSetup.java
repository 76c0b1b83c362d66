package org.gridtrade.examples.demo;

import static org.gridtrade.examples.demo.CommunityDemo.key;
import static org.gridtrade.examples.demo.CommunityDemo.nameOf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.gridtrade.coalition.Coalition;
import org.gridtrade.coalition.MemberScore;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.poeg.ProofOfEnergyGeneration;
import org.gridtrade.consensus.spi.EnergyProofSource;
import org.gridtrade.examples.demo.CommunityDemo.Node;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Units;

/**
 * Proof of Energy Generation: the coalitions with a positive proof score are ranked; the signer of
 * each of the best-scoring ones runs a node and stakes; the others observe.
 */
final class PoegSetup implements ConsensusSetup {

  /** Stake each PoEG miner locks at the start of the day, coins. */
  static final long MINER_STAKE_COINS = 1_000;

  /** Stake a PoEG miner loses for refusing its turn, coins. */
  static final long SLASH_COINS = 100;

  @Override
  public Network prepare(Day input) {
    CommunityDay.Settings settings = input.settings();
    CommunityDay.Markets m = input.markets();
    Map<String, KeyPair> keys = input.keys();
    long seed = settings.seed();
    KeyPair treasury = input.treasury();
    List<CommunityDay.Order> orders = new ArrayList<>();
    List<Node> nodes = new ArrayList<>();
    List<KeyPair> nodeKeys = new ArrayList<>();
    Supplier<ConsensusSchedule> schedule;
    List<EnergyProofSource.Candidate> candidates = new ArrayList<>();
    // The best-scoring coalitions run the mining nodes; their signers seal.
    List<Integer> order = new ArrayList<>();
    List<Coalition> cs = m.coalitions().coalitions();
    for (int c = 0; c < cs.size(); c++) {
      if (cs.get(c).proofScore() > 0) {
        order.add(c);
      }
    }
    order.sort(
        Comparator.comparingDouble((Integer c) -> -cs.get(c).proofScore()).thenComparing(c -> c));
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
    ConsensusSetup.addObservers(nodes, nodeKeys, keys, seed, settings.nodes());
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
    return new Network(nodes, nodeKeys, schedule, orders, (e, h) -> List.of());
  }
}

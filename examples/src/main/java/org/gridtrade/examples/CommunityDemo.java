package org.gridtrade.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.gridtrade.coalition.Coalition;
import org.gridtrade.coalition.MemberScore;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.ProofOfAuthority;
import org.gridtrade.consensus.ProofOfEnergyGeneration;
import org.gridtrade.consensus.spi.EnergyProofSource;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Units;

/**
 * The flagship flow end to end: {@link CommunityDay} runs the day's markets, this class chooses the
 * block producers for the consensus protocol, writes the genesis and runs {@link DemoChain}.
 */
final class CommunityDemo {
  /** Stake each PoEG miner locks at the start of the day, coins. */
  static final long MINER_STAKE_COINS = 1_000;

  /** Stake a PoEG miner loses for refusing its turn, coins. */
  static final long SLASH_COINS = 100;

  /** The consensus protocols the demo can run. */
  enum Consensus {
    POA("Proof of Authority (Clique rules): the nodes' operators are the sealers"),
    POEG(
        "Proof of Energy Generation: coalitions drawn by proof score; the signer of each of the"
            + " best-scoring coalitions runs a node");

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
      List<EnergyProofSource.Candidate> candidates,
      long blockRewardMicro,
      List<CommunityDay.Order> orders,
      DemoChain.Result chain,
      Map<Address, String> names,
      Path out) {

    /** Whether every check passed: nodes agree, the chain verifies, the reopened store verifies. */
    boolean verified() {
      return chain.nodesAgree()
          && chain.verification().valid()
          && chain.reopened().valid()
          && chain.refused().isEmpty()
          && chain.rejectedBlocks() == 0;
    }

    String name(Address a) {
      return names.getOrDefault(a, a.toString());
    }
  }

  private CommunityDemo() {}

  static Report run(
      CommunityDay.Settings settings,
      Consensus consensus,
      Path out,
      boolean durable,
      DemoChain.Crash crash)
      throws IOException {
    CommunityDay.Markets m = CommunityDay.run(settings);
    long seed = settings.seed();
    Map<String, KeyPair> keys = new LinkedHashMap<>(m.keys());
    m.pets().outcome().schedules().forEach(s -> keys.computeIfAbsent(s.evId(), n -> key(seed, n)));
    m.community().prosumers().forEach(p -> keys.computeIfAbsent(p.id(), n -> key(seed, n)));
    m.bids().forEach(b -> keys.computeIfAbsent(b.id(), n -> key(seed, n)));
    keys.computeIfAbsent(CommunityDay.EDC, n -> key(seed, n));
    KeyPair treasury = keys.computeIfAbsent(CommunityDay.TREASURY, n -> key(seed, n));

    List<CommunityDay.Order> orders = new ArrayList<>(m.orders());
    List<Node> nodes = new ArrayList<>();
    List<KeyPair> nodeKeys = new ArrayList<>();
    List<EnergyProofSource.Candidate> candidates = new ArrayList<>();
    long reward = 0;
    Supplier<ConsensusSchedule> schedule;
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
        reward = Units.coinsToMicro(m.mining().reward() * CommunityDay.COALITION_PRICE);
        List<EnergyProofSource.Candidate> fixed = List.copyOf(candidates);
        long blockReward = Math.max(1, reward);
        schedule =
            () ->
                ConsensusSchedule.of(
                    ProofOfEnergyGeneration.builder()
                        .source(h -> fixed)
                        .timeoutMillis(DemoChain.POLICY.blockPeriodMillis())
                        .blockReward(blockReward)
                        .slashAmount(Units.coinsToMicro(SLASH_COINS))
                        .treasury(treasury)
                        .build());
        reward = blockReward;
      }
      default -> throw new IllegalStateException("unknown consensus " + consensus);
    }

    Map<Address, String> names = new LinkedHashMap<>();
    keys.forEach((n, k) -> names.put(k.address(), n));
    Genesis genesis = genesis(keys);
    DemoChain.Result chain =
        DemoChain.run(genesis, keys, nodeKeys, schedule, orders, durable ? out : null, seed, crash);
    return new Report(
        m,
        consensus,
        List.copyOf(nodes),
        List.copyOf(candidates),
        reward,
        List.copyOf(orders),
        chain,
        names,
        out);
  }

  /**
   * The demo's genesis: every participant funded with {@link DemoChain#START_COINS}, the treasury
   * the only authority, dated one minute before the day starts.
   */
  static Genesis genesis(Map<String, KeyPair> keys) {
    Map<Address, Long> alloc = new LinkedHashMap<>();
    keys.values().forEach(k -> alloc.put(k.address(), Units.coinsToMicro(DemoChain.START_COINS)));
    return new Genesis(
        CommunityDay.CHAIN_ID,
        alloc,
        Set.of(keys.get(CommunityDay.TREASURY).address()),
        CommunityDay.DAY_START.toEpochMilli() - 60_000);
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

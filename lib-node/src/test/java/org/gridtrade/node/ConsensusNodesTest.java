package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.gridtrade.node.NodeTests.await;
import static org.gridtrade.node.NodeTests.uri;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.gridtrade.consensus.poeg.ProofOfEnergyGeneration;
import org.gridtrade.consensus.posoc.ProofOfStateOfCharge;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Test networks of three nodes running each protocol besides Proof of Authority, configured from
 * files alone: they seal, agree, include transactions, and the treasury pays the rewards the
 * protocol prescribes. Configurations survive a write and a read; bad ones are refused naming the
 * field.
 */
class ConsensusNodesTest {
  private static final int HEIGHT = 12;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"trust", "poeg", "posoc"})
  void testnet_runsTheProtocol_fromItsConfigurationFiles(String protocol) throws Exception {
    LocalTestnet net =
        LocalTestnet.write(dir, 3, Duration.ofMillis(300), 1_000, protocol, new SecureRandom());
    List<KeyPair> users = NodeTests.users(dir, net);
    List<GridTradeNode> nodes = new ArrayList<>();
    try {
      Set<Address> signers = new HashSet<>();
      Address treasury = null;
      for (Path c : net.configs()) {
        NodeConfig config = NodeConfig.read(c);
        assertThat(config.consensus().protocol()).isEqualTo(protocol);
        GridTradeNode n = GridTradeNode.start(config);
        nodes.add(n);
        char[] npw = Files.readString(c.resolveSibling("password")).strip().toCharArray();
        signers.add(Keystore.read(config.keystore(), npw).address());
        treasury = Keystore.read(config.consensus().treasury().orElseThrow(), npw).address();
      }
      ConsensusProtocol running = nodes.get(0).engine().schedule().protocolAt(1);
      assertThat(running)
          .isInstanceOf(
              switch (protocol) {
                case "trust" -> TrustStake.class;
                case "poeg" -> ProofOfEnergyGeneration.class;
                default -> ProofOfStateOfCharge.class;
              });
      List<GridTradeClient> clients = nodes.stream().map(n -> GridTradeClient.of(uri(n))).toList();
      await(
          "every node has both peers",
          () -> clients.stream().allMatch(c -> c.status().peers().size() == 2));
      for (int i = 0; i < 3; i++) {
        NodeTests.submit(
            clients.get(i),
            users.get(i),
            new Payload.Transfer(users.get((i + 1) % 3).address(), 7));
      }
      await(
          "every node holds one block at height " + HEIGHT,
          () -> {
            Set<Hash> at = new HashSet<>();
            for (GridTradeNode n : nodes) {
              Ledger l = n.engine().ledger();
              if (l.height() < HEIGHT + 2) {
                return false;
              }
              at.add(l.block(HEIGHT).map(Block::hash).orElse(null));
            }
            return at.size() == 1 && !at.contains(null);
          });
      Ledger ledger = nodes.get(1).engine().ledger();
      Set<Address> proposers = new TreeSet<>();
      long rewards = 0;
      long earning = 0; // blocks below HEIGHT with a transaction not from the treasury
      for (long h = 1; h <= HEIGHT; h++) {
        Block b = ledger.block(h).orElseThrow();
        proposers.add(b.header().proposer());
        Address t0 = treasury;
        if (h < HEIGHT && b.transactions().stream().anyMatch(t -> !t.sender().equals(t0))) {
          earning++;
        }
        for (Transaction t : b.transactions()) {
          if (t.body().payload() instanceof Payload.Reward r) {
            assertThat(t.sender()).isEqualTo(treasury);
            assertThat(signers).contains(r.to());
            rewards++;
          }
        }
      }
      assertThat(signers).containsAll(proposers);
      assertThat(ledger.verify().valid()).isTrue();
      switch (protocol) {
        case "trust" -> {
          // The first committee of three signs in turn: everyone proposes within 12 blocks. The
          // next block pays each block's trust coins, unless it carried only the treasury's.
          assertThat(proposers).hasSize(3);
          assertThat(earning).as("the three transfers").isPositive();
          assertThat(rewards).isEqualTo(earning);
        }
        case "poeg" -> assertThat(rewards).as("the coalition's block rewards").isPositive();
        default -> assertThat(rewards).as("no profit to settle").isZero();
      }
    } finally {
      nodes.forEach(GridTradeNode::close);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"poa", "trust", "poeg", "posoc"})
  void configuration_survivesWriteAndRead(String protocol) {
    LocalTestnet net =
        LocalTestnet.write(dir, 2, Duration.ofMillis(500), 100, protocol, new SecureRandom());
    NodeConfig read = NodeConfig.read(net.configs().get(1));
    Path again = dir.resolve("node-1/again.json");
    read.write(again);
    assertThat(NodeConfig.read(again)).isEqualTo(read);
    assertThat(read.consensus().treasury().isPresent()).isEqualTo(!protocol.equals("poa"));
  }

  @org.junit.jupiter.api.Test
  void badConsensusSettings_areRefused_namingTheField() throws Exception {
    LocalTestnet net =
        LocalTestnet.write(dir, 2, Duration.ofMillis(500), 100, "poeg", new SecureRandom());
    Path config = net.configs().get(0);
    String good = Files.readString(config);
    Files.writeString(config, good.replace("\"poeg\"", "\"pow\""));
    assertThatThrownBy(() -> NodeConfig.read(config))
        .hasMessageContaining("field consensus.protocol: 'pow' is not one of poa, trust, poeg");
    Files.writeString(
        config, good.replaceFirst("\"proofScore\" : [0-9.]+", "\"proofScore\" : \"x\""));
    assertThatThrownBy(() -> NodeConfig.read(config))
        .hasMessageContaining("field consensus.coalitions[0].proofScore: \"x\" is not a finite");
    Files.writeString(config, good.replaceAll("\"proofScore\" : [0-9.]+", "\"proofScore\" : 0"));
    assertThatThrownBy(() -> NodeConfig.read(config))
        .hasMessageContaining("none with a positive proofScore");
    Files.writeString(config, good.replace("\"timeoutMillis\" : 1000", "\"timeoutMillis\" : 3"));
    assertThatThrownBy(() -> NodeConfig.read(config))
        .hasMessageContaining("consensus.timeoutMillis 3 must be >= 10");
    Files.writeString(
        config,
        good.replace(
            "\"consensus\" : {",
            "\"slashing\" : {\"keystore\" : \"node.key\"},\n  \"consensus\" : {"));
    assertThatThrownBy(() -> NodeConfig.read(config))
        .hasMessageContaining("field slashing.amountMicro is missing");
    // A slashing key that is not an authority of the genesis is refused at start.
    Files.writeString(
        config,
        good.replace(
            "\"consensus\" : {",
            "\"slashing\" : {\"keystore\" : \"node.key\", \"amountMicro\" : 5},\n  \"consensus\" : {"));
    assertThatThrownBy(() -> GridTradeNode.start(NodeConfig.read(config)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("slashing.keystore")
        .hasMessageContaining("not an authority of the genesis");
  }
}

package org.gridtrade.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.ConsensusMessage;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.Ledger;

/**
 * A node process that equivocates once: it runs an honest node, and at the first block it seals
 * once its account holds stake, it also signs a second block at that height (same parent, one
 * millisecond later, no transactions) and sends it to one peer only. Started by {@link
 * EquivocationProcessTest}: {@code EquivocatorNodeMain CONFIG}; prints {@code started at height H},
 * then {@code equivocated at height H} once the second block is sent, and stops when its standard
 * input closes or it is killed.
 */
public final class EquivocatorNodeMain {
  private EquivocatorNodeMain() {}

  /**
   * Runs the node.
   *
   * @param args the node's configuration file
   * @throws Exception if it cannot start
   */
  public static void main(String[] args) throws Exception {
    NodeConfig config = NodeConfig.read(Path.of(args[0]));
    char[] pw = Files.readString(config.passwordFile()).strip().toCharArray();
    KeyPair me = Keystore.read(config.keystore(), pw);
    Genesis genesis = Genesis.decode(Files.readAllBytes(config.genesis()));
    GridTradeNode node = GridTradeNode.start(config);
    AtomicBoolean done = new AtomicBoolean();
    node.engine()
        .addListener(
            new EngineListener() {
              @Override
              public void onBlock(Block block, boolean local) {
                BlockEngine e = node.engine();
                if (local
                    && block.header().proposer().equals(me.address())
                    && e.ledger().state().account(me.address()).stake() > 0
                    && !node.transport().connectedPeers().isEmpty()
                    && done.compareAndSet(false, true)) {
                  Block second = secondBlockLike(e, genesis, block, me);
                  String peer = node.transport().connectedPeers().iterator().next();
                  node.transport().send(peer, new ConsensusMessage.NewBlock(second.encode()));
                  System.out.println("equivocated at height " + block.height());
                  System.out.flush();
                }
              }
            });
    NodeProcessMain.serve(node);
  }

  /**
   * A second block on {@code a}'s parent, sealed by the same key (the engine's thread runs this).
   */
  private static Block secondBlockLike(BlockEngine e, Genesis genesis, Block a, KeyPair signer) {
    try (Ledger scratch = Ledger.open(genesis, BlockStores.inMemory())) {
      for (long h = 1; h < a.height(); h++) {
        scratch.append(e.ledger().block(h).orElseThrow());
      }
      Block unsealed =
          scratch.propose(List.of(), signer.address(), a.header().timestamp() + 1).block();
      ConsensusProtocol p = e.schedule().protocolAt(a.height());
      byte[] seal = p.seal(e.schedule().viewFor(e.chain(), a.height()), unsealed.header(), signer);
      return unsealed.withSeal(seal);
    }
  }
}

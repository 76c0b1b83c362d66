package com.example.consumer;

import java.time.Duration;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.InMemoryNetwork;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.TransactionBody;

/**
 * Three Proof of Authority nodes in one process, on the system clock, each ticking on its own
 * thread; the in-process network delivers by itself.
 */
public final class NetworkProgram {
  private NetworkProgram() {}

  /**
   * Runs the three nodes until each holds the same block at height {@code blocks}.
   *
   * @param blocks how many blocks to wait for, 1 or more
   * @return the hash of block {@code blocks}, the same on every node
   * @throws InterruptedException if interrupted while waiting
   */
  public static Hash run(int blocks) throws InterruptedException {
    SecureRandom random = new SecureRandom();
    List<KeyPair> sealers = List.of(generate(random), generate(random), generate(random));
    KeyPair user = generate(random);
    Genesis genesis =
        new Genesis(42, Map.of(user.address(), 1_000_000_000L), Set.of(), System.currentTimeMillis());
    List<BlockEngine> nodes = new ArrayList<>();
    try (InMemoryNetwork net = InMemoryNetwork.builder().delay(Duration.ofMillis(1), Duration.ofMillis(10)).build()) {
      for (int i = 0; i < sealers.size(); i++) {
        nodes.add(
            BlockEngine.builder()
                .genesis(genesis)
                .store(BlockStores.inMemory())
                .schedule(
                    ConsensusSchedule.of(
                        ProofOfAuthority.builder()
                            .sealers(sealers.stream().map(KeyPair::address).toList())
                            .build()))
                .sealingKey(sealers.get(i))
                .transport(net.join("node-" + (i + 1)))
                .build());
      }
      nodes.forEach(BlockEngine::start);
      for (long nonce = 0; !agree(nodes, blocks); nonce++) {
        nodes
            .get((int) (nonce % nodes.size()))
            .submit(
                new TransactionBody(
                        42,
                        user.publicKey(),
                        nonce,
                        10,
                        new Payload.Transfer(sealers.get(0).address(), 1_000))
                    .sign(user));
        Thread.sleep(50);
      }
      return nodes.get(0).chain().block(blocks).orElseThrow().hash();
    } finally {
      nodes.forEach(BlockEngine::close);
    }
  }

  private static boolean agree(List<BlockEngine> nodes, int height) {
    return nodes.get(0).chain().block(height).isPresent()
        && nodes.stream().map(n -> n.chain().block(height).map(b -> b.hash())).distinct().count()
            == 1;
  }

  private static KeyPair generate(SecureRandom random) {
    return KeyPair.generate(random);
  }

  /**
   * Prints what {@link #run} found.
   *
   * @param args none
   * @throws InterruptedException if interrupted
   */
  public static void main(String[] args) throws InterruptedException {
    System.out.println("three nodes agree on block 3: " + run(3));
  }
}

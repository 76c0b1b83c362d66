package com.example.consumer;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.ConsensusSchedule;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.testkit.SimulatedNetwork;
import org.gridtrade.testkit.TestKeys;
import org.gridtrade.testkit.TransferSource;

/**
 * Three Proof of Authority nodes in simulated time (gridtrade-testkit): no threads, no waiting,
 * and the same seed gives the same chain.
 */
public final class SimulationProgram {
  private SimulationProgram() {}

  /**
   * Runs three sealers with seeded network delays until each holds the same block at height
   * {@code blocks}.
   *
   * @param blocks how many blocks to wait for, 1 or more
   * @param seed the network's seed
   * @return the hash of block {@code blocks}, the same on every node
   */
  public static Hash run(int blocks, long seed) {
    var sealers = TestKeys.keys(10, 3);
    var users = TestKeys.keys(0, 4);
    long t0 = 1_700_000_000_000L;
    Genesis genesis =
        new Genesis(
            42,
            Map.of(
                users.get(0).address(), 1_000_000_000L,
                users.get(1).address(), 1_000_000_000L,
                users.get(2).address(), 1_000_000_000L,
                users.get(3).address(), 1_000_000_000L),
            Set.of(),
            t0);
    ProofOfAuthority poa =
        ProofOfAuthority.builder().sealers(TestKeys.addresses(sealers)).build();
    try (SimulatedNetwork sim = SimulatedNetwork.builder().start(t0 + 1_000).seed(seed).build()) {
      for (int i = 0; i < sealers.size(); i++) {
        KeyPair k = sealers.get(i);
        sim.node(
            "node-" + (i + 1),
            b ->
                b.genesis(genesis)
                    .store(BlockStores.inMemory())
                    .schedule(ConsensusSchedule.of(poa))
                    .sealingKey(k));
      }
      TransferSource transfers = new TransferSource(42, users, 1_000, 10, seed);
      int next = 0;
      while (!agree(sim, blocks)) {
        sim.engines().get(next++ % 3).submit(transfers.next());
        if (!sim.runUntil(() -> agree(sim, blocks), Duration.ofMillis(500))
            && sim.clock().millis() > t0 + 3_600_000) {
          throw new IllegalStateException("no agreement on block " + blocks + " within an hour");
        }
      }
      return sim.engines().get(0).chain().block(blocks).orElseThrow().hash();
    }
  }

  private static boolean agree(SimulatedNetwork sim, int height) {
    return sim.engines().stream()
            .map(BlockEngine::chain)
            .map(c -> c.block(height).map(b -> b.hash()))
            .distinct()
            .count()
        == 1
        && sim.engines().get(0).chain().block(height).isPresent();
  }

  /**
   * Prints what {@link #run} found.
   *
   * @param args none
   */
  public static void main(String[] args) {
    System.out.println("three simulated nodes agree on block 3: " + run(3, 7));
  }
}

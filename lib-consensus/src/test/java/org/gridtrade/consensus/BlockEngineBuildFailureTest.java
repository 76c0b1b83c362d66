package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed {@link BlockEngine.Builder#build()} closes the store it was given, so a durable store's
 * file can be opened again in the same JVM.
 */
class BlockEngineBuildFailureTest {
  private final List<KeyPair> users = Fixtures.keys(0, 4);
  private final KeyPair sealer = Fixtures.key(50);
  private final Genesis genesis = Fixtures.genesis(users, 1_000_000_000L);
  private final ManualClock clock = new ManualClock(Fixtures.GENESIS_TIME + 10_000);

  private static ConsensusSchedule poa(KeyPair sealer) {
    return ConsensusSchedule.of(
        ProofOfAuthority.builder().sealers(List.of(sealer.address())).build());
  }

  /** Seals at least one empty block into a durable store at {@code file}, and closes it. */
  private void writeChain(Path file) {
    BlockPolicy policy =
        BlockPolicy.DEFAULT
            .withBlockPeriod(Duration.ofMillis(1_000))
            .withOnlyWhenTransactionsWait(false);
    try (BlockEngine e =
        BlockEngine.builder()
            .genesis(genesis)
            .store(BlockStores.openDurable(file))
            .schedule(poa(sealer))
            .sealingKey(sealer)
            .policy(policy)
            .clock(clock)
            .build()) {
      for (int i = 0; i < 20 && e.ledger().height() < 2; i++) {
        e.tick();
        clock.advance(500);
      }
      assertThat(e.ledger().height()).isEqualTo(2);
    }
  }

  /** Builds an engine on the file with the right settings: the file is not locked. */
  private void assertReopens(Path file) {
    try (BlockEngine e =
        BlockEngine.builder()
            .genesis(genesis)
            .store(BlockStores.openDurable(file))
            .schedule(poa(sealer))
            .clock(clock)
            .build()) {
      assertThat(e.ledger().height()).isEqualTo(2);
    }
  }

  @Test
  void build_missingSchedule_closesStoreSoTheFileCanBeReopened(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    writeChain(file);

    assertThatThrownBy(
            () ->
                BlockEngine.builder().genesis(genesis).store(BlockStores.openDurable(file)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("schedule not set: genesis, store and schedule are required");

    assertReopens(file);
  }

  @Test
  void build_missingGenesisAndSchedule_messageNamesBoth(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    writeChain(file);

    assertThatThrownBy(() -> BlockEngine.builder().store(BlockStores.openDurable(file)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("genesis, schedule not set: genesis, store and schedule are required");

    assertReopens(file);
  }

  @Test
  void build_wrongGenesis_closesStoreSoTheFileCanBeReopened(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    writeChain(file);
    Genesis otherChain = Fixtures.genesis(users, 1_000_000_001L);

    assertThatThrownBy(
            () ->
                BlockEngine.builder()
                    .genesis(otherChain)
                    .store(BlockStores.openDurable(file))
                    .schedule(poa(sealer))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("genesis");

    assertReopens(file);
  }

  @Test
  void build_scheduleRejectsTheStoredSeals_closesStoreSoTheFileCanBeReopened(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    writeChain(file);
    KeyPair notTheSealer = Fixtures.key(51);

    assertThatThrownBy(
            () ->
                BlockEngine.builder()
                    .genesis(genesis)
                    .store(BlockStores.openDurable(file))
                    .schedule(poa(notTheSealer))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("height 1");

    assertReopens(file);
  }

  @Test
  void build_transportFailsToListen_closesStoreSoTheFileCanBeReopened(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    writeChain(file);
    Transport broken =
        new Transport() {
          @Override
          public String localId() {
            return "broken";
          }

          @Override
          public void broadcast(ConsensusMessage message) {}

          @Override
          public void send(String peer, ConsensusMessage message) {}

          @Override
          public void listen(Receiver receiver) {
            throw new IllegalStateException("transport is closed");
          }
        };

    assertThatThrownBy(
            () ->
                BlockEngine.builder()
                    .genesis(genesis)
                    .store(BlockStores.openDurable(file))
                    .schedule(poa(sealer))
                    .transport(broken)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("transport is closed");

    assertReopens(file);
  }
}

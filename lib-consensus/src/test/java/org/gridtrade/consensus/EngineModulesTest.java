package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A block engine runs the on-chain modules its genesis names, on every block it seals. */
class EngineModulesTest {
  private final List<KeyPair> users = Fixtures.keys(0, 4);
  private final KeyPair sealer = Fixtures.key(50);
  private final Genesis genesis =
      Fixtures.genesis(users, 1_000_000_000L).withModules(List.of("tally"));
  private final ManualClock clock = new ManualClock(Fixtures.GENESIS_TIME + 10_000);

  /** Adds each call's number to a running total; its hook records the last height it saw. */
  static final class Tally implements LedgerModule {
    static final StateKey TOTAL = StateKey.of(17, new byte[] {'t'});
    static final StateKey LAST = StateKey.of(17, new byte[] {'h'});

    @Override
    public String name() {
      return "tally";
    }

    @Override
    public int namespace() {
      return 17;
    }

    @Override
    public Optional<TxResult.Rejected> execute(ModuleContext ctx, Transaction tx) {
      long add = ByteBuffer.wrap(((Payload.Call) tx.body().payload()).data()).getLong();
      long total = ctx.get(TOTAL).map(v -> ByteBuffer.wrap(v).getLong()).orElse(0L);
      ctx.put(TOTAL, ByteBuffer.allocate(8).putLong(Math.addExact(total, add)).array());
      return Optional.empty();
    }

    @Override
    public void endBlock(ModuleContext ctx) {
      ctx.put(LAST, ByteBuffer.allocate(8).putLong(ctx.height()).array());
    }
  }

  private BlockEngine.Builder engine(Path file, List<LedgerModule> modules) {
    return BlockEngine.builder()
        .genesis(genesis)
        .store(BlockStores.openDurable(file))
        .schedule(
            ConsensusSchedule.of(
                ProofOfAuthority.builder().sealers(List.of(sealer.address())).build()))
        .sealingKey(sealer)
        .policy(BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(1_000)))
        .clock(clock)
        .modules(modules);
  }

  private static long value(BlockEngine e, StateKey k) {
    return ByteBuffer.wrap(e.ledger().state().get(k).orElseThrow()).getLong();
  }

  @Test
  void engine_withAModule_sealsItsCallsAndRunsItsHook(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    try (BlockEngine e = engine(file, List.of(new Tally())).build()) {
      for (int i = 0; i < 3; i++) {
        KeyPair u = users.get(1 + i);
        byte[] data = ByteBuffer.allocate(8).putLong(10L * (i + 1)).array();
        Transaction tx =
            new TransactionBody(
                    Fixtures.CHAIN, u.publicKey(), 0, 5, new Payload.Call("tally", data))
                .sign(u);
        assertThat(e.submit(tx).accepted()).isTrue();
      }
      for (int i = 0; i < 40 && e.ledger().state().get(Tally.TOTAL).isEmpty(); i++) {
        e.tick();
        clock.advance(500);
      }
      assertThat(value(e, Tally.TOTAL)).isEqualTo(60);
      assertThat(value(e, Tally.LAST)).isEqualTo(e.ledger().height());
    }
  }

  @Test
  void build_withoutTheGenesissModules_failsNamingThemAndClosesTheStore(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    assertThatThrownBy(() -> engine(file, List.of()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing [tally]");
    try (BlockEngine e = engine(file, List.of(new Tally())).build()) {
      assertThat(e.ledger().height()).isZero();
    }
  }
}
